"""Stock levels from a CSV file: each line sets the on-hand quantity of a product at a location.

All lines or none, in one transaction: the file is read a chunk at a time
(:mod:`services.imports.csv_files`); each chunk is checked and its good lines written, and once the
whole file is read every bad line is reported with its line number (``ImportRejected``) and the
transaction rolls back. Each changed stock row gets one ``import`` ledger row with its
after-values, reserved units are never touched (a level below them is refused), locations and
stock rows are created on first use, and new stock goes to waiting backorders once the whole
file is in. On PostgreSQL each chunk's rows are locked in ascending id before it writes
(ARCHITECTURE.md: stock changes). A stock row named twice in one file is refused however far apart the lines are
(:class:`services.imports.chunks.FirstLines`).

Speed (ARCHITECTURE.md: budgets: 100k lines at most 3x a raw executemany): lookups take a few queries per
chunk, not one per line, and the writes are set-based (:mod:`services.stock_import_writes`): a
chunk's lines are checked and planned in Python, then three statements write its stock and
ledger rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from orion_desktop.db.bulk_rows import integer_rows
from orion_desktop.db.change_recording import STOCK, record_actor, record_all
from orion_desktop.db.dialect import matches_any
from orion_desktop.db.engine import Database
from orion_desktop.db.models import Inventory, Location, Product
from orion_desktop.db.types import utcnow
from orion_desktop.db.typing_aliases import AnyRow
from orion_desktop.domain import gtin as gtin_rules
from orion_desktop.domain.actor import Actor, Permission
from orion_desktop.domain.enums import ProductType
from orion_desktop.domain.errors import InvalidInput, OrionError
from orion_desktop.domain.import_job import ImportWatch
from orion_desktop.domain.results import ImportResult, StoreInfo
from orion_desktop.domain.text_rules import agreeing, plural
from orion_desktop.domain.validation import check_level, normalize_location_code
from orion_desktop.services.idempotency import FileContent, run_once
from orion_desktop.services.imports.chunks import FirstLines, IdSet
from orion_desktop.services.imports.csv_files import CsvFormat, CsvLine, CsvTable, Problems, open_csv
from orion_desktop.services.imports.lookups import (
    LOOKUP_CHUNK,
    StoreResolver,
    chunks,
    gtin_cell,
    product_rows,
    require_stock_tracked_row,
)
from orion_desktop.services.imports.stock_locations import create_missing_locations, find_location_ids
from orion_desktop.services.imports.stock_writes import plan_chunk, write_chunk
from orion_desktop.services.stock.backorders import allocate_backorders
from orion_desktop.services.stock.level_changes import LedgerNote

STOCK_FORMAT = CsvFormat(
    kind="stock",
    required=("location", "quantity"),
    one_of=("product", "sku", "gtin"),
    optional=("store",),
    # What export_stock writes besides the columns above: shown for people, not imported.
    ignored=("title", "reserved_quantity", "available_quantity"),
    example="store,product,location,quantity",
)

_products = Product.__table__
_inventory = Inventory.__table__
_locations = Location.__table__

_WHAT = {"product": "SKU or GTIN", "sku": "SKU", "gtin": "GTIN"}
_PHYSICAL = ProductType.PHYSICAL.value


@dataclass(slots=True)
class _StockLine:
    number: int
    store: StoreInfo
    location: str
    quantity: int
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # (column, value)
    product: AnyRow | None = None  # see imports.lookups.product_rows
    product_id: int = 0  # product.id, read once: a Row attribute costs more than a slot in 100k-line loops


@dataclass(slots=True)
class _Slot:
    """An existing inventory row, as read (and on PostgreSQL locked) in this transaction."""

    id: int
    quantity: int
    reserved: int


@dataclass(slots=True)
class _Totals:
    """What the whole file did, chunk after chunk."""

    created: int = 0
    updated: int = 0
    named: FirstLines = field(default_factory=FirstLines)  # stock rows this file named so far
    raised: IdSet = field(default_factory=IdSet)  # products whose stock went up: backorders may take it
    location_ids: dict[str, int] = field(default_factory=dict)  # location codes looked up (or created) so far
    stamp: datetime = field(default_factory=utcnow)  # one timestamp for the whole file


def import_stock(
    database: Database,
    actor: Actor,
    path: Path,
    *,
    store: str | None = None,
    operation_key: str | None = None,
    watch: ImportWatch | None = None,
) -> ImportResult:
    """Set on-hand quantities from a CSV file. All lines or none.

    Each changed row gets one ``import`` ledger row; unchanged rows get none, so importing
    the same file twice changes nothing the second time. Missing locations and stock rows
    are created. ``store`` is used for lines without a store. Replaying an
    ``operation_key`` returns the first result and changes nothing.
    """
    actor.require(Permission.CHANGE_STOCK)
    with open_csv(Path(path), STOCK_FORMAT, watch) as table, database.write() as session:

        def action() -> ImportResult:
            record_all(session, STOCK)  # a bulk write: named as a whole (a replay never gets here)
            record_actor(session, actor.name)
            problems = Problems(table.file_name)
            stores = StoreResolver(session, actor, table, store)
            note = LedgerNote(actor, f"imported from {table.file_name}", operation_key)
            totals = _Totals()
            if session.get_bind().dialect.name == "postgresql":
                _lock_every_product_of_the_file(session, Path(path), stores)
            for chunk in table.chunks():
                for number, message in chunk.shape_problems:
                    problems.add(number, message)
                _import_chunk(session, table, chunk.lines, stores, note, totals, problems)
            problems.raise_if_any()
            # New stock goes to waiting orders first (oldest first), in this same transaction, once
            # every level of the file is set (a chunk must not reserve units a later line sets).
            for product_ids in chunks(totals.raised, LOOKUP_CHUNK):
                allocate_backorders(session, set(product_ids), actor)
            return ImportResult(kind="stock", rows=table.rows, created=totals.created, updated=totals.updated)

        return run_once(
            session, operation_key, "import.stock", actor, ImportResult, action,
            params={"store": store, "file": FileContent(Path(path))},
        )


def _lock_every_product_of_the_file(session: Session, path: Path, stores: StoreResolver) -> None:
    """PostgreSQL, a file of several chunks: lock every stock row of every product it names, in one
    ascending-id statement, before the first chunk changes anything.

    Each chunk locks its own products again (a no-op for rows already ours), but chunk by chunk
    alone a later chunk could lock a lower id after a higher one and deadlock with another PC
    that takes its locks in ascending order (ARCHITECTURE: lock order). This first pass only
    reads: it resolves the products (bad lines are reported by the real pass) and keeps one bit
    per product id.
    """
    product_ids = IdSet()
    with open_csv(path, STOCK_FORMAT) as table:
        chunks_ = table.chunks()
        first, second = next(chunks_, None), next(chunks_, None)
        if second is None:
            return  # one chunk: its own lock statement is the only one
        assert first is not None
        for chunk in itertools.chain((first, second), chunks_):
            _gather_product_ids(session, table, chunk.lines, stores, product_ids)
    if product_ids:
        ids = sorted(product_ids)
        locked = (
            select(_inventory.c.id)
            .where(matches_any(session, _inventory.c.product_id, ids))
            .order_by(_inventory.c.id)
            .with_for_update(key_share=True)  # FOR NO KEY UPDATE: see lock_product_rows
            .subquery()
        )
        session.execute(select(func.count()).select_from(locked))  # one row back, however many are locked


def _gather_product_ids(
    session: Session, table: CsvTable, chunk: Sequence[CsvLine], stores: StoreResolver, into: IdSet
) -> None:
    unreported = Problems(table.file_name)  # the real pass reports them
    lines = _parse_lines(table, chunk, stores, unreported)
    _resolve_products(session, lines, unreported)
    into.update(line.product_id for line in lines if line.product is not None)


def _import_chunk(
    session: Session,
    table: CsvTable,
    chunk: Sequence[CsvLine],
    stores: StoreResolver,
    note: LedgerNote,
    totals: _Totals,
    problems: Problems,
) -> None:
    """Check one chunk's lines and write its good ones (even after a bad line elsewhere: later
    chunks read them back, and the rollback at the end undoes them)."""
    lines = _parse_lines(table, chunk, stores, problems)
    _resolve_products(session, lines, problems)
    lines = _refuse_duplicate_slots([line for line in lines if line.product is not None], problems)
    location_ids = totals.location_ids
    unknown = {line.location for line in lines} - location_ids.keys()
    if unknown:
        location_ids.update(find_location_ids(session, unknown))
    # The global lock order (every stock row of this chunk's products, ascending id) before any
    # of its rows is written, as in every multi-row stock change.
    slots = _lock_stock_rows(session, lines, location_ids)
    lines = _refuse_repeated_slots(lines, location_ids, slots, totals.named, problems)
    lines = _refuse_levels_below_reserved(lines, location_ids, slots, problems)
    create_missing_locations(session, {line.location for line in lines}, location_ids)
    plan = plan_chunk(lines, location_ids, slots)
    new_ids = write_chunk(session, note, table, plan, totals.stamp)
    plan.named.update(new_ids)
    totals.named.add_chunk(plan.named)
    totals.raised.update(plan.raised)
    totals.created += len(plan.new_rows)
    totals.updated += len(plan.changes)


# --- checking the lines ----------------------------------------------------------------------


def _parse_lines(
    table: CsvTable, chunk: Sequence[CsvLine], stores: StoreResolver, problems: Problems
) -> list[_StockLine]:
    """Each line's store, product identifiers, location code and level, or its problems."""
    id_columns = [c for c in STOCK_FORMAT.one_of if table.has(c)]
    # Files repeat locations and quantities: check each distinct text once.
    location_cache: dict[str, str | InvalidInput] = {}
    quantity_cache: dict[str, int | InvalidInput] = {}
    lines: list[_StockLine] = []
    for line in chunk:
        try:
            store = stores.for_line(line)
        except OrionError as error:
            problems.add(line.number, error)
            continue
        cells = line.cells
        bad = False
        identifiers = []
        for column in id_columns:
            value = cells.get(column)
            if value:
                identifiers.append((column, value))
        if not identifiers:
            problems.add(line.number, "Say which product: give its SKU or GTIN.")
            bad = True
        raw_location = cells.get("location", "")
        location = location_cache.get(raw_location)
        if location is None:
            location = location_cache[raw_location] = _location_code(raw_location)
        if isinstance(location, InvalidInput):
            problems.add(line.number, location)
            bad = True
        raw_quantity = cells.get("quantity", "")
        quantity = quantity_cache.get(raw_quantity)
        if quantity is None:
            quantity = quantity_cache[raw_quantity] = _level(raw_quantity)
        if isinstance(quantity, InvalidInput):
            problems.add(line.number, quantity)
            bad = True
        if not bad:
            assert isinstance(location, str) and isinstance(quantity, int)
            lines.append(_StockLine(line.number, store, location, quantity, identifiers))
    return lines


