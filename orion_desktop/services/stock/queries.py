"""Read-only stock views: product summary, lists, stats, low stock, ledger and verify.

Filtering, searching and aggregation run in SQL so they stay fast at 100k+ rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    SQLColumnExpression,
    and_,
    func,
    literal,
    literal_column,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session

from orion_desktop.db.engine import Database
from orion_desktop.db.models import Inventory, Location, Product, Store
from orion_desktop.db.typing_aliases import AnySelect
from orion_desktop.domain import gtin as gtin_rules
from orion_desktop.domain.enums import TransactionType
from orion_desktop.domain.errors import InvalidInput
from orion_desktop.domain.results import (
    InventoryStats,
    LedgerEntry,
    LocationStock,
    LowStockRow,
    ProductStock,
    StockRow,
    VerifyReport,
)
from orion_desktop.domain.validation import check_count, check_level, normalize_location_code
from orion_desktop.services.catalog import product_search_clause
from orion_desktop.services.lookup import product_info, resolve_product, resolve_store
from orion_desktop.services.read_scope import in_stores, scope_of
from orion_desktop.services.stock.ledger import read_ledger
from orion_desktop.services.stock.low_stock import below_threshold, count_low_stock, low_stock_rows
from orion_desktop.services.stock.rows import stock_rows
from orion_desktop.services.stock.verify import verify_ledger

_AVAILABLE = Inventory.quantity - Inventory.reserved_quantity


def _count_used(
    table: type[Store] | type[Location], reference: SQLColumnExpression[int], scope: frozenset[str] | None
) -> ColumnElement[int]:
    """How many stores (or locations) have stock rows (of the ``scope``'s stores): one index probe
    each (count(DISTINCT ...) over the stock rows would sort them all)."""
    rows = select(Inventory.id).where(reference == table.id)
    if scope is not None:
        rows = rows.where(in_stores(Inventory.store_id, scope))
    used = rows.correlate(table).exists()
    return select(func.count()).select_from(table).where(used).scalar_subquery().correlate(None)


# Sort keys of ``list_stock`` (the Inventory table's columns). Titles sort without regard to case;
# a missing GTIN sorts first, as the empty text. Each order ends in columns that make it unique
# per row and that an index of migration 0004 walks (with the location's picking order where a
# product's few rows need sorting among themselves), so a sorted first page reads one page of rows.
STOCK_SORT_KEYS = ("product", "sku", "gtin", "location", "quantity", "reserved", "available")
_PICKING_ORDER = (Location.sort_key, Location.code)
# Written out, not bound: the expression must read exactly as ix_products_gtin_sort's to use it.
_GTIN_OR_EMPTY = func.coalesce(Product.gtin, literal_column("''"))


def _sort_expressions(sort: str) -> tuple[SQLColumnExpression[Any], ...]:
    expressions: dict[str, tuple[SQLColumnExpression[Any], ...]] = {
        "product": (func.lower(Product.title), Product.id, *_PICKING_ORDER),
        "sku": (Product.sku, Product.id, *_PICKING_ORDER),
        "gtin": (_GTIN_OR_EMPTY, Product.id, *_PICKING_ORDER),
        "location": (*_PICKING_ORDER, Inventory.id),
        "quantity": (Inventory.quantity, Inventory.id),
        "reserved": (Inventory.reserved_quantity, Inventory.id),
        "available": (_AVAILABLE, Inventory.product_id, *_PICKING_ORDER),
    }
    return expressions[sort]




def _location_sort_key(code: str) -> ColumnElement[int]:
    """The location's picking-path key, looked up inside the page's own query (no extra round
    trip); NULL once the location is gone, which no row comparison passes."""
    return select(Location.sort_key).where(Location.code == code).scalar_subquery()


def _sort_values(sort: str, row: StockRow, session: Session) -> tuple[object, ...]:
    """The values ``_sort_expressions(sort)`` had for ``row``. For the location sort the key is
    read first (None when the location is gone), since the page's range starts from it."""
    sort_key: object = _location_sort_key(row.location)
    if sort == "location":
        sort_key = session.execute(select(Location.sort_key).where(Location.code == row.location)).scalar_one_or_none()
    picking = (sort_key, row.location)
    # The stored form of a shown GTIN: 14 digits (a 13-digit EAN lost its leading zero for display).
    gtin = "" if row.gtin is None else row.gtin.rjust(14, "0")
    values: dict[str, tuple[object, ...]] = {
        # The database's lower(), which folds what the ORDER BY folds (SQLite: ASCII only).
        "product": (func.lower(literal(row.title)), row.product_id, *picking),
        "sku": (row.sku, row.product_id, *picking),
        "gtin": (gtin, row.product_id, *picking),
        "location": (*picking, row.inventory_id),
        "quantity": (row.quantity, row.inventory_id),
        "reserved": (row.reserved_quantity, row.inventory_id),
        "available": (row.available_quantity, row.product_id, *picking),
    }
    return values[sort]


def _after_cursor(sort: str, descending: bool, after: StockRow, session: Session) -> ColumnElement[bool]:
    """Rows that come after ``after`` in the ``sort`` order (before it, when descending).

    The leading sort terms, which one index holds, are also bounded on their own: a row-value
    comparison over columns of two tables cannot start an index range, and without that bound a
    deep page would walk the index from its top.
    """
    order = _sort_expressions(sort)
    raw = _sort_values(sort, after, session)
    values = tuple(v if isinstance(v, ColumnElement) else literal(v) for v in raw)
    # PostgreSQL starts an index range at a row value of the index's first two terms; SQLite only
    # when both are plain columns (not an expression like lower(title)), else at the first term.
    wide_key = session.get_bind().dialect.name == "postgresql" or sort in ("sku", "location", "quantity", "reserved")
    width = 2 if wide_key else 1
    leading, leading_values = tuple_(*order[:width]), tuple_(*values[:width])
    bound = leading <= leading_values if descending else leading >= leading_values
    if raw[0] is None:  # sorted by location, and the cursor's location is gone with its rows
        return Inventory.id < after.inventory_id if descending else Inventory.id > after.inventory_id
    # Otherwise a gone location's key is NULL: the comparison then fails for the cursor's own
    # product (its other rows are skipped) and decides every other row by the columns before it.
    here, there = tuple_(*order), tuple_(*values)
    return and_(bound, here < there if descending else here > there)


def check_stock_sort(sort: str | None) -> str | None:
    """The sort key, or a sentence naming the ones there are."""
    if sort is None or sort in STOCK_SORT_KEYS:
        return sort
    raise InvalidInput(f"Stock cannot be sorted by {sort!r}. Sort by one of: {', '.join(STOCK_SORT_KEYS)}.")


def _sorted_page(
    session: Session,
    query: AnySelect,
    store: str | None,
    sort: str,
    descending: bool,
    after: StockRow | None,
    offset: int,
    count: int | None,
    scope: frozenset[str] | None,
) -> AnySelect:
    """``query`` ordered by a column the user chose, one page of it.

    The order is unique per row, so ``after`` (the last row of the previous page) pages by keyset:
    the rows whose sort values come after the cursor's. Stores are not kept apart here: a user who
    sorts by quantity wants the whole list by quantity (the store filter narrows it).
    """
    if store:
        query = query.where(Product.store_id == resolve_store(session, store, scope).id)
    order = _sort_expressions(sort)
    if after is not None:
        query = query.where(_after_cursor(sort, descending, after, session))
    page = query.order_by(*(e.desc() if descending else e.asc() for e in order)).offset(offset)
    return page if count is None else page.limit(count)


def _after_in_store(after: StockRow) -> ColumnElement[bool]:
    """Rows of the cursor's store that come after it in (SKU, location sort key, location code) order."""
    later_product = Product.sku > after.sku
    # A gone location's key is NULL, which no row passes: the listing goes on with the next product.
    later_location = tuple_(Location.sort_key, Location.code) > tuple_(
        _location_sort_key(after.location), literal(after.location)
    )
    return or_(later_product, and_(Product.sku == after.sku, later_location))


def _stock_page(
    session: Session,
    query: AnySelect,
    store: str | None,
    after: StockRow | None,
    offset: int,
    count: int | None,
    scope: frozenset[str] | None,
) -> AnySelect | None:
    """``query`` in store-code, SKU and location order, one page of it (None: nothing to show).

    Ordering by the store id instead of its code follows ``uq_products_store_id_sku``, so the
    database walks that index and stops after a page instead of joining and sorting every row.
    That is the same order while store ids ascend with store codes (stores are usually created in
    that order). Otherwise each store is walked on its own and the parts are merged (UNION ALL,
    each part at most offset + limit rows).
    """
    if store:
        info = resolve_store(session, store, scope)
        stores = [(info.id, info.code)]
    else:
        listed = select(Store.id, Store.code).order_by(Store.code)
        if scope is not None:  # only the signed-in user's stores are walked
            listed = listed.where(Store.code.in_(sorted(scope)))
        stores = [(r.id, r.code) for r in session.execute(listed)]
    ids_in_code_order = [store_id for store_id, _code in stores]
    if after is not None:
        stores = [(store_id, code) for store_id, code in stores if code >= after.store_code]
    if not stores:
        return None
    cursor = next((store_id for store_id, code in stores if after is not None and code == after.store_code), None)
    within = None if cursor is None or after is None else _after_in_store(after)
    location_order = (Location.sort_key, Location.code)
    ids = [store_id for store_id, _code in stores]
    if ids_in_code_order == sorted(ids_in_code_order):
        if len(ids) == 1:
            query = query.where(Product.store_id == ids[0])
            if ids[0] == cursor and after is not None:
                # Said on its own, the SKU bound lets an index range start at the cursor
                # (inside the OR below it cannot, and SQLite would then walk the store from its start).
                query = query.where(Product.sku >= after.sku)
        if within is not None and after is not None:
            # The row value is what the index range starts from (a plain store_id >= ? next to
            # it would make SQLite start at the store's first product instead).
            query = query.where(
                tuple_(Product.store_id, Product.sku) >= (cursor, after.sku), or_(Product.store_id != cursor, within)
            )
        elif after is not None and len(ids) > 1:  # the cursor's store is gone: start at the next one
            query = query.where(Product.store_id >= ids[0])
        page = query.order_by(Product.store_id, Product.sku, *location_order)
    else:
        parts = []
        for rank, (store_id, _code) in enumerate(stores):
            part = query.add_columns(literal(rank).label("store_rank"), Location.sort_key.label("location_sort_key"))
            part = part.where(Product.store_id == store_id)
            if store_id == cursor and within is not None and after is not None:
                part = part.where(Product.sku >= after.sku, within)
            part = part.order_by(Product.sku, *location_order)
            if count is not None:
                part = part.limit(offset + count)
            parts.append(select(part.subquery()))
        merged = union_all(*parts).subquery()
        page = select(*(c for c in merged.c if c.name not in ("store_rank", "location_sort_key"))).order_by(
            merged.c.store_rank, merged.c.sku, merged.c.location_sort_key, merged.c.location
        )
    page = page.offset(offset)
    return page if count is None else page.limit(count)


class StockQueries:
    def __init__(self, database: Database) -> None:
        self._db = database

    def product_stock(self, store: str | None, product: str) -> ProductStock:
        """A product's stock at every location plus totals (``stock show``)."""
        with self._db.read() as session:
            store_info = resolve_store(session, store, scope_of(self._db))  # another store's: not found
            ref = resolve_product(session, store_info, product)
            rows = session.execute(
                select(Location.code, Inventory.quantity, Inventory.reserved_quantity)
                .join(Location, Location.id == Inventory.location_id)
                .where(Inventory.product_id == ref.id)
                .order_by(Location.sort_key, Location.code)
            ).all()
            info = product_info(session.get_one(Product, ref.id), store_info.code)
            return ProductStock(
                product=info,
                locations=tuple(
                    LocationStock(location=r.code, quantity=r.quantity, reserved_quantity=r.reserved_quantity)
                    for r in rows
                ),
            )

    def _stock_select(self) -> AnySelect:
        return stock_rows()

    def list_stock(
        self,
        *,
        store: str | None = None,
        location: str | None = None,
        low_stock: int | str | None = None,
        low_stock_only: bool = False,
        search: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        after: StockRow | None = None,
        sort: str | None = None,
        descending: bool = False,
    ) -> tuple[StockRow, ...]:
        """Inventory rows, filtered in SQL, ordered by store code, SKU and location (picking order).

        ``sort`` (one of ``STOCK_SORT_KEYS``) orders by that column instead, ``descending`` turns
        it round; ties are broken by product and location, or by stock row id, so the order is
        still unique per row.

        ``low_stock=N`` keeps rows with available <= N; ``low_stock_only`` keeps rows at or below
        each product's own threshold (else the default), as the low-stock list does.

        Paging: ``limit`` with ``offset``, or with ``after`` = the last row of the previous page
        (keyset paging: as fast at row 100,000 as at row 0, and stable while other workstations
        add rows). The order is unique per row, so neither repeats nor skips a row.
        """
        threshold = None if low_stock is None else check_level(low_stock, "low-stock threshold")
        count = None if limit is None else check_count(limit, "limit")
        sort = check_stock_sort(sort)
        with self._db.read() as session:
            conditions: list[ColumnElement[bool]] = []
            if (scope := scope_of(self._db)) is not None:  # the signed-in user's stores only
                conditions.append(Store.code.in_(scope))
            if location:
                conditions.append(Location.code == normalize_location_code(location))
            if threshold is not None:
                conditions.append(_AVAILABLE <= threshold)
            if low_stock_only:
                conditions += below_threshold(session, None)
            if search and search.strip():
                conditions.append(product_search_clause(search, session))
            listing = self._stock_select().where(*conditions)
            if sort is None:
                query = _stock_page(session, listing, store, after, offset, count, scope)
            else:
                query = _sorted_page(session, listing, store, sort, descending, after, offset, count, scope)
            if query is None:
                return ()
            # Core execution and positional rows: the ORM result layer costs more than the query here.
            display = gtin_rules.display_gtin
            return tuple(
                StockRow(inventory_id, store_code, product_id, sku, display(gtin), title, location, quantity, reserved)
                for inventory_id, store_code, product_id, sku, gtin, title, location, quantity, reserved
                in session.connection().execute(query).all()
            )

    def stats(self) -> InventoryStats:
        """The seven figures of the inventory spec's admin overview (of the signed-in user's stores)."""
        scope = scope_of(self._db)
        with self._db.read() as session:
            low_count = count_low_stock(session, threshold=None, reorder_points=False, stores=scope)
            figures = select(
                func.count(),
                func.coalesce(func.sum(Inventory.quantity), 0),
                func.coalesce(func.sum(Inventory.reserved_quantity), 0),
                # The spec's count: thresholds only (see services/stock/low_stock.py).
                low_count.scalar_subquery().correlate(None),
                _count_used(Store, Inventory.store_id, scope),
                _count_used(Location, Inventory.location_id, scope),
            ).select_from(Inventory)
            if scope is not None:
                figures = figures.where(in_stores(Inventory.store_id, scope))
            entries, quantity, reserved, low, stores, locations = session.execute(figures).one()
            return InventoryStats(
                total_entries=entries,
                total_quantity=int(quantity),
                total_reserved=int(reserved),
                total_available=int(quantity) - int(reserved),
                low_stock_count=low,
                stores_with_inventory=stores,
                unique_locations=locations,
            )

    def low_stock(
        self, threshold: int | str | None = None, *, limit: int | None = None, reorder_points: bool = False
    ) -> tuple[LowStockRow, ...]:
        """Low stock rows (``stock low``), fewest available first, by the one definition in
        services/stock/low_stock.py: thresholds only unless ``reorder_points`` (the screens' question)."""
        override = None if threshold is None else check_level(threshold, "threshold")
        limit_value = None if limit is None else check_count(limit, "limit")
        with self._db.read() as session:
            rows = low_stock_rows(session, threshold=override, reorder_points=reorder_points, stores=scope_of(self._db))
            query = select(
                rows.c.product_id,
                rows.c.store_code,
                rows.c.store_name,
                rows.c.sku,
                rows.c.title,
                rows.c.location,
                rows.c.quantity,
                rows.c.available,
                rows.c.threshold,
            ).order_by(rows.c.available, rows.c.sku, rows.c.location)
            if limit_value is not None:
                query = query.limit(limit_value)
            # The columns are LowStockRow's fields in order. Core execution and positional rows:
            # for thousands of rows the ORM result layer costs more than the query.
            return tuple(LowStockRow(*row) for row in session.connection().execute(query).all())

    def ledger(
        self,
        *,
        store: str | None = None,
        product: str | None = None,
        order_number: str | None = None,
        transaction_type: str | TransactionType | None = None,
        location: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | str = 100,
        before_id: int | None = None,
    ) -> tuple[LedgerEntry, ...]:
        """Ledger rows, newest first (``stock ledger``, the Ledger page, the Inventory page's detail).

        ``product`` is a SKU or any form of a GTIN; without ``store`` it matches in every store.
        ``since`` is inclusive and ``until`` exclusive; ``before_id`` pages further back.
        """
        with self._db.read() as session:
            return read_ledger(
                session,
                store=store,
                product=product,
                order_number=order_number,
                transaction_type=transaction_type,
                location=location,
                since=since,
                until=until,
                limit=limit,
                before_id=before_id,
                stores=scope_of(self._db),
            )

    def verify(self) -> VerifyReport:
        """Invariant L: each (product, location) ledger sums to its stock, and its newest row matches."""
        with self._db.read() as session:
            return verify_ledger(session, scope_of(self._db))
