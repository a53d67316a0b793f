"""Read-only stock views: product summary, lists, stats, low stock, ledger and verify.

Filtering, searching and aggregation run in SQL so they stay fast at 100k+ rows.
"""

from __future__ import annotations

from sqlalchemy import Select, and_, func, literal, or_, select
from sqlalchemy.orm import Session

from orion_desktop.db.engine import Database
from orion_desktop.db.models import Inventory, InventoryReservation, InventoryTransaction, Location, Product, Store
from orion_desktop.domain import gtin as gtin_rules
from orion_desktop.domain.enums import TransactionType
from orion_desktop.domain.results import (
    InventoryStats,
    LedgerEntry,
    LedgerMismatch,
    LocationStock,
    LowStockRow,
    ProductStock,
    ReservationMismatch,
    StockRow,
    VerifyReport,
)
from orion_desktop.domain.validation import (
    DEFAULT_LOW_STOCK_THRESHOLD,
    check_count,
    check_level,
    normalize_location_code,
)
from orion_desktop.services.catalog import product_search_clause
from orion_desktop.services.lookup import product_info, resolve_product, resolve_store

_AVAILABLE = Inventory.quantity - Inventory.reserved_quantity


def _threshold(override: int | None):  # type: ignore[no-untyped-def]
    """The low-stock threshold per row: the override, else the product's own, else the default."""
    if override is not None:
        return literal(override)
    return func.coalesce(Product.low_stock_threshold, DEFAULT_LOW_STOCK_THRESHOLD)


