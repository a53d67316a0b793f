"""Products from a CSV file: created or updated by (store, SKU), all lines or none.

The file is read a chunk at a time (:mod:`services.imports.csv_files`): each chunk is checked with
set-based lookups and its good lines written (executemany), all in one transaction. Every bad
line is reported with its line number (``ImportRejected``) once the whole file has been read,
and then the transaction rolls back: nothing is imported. A SKU named twice in one file is
refused however far apart the lines are (:class:`services.imports.chunks.FirstLines`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from orion_desktop.db.change_recording import CATALOG, record_actor, record_all
from orion_desktop.db.dialect import matches_any, values_table
from orion_desktop.db.engine import Database
from orion_desktop.db.models import Inventory, Product
from orion_desktop.db.types import utcnow
from orion_desktop.domain import gtin as gtin_rules
from orion_desktop.domain.actor import Actor, Permission
from orion_desktop.domain.enums import ProductType
from orion_desktop.domain.errors import Conflict, OrionError
from orion_desktop.domain.import_job import ImportWatch
from orion_desktop.domain.results import ImportResult, StoreInfo
from orion_desktop.services.catalog import CleanProduct, _clean_product
from orion_desktop.services.idempotency import FileContent, run_once
from orion_desktop.services.imports.chunks import FirstLines
from orion_desktop.services.imports.csv_files import CsvFormat, CsvLine, CsvTable, Problems, open_csv
from orion_desktop.services.imports.lookups import (
    LOOKUP_CHUNK,
    StoreResolver,
    chunks,
    refuse_spreadsheet_number,
    sku_rows,
)

PRODUCT_FORMAT = CsvFormat(
    kind="products",
    required=("sku", "title"),
    optional=("store", "gtin", "product_type", "low_stock_threshold", "reorder_point"),
    example="store,sku,title,gtin,product_type,low_stock_threshold,reorder_point",
)

_products = Product.__table__
_inventory = Inventory.__table__


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


def import_products(
    database: Database,
    actor: Actor,
    path: Path,
    *,
    store: str | None = None,
    operation_key: str | None = None,
    watch: ImportWatch | None = None,
) -> ImportResult:
    """Create or update products from a CSV file, matched by (store, SKU). All lines or none.

    Columns a file does not have are left alone on existing products; an empty cell in a
    column the file has clears the value (e.g. an empty ``low_stock_threshold`` means
    the global default applies). ``store`` is used for lines without a store. Replaying
    an ``operation_key`` returns the first result and changes nothing.
    """
    actor.require(Permission.MANAGE_CATALOG)
    with open_csv(Path(path), PRODUCT_FORMAT, watch) as table, database.write() as session:

        def action() -> ImportResult:
            record_all(session, CATALOG)  # a bulk write: named as a whole (a replay never gets here)
            record_actor(session, actor.name)
            problems = Problems(table.file_name)
            stores = StoreResolver(session, actor, table, store)
            named = FirstLines()  # products this file named so far, by id
            created = updated = 0
            for chunk in table.chunks():
                for number, message in chunk.shape_problems:
                    problems.add(number, message)
                lines = _clean_product_lines(chunk.lines, stores, problems)
                existing = _existing_products(session, lines)
                lines = _refuse_repeats(lines, existing, named, problems)
                lines = _check_product_conflicts(session, table, lines, existing, problems)
                # Good lines are written even after a bad one: the next chunks' checks read them
                # back (a SKU named again, a GTIN taken), and the rollback at the end undoes them.
                new_ids, changed = _write_products(session, table, lines, existing)
                named.add_chunk(_named_ids(lines, new_ids, existing))
                created += len(new_ids)
                updated += changed
            problems.raise_if_any()
            return ImportResult(kind="products", rows=table.rows, created=created, updated=updated)

        return run_once(
            session, operation_key, "import.products", actor, ImportResult, action,
            params={"store": store, "file": FileContent(path)},
        )


def _clean_product_lines(
    chunk: Sequence[CsvLine], stores: StoreResolver, problems: Problems
) -> list[_ProductLine]:
    """A chunk's lines, cleaned; bad lines and lines repeating a SKU or GTIN of this chunk reported."""
    lines: list[_ProductLine] = []
    first_sku: dict[tuple[int, str], int] = {}
    first_gtin: dict[tuple[int, str], int] = {}
    for line in chunk:
        try:
            store = stores.for_line(line)
        except OrionError as error:
            problems.add(line.number, error)
            continue
        gtin_text = line.get("gtin")
        try:
            refuse_spreadsheet_number(gtin_text)  # a clearer hint than the generic GTIN check
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
        sku_key = (store.id, clean.sku.lower())  # SKUs ignore case: hp-1 and HP-1 are one product
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


_EXISTING_COLUMNS = (
    _products.c.id,
    _products.c.sku,
    _products.c.title,
    _products.c.gtin,
    _products.c.is_placeholder,
    _products.c.product_type,
    _products.c.low_stock_threshold,
    _products.c.reorder_point,
)


