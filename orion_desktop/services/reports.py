"""Reports for managers: low stock with the backorders waiting for it, backorder totals, a filtered ledger.

Everything is filtered and aggregated in SQL, so the answers stay fast on large databases.
"""

from __future__ import annotations

import csv
import os
from datetime import datetime
from pathlib import Path

from sqlalchemy import ColumnElement, Select, func, literal, or_, select
from sqlalchemy.orm import Session

from orion_desktop.db.engine import Database
from orion_desktop.db.models import Inventory, InventoryTransaction, Location, Order, OrderItem, Product, Store
from orion_desktop.domain import gtin as gtin_rules
from orion_desktop.domain.enums import ProductType, TransactionType
from orion_desktop.domain.errors import InvalidInput, NotFound
from orion_desktop.domain.report_results import BackorderSummary, LowStockReportRow
from orion_desktop.domain.results import LedgerEntry
from orion_desktop.domain.validation import (
    DEFAULT_LOW_STOCK_THRESHOLD,
    check_count,
    check_level,
    clean_text,
    normalize_location_code,
)
from orion_desktop.services.backorders import backordered_items_query
from orion_desktop.services.lookup import resolve_product, resolve_store

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
)
"""The header line of ``export_low_stock`` files."""


def parse_transaction_type(raw: str | TransactionType) -> TransactionType:
    try:
        return TransactionType(str(raw).strip().lower())
    except ValueError:
        options = ", ".join(t.value for t in TransactionType)
        raise InvalidInput(f"{raw!r} is not a kind of stock change; use one of {options}.") from None


def _level(override: int | None) -> ColumnElement[int]:
    """The low-stock threshold per row: the override, else the product's own, else the default."""
    if override is not None:
        return literal(override)
    return func.coalesce(Product.low_stock_threshold, DEFAULT_LOW_STOCK_THRESHOLD)


def _waiting_items(session: Session) -> Select:  # type: ignore[type-arg]
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
    ) -> tuple[LowStockReportRow, ...]:
        """Stock rows whose available quantity is at or below the threshold, fewest available first.

        Without ``threshold`` each product's own low-stock threshold applies (the default for
        products without one), exactly as ``StockQueries.low_stock`` and the stats count them.
        Each row carries the units and orders waiting for its product.
        """
        override = None if threshold is None else check_level(threshold, "threshold")
        count = None if limit is None else check_count(limit, "limit")
        start = check_level(offset, "offset")
        with self._db.read() as session:
            query = self._low_stock_select(session, override, store).offset(start)
            if count is not None:
                query = query.limit(count)
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
                )
                for r in session.execute(query).all()
            )

    @staticmethod
    def _low_stock_select(session: Session, override: int | None, store: str | None) -> Select:  # type: ignore[type-arg]
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
        level = _level(override)
        query = (
            select(
                Inventory.id,
                Product.id.label("product_id"),
                Store.code.label("store_code"),
                Product.sku,
                Product.gtin,
                Product.title,
                Location.code.label("location"),
                Inventory.quantity,
                Inventory.reserved_quantity,
                level.label("threshold"),
                Product.reorder_point,
                func.coalesce(per_product.c.units, 0).label("backordered_units"),
                func.coalesce(per_product.c.orders, 0).label("backordered_orders"),
            )
            .join(Product, Product.id == Inventory.product_id)
            .join(Store, Store.id == Inventory.store_id)
            .join(Location, Location.id == Inventory.location_id)
            .outerjoin(per_product, per_product.c.product_id == Inventory.product_id)
            .where(_AVAILABLE <= level)
            .order_by(_AVAILABLE, Store.code, Product.sku, Location.sort_key, Location.code, Inventory.id)
        )
        if store is not None and str(store).strip():
            query = query.where(Inventory.store_id == resolve_store(session, store).id)
        return query

    def export_low_stock(self, path: Path | str, threshold: int | str | None = None, *, store: str | None = None) -> int:
        """Write the low-stock list (the same rows ``low_stock`` returns) as CSV; returns the rows written.

        UTF-8 with a BOM so spreadsheet programs show accented titles; written beside the
        target and moved into place, so a failed export never leaves half a file.
        """
        target = Path(path)
        rows = self.low_stock(threshold, store=store)
        temporary = target.with_name(f".{target.name}.partial")
        try:
            with temporary.open("w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(LOW_STOCK_COLUMNS)
                for row in rows:
                    writer.writerow(
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
                        )
                    )
            os.replace(temporary, target)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise InvalidInput(f"Cannot write {target}: {error.strerror or error}.") from None
        return len(rows)

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
            return tuple(
                LedgerEntry(
                    id=row.id,
                    created_at=row.created_at,
                    transaction_type=TransactionType(row.transaction_type),
                    store_code=store_code,
                    sku=sku,
                    location=code,
                    quantity_change=row.quantity_change,
                    reserved_change=row.reserved_change,
                    quantity_after=row.quantity_after,
                    reserved_after=row.reserved_after,
                    order_number=row.order_number,
                    reason=row.reason,
                    created_by=row.created_by,
                )
                for row, store_code, sku, code in session.execute(query).all()
            )


def _product_ids(session: Session, store: str | None, identifier: str) -> list[int]:
    """The products a SKU or GTIN names: in one store, or in every store that has it."""
    if store is not None:
        return [resolve_product(session, resolve_store(session, store), identifier).id]
    clauses = [Product.sku == identifier]
    if gtin_rules.looks_like_gtin(identifier):
        if gtin_rules.is_placeholder(identifier):
            raise InvalidInput("0000000000000 is the placeholder code for unmatched items; it does not name one product.")
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