class StockQueries:
    def __init__(self, database: Database) -> None:
        self._db = database

    def product_stock(self, store: str | None, product: str) -> ProductStock:
        """A product's stock at every location plus totals (``stock show``)."""
        with self._db.read() as session:
            store_info = resolve_store(session, store)
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
                locations=tuple(LocationStock(location=r.code, quantity=r.quantity, reserved_quantity=r.reserved_quantity) for r in rows),
            )

    def _stock_select(self) -> Select:  # type: ignore[type-arg]
        return (
            select(
                Inventory.id,
                Store.code.label("store_code"),
                Product.id.label("product_id"),
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
        )

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
    ) -> tuple[StockRow, ...]:
        """Inventory rows, filtered in SQL.

        ``low_stock=N`` keeps rows with available <= N; ``low_stock_only`` keeps rows at or below
        each product's own threshold (else the default), as the low-stock list does.
        """
        threshold = None if low_stock is None else check_level(low_stock, "low-stock threshold")
        with self._db.read() as session:
            query = self._stock_select()
            if store:
                query = query.where(Inventory.store_id == resolve_store(session, store).id)
            if location:
                query = query.where(Location.code == normalize_location_code(location))
            if threshold is not None:
                query = query.where(_AVAILABLE <= threshold)
            if low_stock_only:
                query = query.where(_AVAILABLE <= _threshold(None))
            if search and search.strip():
                query = query.where(product_search_clause(search))
            query = query.order_by(Store.code, Product.sku, Location.sort_key, Location.code).offset(offset)
            if limit is not None:
                query = query.limit(check_count(limit, "limit"))
            return tuple(
                StockRow(
                    inventory_id=r.id,
                    store_code=r.store_code,
                    product_id=r.product_id,
                    sku=r.sku,
                    gtin=gtin_rules.display_gtin(r.gtin),
                    title=r.title,
                    location=r.location,
                    quantity=r.quantity,
                    reserved_quantity=r.reserved_quantity,
                )
                for r in session.execute(query).all()
            )

    def stats(self) -> InventoryStats:
        """The seven figures of the inventory seed's admin overview."""
        with self._db.read() as session:
            totals = session.execute(
                select(
                    func.count(Inventory.id),
                    func.coalesce(func.sum(Inventory.quantity), 0),
                    func.coalesce(func.sum(Inventory.reserved_quantity), 0),
                    func.count(func.distinct(Inventory.store_id)),
                    func.count(func.distinct(Inventory.location_id)),
                )
            ).one()
            low = session.execute(
                select(func.count(Inventory.id))
                .join(Product, Product.id == Inventory.product_id)
                .where(_AVAILABLE <= _threshold(None))
            ).scalar_one()
            entries, quantity, reserved, stores, locations = totals
            return InventoryStats(
                total_entries=entries,
                total_quantity=int(quantity),
                total_reserved=int(reserved),
                total_available=int(quantity) - int(reserved),
                low_stock_count=low,
                stores_with_inventory=stores,
                unique_locations=locations,
            )

    def low_stock(self, threshold: int | str | None = None, *, limit: int | None = None) -> tuple[LowStockRow, ...]:
        """Rows whose available quantity is at or below the threshold (per product, or the override)."""
        override = None if threshold is None else check_level(threshold, "threshold")
        limit_value = None if limit is None else check_count(limit, "limit")
        with self._db.read() as session:
            level = _threshold(override)
            query = (
                select(
                    Product.id,
                    Store.code,
                    Store.name,
                    Product.sku,
                    Product.title,
                    Location.code.label("location"),
                    Inventory.quantity,
                    _AVAILABLE.label("available"),
                    level.label("threshold"),
                )
                .join(Product, Product.id == Inventory.product_id)
                .join(Store, Store.id == Inventory.store_id)
                .join(Location, Location.id == Inventory.location_id)
                .where(_AVAILABLE <= level)
                .order_by(_AVAILABLE, Product.sku, Location.code)
            )
            if limit_value is not None:
                query = query.limit(limit_value)
            return tuple(
                LowStockRow(
                    product_id=r.id,
                    store_code=r.code,
                    store_name=r.name,
                    sku=r.sku,
                    product_title=r.title,
                    location=r.location,
                    quantity=r.quantity,
                    available_quantity=r.available,
                    threshold=r.threshold,
                )
                for r in session.execute(query).all()
            )

    def ledger(
        self,
        *,
        store: str | None = None,
        product: str | None = None,
        location: str | None = None,
        limit: int | str = 100,
        before_id: int | None = None,
    ) -> tuple[LedgerEntry, ...]:
        """Newest ledger rows first; ``before_id`` pages further back."""
        count = check_count(limit, "limit")
        with self._db.read() as session:
            query = (
                select(
                    InventoryTransaction,
                    Store.code.label("store_code"),
                    Product.sku,
                    Location.code.label("location"),
                )
                .join(Store, Store.id == InventoryTransaction.store_id)
                .join(Product, Product.id == InventoryTransaction.product_id)
                .join(Location, Location.id == InventoryTransaction.location_id)
            )
            if product:
                ref = resolve_product(session, resolve_store(session, store), product)
                query = query.where(InventoryTransaction.product_id == ref.id)
            elif store:
                query = query.where(InventoryTransaction.store_id == resolve_store(session, store).id)
            if location:
                query = query.where(Location.code == normalize_location_code(location))
            if before_id is not None:
                query = query.where(InventoryTransaction.id < before_id)
            query = query.order_by(InventoryTransaction.id.desc()).limit(count)
            return tuple(
                LedgerEntry(
                    id=t.id,
                    created_at=t.created_at,
                    transaction_type=TransactionType(t.transaction_type),
                    store_code=store_code,
                    sku=sku,
                    location=loc,
                    quantity_change=t.quantity_change,
                    reserved_change=t.reserved_change,
                    quantity_after=t.quantity_after,
                    reserved_after=t.reserved_after,
                    order_number=t.order_number,
                    reason=t.reason,
                    created_by=t.created_by,
                )
                for t, store_code, sku, loc in session.execute(query).all()
            )

    def verify(self) -> VerifyReport:
        """Invariant L: each (product, location) ledger sums to its stock, and its newest row matches."""
        with self._db.read() as session:
            return verify_ledger(session)