def _location_code(raw: str) -> str | InvalidInput:
    try:
        return normalize_location_code(raw)
    except InvalidInput as error:
        return error


def _level(raw: str) -> int | InvalidInput:
    if not raw:
        return InvalidInput("The quantity is missing; give the number of units on hand (0 or more).")
    try:
        return check_level(raw)
    except InvalidInput as error:
        return error


def _resolve_products(session: Session, lines: Sequence[_StockLine], problems: Problems) -> None:
    """Find each line's product by SKU or GTIN with a few queries per store."""
    canonical: dict[str, str | InvalidInput] = {}

    def gtin_of(value: str) -> str | InvalidInput:
        if value not in canonical:
            try:
                if gtin_rules.is_placeholder(value):
                    raise InvalidInput(
                        "0000000000000 is the placeholder code for unmatched items; it does not name one product."
                    )
                canonical[value] = gtin_cell(value)
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
        sku_values = {v for line in store_lines for c, v in line.identifiers if c != "gtin"}
        by_sku = product_rows(session, store, _products.c.sku, sku_values)
        gtin_values: set[str] = set()
        for line in store_lines:
            for column, value in line.identifiers:
                if column == "gtin" or (
                    column == "product" and value not in by_sku and gtin_rules.looks_like_gtin(value)
                ):
                    found = gtin_of(value)
                    if isinstance(found, str):
                        gtin_values.add(found)
        by_gtin = product_rows(session, store, _products.c.gtin, gtin_values)
        untracked: dict[int, InvalidInput | None] = {}  # each product checked once, not once per line
        for line in store_lines:
            identifiers = line.identifiers
            product: AnyRow | None = None
            if len(identifiers) == 1 and identifiers[0][0] != "gtin":
                product = by_sku.get(identifiers[0][1])  # the usual line: one SKU that exists
            if product is None:
                product = _named_product(line, store, by_sku, by_gtin, gtin_of, problems)
                if product is None:
                    continue
            product_id = product.id
            if product_id not in untracked:
                untracked[product_id] = _untracked(product, store)
            refusal = untracked[product_id]
            if refusal is not None:
                problems.add(line.number, refusal)
                continue
            line.product, line.product_id = product, product_id


