"""Orders: creation, the status machine and its stock hooks, shipping, returns, notes, expiry.

Every call is one transaction. Each starts by locking the order row and then every stock row of
the order's products in ascending id (lock_product_rows), so concurrent PCs queue instead of
deadlocking, and every plan below is made from fresh reads.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from orion_desktop.db.engine import Database
from orion_desktop.db.models import Order, OrderItem, OrderNote, Product, Shipment, ShipmentLine
from orion_desktop.db.types import utcnow
from orion_desktop.domain import gtin as gtin_rules
from orion_desktop.domain.actor import Actor, Permission
from orion_desktop.domain.enums import TransactionType
from orion_desktop.domain.errors import Conflict, InsufficientStock, InvalidInput, InvalidTransition, NotFound
from orion_desktop.domain.order_results import (
    BackorderedItem,
    ExpiryResult,
    NoteInfo,
    OrderLine,
    ReservedLine,
    ReturnResult,
    ShipItemResult,
    ShipRequest,
    ShipmentInfo,
    SkippedItem,
    StatusChangeResult,
)
from orion_desktop.domain.orders import (
    OrderHistoryAction,
    OrderStatus,
    ShipmentStatus,
    check_shipment_transition,
    check_transition,
    new_order_number,
    parse_status,
    status_after_shipping,
)
from orion_desktop.domain.text_rules import shown
from orion_desktop.domain.validation import (
    MAX_DIGITS,
    check_count,
    clean_code,
    clean_email,
    clean_multiline_text,
    clean_text,
    normalize_location_code,
    whole_number,
)
from orion_desktop.services.backorders import allocate_backorders
from orion_desktop.services.lookup import location_id as find_location_id
from orion_desktop.services.lookup import inventory_id as find_inventory_id
from orion_desktop.services.lookup import matches_any, resolve_product, resolve_store
from orion_desktop.services.operations import run_once
from orion_desktop.services.order_queries import load_shipments
from orion_desktop.services.order_history import record
from orion_desktop.services.order_stock import ItemState, fulfill_for_item, item_states, release_item, reserve_for_item
from orion_desktop.services.stock_ops import LedgerNote, Slot, apply_change, lock_product_rows

log = logging.getLogger(__name__)

_STATUS_TIMESTAMP = {
    OrderStatus.PROCESSING: "processing_at",
    OrderStatus.PARTIALLY_SHIPPED: "partially_shipped_at",
    OrderStatus.SHIPPED: "shipped_at",
    OrderStatus.DELIVERED: "delivered_at",
    OrderStatus.CANCELLED: "cancelled_at",
}


@dataclass(frozen=True, slots=True)
class LockedOrder:
    id: int
    store_id: int
    order_number: str
    status: OrderStatus
    reservation_expires_at: datetime | None


def lock_order(session: Session, order_number: str) -> tuple[LockedOrder, list[ItemState]]:
    """Lock the order row, then the stock rows of its products (ascending), then read its items."""
    number = clean_text(order_number, "order number", max_length=64)
    row = session.execute(
        select(Order.id, Order.store_id, Order.order_number, Order.status, Order.reservation_expires_at)
        .where(Order.order_number == number)
        # NO KEY UPDATE, so foreign-key checks (KEY SHARE) of rows inserted for this order by a
        # restock's backorder allocation never wait on it.
        .with_for_update(key_share=True)
    ).first()
    if row is None:
        raise NotFound(f"There is no order {number}.")
    product_ids = set(session.execute(select(OrderItem.product_id).where(OrderItem.order_id == row.id)).scalars())
    lock_product_rows(session, product_ids)
    order = LockedOrder(row.id, row.store_id, row.order_number, OrderStatus(row.status), row.reservation_expires_at)
    return order, item_states(session, order.id)


def _set_status(session: Session, order: LockedOrder, status: OrderStatus) -> None:
    values: dict[str, object] = {"status": status.value, "updated_at": utcnow()}
    if status in _STATUS_TIMESTAMP:
        values[_STATUS_TIMESTAMP[status]] = utcnow()
    session.execute(update(Order).where(Order.id == order.id).values(**values))


def _note(actor: Actor, order: LockedOrder, reason: str | None = None, key: str | None = None) -> LedgerNote:
    return LedgerNote(actor, reason, key, order_id=order.id, order_number=order.order_number)


def find_item(items: list[ItemState], ref: str | int) -> ItemState:
    """An order line by item id, SKU or any GTIN form."""
    text = str(ref).strip()
    # An item id is at most MAX_DIGITS ASCII digits (whole_number refuses other digits and
    # overlong numbers before int()); a longer run of digits can only be a barcode.
    item_id = whole_number(text, "item id") if text.isdigit() and len(text) <= MAX_DIGITS else None
    if item_id is not None and not gtin_rules.looks_like_gtin(text):
        for item in items:
            if item.id == item_id:
                return item
    for item in items:
        if item.product.sku.lower() == text.lower():  # SKUs ignore case
            return item
    if gtin_rules.looks_like_gtin(text):
        canonical = gtin_rules.normalize_gtin(text)
        for item in items:
            if item.gtin == canonical:
                return item
    if item_id is not None:
        for item in items:
            if item.id == item_id:
                return item
    raise NotFound(f"This order has no line for {shown(text)}.")


class OrderService:
    def __init__(self, database: Database) -> None:
        self._db = database

    # --- creation -------------------------------------------------------------------------
    def create_order(
        self,
        actor: Actor,
        *,
        store: str | None,
        lines: Sequence[OrderLine],
        customer: str | None = None,
        email: str | None = None,
        number: str | None = None,
        channel: str = "manual",
        strict: bool = False,
        reservation_expires_at: datetime | None = None,
        operation_key: str | None = None,
    ) -> str:
        """Create a pending order; return its number. ``strict`` refuses it when stock is short."""
        actor.require(Permission.MANAGE_ORDERS)
        if not lines:
            raise InvalidInput("An order needs at least one line (product and quantity).")
        customer_name = clean_text(customer, "customer name", required=False)
        customer_email = clean_email(email, "customer e-mail")
        channel_name = clean_text(channel, "channel", max_length=32) or "manual"
        given_number = clean_code(number, "order number", required=False)
        with self._db.write() as session:

            def action() -> str:
                store_info = resolve_store(session, store)
                actor.require_store(store_info.code)
                quantities: dict[int, int] = {}
                for line in lines:
                    quantity = check_count(line.quantity)
                    ref = resolve_product(session, store_info, line.product)
                    quantities[ref.id] = quantities.get(ref.id, 0) + quantity  # the same product twice is one line
                if strict:
                    products = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(quantities)))}
                    _refuse_short_stock(session, products, quantities)
                order_number = given_number or new_order_number(store_info.id, datetime.now(UTC).date())
                if session.execute(select(Order.id).where(Order.order_number == order_number)).first():
                    raise Conflict(f"An order numbered {order_number} already exists.")
                insert_order(
                    session, actor, store_id=store_info.id, order_number=order_number, quantities=quantities,
                    customer=customer_name, email=customer_email, channel=channel_name,
                    reservation_expires_at=reservation_expires_at,
                )
                return order_number

            return run_once(
                session, operation_key, "order.create", actor, str, action,
                # Not reservation_expires_at: the CLI derives it from the clock (--expires-in), so a retry differs.
                params={"store": store, "lines": lines, "customer": customer_name, "email": customer_email,
                        "number": given_number, "channel": channel_name, "strict": strict},
            )

    # --- status machine -------------------------------------------------------------------
    def change_status(
        self, actor: Actor, order_number: str, target: str | OrderStatus, *, operation_key: str | None = None
    ) -> StatusChangeResult:
        """Move an order along the status machine, with the stock hook of the target status."""
        actor.require(Permission.MANAGE_ORDERS)
        wanted = parse_status(target)
        with self._db.write() as session:

            def action() -> StatusChangeResult:
                order, items = lock_order(session, order_number)
                check_transition(order.order_number, order.status, wanted)
                hook = {
                    OrderStatus.PROCESSING: self._to_processing,
                    OrderStatus.SHIPPED: self._to_shipped,
                    OrderStatus.CANCELLED: self._to_cancelled,
                    OrderStatus.DELIVERED: self._to_delivered,
                }[wanted]
                return hook(session, actor, order, items, operation_key)

            return run_once(
                session, operation_key, "order.status", actor, StatusChangeResult, action,
                params={"order": order_number, "status": wanted},
            )

    def _to_processing(
        self, session: Session, actor: Actor, order: LockedOrder, items: list[ItemState], key: str | None
    ) -> StatusChangeResult:
        """Reserve what can be reserved; the rest is reported and stays backordered (soft failure)."""
        note = _note(actor, order, "order processing", key)
        reserved: list[ReservedLine] = []
        skipped: list[SkippedItem] = []
        backordered: list[BackorderedItem] = []
        for item in items:
            if item.product.is_placeholder:
                skipped.append(SkippedItem(item.id, item.product.sku, "placeholder product: no stock to reserve"))
                continue
            if not item.stock_tracked:
                skipped.append(SkippedItem(item.id, item.product.sku, f"{item.product.product_type.value} product: unlimited"))
                continue
            if item.unreserved == 0:
                continue
            lines, shortfall = reserve_for_item(session, item, item.unreserved, note, order.reservation_expires_at)
            reserved.extend(lines)
            if shortfall:
                reason = "no stock at any location" if not lines else f"only {item.unreserved - shortfall} available"
                backordered.append(BackorderedItem(item.id, item.product.sku, shortfall, reason))
        _set_status(session, order, OrderStatus.PROCESSING)
        warnings = tuple(
            f"{b.sku}: {b.quantity} backordered ({b.reason})" for b in backordered
        ) + tuple(f"{s.sku}: skipped ({s.reason})" for s in skipped if "placeholder" in s.reason)
        summary = f"Reserved {sum(r.quantity for r in reserved)} units"
        if backordered:
            summary += f"; backordered {sum(b.quantity for b in backordered)} units"
        record(session, order.id, OrderHistoryAction.PROCESSING_STARTED, summary + ".", actor,
               old_status=order.status.value, new_status=OrderStatus.PROCESSING.value)
        if reserved:
            where = ", ".join(f"{r.quantity} {r.sku} at {r.location}" for r in reserved)
            record(session, order.id, OrderHistoryAction.INVENTORY_RESERVED, f"Reserved {where}.", actor)
        for warning in warnings:
            log.warning("Order %s: %s", order.order_number, warning)
            record(session, order.id, OrderHistoryAction.STATUS_CHANGED, f"Warning: {warning}.", actor)
        return StatusChangeResult(
            order.order_number, order.status, OrderStatus.PROCESSING, tuple(reserved), tuple(skipped),
            tuple(backordered), warnings=warnings,
        )

    def _to_shipped(
        self, session: Session, actor: Actor, order: LockedOrder, items: list[ItemState], key: str | None
    ) -> StatusChangeResult:
        """Ship everything still unshipped in one shipment, or refuse and change nothing."""
        requests = [(item, item.remaining, None) for item in items if item.remaining > 0]
        fulfilled = self._ship(session, actor, order, items, requests, tracking=None, carrier=None, key=key)[1]
        return StatusChangeResult(order.order_number, order.status, OrderStatus.SHIPPED, fulfilled=tuple(fulfilled))

    def _to_cancelled(
        self, session: Session, actor: Actor, order: LockedOrder, items: list[ItemState], key: str | None
    ) -> StatusChangeResult:
        """Release every open reservation; what was already shipped stays shipped."""
        note = _note(actor, order, "order cancelled", key)
        released: list[ReservedLine] = []
        for item in items:
            released.extend(release_item(session, item, note))
        _set_status(session, order, OrderStatus.CANCELLED)
        units = sum(r.quantity for r in released)
        record(session, order.id, OrderHistoryAction.CANCELLED, f"Order cancelled; released {units} reserved units.",
               actor, old_status=order.status.value, new_status=OrderStatus.CANCELLED.value)
        if released:
            record(session, order.id, OrderHistoryAction.INVENTORY_RELEASED,
                   "Released " + ", ".join(f"{r.quantity} {r.sku} at {r.location}" for r in released) + ".", actor)
        return StatusChangeResult(order.order_number, order.status, OrderStatus.CANCELLED, released=tuple(released))

    def _to_delivered(
        self, session: Session, actor: Actor, order: LockedOrder, items: list[ItemState], key: str | None
    ) -> StatusChangeResult:
        _set_status(session, order, OrderStatus.DELIVERED)
        record(session, order.id, OrderHistoryAction.DELIVERED, "Order delivered.", actor,
               old_status=order.status.value, new_status=OrderStatus.DELIVERED.value)
        return StatusChangeResult(order.order_number, order.status, OrderStatus.DELIVERED)

    # --- shipping -------------------------------------------------------------------------
    def ship(
        self,
        actor: Actor,
        order_number: str,
        requests: Sequence[ShipRequest],
        *,
        tracking: str | None = None,
        carrier: str | None = None,
        operation_key: str | None = None,
    ) -> tuple[int, tuple[ShipItemResult, ...]]:
        """Ship one or more lines as one parcel; returns (shipment id, per-item results)."""
        actor.require(Permission.MOVE_RESERVED_STOCK)
        if not requests:
            raise InvalidInput("Choose at least one line to ship.")
        tracking_number = clean_text(tracking, "tracking number", required=False, max_length=128)
        carrier_name = clean_text(carrier, "carrier", required=False, max_length=64)
        with self._db.write() as session:

            def action() -> tuple[int, tuple[ShipItemResult, ...]]:
                order, items = lock_order(session, order_number)
                planned = self._plan(session, items, requests, already_planned={})
                shipment_id, _lines = self._ship(session, actor, order, items, planned, tracking_number,
                                                 carrier_name, operation_key)
                fresh = {i.id: i for i in item_states(session, order.id)}
                results = tuple(
                    ShipItemResult(
                        order_id=order.id,
                        item_id=item.id,
                        fulfilled_quantity=quantity,
                        shipped_quantity=fresh[item.id].shipped_quantity,
                        remaining_quantity=fresh[item.id].remaining,
                        is_fully_shipped=fresh[item.id].remaining == 0,
                    )
                    for item, quantity, _ in planned
                )
                return shipment_id, results

            return run_once(
                session, operation_key, "order.ship", actor, tuple[int, tuple[ShipItemResult, ...]], action,
                params={"order": order_number, "requests": requests, "tracking": tracking_number, "carrier": carrier_name},
            )

    def ship_item(
        self,
        actor: Actor,
        order_number: str,
        item: str | int,
        quantity: int | str | None = None,
        *,
        location: str | None = None,
        tracking: str | None = None,
        carrier: str | None = None,
        operation_key: str | None = None,
    ) -> ShipItemResult:
        """The seed's ship-item call: one line, quantity defaulting to what remains."""
        _shipment, results = self.ship(
            actor, order_number, [ShipRequest(item, quantity, location)], tracking=tracking, carrier=carrier,
            operation_key=operation_key,
        )
        return results[0]

    def _ship(
        self,
        session: Session,
        actor: Actor,
        order: LockedOrder,
        items: list[ItemState],
        planned: Sequence[tuple[ItemState, int, int | None]],
        tracking: str | None,
        carrier: str | None,
        key: str | None,
        shipment_id: int | None = None,
    ) -> tuple[int, list[ReservedLine]]:
        """Fulfil the planned lines as one shipment (a new one, or a prepared one reaching shipped)."""
        if order.status not in (OrderStatus.PENDING, OrderStatus.PROCESSING, OrderStatus.PARTIALLY_SHIPPED):
            raise InvalidTransition(f"Order {order.order_number} is {order.status.value}; nothing can be shipped.")
        note = _note(actor, order, "shipped", key)
        now = utcnow()
        if shipment_id is None:
            shipment = Shipment(shipment_number=_next_shipment_number(session, order), order_id=order.id,
                                created_by=actor.name)
            session.add(shipment)
        else:
            shipment = session.get_one(Shipment, shipment_id)
            # The prepared lines said what to send; the lines written below say where it came from.
            session.execute(delete(ShipmentLine).where(ShipmentLine.shipment_id == shipment_id))
        shipment.status = ShipmentStatus.SHIPPED.value
        shipment.shipped_at = now
        shipment.tracking_number = tracking or shipment.tracking_number
        shipment.carrier = carrier or shipment.carrier
        session.flush()
        taken: list[ReservedLine] = []
        for item, quantity, location in planned:
            lines = fulfill_for_item(session, item, quantity, note, location)
            taken.extend(lines)
            for line in lines or [ReservedLine(item.id, item.product.sku, "", quantity)]:
                loc = find_location_id(session, line.location, create=False) if line.location else None
                session.add(ShipmentLine(shipment_id=shipment.id, order_item_id=item.id, location_id=loc,
                                         quantity=line.quantity))
            updated = session.execute(
                update(OrderItem)
                .where(OrderItem.id == item.id, OrderItem.shipped_quantity + quantity <= OrderItem.quantity)
                .values(shipped_quantity=OrderItem.shipped_quantity + quantity)
            )
            if updated.rowcount != 1:
                raise Conflict(f"{item.product.sku} was shipped by another workstation at the same moment.")
        session.flush()
        shipped_units, ordered_units = session.execute(
            select(func.sum(OrderItem.shipped_quantity), func.sum(OrderItem.quantity)).where(OrderItem.order_id == order.id)
        ).one()
        new_status = status_after_shipping(int(shipped_units), int(ordered_units))
        tracking_values = {k: v for k, v in (("tracking_number", shipment.tracking_number),
                                            ("carrier", shipment.carrier)) if v}
        if tracking_values:
            session.execute(update(Order).where(Order.id == order.id).values(**tracking_values))
        if new_status != order.status:
            _set_status(session, order, new_status)
        units = sum(q for _, q, _ in planned)
        what = ", ".join(f"{q} {i.product.sku}" for i, q, _ in planned)
        record(session, order.id, OrderHistoryAction.SHIPPED,
               f"Shipment {shipment.shipment_number}: shipped {what} ({units} units)"
               + (f", tracking {shipment.tracking_number}" if shipment.tracking_number else "") + ".",
               actor, old_status=order.status.value, new_status=new_status.value)
        return shipment.id, taken

    def _plan(
        self, session: Session, items: list[ItemState], requests: Sequence[ShipRequest], *, already_planned: dict[int, int]
    ) -> list[tuple[ItemState, int, int | None]]:
        """Validate ship requests against what remains (minus units in other prepared shipments)."""
        planned: list[tuple[ItemState, int, int | None]] = []
        seen: set[int] = set()
        for request in requests:
            item = find_item(items, request.item)
            if item.id in seen:
                raise InvalidInput(f"{item.product.sku} appears twice in this shipment; give it once.")
            seen.add(item.id)
            open_units = item.remaining - already_planned.get(item.id, 0)
            if open_units <= 0:
                raise InvalidInput(
                    f"{item.product.sku} is already fully shipped."
                    if item.remaining == 0
                    else f"All remaining units of {item.product.sku} are already in a prepared shipment."
                )
            quantity = open_units if request.quantity in (None, "") else check_count(request.quantity)
            if quantity > open_units:
                raise InvalidInput(
                    f"Cannot ship {quantity} of {item.product.sku}: only {open_units} remain to ship "
                    f"({item.quantity} ordered, {item.shipped_quantity} already shipped"
                    + (f", {already_planned[item.id]} in prepared shipments" if already_planned.get(item.id) else "")
                    + ")."
                )
            location = None
            if request.location:
                code = normalize_location_code(request.location)
                location = find_location_id(session, code, create=False)
                if location is None:
                    raise NotFound(f"There is no location {code}.")
            planned.append((item, quantity, location))
        return planned

    # --- the fulfillment workflow ---------------------------------------------------------
    def prepare_shipment(
        self,
        actor: Actor,
        order_number: str,
        requests: Sequence[ShipRequest],
        *,
        assigned_to: str | None = None,
        box_size: str | None = None,
        weight_grams: int | str | None = None,
        notes: str | None = None,
    ) -> ShipmentInfo:
        """Start a parcel in the workflow (pending). Stock leaves only when it reaches shipped."""
        actor.require(Permission.MOVE_RESERVED_STOCK)
        if not requests:
            raise InvalidInput("Choose at least one line for the shipment.")
        details = _shipment_details(assigned_to, box_size, weight_grams, notes)
        with self._db.write() as session:
            order, items = lock_order(session, order_number)
            if not order.status.is_open:
                raise InvalidTransition(f"Order {order.order_number} is {order.status.value}; nothing can be shipped.")
            planned = self._plan(session, items, requests, already_planned=_prepared_units(session, order.id))
            shipment = Shipment(shipment_number=_next_shipment_number(session, order), order_id=order.id,
                                status=ShipmentStatus.PENDING.value, created_by=actor.name, **details)
            if details.get("assigned_to"):
                shipment.assigned_at = utcnow()
            session.add(shipment)
            session.flush()
            for item, quantity, location in planned:
                session.add(ShipmentLine(shipment_id=shipment.id, order_item_id=item.id, location_id=location,
                                         quantity=quantity))
            session.flush()
            record(session, order.id, OrderHistoryAction.STATUS_CHANGED,
                   f"Shipment {shipment.shipment_number} prepared: "
                   + ", ".join(f"{q} {i.product.sku}" for i, q, _ in planned) + ".", actor)
            return load_shipments(session, order_id=order.id, shipment_id=shipment.id)[0]

    def advance_shipment(
        self,
        actor: Actor,
        shipment_number: str,
        status: str | ShipmentStatus,
        *,
        assigned_to: str | None = None,
        box_size: str | None = None,
        weight_grams: int | str | None = None,
        notes: str | None = None,
        tracking: str | None = None,
        carrier: str | None = None,
        operation_key: str | None = None,
    ) -> ShipmentInfo:
        """Move a parcel along pending -> picking -> packing -> ready_to_ship -> shipped, or cancel it.

        Reaching shipped fulfils its lines (the order's status follows); cancelling an unshipped
        parcel changes no stock and leaves the order's reservations in place.
        """
        actor.require(Permission.MOVE_RESERVED_STOCK)
        target = _parse_shipment_status(status)
        details = _shipment_details(assigned_to, box_size, weight_grams, notes)
        tracking_number = clean_text(tracking, "tracking number", required=False, max_length=128)
        carrier_name = clean_text(carrier, "carrier", required=False, max_length=64)
        number = clean_text(shipment_number, "shipment number", max_length=64)
        with self._db.write() as session:

            def action() -> ShipmentInfo:
                found = session.execute(
                    select(Shipment.id, Order.order_number, Shipment.status)
                    .join(Order, Order.id == Shipment.order_id)
                    .where(Shipment.shipment_number == number)
                ).first()
                if found is None:
                    raise NotFound(f"There is no shipment {number}.")
                order, items = lock_order(session, found.order_number)
                shipment = session.get_one(Shipment, found.id)
                check_shipment_transition(shipment.shipment_number, ShipmentStatus(shipment.status), target)
                for name, value in details.items():
                    setattr(shipment, name, value)
                if details.get("assigned_to"):
                    shipment.assigned_at = utcnow()
                if target is ShipmentStatus.SHIPPED:
                    lines = session.execute(
                        select(ShipmentLine.order_item_id, ShipmentLine.quantity, ShipmentLine.location_id)
                        .where(ShipmentLine.shipment_id == shipment.id)
                        .order_by(ShipmentLine.id)
                    ).all()
                    by_id = {i.id: i for i in items}
                    planned = [(by_id[item_id], quantity, location) for item_id, quantity, location in lines]
                    for item, quantity, _ in planned:
                        if quantity > item.remaining:
                            raise InvalidInput(
                                f"Cannot ship {quantity} of {item.product.sku}: only {item.remaining} remain to ship."
                            )
                    self._ship(session, actor, order, items, planned, tracking_number, carrier_name, operation_key,
                               shipment_id=shipment.id)
                else:
                    shipment.status = target.value
                    stamp = {ShipmentStatus.PICKING: "picking_at", ShipmentStatus.PACKING: "packing_at",
                             ShipmentStatus.READY_TO_SHIP: "ready_at", ShipmentStatus.CANCELLED: "cancelled_at"}[target]
                    setattr(shipment, stamp, utcnow())
                    if tracking_number:
                        shipment.tracking_number = tracking_number
                    if carrier_name:
                        shipment.carrier = carrier_name
                    action_name = OrderHistoryAction.PACKED if target is ShipmentStatus.PACKING else (
                        OrderHistoryAction.STATUS_CHANGED)
                    record(session, order.id, action_name,
                           f"Shipment {shipment.shipment_number} is now {target.value}"
                           + (f" (assigned to {shipment.assigned_to})" if shipment.assigned_to else "") + ".", actor)
                session.flush()
                return load_shipments(session, order_id=order.id, shipment_id=shipment.id)[0]

            return run_once(
                session, operation_key, "shipment.advance", actor, ShipmentInfo, action,
                params={"shipment": number, "status": target, "details": details, "tracking": tracking_number,
                        "carrier": carrier_name},
            )

    # --- returns, notes, expiry -----------------------------------------------------------
    def return_item(
        self,
        actor: Actor,
        order_number: str,
        item: str | int,
        quantity: int | str,
        *,
        location: str | None = None,
        damaged: bool = False,
        reason: str | None = None,
        operation_key: str | None = None,
    ) -> ReturnResult:
        """Take shipped units back: onto a shelf (stock up, backorders first) or written off as damaged."""
        actor.require(Permission.CHANGE_STOCK)
        count = check_count(quantity)
        if damaged == bool(location):
            raise InvalidInput("Say where the returned units go: a location to restock, or damaged (not restocked).")
        why = clean_text(reason, "reason", required=False)
        with self._db.write() as session:

            def action() -> ReturnResult:
                order, items = lock_order(session, order_number)
                line = find_item(items, item)
                returnable = line.shipped_quantity - line.returned_quantity
                if count > returnable:
                    raise InvalidInput(
                        f"Cannot return {count} of {line.product.sku}: {line.shipped_quantity} shipped, "
                        f"{line.returned_quantity} already returned, so at most {returnable} can come back."
                    )
                restocked = None
                if location:
                    if not line.stock_tracked:
                        raise InvalidInput(f"{line.product.sku} has no stock; record the return as damaged instead.")
                    restocked = normalize_location_code(location)
                    loc_id = find_location_id(session, restocked, create=True)
                    assert loc_id is not None
                    inv_id = find_inventory_id(session, line.product, loc_id, create=True)
                    assert inv_id is not None
                    apply_change(session, Slot(line.product, loc_id, restocked, inv_id), TransactionType.RETURN,
                                 quantity_change=count, reserved_change=0,
                                 note=_note(actor, order, why or "customer return", operation_key))
                session.execute(
                    update(OrderItem)
                    .where(OrderItem.id == line.id, OrderItem.returned_quantity + count <= OrderItem.shipped_quantity)
                    .values(returned_quantity=OrderItem.returned_quantity + count)
                )
                where = f"back to {restocked}" if restocked else "as damaged (not restocked)"
                record(session, order.id, OrderHistoryAction.RETURNED,
                       f"Returned {count} {line.product.sku} {where}" + (f": {why}" if why else "") + ".", actor)
                if restocked:
                    allocate_backorders(session, {line.product.id}, actor)
                return ReturnResult(order.order_number, line.id, line.product.sku, count, restocked, damaged,
                                    line.returned_quantity + count)

            return run_once(
                session, operation_key, "order.return", actor, ReturnResult, action,
                params={"order": order_number, "item": item, "quantity": count, "location": location,
                        "damaged": damaged, "reason": why},
            )

    def add_note(self, actor: Actor, order_number: str, text: str, *, customer_visible: bool = False) -> NoteInfo:
        actor.require(Permission.MOVE_RESERVED_STOCK)
        body = _note_text(text)
        with self._db.write() as session:
            order, _items = lock_order(session, order_number)
            note = OrderNote(order_id=order.id, note=body, is_internal=not customer_visible, created_by=actor.name)
            session.add(note)
            session.flush()
            kind = "customer-visible" if customer_visible else "internal"
            record(session, order.id, OrderHistoryAction.NOTE_ADDED, f"Added {kind} note: {body[:120]}", actor)
            return NoteInfo(note.id, note.note, note.is_internal, note.created_by, note.created_at)

    def expire_reservations(self, actor: Actor, now: datetime | None = None) -> ExpiryResult:
        """Release the reservations of processing orders past their deadline; they go back to pending."""
        actor.require(Permission.MANAGE_ORDERS)
        moment = now or utcnow()
        with self._db.write() as session:
            # Every expired order, then every stock row of their products, each in ONE ascending-id
            # statement before anything changes (orders before stock rows, as everywhere): locking
            # order after order would let this call wait on a PC that waits on it. A row that
            # stopped matching while we waited (shipped, cancelled) is rechecked and left out.
            rows = session.execute(
                select(Order.id, Order.store_id, Order.order_number, Order.status, Order.reservation_expires_at)
                .where(Order.status == OrderStatus.PROCESSING.value, Order.reservation_expires_at < moment)
                .order_by(Order.id)
                .with_for_update(key_share=True)
            ).all()
            if rows:
                lock_product_rows(session, set(session.execute(
                    select(OrderItem.product_id).where(matches_any(session, OrderItem.order_id, [r.id for r in rows]))
                ).scalars()))
            expired: list[str] = []
            released_units = 0
            for row in rows:
                order = LockedOrder(row.id, row.store_id, row.order_number, OrderStatus(row.status),
                                    row.reservation_expires_at)
                items = item_states(session, order.id)
                note = _note(actor, order, "reservation expired")
                released = [line for item in items for line in release_item(session, item, note)]
                units = sum(r.quantity for r in released)
                released_units += units
                _set_status(session, order, OrderStatus.PENDING)
                # The deadline is spent: processing the order again holds stock until it ships or is cancelled.
                session.execute(update(Order).where(Order.id == order.id).values(reservation_expires_at=None))
                record(session, order.id, OrderHistoryAction.INVENTORY_RELEASED,
                       f"Reservation expired; released {units} units and moved back to pending.", actor,
                       old_status=order.status.value, new_status=OrderStatus.PENDING.value)
                expired.append(order.order_number)
            return ExpiryResult(tuple(expired), released_units)