def verify_ledger(session: Session) -> VerifyReport:
    ledger = InventoryTransaction
    sums = (
        select(
            ledger.product_id,
            ledger.location_id,
            func.sum(ledger.quantity_change).label("dq"),
            func.sum(ledger.reserved_change).label("dr"),
            func.max(ledger.id).label("last_id"),
            func.count().label("n"),
        )
        .group_by(ledger.product_id, ledger.location_id)
        .subquery()
    )
    last = ledger.__table__.alias("last_row")
    # Full comparison both ways: stock rows with a wrong or missing ledger, and ledgers
    # of deleted rows that do not end at zero.
    with_stock = (
        select(
            Product.sku,
            Location.code,
            Inventory.quantity,
            Inventory.reserved_quantity,
            func.coalesce(sums.c.dq, 0),
            func.coalesce(sums.c.dr, 0),
            last.c.quantity_after,
            last.c.reserved_after,
        )
        .join(Product, Product.id == Inventory.product_id)
        .join(Location, Location.id == Inventory.location_id)
        .outerjoin(
            sums, and_(sums.c.product_id == Inventory.product_id, sums.c.location_id == Inventory.location_id)
        )
        .outerjoin(last, last.c.id == sums.c.last_id)
        .where(
            or_(
                sums.c.product_id.is_(None) & ((Inventory.quantity != 0) | (Inventory.reserved_quantity != 0)),
                sums.c.dq != Inventory.quantity,
                sums.c.dr != Inventory.reserved_quantity,
                last.c.quantity_after != Inventory.quantity,
                last.c.reserved_after != Inventory.reserved_quantity,
            )
        )
    )
    orphaned = (
        select(
            Product.sku,
            Location.code,
            literal(0),
            literal(0),
            sums.c.dq,
            sums.c.dr,
            last.c.quantity_after,
            last.c.reserved_after,
        )
        .select_from(sums)
        .join(Product, Product.id == sums.c.product_id)
        .join(Location, Location.id == sums.c.location_id)
        .join(last, last.c.id == sums.c.last_id)
        .outerjoin(
            Inventory, and_(Inventory.product_id == sums.c.product_id, Inventory.location_id == sums.c.location_id)
        )
        .where(Inventory.id.is_(None), or_(sums.c.dq != 0, sums.c.dr != 0))
    )
    mismatches = tuple(
        LedgerMismatch(
            sku=r[0],
            location=r[1],
            quantity=int(r[2]),
            reserved_quantity=int(r[3]),
            ledger_quantity=int(r[4]),
            ledger_reserved=int(r[5]),
            last_quantity_after=r[6],
            last_reserved_after=r[7],
        )
        for query in (with_stock, orphaned)
        for r in session.execute(query).all()
    )
    rows_checked = session.execute(select(func.count(Inventory.id))).scalar_one()
    ledger_rows = session.execute(select(func.count(ledger.id))).scalar_one()
    return VerifyReport(
        rows_checked=rows_checked,
        ledger_rows=ledger_rows,
        mismatches=mismatches,
        reservation_mismatches=_reservation_mismatches(session),
    )


def _reservation_mismatches(session: Session) -> tuple[ReservationMismatch, ...]:
    """Invariant R: each row's reserved quantity equals the open parts of its reservations."""
    r = InventoryReservation
    open_parts = (
        select(
            r.inventory_id,
            func.sum(r.quantity_reserved - r.quantity_fulfilled - r.quantity_released).label("open_quantity"),
        )
        .where(r.status == "active")
        .group_by(r.inventory_id)
        .subquery()
    )
    rows = session.execute(
        select(Product.sku, Location.code, Inventory.reserved_quantity, func.coalesce(open_parts.c.open_quantity, 0))
        .join(Product, Product.id == Inventory.product_id)
        .join(Location, Location.id == Inventory.location_id)
        .outerjoin(open_parts, open_parts.c.inventory_id == Inventory.id)
        .where(Inventory.reserved_quantity != func.coalesce(open_parts.c.open_quantity, 0))
    ).all()
    return tuple(ReservationMismatch(sku, code, int(reserved), int(open_quantity)) for sku, code, reserved, open_quantity in rows)