def _refuse_repeats(
    lines: list[_ProductLine],
    existing: dict[tuple[int, str], _ExistingProduct],
    named: FirstLines,
    problems: Problems,
) -> list[_ProductLine]:
    """Lines naming a product an earlier chunk of the file named already are reported, not kept."""
    kept: list[_ProductLine] = []
    for line in lines:
        before = existing.get((line.store.id, line.clean.sku))
        first = named.line_of(before.id) if before is not None else None
        if first is not None:
            problems.add(line.number, f"SKU {line.clean.sku} is already on line {first}.")
        else:
            kept.append(line)
    return kept


def _existing_products(
    session: Session, lines: Sequence[_ProductLine]
) -> dict[tuple[int, str], _ExistingProduct]:
    by_store: dict[int, set[str]] = {}
    for line in lines:
        by_store.setdefault(line.store.id, set()).add(line.clean.sku)
    found: dict[tuple[int, str], _ExistingProduct] = {}
    for store_id, skus in by_store.items():
        # Keyed by the file's spelling: aud-hp-blk updates AUD-HP-BLK (SKUs ignore case).
        rows = sku_rows(session, store_id, _EXISTING_COLUMNS, skus)
        for wanted, row in rows.items():
            found[(store_id, wanted)] = _ExistingProduct(
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

def _named_ids(
    lines: Sequence[_ProductLine],
    new_ids: dict[tuple[int, str], int],
    existing: dict[tuple[int, str], _ExistingProduct],
) -> dict[int, int]:
    """Product id -> line, for the lines a chunk wrote (or found unchanged)."""
    named: dict[int, int] = {}
    for line in lines:
        key = (line.store.id, line.clean.sku)
        product_id = new_ids.get(key)
        named[product_id if product_id is not None else existing[key].id] = line.number
    return named


def _check_product_conflicts(
    session: Session,
    table: CsvTable,
    lines: Sequence[_ProductLine],
    existing: dict[tuple[int, str], _ExistingProduct],
    problems: Problems,
) -> list[_ProductLine]:
    """The lines that may be written; the others are reported."""
    bad: set[int] = set()
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
                if owner_sku.lower() != line.clean.sku.lower():
                    bad.add(line.number)
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
        kept_type = str(before.values["product_type"])
        new_type = line.clean.product_type if table.has("product_type") else ProductType(kept_type)
        new_placeholder = line.clean.is_placeholder if table.has("gtin") else False
        if new_type is not ProductType.PHYSICAL or new_placeholder:
            becoming_untracked[before.id] = line
    for ids in chunks(sorted(becoming_untracked), LOOKUP_CHUNK):
        with_stock = session.execute(
            select(_inventory.c.product_id).where(matches_any(session, _inventory.c.product_id, ids)).distinct()
        ).scalars()
        for product_id in with_stock:
            line = becoming_untracked[product_id]
            what = "a placeholder" if line.clean.is_placeholder else f"a {line.clean.product_type.value} product"
            bad.add(line.number)
            problems.add(
                line.number,
                f"{line.clean.sku} has stock records, so it cannot become {what}; "
                "remove its stock first or keep it physical with a real GTIN.",
            )
    return [line for line in lines if line.number not in bad] if bad else list(lines)

def _insert_products(session: Session, new_rows: list[dict[str, object]]) -> dict[tuple[int, str], int]:
    """Insert the rows; their new ids by (store id, SKU).

    SQLite takes INSERT ... RETURNING. PostgreSQL takes a plain executemany (psycopg pipelines and
    prepares it) and one indexed read of the ids per store: RETURNING there means multi-VALUES
    statements that psycopg parses one by one, 2.6-4x a raw executemany at 100k products instead of
    about 1.5x.
    """
    if session.get_bind().dialect.name != "postgresql":
        inserted = session.execute(
            insert(_products).returning(_products.c.id, _products.c.store_id, _products.c.sku), new_rows
        )
        return {(store_id, sku): product_id for product_id, store_id, sku in inserted}
    session.execute(insert(_products), new_rows)
    by_store: dict[int, list[str]] = {}
    for row in new_rows:
        store_id, sku = row["store_id"], row["sku"]
        assert isinstance(store_id, int) and isinstance(sku, str)
        by_store.setdefault(store_id, []).append(sku)
    new_ids: dict[tuple[int, str], int] = {}
    for store_id, skus in by_store.items():
        for batch in chunks(skus, LOOKUP_CHUNK):
            # Joined against the SKUs as a table (hashed), not ``sku = ANY(:skus)``: a prepared
            # statement's generic plan compares every product of the store with every SKU of the
            # list, so each chunk cost more than the one before (tests/perf/test_import_scaling.py).
            wanted = values_table(session, batch)
            found = session.execute(
                select(_products.c.id, _products.c.sku)
                .select_from(wanted)
                .join(_products, and_(_products.c.sku == wanted.c.value, _products.c.store_id == store_id))
            )
            new_ids.update({(store_id, sku): product_id for product_id, sku in found})
    return new_ids


def _write_products(
    session: Session,
    table: CsvTable,
    lines: Sequence[_ProductLine],
    existing: dict[tuple[int, str], _ExistingProduct],
) -> tuple[dict[tuple[int, str], int], int]:
    """Insert the new products and update the changed ones: their ids by (store, SKU), and how many changed."""
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
    new_ids: dict[tuple[int, str], int] = {}
    try:
        if new_rows:
            new_ids = _insert_products(session, new_rows)
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
    return new_ids, len(changed)