def insert_order(
    session: Session,
    actor: Actor,
    *,
    store_id: int,
    order_number: str,
    quantities: dict[int, int],
    customer: str | None,
    email: str | None,
    channel: str,
    reservation_expires_at: datetime | None = None,
) -> int:
    """Write a pending order with one line per product (validated input); return its id."""
    products = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(quantities)))}
    order = Order(
        store_id=store_id,
        order_number=order_number,
        status=OrderStatus.PENDING.value,
        customer_name=customer,
        customer_email=email,
        channel=channel,
        reservation_expires_at=reservation_expires_at,
        created_by=actor.name,
    )
    session.add(order)
    session.flush()
    session.add_all(
        OrderItem(order_id=order.id, product_id=pid, product_name=products[pid].title, sku=products[pid].sku,
                  gtin=products[pid].gtin, quantity=quantity)
        for pid, quantity in quantities.items()
    )
    session.flush()
    record(session, order.id, OrderHistoryAction.CREATED,
           f"Order created with {len(quantities)} lines, {sum(quantities.values())} units"
           + (f" (channel {channel})" if channel != "manual" else "") + ".", actor, new_status="pending")
    return order.id


def _refuse_short_stock(session: Session, products: dict[int, Product], wanted: dict[int, int]) -> None:
    """Strict mode: "Insufficient stock for <name>. Available: X, Requested: Y" for the first short line."""
    from orion_desktop.db.models import Inventory

    available = dict(
        session.execute(
            select(Inventory.product_id, func.sum(Inventory.quantity - Inventory.reserved_quantity))
            .where(Inventory.product_id.in_(wanted))
            .group_by(Inventory.product_id)
        ).all()
    )
    for product_id, quantity in wanted.items():
        product = products[product_id]
        if product.is_placeholder or product.product_type != "physical":
            continue
        have = int(available.get(product_id, 0))
        if have < quantity:
            raise InsufficientStock(
                f"Insufficient stock for {product.title}. Available: {have}, Requested: {quantity}",
                available=have,
                requested=quantity,
            )