def _named_product(
    line: _StockLine,
    store: StoreInfo,
    by_sku: dict[str, AnyRow],
    by_gtin: dict[str, AnyRow],
    gtin_of: Callable[[str], str | InvalidInput],
    problems: Problems,
) -> AnyRow | None:
    """The one product all of a line's identifiers name, or None with the line's problem reported."""
    refs: list[AnyRow] = []
    for column, value in line.identifiers:
        ref: AnyRow | None = by_sku.get(value) if column != "gtin" else None
        if ref is None and (column == "gtin" or (column == "product" and gtin_rules.looks_like_gtin(value))):
            found = gtin_of(value)
            if isinstance(found, InvalidInput):
                problems.add(line.number, found)
                return None
            ref = by_gtin.get(found)
        if ref is None:
            problems.add(line.number, f"No product with {_WHAT[column]} {value!r} in store {store.code}.")
            return None
        refs.append(ref)
    if any(ref.id != refs[0].id for ref in refs):
        named = " and ".join(f"{c} {v}" for c, v in line.identifiers)
        problems.add(line.number, f"{named} name different products; the line must name one.")
        return None
    return refs[0]


def _untracked(product: AnyRow, store: StoreInfo) -> InvalidInput | None:
    """Why a product has no stock to set (placeholder, not physical), or None."""
    if not product.is_placeholder and product.product_type == _PHYSICAL:
        return None
    try:
        require_stock_tracked_row(product, store)
    except InvalidInput as error:
        return error
    return None


