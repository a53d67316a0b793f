"""Reports for managers: low stock with the backorders waiting for it, backorder totals, a filtered ledger.

Everything is filtered and aggregated in SQL, so the answers stay fast on large databases.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import ColumnElement, and_, func, or_, select, union_all
from sqlalchemy.orm import Session

from orion_desktop.db.engine import Database
from orion_desktop.db.models import Inventory, InventoryTransaction, Location, Order, OrderItem, Product, Store
from orion_desktop.db.typing_aliases import AnySelect
from orion_desktop.domain import gtin as gtin_rules
from orion_desktop.domain.enums import ProductType, TransactionType
from orion_desktop.domain.errors import InvalidInput, NotFound
from orion_desktop.domain.report_results import BackorderSummary, LowStockReportRow
from orion_desktop.domain.results import LedgerEntry
from orion_desktop.domain.validation import (
    check_count,
    check_level,
    clean_text,
    normalize_location_code,
)
from orion_desktop.services import safe_files
from orion_desktop.services.backorders import backordered_items_query
from orion_desktop.services.lookup import resolve_product, resolve_store, sku_matches
from orion_desktop.services.stock_queries import ledger_entry, low_stock_level, threshold_bound

_AVAILABLE = Inventory.quantity - Inventory.reserved_quantity

LOW_STOCK_COLUMNS = (
    "store",
    "sku",
    "gtin",
    "title",
    "location",
    "quantity",
    "reserved",
    "available",
    "threshold",
    "reorder_point",
    "backordered_units",
    "backordered_orders",
    "product_available",
)
"""The header line of ``export_low_stock`` files."""


def parse_transaction_type(raw: str | TransactionType) -> TransactionType:
    try:
        return TransactionType(str(raw).strip().lower())
    except ValueError:
        options = ", ".join(t.value for t in TransactionType)
        raise InvalidInput(f"{raw!r} is not a kind of stock change; use one of {options}.") from None


def _waiting_items(session: Session) -> AnySelect:
    """Backordered items of stock-tracked products: (order id, item id, product id, missing units).

    The same rows ``OrderQueries.backorders`` lists, so totals and lists agree.
    """
    waiting = backordered_items_query(session).order_by(None).subquery()
    return (
        select(
            waiting.c.id.label("order_id"),
            waiting.c.item_id,
            OrderItem.product_id,
            waiting.c.missing,
        )
        .join(OrderItem, OrderItem.id == waiting.c.item_id)
        .join(Product, Product.id == OrderItem.product_id)
        .where(Product.product_type == ProductType.PHYSICAL.value, Product.is_placeholder.is_(False))
    )


class ReportService:
    def __init__(self, database: Database) -> None:
        self._db = database

    # --- low stock ------------------------------------------------------------------------
    def low_stock(
        self,
        threshold: int | str | None = None,
        *,
        store: str | None = None,
        limit: int | str | None = None,
        offset: int = 0,
        reorder_points: bool = True,
    ) -> tuple[LowStockReportRow, ...]:
        """Stock rows to act on, fewest available first.

        A row is listed when its available quantity is at or below the threshold: without
        ``threshold`` each product's own low-stock threshold (the default for products without
        one), exactly as ``StockQueries.low_stock`` and the stats count them. With
        ``reorder_points`` every row of a product whose available units, all locations together,
        are at or below its reorder point is listed too (``row.at_reorder_point``). Each row
        carries the units and orders waiting for its product.
        """
        override = None if threshold is None else check_level(threshold, "threshold")
        count = None if limit is None else check_count(limit, "limit")
        start = check_level(offset, "offset")
        with self._db.read() as session:
            query = self._low_stock_select(session, override, store, reorder_points, start, count)
            return tuple(
                LowStockReportRow(
                    inventory_id=r.id,
                    product_id=r.product_id,
                    store_code=r.store_code,
                    sku=r.sku,
                    gtin=gtin_rules.display_gtin(r.gtin),
                    product_title=r.title,
                    location=r.location,
                    quantity=r.quantity,
                    reserved_quantity=r.reserved_quantity,
                    threshold=int(r.threshold),
                    reorder_point=r.reorder_point,
                    backordered_units=int(r.backordered_units),
                    backordered_orders=int(r.backordered_orders),
                    product_available=int(r.product_available),
                )
                for r in session.execute(query).all()
            )

    @staticmethod
    def _low_stock_select(
        session: Session, override: int | None, store: str | None, reorder_points: bool, offset: int, limit: int | None
    ) -> AnySelect:
        """The rows to list in three steps, so the costly columns are worked out for one page only:
        which rows (by id), which of them make the page (ordered, limited), then the page's columns."""
        level = low_stock_level(override)
        store_id = resolve_store(session, store).id if store is not None and str(store).strip() else None
        # Which rows, with what orders them: one index range on ix_inventory_available for the
        # thresholds (no product's threshold is above the bound), read index-only (the row is
        # named by product and location, both in that index); plus the rows of products at
        # their reorder point (ix_products_reorder_point finds the few products that have one).
        bound = override if override is not None else threshold_bound(session)
        columns = (
            Inventory.product_id,
            Inventory.location_id,
            _AVAILABLE.label("available"),
            Store.code.label("store_code"),
            Product.sku,
            Location.sort_key,
            Location.code.label("location"),
        )

        def rows_where(*conditions: ColumnElement[bool]) -> AnySelect:
            query = (
                select(*columns)
                .join(Product, Product.id == Inventory.product_id)
                .join(Store, Store.id == Inventory.store_id)
                .join(Location, Location.id == Inventory.location_id)
                .where(*conditions)
            )
            return query if store_id is None else query.where(Inventory.store_id == store_id)

        parts = [rows_where(_AVAILABLE <= bound, _AVAILABLE <= level)]
        if reorder_points:
            other = Inventory.__table__.alias("other_rows")
            product_total = (
                select(func.sum(other.c.quantity - other.c.reserved_quantity))
                .where(other.c.product_id == Product.id)
                .scalar_subquery()
            )
            at_reorder_point = select(Product.id).where(
                Product.reorder_point.is_not(None), product_total <= Product.reorder_point
            )
            parts.append(rows_where(Inventory.product_id.in_(at_reorder_point), _AVAILABLE > level))
        listed = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
        # Which make the page: fewest available first, then store, SKU and picking order.
        page = (
            select(listed)
            .order_by(
                listed.c.available, listed.c.store_code, listed.c.sku, listed.c.sort_key, listed.c.location,
            )
            .offset(offset)
        )
        if limit is not None:
            page = page.limit(limit)
        page_rows = page.subquery()
        # The page's columns: the backorders waiting and the product's available units.
        waiting = _waiting_items(session).subquery()
        per_product = (
            select(
                waiting.c.product_id,
                func.sum(waiting.c.missing).label("units"),
                func.count(func.distinct(waiting.c.order_id)).label("orders"),
            )
            .group_by(waiting.c.product_id)
            .subquery()
        )
        product_rows = Inventory.__table__.alias("product_rows")
        product_available = (
            select(func.sum(product_rows.c.quantity - product_rows.c.reserved_quantity))
            .where(product_rows.c.product_id == Inventory.product_id)
            .scalar_subquery()
        )
        return (
            select(
                Inventory.id,
                Product.id.label("product_id"),
                page_rows.c.store_code,
                Product.sku,
                Product.gtin,
                Product.title,
                page_rows.c.location,
                Inventory.quantity,
                Inventory.reserved_quantity,
                level.label("threshold"),
                Product.reorder_point,
                func.coalesce(per_product.c.units, 0).label("backordered_units"),
                func.coalesce(per_product.c.orders, 0).label("backordered_orders"),
                product_available.label("product_available"),
            )
            .select_from(page_rows)
            .join(
                Inventory,
                and_(Inventory.product_id == page_rows.c.product_id, Inventory.location_id == page_rows.c.location_id),
            )
            .join(Product, Product.id == Inventory.product_id)
            .outerjoin(per_product, per_product.c.product_id == Inventory.product_id)
            .order_by(
                page_rows.c.available,
                page_rows.c.store_code,
                page_rows.c.sku,
                page_rows.c.sort_key,
                page_rows.c.location,
            )
        )

    def export_low_stock(
        self,
        path: Path | str,
        threshold: int | str | None = None,
        *,
        store: str | None = None,
        reorder_points: bool = True,
        overwrite: bool = False,
    ) -> int:
        """Write the low-stock list (the same rows ``low_stock`` returns) as CSV; returns the rows written.

        Never onto the database's files; an existing file only with ``overwrite`` (the user
        agreed). Written beside the target and moved into place, so a failed export never
        leaves half a file; cells a spreadsheet could run as formulas are written as text.
        """
        database_file = self._db.sqlite_path
        safe_files.check_target(path, database_file=database_file, overwrite=overwrite)  # before the query
        rows = self.low_stock(threshold, store=store, reorder_points=reorder_points)
        lines = (
            (
                row.store_code,
                row.sku,
                row.gtin or "",
                row.product_title,
                row.location,
                row.quantity,
                row.reserved_quantity,
                row.available_quantity,
                row.threshold,
                "" if row.reorder_point is None else row.reorder_point,
                row.backordered_units,
                row.backordered_orders,
                row.product_available,
            )
            for row in rows
        )
        return safe_files.write_csv(path, LOW_STOCK_COLUMNS, lines, database_file=database_file, overwrite=overwrite)

    # --- backorders -----------------------------------------------------------------------
    def backorder_summary(self) -> BackorderSummary:
        """How many units, items, orders and products wait for stock (``OrderQueries.backorders`` in sum)."""
        with self._db.read() as session:
            waiting = _waiting_items(session).subquery()
            units, orders, items, products = session.execute(
                select(
                    func.coalesce(func.sum(waiting.c.missing), 0),
                    func.count(func.distinct(waiting.c.order_id)),
                    func.count(waiting.c.item_id),
                    func.count(func.distinct(waiting.c.product_id)),
                )
            ).one()
            return BackorderSummary(units=int(units), orders=int(orders), items=int(items), products=int(products))

    # --- ledger ---------------------------------------------------------------------------
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
        """Ledger rows, newest first; ``before_id`` pages further back (keyset paging).

        ``product`` is a SKU or any form of a GTIN; without ``store`` it matches in every store.
        ``since`` is inclusive and ``until`` exclusive (aware datetimes; naive ones are taken as UTC).
        """
        count = check_count(limit, "limit")
        kind = None if transaction_type is None or transaction_type == "" else parse_transaction_type(transaction_type)
        if since is not None and until is not None and since >= until:
            raise InvalidInput("The date range is empty: it ends before it starts.")
        with self._db.read() as session:
            t = InventoryTransaction
            query = (
                select(t, Store.code.label("store_code"), Product.sku, Location.code.label("location"))
                .join(Store, Store.id == t.store_id)
                .join(Product, Product.id == t.product_id)
                .join(Location, Location.id == t.location_id)
            )
            store_text = store.strip() if store else ""
            if store_text:
                query = query.where(t.store_id == resolve_store(session, store_text).id)
            if product and product.strip():
                product_ids = _product_ids(session, store_text or None, product.strip())
                query = query.where(t.product_id.in_(product_ids))
            if order_number and order_number.strip():
                query = query.where(t.order_id == _order_id(session, order_number))
            if kind is not None:
                query = query.where(t.transaction_type == kind.value)
            if location and location.strip():
                query = query.where(Location.code == normalize_location_code(location))
            if since is not None:
                query = query.where(t.created_at >= since)
            if until is not None:
                query = query.where(t.created_at < until)
            if before_id is not None:
                query = query.where(t.id < before_id)
            query = query.order_by(t.id.desc()).limit(count)
            return tuple(ledger_entry(*row) for row in session.execute(query).all())


def _product_ids(session: Session, store: str | None, identifier: str) -> list[int]:
    """The products a SKU or GTIN names: in one store, or in every store that has it."""
    if store is not None:
        return [resolve_product(session, resolve_store(session, store), identifier).id]
    clauses = [sku_matches(identifier)]
    if gtin_rules.looks_like_gtin(identifier):
        if gtin_rules.is_placeholder(identifier):
            raise InvalidInput(
                "0000000000000 is the placeholder code for unmatched items; it does not name one product."
            )
        clauses.append(Product.gtin == gtin_rules.normalize_gtin(identifier))  # a wrong check digit is a sentence
    ids = list(session.scalars(select(Product.id).where(or_(*clauses))).all())
    if not ids:
        raise NotFound(f"No product has the SKU or GTIN {identifier!r}.")
    return ids


def _order_id(session: Session, order_number: str) -> int:
    number = clean_text(order_number, "order number", max_length=64)
    assert number is not None
    found = session.execute(
        select(Order.id).where(or_(Order.order_number == number, Order.order_number == number.upper()))
    ).scalars().first()
    if found is None:
        raise NotFound(f"There is no order {number}.")
    return found


__all__ = ["LOW_STOCK_COLUMNS", "ReportService", "parse_transaction_type"]
