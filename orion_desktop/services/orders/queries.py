"""Read-only order views: list, detail, the spec's shipment status, history, notes, backorders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, func, literal_column, or_, select, tuple_
from sqlalchemy.orm import Session

from orion_desktop.db.dialect import matches_any
from orion_desktop.db.engine import Database
from orion_desktop.db.models import (
    InventoryReservation,
    Location,
    Order,
    OrderHistory,
    OrderItem,
    OrderNote,
    Product,
    Shipment,
    ShipmentLine,
    Store,
)
from orion_desktop.domain import gtin as gtin_rules
from orion_desktop.domain.errors import InvalidInput, NotFound
from orion_desktop.domain.order_results import (
    BackorderRow,
    HistoryEntry,
    ItemShipmentStatus,
    NoteInfo,
    OrderDetail,
    OrderItemInfo,
    OrderSummary,
    ReservationInfo,
    ShipmentInfo,
    ShipmentLineInfo,
    ShipmentStatusReport,
)
from orion_desktop.domain.orders import (
    OrderHistoryAction,
    OrderStatus,
    ShipmentStatus,
    parse_shipment_status,
    parse_status,
)
from orion_desktop.domain.validation import check_count, clean_text
from orion_desktop.services.catalog import like_pattern, narrowed, search_candidates
from orion_desktop.services.orders.item_stock import item_states
from orion_desktop.services.read_scope import in_stores, scope_of
from orion_desktop.services.stock.backorders import backordered_items_query

_OPEN = (
    InventoryReservation.quantity_reserved
    - InventoryReservation.quantity_fulfilled
    - InventoryReservation.quantity_released
)


def _order_id(session: Session, order_number: str, stores: frozenset[str] | None) -> int:
    """The order's id; another store's order than ``stores`` (the reads' scope) as if it did not exist."""
    number = clean_text(order_number, "order number", max_length=64)
    query = select(Order.id).where(Order.order_number == number)
    if stores is not None:
        query = query.where(in_stores(Order.store_id, stores))
    found = session.execute(query).scalar_one_or_none()
    if found is None:
        raise NotFound(f"There is no order {number}.")
    return found


ORDER_SORT_KEYS = ("number", "status", "customer", "store", "created")
"""What ``list_orders`` sorts by besides newest first (the orders table's sortable columns).

The item totals (lines, units shipped) are not among them: sorting by them would total the items
of every order for each page, where a page now totals only its own orders.
"""


@dataclass(frozen=True, slots=True)
class _OrderBy:
    """One order of the orders list: an SQL expression with the order id as tie-breaker, so the
    order is unique per order and keyset paging neither repeats nor skips one."""

    expression: SQLColumnExpression[Any] | None  # None: the order id alone (newest first)
    value: Callable[[OrderSummary], object]  # the expression's value for a listed order
    descending: bool

    def columns(self) -> tuple[ColumnElement[Any], ...]:
        keys = (Order.id,) if self.expression is None else (self.expression, Order.id)
        return tuple(key.desc() if self.descending else key.asc() for key in keys)

    def after(self, last: OrderSummary) -> ColumnElement[bool]:
        """The orders that come after ``last`` in this order."""
        if self.expression is None:
            return Order.id < last.id if self.descending else Order.id > last.id
        # A row value: what an index on (expression, id) serves as one range, on both databases.
        keys, cursor = tuple_(self.expression, Order.id), (self.value(last), last.id)
        return keys < cursor if self.descending else keys > cursor


def _order_by(sort: str | None, descending: bool) -> _OrderBy:
    if sort is None:
        return _OrderBy(None, lambda o: o.id, descending=True)  # newest first; ``descending`` does not apply
    key = sort.strip().lower()
    # Customers may be missing (NULL): they sort as an empty name, first (last when descending),
    # the same on SQLite and PostgreSQL, and a NULL never breaks the row-value comparison. The ''
    # is written into the SQL, not bound, so an index on that very expression can serve the sort.
    sorts: dict[str, tuple[SQLColumnExpression[Any], Callable[[OrderSummary], object]]] = {
        "number": (Order.order_number, lambda o: o.order_number),
        "status": (Order.status, lambda o: o.status.value),
        "customer": (func.coalesce(Order.customer_name, literal_column("''")), lambda o: o.customer_name or ""),
        "store": (Store.code, lambda o: o.store_code),
        "created": (Order.created_at, lambda o: o.created_at),
    }
    if key not in sorts:
        choices = f"{', '.join(ORDER_SORT_KEYS[:-1])} or {ORDER_SORT_KEYS[-1]}"
        raise InvalidInput(f"Orders cannot be sorted by {sort!r}. Sort by {choices}.")
    expression, value = sorts[key]
    return _OrderBy(expression, value, descending=descending)


class OrderQueries:
    def __init__(self, database: Database) -> None:
        self._db = database

    def list_orders(
        self,
        *,
        status: str | None = None,
        search: str | None = None,
        store: str | None = None,
        limit: int | str = 200,
        before_id: int | None = None,
        sort: str | None = None,
        descending: bool = False,
        after: OrderSummary | None = None,
    ) -> tuple[OrderSummary, ...]:
        """Newest first, or sorted by ``sort`` (one of ``ORDER_SORT_KEYS``; ties go by order id).

        Paging is keyset paging (as fast at any depth, and stable while other workstations add
        orders): ``after`` = the last order of the previous page, in any order; ``before_id``
        pages the newest-first list only.

        The page is found on ``orders`` alone (walking the primary key, or ``ix_orders_status_id``
        for a status; searches through the trigram indexes), and only its orders' items are
        totalled: the cost of a page does not grow with the table. A sorted page walks an index on
        (sort expression, id) where there is one: the order number's, ``ix_orders_status_id``.
        """
        count = check_count(limit, "limit")
        order = _order_by(sort, descending)
        if before_id is not None and (sort is not None or after is not None):
            raise InvalidInput(
                "before_id pages only the newest-first list; page a sorted list with after (the last order shown)."
            )
        with self._db.read() as session:
            query = select(Order, Store.code).join(Store, Store.id == Order.store_id)
            if (scope := scope_of(self._db)) is not None:  # the signed-in user's stores only
                query = query.where(Store.code.in_(scope))
            if status:
                query = query.where(Order.status == parse_status(status).value)
            if store:
                from orion_desktop.services.lookup import resolve_store

                query = query.where(Order.store_id == resolve_store(session, store, scope).id)
            if search and search.strip():
                query = query.where(_order_search_clause(session, search.strip()))
            if before_id is not None:
                query = query.where(Order.id < before_id)
            if after is not None:
                query = query.where(order.after(after))
            rows = session.execute(query.order_by(*order.columns()).limit(count)).all()
            totals = _item_totals(session, [order.id for order, _code in rows])
            return tuple(self._summary((order, code, *totals.get(order.id, (0, 0, 0)))) for order, code in rows)

    @staticmethod
    def _summary(row: tuple[Order, str, int, int, int]) -> OrderSummary:
        order, store_code, item_count, ordered, shipped = row
        return OrderSummary(
            id=order.id,
            order_number=order.order_number,
            store_code=store_code,
            status=OrderStatus(order.status),
            customer_name=order.customer_name,
            channel=order.channel,
            created_at=order.created_at,
            item_count=int(item_count or 0),
            ordered_units=int(ordered or 0),
            shipped_units=int(shipped or 0),
        )

    def status_counts(self) -> dict[OrderStatus, int]:
        with self._db.read() as session:
            query = select(Order.status, func.count(Order.id)).group_by(Order.status)
            if (scope := scope_of(self._db)) is not None:
                query = query.join(Store, Store.id == Order.store_id).where(Store.code.in_(scope))
            rows = session.execute(query).all()
            counts = {status: 0 for status in OrderStatus}
            counts.update({OrderStatus(status): int(n) for status, n in rows})
            return counts

    def get_order(self, order_number: str) -> OrderDetail:
        with self._db.read() as session:
            order_id = _order_id(session, order_number, scope_of(self._db))
            order, store_code = session.execute(
                select(Order, Store.code).join(Store, Store.id == Order.store_id).where(Order.id == order_id)
            ).one()
            status = OrderStatus(order.status)
            waiting = status in (OrderStatus.PROCESSING, OrderStatus.PARTIALLY_SHIPPED)
            gtins = dict(
                session.execute(select(OrderItem.id, OrderItem.gtin).where(OrderItem.order_id == order_id)).all()
            )
            items = tuple(
                OrderItemInfo(
                    id=state.id,
                    product_id=state.product.id,
                    product_name=state.product.title,
                    sku=state.product.sku,
                    gtin=gtin_rules.display_gtin(gtins.get(state.id)),
                    quantity=state.quantity,
                    shipped_quantity=state.shipped_quantity,
                    returned_quantity=state.returned_quantity,
                    reserved=state.open_reserved,
                    backordered=state.unreserved if waiting else 0,
                    stock_tracked=state.stock_tracked,
                )
                for state in item_states(session, order_id)
            )
            return OrderDetail(
                id=order.id,
                order_number=order.order_number,
                store_code=store_code,
                status=status,
                customer_name=order.customer_name,
                customer_email=order.customer_email,
                channel=order.channel,
                tracking_number=order.tracking_number,
                carrier=order.carrier,
                reservation_expires_at=order.reservation_expires_at,
                created_at=order.created_at,
                items=items,
                reservations=_reservations(session, order_id),
                shipments=load_shipments(session, order_id=order_id),
            )

    def shipment_status(self, order_number: str) -> ShipmentStatusReport:
        """Exactly the spec's fields; total_item_count counts the order's items."""
        with self._db.read() as session:
            order_id = _order_id(session, order_number, scope_of(self._db))
            number, status = session.execute(select(Order.order_number, Order.status).where(Order.id == order_id)).one()
            rows = session.execute(
                select(OrderItem.id, OrderItem.product_name, OrderItem.quantity, OrderItem.shipped_quantity)
                .where(OrderItem.order_id == order_id)
                .order_by(OrderItem.id)
            ).all()
            items = tuple(
                ItemShipmentStatus(
                    r.id, r.product_name, r.quantity, r.shipped_quantity, r.quantity - r.shipped_quantity,
                    r.shipped_quantity >= r.quantity,
                )
                for r in rows
            )
            shipped_units = sum(i.shipped_quantity for i in items)
            fully = all(i.is_fully_shipped for i in items) and bool(items)
            return ShipmentStatusReport(
                order_id=order_id,
                order_number=number,
                order_status=OrderStatus(status),
                is_fully_shipped=fully,
                is_partially_shipped=shipped_units > 0 and not fully,
                shipped_item_count=sum(1 for i in items if i.is_fully_shipped),
                total_item_count=len(items),
                total_shipped_units=shipped_units,
                total_ordered_units=sum(i.quantity for i in items),
                items=items,
            )

    def history(self, order_number: str) -> tuple[HistoryEntry, ...]:
        with self._db.read() as session:
            order_id = _order_id(session, order_number, scope_of(self._db))
            rows = session.scalars(
                select(OrderHistory).where(OrderHistory.order_id == order_id).order_by(OrderHistory.id)
            )
            return tuple(
                HistoryEntry(h.id, OrderHistoryAction(h.action), h.old_status, h.new_status, h.description,
                             h.created_by, h.created_at)
                for h in rows
            )

    def notes(self, order_number: str, *, customer_visible_only: bool = False) -> tuple[NoteInfo, ...]:
        with self._db.read() as session:
            order_id = _order_id(session, order_number, scope_of(self._db))
            query = select(OrderNote).where(OrderNote.order_id == order_id)
            if customer_visible_only:
                query = query.where(OrderNote.is_internal.is_(False))
            return tuple(
                NoteInfo(n.id, n.note, n.is_internal, n.created_by, n.created_at)
                for n in session.scalars(query.order_by(OrderNote.id))
            )

    def backorders(self, *, product: str | None = None, store: str | None = None) -> tuple[BackorderRow, ...]:
        """Units waiting for stock, oldest order first (the order they will be served in)."""
        scope = scope_of(self._db)
        with self._db.read() as session:
            product_ids = None
            if product:
                from orion_desktop.services.lookup import resolve_product, resolve_store

                product_ids = {resolve_product(session, resolve_store(session, store, scope), product).id}
            waiting = backordered_items_query(session, product_ids).subquery()
            query = (
                select(waiting.c.order_number, waiting.c.id, waiting.c.item_id, OrderItem.sku, OrderItem.product_name,
                       waiting.c.missing, Order.created_at, Product.product_type, Product.is_placeholder)
                .join(OrderItem, OrderItem.id == waiting.c.item_id)
                .join(Order, Order.id == waiting.c.id)
                .join(Product, Product.id == OrderItem.product_id)
                .where(Product.product_type == "physical", Product.is_placeholder.is_(False))
                .order_by(Order.created_at, Order.id, OrderItem.id)
            )
            if scope is not None:  # the signed-in user's stores only
                query = query.where(in_stores(Order.store_id, scope))
            rows = session.execute(query).all()
            return tuple(BackorderRow(r[0], r[1], r[2], r[3], r[4], int(r[5]), r[6]) for r in rows)

    def open_shipments(self, status: str | None = None) -> tuple[ShipmentInfo, ...]:
        """Shipments not yet shipped or cancelled, by workflow status."""
        with self._db.read() as session:
            return load_shipments(session, open_only=True, status=status, stores=scope_of(self._db))

    def list_shipments(
        self, *, order: str | None = None, status: str | None = None, limit: int | str = 200
    ) -> tuple[ShipmentInfo, ...]:
        """Parcels: every one of an order (``order``), else the open ones (oldest first, a work
        queue); ``status`` narrows to one workflow status (shipped and cancelled: newest first)."""
        count = check_count(limit, "limit")
        wanted = parse_shipment_status(status) if status else None
        with self._db.read() as session:
            order_id = _order_id(session, order, scope_of(self._db)) if order else None
            closed = wanted in (ShipmentStatus.SHIPPED, ShipmentStatus.CANCELLED)
            return load_shipments(
                session, order_id=order_id, open_only=order_id is None and wanted is None,
                status=wanted.value if wanted else None, limit=count, newest_first=closed,
                stores=scope_of(self._db),
            )

    def get_shipment(self, shipment_number: str) -> ShipmentInfo:
        """One parcel by number (as typed, else in capitals)."""
        number = clean_text(shipment_number, "shipment number", max_length=64)
        assert number is not None
        with self._db.read() as session:
            found = load_shipments(session, shipment_id=find_shipment(session, number).id, stores=scope_of(self._db))
            if not found:  # another store's parcel: as if it did not exist
                raise NotFound(f"There is no shipment {number}.")
            return found[0]


def _order_search_clause(session: Session, text: str) -> ColumnElement[bool]:
    """The order number exactly, or a substring of the number or of the customer's name.

    PostgreSQL serves the LIKEs with the pg_trgm indexes on ``order_number`` and
    ``lower(customer_name)``; SQLite first narrows the orders through the ``orders_search`` FTS5
    table (same result: the LIKEs still decide).
    """
    number_pattern, name_pattern = text.upper(), text.lower()
    contains = or_(
        Order.order_number.like(like_pattern(number_pattern), escape="\\"),
        func.lower(Order.customer_name).like(like_pattern(name_pattern), escape="\\"),
    )
    candidates = search_candidates(session, "orders_search", name_pattern, number_pattern)
    return or_(Order.order_number == text, *(c for c in (narrowed(Order.id, candidates, contains),) if c is not None))


def _item_totals(session: Session, order_ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """Per order: (items, units ordered, units shipped), for the listed orders only."""
    if not order_ids:
        return {}
    rows = session.execute(
        select(
            OrderItem.order_id,
            func.count(OrderItem.id),
            func.sum(OrderItem.quantity),
            func.sum(OrderItem.shipped_quantity),
        )
        .where(matches_any(session, OrderItem.order_id, order_ids))
        .group_by(OrderItem.order_id)
    ).all()
    return {order_id: (items, ordered, shipped) for order_id, items, ordered, shipped in rows}


def _reservations(session: Session, order_id: int) -> tuple[ReservationInfo, ...]:
    rows = session.execute(
        select(InventoryReservation, OrderItem.sku, Location.code)
        .join(OrderItem, OrderItem.id == InventoryReservation.order_item_id)
        .join(Location, Location.id == InventoryReservation.location_id)
        .where(InventoryReservation.order_id == order_id)
        .order_by(InventoryReservation.id)
    ).all()
    return tuple(
        ReservationInfo(r.id, r.order_item_id, sku, code, r.quantity_reserved, r.quantity_fulfilled,
                        r.quantity_released, r.status, r.expires_at)
        for r, sku, code in rows
    )


@dataclass(frozen=True, slots=True)
class FoundShipment:
    id: int
    shipment_number: str
    order_number: str


def find_shipment(session: Session, number: str) -> FoundShipment:
    """A shipment by number (as typed, else in capitals: numbers are printed in capitals)."""
    for candidate in dict.fromkeys((number, number.upper())):
        found = session.execute(
            select(Shipment.id, Shipment.shipment_number, Order.order_number)
            .join(Order, Order.id == Shipment.order_id)
            .where(Shipment.shipment_number == candidate)
        ).first()
        if found is not None:
            return FoundShipment(found.id, found.shipment_number, found.order_number)
    raise NotFound(f"There is no shipment {number}.")


def load_shipments(
    session: Session,
    *,
    order_id: int | None = None,
    shipment_id: int | None = None,
    open_only: bool = False,
    status: str | None = None,
    limit: int | None = None,
    newest_first: bool = False,
    stores: frozenset[str] | None = None,
) -> tuple[ShipmentInfo, ...]:
    query = select(Shipment, Order.order_number).join(Order, Order.id == Shipment.order_id)
    if stores is not None:  # the signed-in user's stores only (services/read_scope.py)
        query = query.join(Store, Store.id == Order.store_id).where(Store.code.in_(stores))
    if order_id is not None:
        query = query.where(Shipment.order_id == order_id)
    if shipment_id is not None:
        query = query.where(Shipment.id == shipment_id)
    if open_only:
        query = query.where(Shipment.status.not_in(("shipped", "cancelled")))
    if status:
        query = query.where(Shipment.status == parse_shipment_status(status).value)
    query = query.order_by(Shipment.id.desc() if newest_first else Shipment.id)
    if limit is not None:
        query = query.limit(limit)
    shipments = session.execute(query).all()
    ids = [s.id for s, _ in shipments]
    lines: dict[int, list[ShipmentLineInfo]] = {}
    if ids:
        for line, sku, name, code in session.execute(
            select(ShipmentLine, OrderItem.sku, OrderItem.product_name, Location.code)
            .join(OrderItem, OrderItem.id == ShipmentLine.order_item_id)
            .outerjoin(Location, Location.id == ShipmentLine.location_id)
            .where(ShipmentLine.shipment_id.in_(ids))
            .order_by(ShipmentLine.id)
        ).all():
            lines.setdefault(line.shipment_id, []).append(
                ShipmentLineInfo(line.order_item_id, sku, name, code, line.quantity)
            )
    return tuple(
        ShipmentInfo(s.id, s.shipment_number, number, ShipmentStatus(s.status), s.assigned_to, s.box_size,
                     s.weight_grams, s.notes, s.tracking_number, s.carrier, s.created_at, s.shipped_at,
                     tuple(lines.get(s.id, [])))
        for s, number in shipments
    )
