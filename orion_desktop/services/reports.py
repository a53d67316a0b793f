"""Reports for managers: low stock with the backorders waiting for it, and backorder totals.

Everything is filtered and aggregated in SQL, so the answers stay fast on large databases.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from orion_desktop.db.engine import Database
from orion_desktop.db.models import Inventory, OrderItem, Product
from orion_desktop.db.typing_aliases import AnySelect
from orion_desktop.domain import gtin as gtin_rules
from orion_desktop.domain.enums import ProductType
from orion_desktop.domain.report_results import BackorderSummary, LowStockReportRow
from orion_desktop.domain.validation import check_count, check_level
from orion_desktop.services import safe_files
from orion_desktop.services.lookup import resolve_store
from orion_desktop.services.read_scope import in_stores, scope_of
from orion_desktop.services.stock.backorders import backordered_items_query
from orion_desktop.services.stock.low_stock import REORDER_POINTS_ON_SCREENS, count_low_stock, low_stock_rows

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


def _waiting_items(session: Session, scope: frozenset[str] | None) -> AnySelect:
    """Backordered items of stock-tracked products (of the ``scope``'s stores): (order id, item id,
    product id, missing units).

    The same rows ``OrderQueries.backorders`` lists, so totals and lists agree.
    """
    waiting = backordered_items_query(session).order_by(None).subquery()
    query = (
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
    # An order's items are of its own store's products, so the product's store is the order's.
    return query if scope is None else query.where(in_stores(Product.store_id, scope))


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
        reorder_points: bool = REORDER_POINTS_ON_SCREENS,
    ) -> tuple[LowStockReportRow, ...]:
        """Stock rows to act on, fewest available first (the Low stock page and its CSV export).

        Which rows: the one definition of low stock (services/stock/low_stock.py). Without
        ``threshold`` each product's own low-stock threshold (else the default); with
        ``reorder_points`` (the screens' default) also every row of a product whose available
        units, all locations together, are at or below its reorder point
        (``row.at_reorder_point``). Each row carries the units and orders waiting for its product.
        """
        override = None if threshold is None else check_level(threshold, "threshold")
        count = None if limit is None else check_count(limit, "limit")
        start = check_level(offset, "offset")
        with self._db.read() as session:
            query = self._low_stock_select(session, override, store, reorder_points, start, count, scope_of(self._db))
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

    def low_stock_count(
        self,
        threshold: int | str | None = None,
        *,
        store: str | None = None,
        reorder_points: bool = REORDER_POINTS_ON_SCREENS,
    ) -> int:
        """How many rows ``low_stock`` lists for the same arguments (the Dashboard's tile)."""
        override = None if threshold is None else check_level(threshold, "threshold")
        scope = scope_of(self._db)
        with self._db.read() as session:
            store_id = resolve_store(session, store, scope).id if store is not None and str(store).strip() else None
            query = count_low_stock(
                session, threshold=override, reorder_points=reorder_points, store_id=store_id, stores=scope
            )
            return int(session.execute(query).scalar_one())

    @staticmethod
    def _low_stock_select(
        session: Session,
        override: int | None,
        store: str | None,
        reorder_points: bool,
        offset: int,
        limit: int | None,
        scope: frozenset[str] | None,
    ) -> AnySelect:
        """The rows to list in three steps, so the costly columns are worked out for one page only:
        which rows (``low_stock_rows``, the one definition), which of them make the page (ordered,
        limited), then the page's columns."""
        store_id = resolve_store(session, store, scope).id if store is not None and str(store).strip() else None
        listed = low_stock_rows(
            session, threshold=override, reorder_points=reorder_points, store_id=store_id, stores=scope
        )
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
        waiting = _waiting_items(session, scope).subquery()
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
                page_rows.c.threshold,
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
        reorder_points: bool = REORDER_POINTS_ON_SCREENS,
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
            waiting = _waiting_items(session, scope_of(self._db)).subquery()
            units, orders, items, products = session.execute(
                select(
                    func.coalesce(func.sum(waiting.c.missing), 0),
                    func.count(func.distinct(waiting.c.order_id)),
                    func.count(waiting.c.item_id),
                    func.count(func.distinct(waiting.c.product_id)),
                )
            ).one()
            return BackorderSummary(units=int(units), orders=int(orders), items=int(items), products=int(products))


__all__ = ["LOW_STOCK_COLUMNS", "ReportService"]
