"""CSV import and export of products and stock levels.

A file is imported whole or not at all: every line is checked first, every bad line is
reported with its line number (``ImportRejected``), and only a clean file is written, in
one transaction. Lookups and writes are set-based (up to ``LOOKUP_CHUNK`` values per query,
sent as one parameter, and executemany statements), never one round trip per line, so 100k
lines stay quick.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Integer, and_, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from orion_desktop.db.engine import Database
from orion_desktop.db.models import Inventory, InventoryTransaction, Location, Product, Store
from orion_desktop.db.types import utcnow
from orion_desktop.domain import gtin as gtin_rules
from orion_desktop.domain.actor import Actor, Permission
from orion_desktop.domain.enums import ProductType, TransactionType
from orion_desktop.domain.errors import Conflict, ImportRejected, InvalidInput, OrionError
from orion_desktop.domain.results import ImportResult, StoreInfo
from orion_desktop.domain.validation import check_level, normalize_location_code
from orion_desktop.services.catalog import CleanProduct, _clean_product
from orion_desktop.services.lookup import ProductRef, dialect_insert, matches_any, resolve_store
from orion_desktop.services.operations import run_once
from orion_desktop.services.backorders import allocate_backorders
from orion_desktop.services.stock_ops import LedgerNote, lock_product_rows, require_stock_tracked

IN_LIST_CHUNK = 500
"""Most values in one plain ``IN (...)`` list, where each value is a bound parameter."""
LOOKUP_CHUNK = 10_000
"""Most values in one :func:`matches_any` lookup (all values travel as a single parameter)."""

_products = Product.__table__
_inventory = Inventory.__table__
_locations = Location.__table__
_ledger = InventoryTransaction.__table__

_T = TypeVar("_T")
_PRODUCT_TYPES = {kind.value: kind for kind in ProductType}

# --- file formats -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CsvFormat:
    """The columns one kind of file may have."""

    kind: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    ignored: tuple[str, ...] = ()
    one_of: tuple[str, ...] = ()  # at least one of these is required
    example: str = ""

    @property
    def known(self) -> tuple[str, ...]:
        return self.required + self.one_of + self.optional + self.ignored


PRODUCT_FORMAT = CsvFormat(
    kind="products",
    required=("sku", "title"),
    optional=("store", "gtin", "product_type", "low_stock_threshold", "reorder_point"),
    example="store,sku,title,gtin,product_type,low_stock_threshold,reorder_point",
)

STOCK_FORMAT = CsvFormat(
    kind="stock",
    required=("location", "quantity"),
    one_of=("product", "sku", "gtin"),
    optional=("store",),
    # What export_stock writes besides the columns above: shown for people, not imported.
    ignored=("title", "reserved_quantity", "available_quantity"),
    example="store,product,location,quantity",
)

EXPORT_COLUMNS = (
    "store",
    "sku",
    "gtin",
    "title",
    "location",
    "quantity",
    "reserved_quantity",
    "available_quantity",
)


@dataclass(frozen=True, slots=True)
class CsvLine:
    """One data line: its physical line number (the header is line 1) and its cells by column."""

    number: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(frozen=True, slots=True)
class CsvTable:
    file_name: str
    columns: frozenset[str]
    lines: tuple[CsvLine, ...]
    shape_problems: tuple[tuple[int, str], ...]

    def has(self, column: str) -> bool:
        return column in self.columns


def _column_name(raw: str) -> str:
    return re.sub(r"[\s\-]+", "_", raw.strip().lower())


def _delimiter(header_line: str) -> str:
    """``;`` (spreadsheets in many European locales), tab, or ``,``: whichever the header uses most."""
    counts = {sep: header_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def read_csv(path: Path, fmt: CsvFormat) -> CsvTable:
    """Read and shape-check a CSV file, or raise one InvalidInput sentence about the file as a whole."""
    name = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"There is no file {path}.") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path} is a folder, not a CSV file.") from None
    except OSError as error:
        raise InvalidInput(f"{name} cannot be read: {error.strerror or error}.") from None
    try:
        text = raw.decode("utf-8-sig")  # strips the BOM that Excel writes
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InvalidInput(
            f"{name} is not UTF-8 text (first odd byte on line {line}). "
            "Save it as \"CSV UTF-8\" in your spreadsheet program and import it again."
        ) from None
    if not text.strip():
        raise InvalidInput(f"{name} is empty. The first line must name the columns, for example: {fmt.example}")
    if "\x00" in text:
        raise InvalidInput(f"{name} is not a CSV text file.")

    first_line = text.lstrip("\r\n").splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        header: list[str] | None = None
        header_end = 0
        for row in reader:
            if "".join(row).strip():
                header = row
                header_end = reader.line_num
                break
        assert header is not None  # the text is not blank
        columns = _check_header(name, fmt, header)
        width = len(columns)
        used = [(index, column) for index, column in enumerate(columns) if column and column not in fmt.ignored]
        unnamed = [index for index, column in enumerate(columns) if not column]
        lines: list[CsvLine] = []
        shape: list[tuple[int, str]] = []
        previous_end = header_end
        for row in reader:
            number = previous_end + 1
            previous_end = reader.line_num
            if not "".join(row).strip():
                continue  # blank lines (and lines of empty cells) are skipped
            count = len(row)
            if count > width and "".join(row[width:]).strip():
                shape.append((number, f"has {count} values but the first line names only {width} columns."))
                continue
            if unnamed and "".join(row[i] for i in unnamed if i < count).strip():
                shape.append((number, "has a value in a column without a name in the first line."))
                continue
            lines.append(CsvLine(number, {column: row[i].strip() for i, column in used if i < count}))
    except csv.Error as error:
        raise InvalidInput(f"{name} is not a readable CSV file (line {reader.line_num}: {error}).") from None
    if not lines and not shape:
        raise InvalidInput(f"{name} has only the column names and no data lines; there is nothing to import.")
    return CsvTable(
        file_name=name,
        columns=frozenset(column for _, column in used),
        lines=tuple(lines),
        shape_problems=tuple(shape),
    )


def _check_header(name: str, fmt: CsvFormat, header: list[str]) -> list[str]:
    columns = [_column_name(cell) for cell in header]
    seen: set[str] = set()
    for column in columns:
        if not column:
            continue  # an unnamed column (e.g. a trailing separator): its cells must stay empty
        if column in seen:
            raise InvalidInput(f"{name} has the column {column} twice in its first line.")
        seen.add(column)
    unknown = [c for c in columns if c and c not in fmt.known]
    if unknown:
        allowed = ", ".join(fmt.known)
        raise InvalidInput(
            f"{name} has a column this import does not know: {unknown[0]!r}. "
            f"A {fmt.kind} file may have these columns: {allowed}."
        )
    missing = [c for c in fmt.required if c not in seen]
    if fmt.one_of and not seen.intersection(fmt.one_of):
        missing.insert(0, " or ".join(fmt.one_of))
    if missing:
        raise InvalidInput(
            f"{name} has no {missing[0]} column. The first line must name the columns, for example: {fmt.example}"
        )
    return columns


# --- shared helpers -----------------------------------------------------------------------


class Problems:
    """Bad lines, collected so the user sees all of them at once."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self._items: list[tuple[int, int, str]] = []

    def add(self, line: int, message: str | OrionError) -> None:
        self._items.append((line, len(self._items), str(message)))

    def __bool__(self) -> bool:
        return bool(self._items)

    def raise_if_any(self) -> None:
        if self._items:
            ordered = sorted(self._items)
            raise ImportRejected(self.file_name, [f"line {line}: {message}" for line, _, message in ordered])


