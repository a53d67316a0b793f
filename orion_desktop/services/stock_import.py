"""Stock levels from a CSV file: each line sets the on-hand quantity of a product at a location.

All lines or none: every line is checked first and every bad line reported with its line
number (``ImportRejected``). A clean file is written in one transaction: each changed stock row
gets one ``import`` ledger row with its after-values, reserved units are never touched (a level
below them is refused), locations and stock rows are created on first use, and new stock goes to
waiting backorders. On PostgreSQL the rows are locked in ascending id first (DESIGN.md §3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, and_, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from orion_desktop.db.engine import Database
from orion_desktop.db.models import Inventory, InventoryTransaction, Location, Product
from orion_desktop.db.types import utcnow
from orion_desktop.domain import gtin as gtin_rules
from orion_desktop.domain.actor import Actor, Permission
from orion_desktop.domain.enums import TransactionType
from orion_desktop.domain.errors import Conflict, InvalidInput, OrionError
from orion_desktop.domain.results import ImportResult, StoreInfo
from orion_desktop.domain.validation import check_level, normalize_location_code
from orion_desktop.services.backorders import allocate_backorders
from orion_desktop.services.csv_files import CsvFormat, CsvTable, Problems, read_csv
from orion_desktop.services.import_lookups import (
    LOOKUP_CHUNK,
    StoreResolver,
    chunks,
    gtin_cell,
    product_rows,
    require_stock_tracked_row,
)
from orion_desktop.services.lookup import dialect_insert, matches_any
from orion_desktop.services.operations import run_once
from orion_desktop.services.stock_ops import LedgerNote, lock_product_rows

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
_ledger = InventoryTransaction.__table__


@dataclass(slots=True)
class _StockLine:
    number: int
    store: StoreInfo
    location: str
    quantity: int
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # (column, value)
    product: Row[Any] | None = None  # see import_lookups.product_rows


@dataclass(slots=True)
class _Slot:
    """An existing inventory row, as read (and on PostgreSQL locked) in this transaction."""

    id: int
    quantity: int
    reserved: int


def import_stock(
    database: Database, actor: Actor, path: Path, *, store: str | None = None, operation_key: str | None = None
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
    with database.write() as session:

        def action() -> ImportResult:
            problems = Problems(table.file_name)
            for number, message in table.shape_problems:
                problems.add(number, message)
            stores = StoreResolver(session, actor, table, store)
            lines = _parse_stock_lines(table, stores, problems)
            _resolve_stock_products(session, lines, problems)
            lines = _refuse_duplicate_slots([line for line in lines if line.product is not None], problems)
            # The global lock order (every stock row of these products, ascending id) before any
            # row is read for writing, as in every multi-row stock change.
            lock_product_rows(session, {line.product.id for line in lines if line.product is not None})
            location_ids = _location_ids(session, {line.location for line in lines})
            slots = _existing_slots(database, session, lines, location_ids)
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
            result = _write_stock(session, note, table, lines, location_ids, slots)
            # New stock goes to waiting orders first (oldest first), in this same transaction.
            allocate_backorders(session, _increased_products(lines, location_ids, slots), actor)
            return result

        return run_once(session, operation_key, "import.stock", actor, ImportResult, action)

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
        sku_values = {v for line in store_lines for c, v in line.identifiers if c in ("product", "sku")}
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
                    require_stock_tracked_row(refs[0], store)
                except InvalidInput as error:
                    problems.add(line.number, error)
                    continue
                line.product = refs[0]

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
    database: Database, session: Session, lines: Sequence[_StockLine], location_ids: dict[str, int]
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
    if database.is_sqlite:
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
        location_ids.update(_location_ids(session, set(missing_locations)))

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