def _refuse_duplicate_slots(lines: list[_StockLine], problems: Problems) -> list[_StockLine]:
    first: dict[tuple[int, str], int] = {}
    kept: list[_StockLine] = []
    for line in lines:
        assert line.product is not None
        key = (line.product_id, line.location)
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


def _refuse_repeated_slots(
    lines: list[_StockLine],
    location_ids: dict[str, int],
    slots: dict[tuple[int, int], _Slot],
    named: FirstLines,
    problems: Problems,
) -> list[_StockLine]:
    """Lines for a stock row that an earlier chunk of the file named already are reported, not kept."""
    kept: list[_StockLine] = []
    for line in lines:
        assert line.product is not None
        slot = slots.get((line.product_id, location_ids.get(line.location, -1)))
        first = named.line_of(slot.id) if slot is not None else None
        if first is not None:
            problems.add(
                line.number,
                f"{line.product.sku} at {line.location} is already on line {first}; "
                "give each product and location once.",
            )
        else:
            kept.append(line)
    return kept


def _refuse_levels_below_reserved(
    lines: list[_StockLine], location_ids: dict[str, int], slots: dict[tuple[int, int], _Slot], problems: Problems
) -> list[_StockLine]:
    """Reserved units stay reserved: a level below them is a bad line, not a silent release."""
    kept: list[_StockLine] = []
    for line in lines:
        assert line.product is not None
        slot = slots.get((line.product_id, location_ids.get(line.location, -1)))
        if slot is None or line.quantity >= slot.reserved:
            kept.append(line)
        else:
            problems.add(
                line.number,
                f"Cannot set {line.product.title} ({line.product.sku}) at {line.location} to "
                f"{line.quantity}: {plural(slot.reserved, 'unit')} {agreeing(slot.reserved, 'is', 'are')} "
                "reserved there for orders. "
                f"Set at least {slot.reserved}.",
            )
    return kept


# --- reading and locking what exists ---------------------------------------------------------




def _lock_stock_rows(
    session: Session, lines: Sequence[_StockLine], location_ids: dict[str, int]
) -> dict[tuple[int, int], _Slot]:
    """The file's existing stock rows, keyed by (product id, location id), locked until commit.

    On PostgreSQL this is :func:`services.stock.level_changes.lock_product_rows` (every stock row of these
    products, ascending id, FOR NO KEY UPDATE) reading the levels as well, so one query takes
    the global lock order and reads what the checks and the ledger need. All of a product's rows
    are locked, not only the file's, because backorder allocation may then reserve at any of them.
    SQLite needs no row locks (BEGIN IMMEDIATE holds the whole database), so it reads only the
    rows the file names.
    """
    wanted = {(line.product_id, location_ids[line.location]) for line in lines if line.location in location_ids}
    columns = (
        _inventory.c.id,
        _inventory.c.product_id,
        _inventory.c.location_id,
        _inventory.c.quantity,
        _inventory.c.reserved_quantity,
    )
    if session.get_bind().dialect.name == "postgresql":
        product_ids = sorted({line.product_id for line in lines})
        if not product_ids:
            return {}
        query = (
            select(*columns)
            .where(matches_any(session, _inventory.c.product_id, product_ids))
            .order_by(_inventory.c.id)
            .with_for_update(key_share=True)  # FOR NO KEY UPDATE: see lock_product_rows
        )
    else:
        if not wanted:
            return {}
        listed = integer_rows(session, ("product_id", "location_id"), sorted(wanted))
        query = select(*columns).join_from(
            listed,
            _inventory,
            and_(_inventory.c.product_id == listed.c.product_id, _inventory.c.location_id == listed.c.location_id),
        )
    return {
        (product_id, location_id): _Slot(inventory_id, quantity, reserved)
        for inventory_id, product_id, location_id, quantity, reserved in session.execute(query).all()
        if (product_id, location_id) in wanted
    }