def chunks(values: Iterable[_T], size: int = IN_LIST_CHUNK) -> Iterator[list[_T]]:
    batch: list[_T] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


_SPREADSHEET_NUMBER = re.compile(r"\d+([.,]\d+)?[eE]\+?\d+")


def _refuse_spreadsheet_number(raw: str) -> None:
    """Explain the usual spreadsheet accident (a barcode shown as 4.00638E+12) in plain words."""
    if _SPREADSHEET_NUMBER.fullmatch(raw):
        raise InvalidInput(
            f"{raw!r} looks like a barcode a spreadsheet turned into a number; format the GTIN column as text."
        )


def _gtin_cell(raw: str) -> str:
    """A GTIN cell in canonical form, or InvalidInput with a sentence."""
    _refuse_spreadsheet_number(raw)
    return gtin_rules.normalize_gtin(raw)


class StoreResolver:
    """Store codes of a file's lines, resolved once per distinct code (services.lookup.resolve_store)."""

    def __init__(self, session: Session, actor: Actor, table: CsvTable, default: str | None) -> None:
        self._session = session
        self._actor = actor
        self._default = default
        self._cache: dict[str, StoreInfo | OrionError] = {}
        self._has_column = table.has("store")
        if not self._has_column and default is None:
            # Every line would need "the only store": decide it once for the whole file.
            try:
                resolve_store(session, None)
            except InvalidInput:
                raise InvalidInput(
                    f"This database has more than one store; add a store column to {table.file_name} "
                    "saying which store each line belongs to."
                ) from None

    def for_line(self, line: CsvLine) -> StoreInfo:
        code = line.get("store") if self._has_column else ""
        if code not in self._cache:
            self._cache[code] = self._resolve(code)
        found = self._cache[code]
        if isinstance(found, OrionError):
            raise found
        return found

    def _resolve(self, code: str) -> StoreInfo | OrionError:
        try:
            if code:
                store = resolve_store(self._session, code)
            elif self._default is not None:
                store = resolve_store(self._session, self._default)
            else:
                try:
                    store = resolve_store(self._session, None)
                except InvalidInput:
                    return InvalidInput("The store is missing; this database has more than one store.")
            self._actor.require_store(store.code)
            return store
        except OrionError as error:
            return error