def _next_shipment_number(session: Session, order: LockedOrder) -> str:
    count = session.execute(select(func.count(Shipment.id)).where(Shipment.order_id == order.id)).scalar_one()
    return f"SHP-{order.order_number.removeprefix('ORD-')}-{count + 1}"


def _prepared_units(session: Session, order_id: int) -> dict[int, int]:
    """Units per item already in prepared (not yet shipped or cancelled) shipments."""
    rows = session.execute(
        select(ShipmentLine.order_item_id, func.sum(ShipmentLine.quantity))
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .where(Shipment.order_id == order_id, Shipment.status.not_in(("shipped", "cancelled")))
        .group_by(ShipmentLine.order_item_id)
    ).all()
    return {item_id: int(units) for item_id, units in rows}


def _parse_shipment_status(raw: object) -> ShipmentStatus:
    try:
        return ShipmentStatus(str(raw).strip().lower())
    except ValueError:
        options = ", ".join(s.value for s in ShipmentStatus)
        raise InvalidInput(f"{raw!r} is not a shipment status; use one of {options}.") from None


def _shipment_details(
    assigned_to: str | None, box_size: str | None, weight_grams: int | str | None, notes: str | None
) -> dict[str, object]:
    """The optional workflow fields, validated; only those given."""
    details: dict[str, object] = {}
    if (name := clean_text(assigned_to, "assignee", required=False, max_length=128)) is not None:
        details["assigned_to"] = name
    if (box := clean_text(box_size, "box size", required=False, max_length=64)) is not None:
        details["box_size"] = box
    if weight_grams not in (None, ""):
        details["weight_grams"] = check_count(weight_grams, "weight in grams")
    if (text := clean_text(notes, "shipment notes", required=False, max_length=4000)) is not None:
        details["notes"] = text
    return details


def _note_text(raw: object) -> str:
    """A note keeps its line breaks; only surrounding blank space goes (domain text rules)."""
    return clean_multiline_text(raw, "note")