def _product_rows(session: Session, store: StoreInfo, column, values: Iterable[str]) -> dict[str, Row[Any]]:  # type: ignore[no-untyped-def]
    """Products of one store whose ``column`` (SKU or GTIN) is in ``values``, keyed by that value.

    The rows (id, sku, gtin, title, product_type, is_placeholder) are kept as they come: at
    100k lines, building an object per product costs more than the query.
    """
    key = 1 if column is _products.c.sku else 2
    found: dict[str, Row[Any]] = {}
    for batch in chunks(sorted(set(values)), LOOKUP_CHUNK):
        rows = session.execute(
            select(
                _products.c.id,
                _products.c.sku,
                _products.c.gtin,
                _products.c.title,
                _products.c.product_type,
                _products.c.is_placeholder,
            ).where(_products.c.store_id == store.id, matches_any(session, column, batch))
        ).all()
        found.update((row[key], row) for row in rows)
    return found


def _require_stock_tracked(row: Row[Any], store: StoreInfo) -> None:
    if row.is_placeholder or row.product_type != ProductType.PHYSICAL.value:
        require_stock_tracked(
            ProductRef(
                id=row.id,
                store_id=store.id,
                store_code=store.code,
                sku=row.sku,
                title=row.title,
                product_type=ProductType(row.product_type),
                is_placeholder=row.is_placeholder,
            )
        )


# --- products -----------------------------------------------------------------------------


@dataclass(slots=True)
class _ProductLine:
    number: int
    store: StoreInfo
    clean: CleanProduct


@dataclass(frozen=True, slots=True)
class _ExistingProduct:
    id: int
    values: dict[str, object]
    stock_tracked: bool


# --- stock --------------------------------------------------------------------------------


@dataclass(slots=True)
class _StockLine:
    number: int
    store: StoreInfo
    location: str
    quantity: int
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # (column, value)
    product: Row[Any] | None = None  # see _product_rows


@dataclass(slots=True)
class _Slot:
    """An existing inventory row, as read (and on PostgreSQL locked) in this transaction."""

    id: int
    quantity: int
    reserved: int


class ImportService:
    def __init__(self, database: Database) -> None:
        self._db = database

    # --- products -------------------------------------------------------------------------
    def import_products(
        self, actor: Actor, path: Path, *, store: str | None = None, operation_key: str | None = None
    ) -> ImportResult:
        """Create or update products from a CSV file, matched by (store, SKU). All lines or none.

        Columns a file does not have are left alone on existing products; an empty cell in a
        column the file has clears the value (e.g. an empty ``low_stock_threshold`` means
        the global default applies). ``store`` is used for lines without a store. Replaying
        an ``operation_key`` returns the first result and changes nothing.
        """
        actor.require(Permission.MANAGE_CATALOG)
        path = Path(path)
        table = read_csv(path, PRODUCT_FORMAT)
        with self._db.write() as session:

            def action() -> ImportResult:
                problems = Problems(table.file_name)
                for number, message in table.shape_problems:
                    problems.add(number, message)
                stores = StoreResolver(session, actor, table, store)
                lines = self._clean_product_lines(table, stores, problems)
                existing = self._existing_products(session, lines)
                self._check_product_conflicts(session, table, lines, existing, problems)
                problems.raise_if_any()
                return self._write_products(session, table, lines, existing)

            return run_once(session, operation_key, "import.products", actor, ImportResult, action)

    @staticmethod
    def _clean_product_lines(table: CsvTable, stores: StoreResolver, problems: Problems) -> list[_ProductLine]:
        lines: list[_ProductLine] = []
        first_sku: dict[tuple[int, str], int] = {}
        first_gtin: dict[tuple[int, str], int] = {}
        for line in table.lines:
            try:
                store = stores.for_line(line)
            except OrionError as error:
                problems.add(line.number, error)
                continue
            gtin_text = line.get("gtin")
            try:
                _refuse_spreadsheet_number(gtin_text)  # a clearer hint than the generic GTIN check
                clean = _clean_product(
                    line.get("sku"),
                    line.get("title"),
                    gtin_text or None,
                    line.get("product_type") or None,
                    line.get("low_stock_threshold") or None,
                    line.get("reorder_point") or None,
                )
            except OrionError as error:
                problems.add(line.number, error)
                continue
            sku_key = (store.id, clean.sku)
            if sku_key in first_sku:
                problems.add(line.number, f"SKU {clean.sku} is already on line {first_sku[sku_key]}.")
                continue
            first_sku[sku_key] = line.number
            if clean.gtin is not None:
                gtin_key = (store.id, clean.gtin)
                if gtin_key in first_gtin:
                    problems.add(
                        line.number,
                        f"GTIN {gtin_rules.display_gtin(clean.gtin)} is already on line {first_gtin[gtin_key]}.",
                    )
                    continue
                first_gtin[gtin_key] = line.number
            lines.append(_ProductLine(line.number, store, clean))
        return lines

    @staticmethod
    def _existing_products(
        session: Session, lines: Sequence[_ProductLine]
    ) -> dict[tuple[int, str], _ExistingProduct]:
        by_store: dict[int, set[str]] = {}
        for line in lines:
            by_store.setdefault(line.store.id, set()).add(line.clean.sku)
        found: dict[tuple[int, str], _ExistingProduct] = {}
        for store_id, skus in by_store.items():
            for batch in chunks(sorted(skus), LOOKUP_CHUNK):
                rows = session.execute(
                    select(
                        _products.c.id,
                        _products.c.sku,
                        _products.c.title,
                        _products.c.gtin,
                        _products.c.is_placeholder,
                        _products.c.product_type,
                        _products.c.low_stock_threshold,
                        _products.c.reorder_point,
                    ).where(_products.c.store_id == store_id, matches_any(session, _products.c.sku, batch))
                ).all()
                for row in rows:
                    found[(store_id, row.sku)] = _ExistingProduct(
                        id=row.id,
                        values={
                            "title": row.title,
                            "gtin": row.gtin,
                            "is_placeholder": bool(row.is_placeholder),
                            "product_type": row.product_type,
                            "low_stock_threshold": row.low_stock_threshold,
                            "reorder_point": row.reorder_point,
                        },
                        stock_tracked=not row.is_placeholder and row.product_type == ProductType.PHYSICAL.value,
                    )
        return found

    @staticmethod
    def _check_product_conflicts(
        session: Session,
        table: CsvTable,
        lines: Sequence[_ProductLine],
        existing: dict[tuple[int, str], _ExistingProduct],
        problems: Problems,
    ) -> None:
        # A GTIN may belong to one product per store: refuse a GTIN another SKU already has.
        wanted: dict[int, dict[str, _ProductLine]] = {}
        for line in lines:
            if line.clean.gtin is not None:
                wanted.setdefault(line.store.id, {})[line.clean.gtin] = line
        for store_id, by_gtin in wanted.items():
            for batch in chunks(sorted(by_gtin), LOOKUP_CHUNK):
                rows = session.execute(
                    select(_products.c.sku, _products.c.gtin).where(
                        _products.c.store_id == store_id, matches_any(session, _products.c.gtin, batch)
                    )
                ).all()
                for owner_sku, gtin in rows:
                    line = by_gtin[gtin]
                    if owner_sku != line.clean.sku:
                        problems.add(
                            line.number,
                            f"GTIN {gtin_rules.display_gtin(gtin)} already belongs to {owner_sku} "
                            f"in store {line.store.code}.",
                        )
        # A product with stock rows must stay a stock-tracked (physical, non-placeholder) product.
        becoming_untracked: dict[int, _ProductLine] = {}
        for line in lines:
            before = existing.get((line.store.id, line.clean.sku))
            if before is None or not before.stock_tracked:
                continue
            new_type = line.clean.product_type if table.has("product_type") else ProductType(before.values["product_type"])
            new_placeholder = line.clean.is_placeholder if table.has("gtin") else False
            if new_type is not ProductType.PHYSICAL or new_placeholder:
                becoming_untracked[before.id] = line
        for batch in chunks(sorted(becoming_untracked), LOOKUP_CHUNK):
            with_stock = session.execute(
                select(_inventory.c.product_id).where(matches_any(session, _inventory.c.product_id, batch)).distinct()
            ).scalars()
            for product_id in with_stock:
                line = becoming_untracked[product_id]
                what = "a placeholder" if line.clean.is_placeholder else f"a {line.clean.product_type.value} product"
                problems.add(
                    line.number,
                    f"{line.clean.sku} has stock records, so it cannot become {what}; "
                    "remove its stock first or keep it physical with a real GTIN.",
                )

    @staticmethod
    def _write_products(
        session: Session,
        table: CsvTable,
        lines: Sequence[_ProductLine],
        existing: dict[tuple[int, str], _ExistingProduct],
    ) -> ImportResult:
        # Columns the file has are set on existing products; the others stay as they are.
        updatable = ["title"]
        if table.has("gtin"):
            updatable += ["gtin", "is_placeholder"]
        if table.has("product_type"):
            updatable.append("product_type")
        if table.has("low_stock_threshold"):
            updatable.append("low_stock_threshold")
        if table.has("reorder_point"):
            updatable.append("reorder_point")
        now = utcnow()
        new_rows: list[dict[str, object]] = []
        changed: list[dict[str, object]] = []
        for line in lines:
            values = line.clean.columns()
            before = existing.get((line.store.id, line.clean.sku))
            if before is None:
                new_rows.append({**values, "store_id": line.store.id, "created_at": now})
                continue
            if any(values[column] != before.values[column] for column in updatable):
                changed.append({"b_id": before.id, **{f"b_{column}": values[column] for column in updatable}})
        try:
            if new_rows:
                session.execute(insert(_products), new_rows)
            if changed:
                session.execute(
                    update(_products)
                    .where(_products.c.id == bindparam("b_id"))
                    .values({column: bindparam(f"b_{column}") for column in updatable}),
                    changed,
                )
        except IntegrityError:
            raise Conflict(
                f"Another workstation changed some of these products while {table.file_name} was being "
                "imported; nothing was imported. Import the file again."
            ) from None
        return ImportResult(kind="products", rows=len(table.lines), created=len(new_rows), updated=len(changed))

    # --- stock ----------------------------------------------------------------------------
    def import_stock(
        self, actor: Actor, path: Path, *, store: str | None = None, operation_key: str | None = None
    ) -> ImportResult:
        """Set on-hand quantities from a CSV file. All lines or none.

        Each changed row gets one ``import`` ledger row; unchanged rows get none, so importing
        the same file twice changes nothing the second time. Missing locations and stock rows
        are created. ``store`` is used for lines without a store. Replaying an
        ``operation_key`` returns the first result and changes nothing.
        """
        actor.require(Permission.CHANGE_STOCK)
        path = Path(path)
        table = read_csv(path, STOCK_FORMAT)
        with self._db.write() as session:

            def action() -> ImportResult:
                problems = Problems(table.file_name)
                for number, message in table.shape_problems:
                    problems.add(number, message)
                stores = StoreResolver(session, actor, table, store)
                lines = self._parse_stock_lines(table, stores, problems)
                self._resolve_stock_products(session, lines, problems)
                lines = self._refuse_duplicate_slots([line for line in lines if line.product is not None], problems)
                # The global lock order (every stock row of these products, ascending id) before any
                # row is read for writing, as in every multi-row stock change.
                lock_product_rows(session, {line.product.id for line in lines if line.product is not None})
                location_ids = self._location_ids(session, {line.location for line in lines})
                slots = self._existing_slots(session, lines, location_ids)
                for line in lines:
                    assert line.product is not None
                    slot = slots.get((line.product.id, location_ids.get(line.location, -1)))
                    if slot is not None and line.quantity < slot.reserved:
                        problems.add(
                            line.number,
                            f"Cannot set {line.product.title} ({line.product.sku}) at {line.location} to "
                            f"{line.quantity}: {slot.reserved} units are reserved there for orders. "
                            f"Set at least {slot.reserved}.",
                        )
                problems.raise_if_any()
                note = LedgerNote(actor, f"imported from {table.file_name}", operation_key)
                result = self._write_stock(session, note, table, lines, location_ids, slots)
                # New stock goes to waiting orders first (oldest first), in this same transaction.
                allocate_backorders(session, _increased_products(lines, location_ids, slots), actor)
                return result

            return run_once(session, operation_key, "import.stock", actor, ImportResult, action)

    @staticmethod
    def _parse_stock_lines(table: CsvTable, stores: StoreResolver, problems: Problems) -> list[_StockLine]:
        id_columns = [c for c in STOCK_FORMAT.one_of if table.has(c)]
        # Files repeat locations and quantities: check each distinct text once.
        location_cache: dict[str, str | InvalidInput] = {}
        quantity_cache: dict[str, int | InvalidInput] = {}
        lines: list[_StockLine] = []
        for line in table.lines:
            bad = False
            try:
                store = stores.for_line(line)
            except OrionError as error:
                problems.add(line.number, error)
                continue
            cells = line.cells
            identifiers = [(column, cells[column]) for column in id_columns if cells.get(column)]
            if not identifiers:
                problems.add(line.number, "Say which product: give its SKU or GTIN.")
                bad = True
            raw_location = cells.get("location", "")
            if raw_location not in location_cache:
                try:
                    location_cache[raw_location] = normalize_location_code(raw_location)
                except InvalidInput as error:
                    location_cache[raw_location] = error
            location = location_cache[raw_location]
            if isinstance(location, InvalidInput):
                problems.add(line.number, location)
                bad = True
            raw_quantity = cells.get("quantity", "")
            if raw_quantity not in quantity_cache:
                try:
                    if not raw_quantity:
                        raise InvalidInput("The quantity is missing; give the number of units on hand (0 or more).")
                    quantity_cache[raw_quantity] = check_level(raw_quantity)
                except InvalidInput as error:
                    quantity_cache[raw_quantity] = error
            quantity = quantity_cache[raw_quantity]
            if isinstance(quantity, InvalidInput):
                problems.add(line.number, quantity)
                bad = True
            if not bad:
                assert isinstance(location, str) and isinstance(quantity, int)
                lines.append(_StockLine(line.number, store, location, quantity, identifiers))
        return lines

    @staticmethod
    def _resolve_stock_products(session: Session, lines: Sequence[_StockLine], problems: Problems) -> None:
        """Find each line's product by SKU or GTIN with a few IN queries per store."""
        canonical: dict[str, str | InvalidInput] = {}

        def gtin_of(value: str) -> str | InvalidInput:
            if value not in canonical:
                try:
                    if gtin_rules.is_placeholder(value):
                        raise InvalidInput(
                            "0000000000000 is the placeholder code for unmatched items; it does not name one product."
                        )
                    canonical[value] = _gtin_cell(value)
                except InvalidInput as error:
                    canonical[value] = error
            return canonical[value]

        by_store: dict[int, list[_StockLine]] = {}
        stores: dict[int, StoreInfo] = {}
        for line in lines:
            by_store.setdefault(line.store.id, []).append(line)
            stores[line.store.id] = line.store
        for store_id, store_lines in by_store.items():
            store = stores[store_id]
            sku_values = {v for line in store_lines for c, v in line.identifiers if c in ("product", "sku")}
            by_sku = _product_rows(session, store, _products.c.sku, sku_values)
            gtin_values: set[str] = set()
            for line in store_lines:
                for column, value in line.identifiers:
                    if column == "gtin" or (
                        column == "product" and value not in by_sku and gtin_rules.looks_like_gtin(value)
                    ):
                        found = gtin_of(value)
                        if isinstance(found, str):
                            gtin_values.add(found)
            by_gtin = _product_rows(session, store, _products.c.gtin, gtin_values)
            for line in store_lines:
                refs: list[Row[Any]] = []
                for column, value in line.identifiers:
                    ref: Row[Any] | None = None
                    if column in ("product", "sku"):
                        ref = by_sku.get(value)
                    if ref is None and (
                        column == "gtin" or (column == "product" and gtin_rules.looks_like_gtin(value))
                    ):
                        found = gtin_of(value)
                        if isinstance(found, InvalidInput):
                            problems.add(line.number, found)
                            break
                        ref = by_gtin.get(found)
                    if ref is None:
                        what = {"product": "SKU or GTIN", "sku": "SKU", "gtin": "GTIN"}[column]
                        problems.add(line.number, f"No product with {what} {value!r} in store {store.code}.")
                        break
                    refs.append(ref)
                else:
                    if any(ref.id != refs[0].id for ref in refs):
                        named = " and ".join(f"{c} {v}" for c, v in line.identifiers)
                        problems.add(line.number, f"{named} name different products; the line must name one.")
                        continue
                    try:
                        _require_stock_tracked(refs[0], store)
                    except InvalidInput as error:
                        problems.add(line.number, error)
                        continue
                    line.product = refs[0]

    @staticmethod
    def _refuse_duplicate_slots(lines: list[_StockLine], problems: Problems) -> list[_StockLine]:
        first: dict[tuple[int, str], int] = {}
        kept: list[_StockLine] = []
        for line in lines:
            assert line.product is not None
            key = (line.product.id, line.location)
            if key in first:
                problems.add(
                    line.number,
                    f"{line.product.sku} at {line.location} is already on line {first[key]}; "
                    "give each product and location once.",
                )
                continue
            first[key] = line.number
            kept.append(line)
        return kept

    @staticmethod
    def _location_ids(session: Session, codes: set[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for batch in chunks(sorted(codes), LOOKUP_CHUNK):
            found.update(
                session.execute(
                    select(_locations.c.code, _locations.c.id).where(matches_any(session, _locations.c.code, batch))
                ).all()
            )
        return found

    def _existing_slots(
        self, session: Session, lines: Sequence[_StockLine], location_ids: dict[str, int]
    ) -> dict[tuple[int, int], _Slot]:
        """The inventory rows the file names that exist, read under lock (PostgreSQL: FOR UPDATE).

        Rows are locked in ascending id order, like every multi-row change, so an import and a
        transfer on another PC cannot deadlock.
        """
        wanted = {
            (line.product.id, location_ids[line.location])
            for line in lines
            if line.product is not None and line.location in location_ids
        }
        if not wanted:
            return {}
        columns = (
            _inventory.c.id,
            _inventory.c.product_id,
            _inventory.c.location_id,
            _inventory.c.quantity,
            _inventory.c.reserved_quantity,
        )
        found: dict[tuple[int, int], _Slot] = {}
        if self._db.is_sqlite:
            # BEGIN IMMEDIATE already holds the write lock: nobody else changes these rows now.
            for batch in chunks(sorted({product_id for product_id, _ in wanted}), LOOKUP_CHUNK):
                query = select(*columns).where(matches_any(session, _inventory.c.product_id, batch))
                for inventory_id, product_id, location_id, quantity, reserved in session.execute(query).all():
                    if (product_id, location_id) in wanted:
                        found[(product_id, location_id)] = _Slot(inventory_id, quantity, reserved)
            return found
        # PostgreSQL: one query for all (product, location) pairs, so the locks are taken in one
        # ascending-id pass rather than per chunk.
        pairs = sorted(wanted)
        listed = (
            func.unnest(
                bindparam(None, [product_id for product_id, _ in pairs], type_=ARRAY(Integer)),
                bindparam(None, [location_id for _, location_id in pairs], type_=ARRAY(Integer)),
            )
            .table_valued("product_id", "location_id")
            .render_derived()
        )
        query = (
            select(*columns)
            .join(
                listed,
                and_(_inventory.c.product_id == listed.c.product_id, _inventory.c.location_id == listed.c.location_id),
            )
            .order_by(_inventory.c.id)
            .with_for_update(of=_inventory, key_share=True)  # NO KEY UPDATE, as lock_product_rows
        )
        for inventory_id, product_id, location_id, quantity, reserved in session.execute(query).all():
            found[(product_id, location_id)] = _Slot(inventory_id, quantity, reserved)
        return found

    @staticmethod
    def _write_stock(
        session: Session,
        note: LedgerNote,
        table: CsvTable,
        lines: Sequence[_StockLine],
        location_ids: dict[str, int],
        slots: dict[tuple[int, int], _Slot],
    ) -> ImportResult:
        now = utcnow()
        missing_locations = sorted({line.location for line in lines} - set(location_ids))
        if missing_locations:
            # Like a single stock change, an import creates locations on first use.
            session.execute(
                dialect_insert(session)(_locations).on_conflict_do_nothing(index_elements=["code"]),
                [
                    {"code": code, "name": None, "sort_key": 0, "is_active": True, "created_at": now}
                    for code in missing_locations
                ],
            )
            location_ids.update(ImportService._location_ids(session, set(missing_locations)))

        new_rows: list[dict[str, object]] = []
        changes: list[dict[str, object]] = []
        ledger: list[dict[str, object]] = []
        for line in lines:
            product = line.product
            assert product is not None
            loc_id = location_ids[line.location]
            slot = slots.get((product.id, loc_id))
            if slot is None:
                new_rows.append(
                    {
                        "store_id": line.store.id,
                        "product_id": product.id,
                        "location_id": loc_id,
                        "quantity": line.quantity,
                        "reserved_quantity": 0,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                before, reserved = 0, 0
            elif slot.quantity == line.quantity:
                continue
            else:
                changes.append({"b_id": slot.id, "b_old": slot.quantity, "b_new": line.quantity})
                before, reserved = slot.quantity, slot.reserved
            if line.quantity != before:
                ledger.append(
                    {
                        "store_id": line.store.id,
                        "product_id": product.id,
                        "location_id": loc_id,
                        "transaction_type": TransactionType.IMPORT.value,
                        "quantity_change": line.quantity - before,
                        "reserved_change": 0,
                        "quantity_after": line.quantity,
                        "reserved_after": reserved,
                        "order_id": None,
                        "order_number": None,
                        "reason": note.reason,
                        "created_by": note.actor.name,
                        "created_at": now,
                        "operation_key": note.operation_key,
                    }
                )
        try:
            if new_rows:
                session.execute(insert(_inventory), new_rows)
        except IntegrityError:
            raise Conflict(
                f"Another workstation added stock for some of these products while {table.file_name} was being "
                "imported; nothing was imported. Import the file again."
            ) from None
        if changes:
            # Conditional, like every stock change: the row must still hold what we read and
            # the new level must cover what is reserved. The rows are locked, so all match.
            result = session.execute(
                update(_inventory)
                .where(
                    _inventory.c.id == bindparam("b_id"),
                    _inventory.c.quantity == bindparam("b_old"),
                    _inventory.c.reserved_quantity <= bindparam("b_new"),
                )
                .values(quantity=bindparam("b_new"), updated_at=now),
                changes,
            )
            if result.rowcount != len(changes):  # type: ignore[attr-defined]
                raise Conflict(
                    "Another workstation changed some of this stock while the file was being imported; "
                    "nothing was imported. Import the file again."
                )
        if ledger:
            session.execute(insert(_ledger), ledger)
        return ImportResult(kind="stock", rows=len(table.lines), created=len(new_rows), updated=len(changes))

    # --- export ---------------------------------------------------------------------------
    def export_stock(self, path: Path, store: str | None = None) -> int:
        """Write every stock row (of one store, or all) as CSV that import_stock reads back.

        The file is written next to the target and moved into place, so a failed export
        never leaves half a file. It is UTF-8 with a BOM so spreadsheet programs show
        accented titles correctly. Returns the number of rows written.
        """
        path = Path(path)
        temporary = path.with_name(f".{path.name}.partial")
        count = 0
        with self._db.read() as session:
            query = (
                select(
                    Store.code,
                    Product.sku,
                    Product.gtin,
                    Product.title,
                    Location.code.label("location"),
                    Inventory.quantity,
                    Inventory.reserved_quantity,
                )
                .join(Product, Product.id == Inventory.product_id)
                .join(Store, Store.id == Inventory.store_id)
                .join(Location, Location.id == Inventory.location_id)
                .order_by(Store.code, Product.sku, Location.sort_key, Location.code)
            )
            if store is not None and str(store).strip():
                query = query.where(Inventory.store_id == resolve_store(session, store).id)
            rows = session.execute(query).all()
        try:
            with temporary.open("w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(EXPORT_COLUMNS)
                for row in rows:
                    writer.writerow(
                        (
                            row.code,
                            row.sku,
                            gtin_rules.display_gtin(row.gtin) or "",
                            row.title,
                            row.location,
                            row.quantity,
                            row.reserved_quantity,
                            row.quantity - row.reserved_quantity,
                        )
                    )
                    count += 1
            os.replace(temporary, path)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise InvalidInput(f"Cannot write {path}: {error.strerror or error}.") from None
        return count


__all__ = ["EXPORT_COLUMNS", "ImportService", "PRODUCT_FORMAT", "STOCK_FORMAT", "read_csv"]


def _increased_products(
    lines: Sequence[_StockLine], location_ids: dict[str, int], slots: dict[tuple[int, int], _Slot]
) -> set[int]:
    """Products whose stock the import raised somewhere (those may serve backorders)."""
    raised: set[int] = set()
    for line in lines:
        assert line.product is not None
        slot = slots.get((line.product.id, location_ids.get(line.location, -1)))
        before = slot.quantity if slot is not None else 0
        if line.quantity > before:
            raised.add(line.product.id)
    return raised
