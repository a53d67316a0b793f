"""Orders: creation, status changes, shipping, the parcel workflow, returns, notes, expiry.

The status machine's hooks and the one way units leave live in services.orders.transitions, the
parcel workflow in services.parcels; this class is their public, transactional face.

Every call is one transaction. Each starts by locking the order row and then every stock row of
the order's products in ascending id (lock_product_rows), so concurrent PCs queue instead of
deadlocking, and every plan below is made from fresh reads.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from orion_desktop.db.engine import Database
from orion_desktop.db.models import Order, OrderItem, OrderNote, Product
from orion_desktop.db.prepared import Prepared
from orion_desktop.db.types import utcnow
from orion_desktop.domain.actor import Actor, Permission
from orion_desktop.domain.enums import TransactionType
from orion_desktop.domain.errors import Conflict, InvalidInput, NotFound
from orion_desktop.domain.order_results import (
    ExpiryResult,
    NoteInfo,
    OrderLine,
    ReturnResult,
    ShipItemResult,
    ShipmentInfo,
    ShipmentResult,
    ShipRequest,
    StatusChangeResult,
)
from orion_desktop.domain.orders import (
    Cause,
    OrderHistoryAction,
    OrderStatus,
    ShipmentStatus,
    check_shippable,
    check_transition,
    parse_shipment_status,
    parse_status,
)
from orion_desktop.domain.text_rules import plural
from orion_desktop.domain.validation import (
    check_count,
    clean_code,
    clean_email,
    clean_multiline_text,
    clean_text,
    normalize_location_code,
)
from orion_desktop.services.idempotency import run_once
from orion_desktop.services.lookup import Slot, resolve_product, resolve_store
from orion_desktop.services.lookup import inventory_id as find_inventory_id
from orion_desktop.services.lookup import location_id as find_location_id
from orion_desktop.services.orders import item_stock, parcels, shipped_on_server, transitions
from orion_desktop.services.orders.creation import insert_order, refuse_short_stock, unused_order_number
from orion_desktop.services.orders.history import Entry, record, record_many
from orion_desktop.services.orders.item_stock import ItemState, item_states, item_states_of, release_item
from orion_desktop.services.orders.parcel_lines import prepared_units
from orion_desktop.services.orders.queries import find_shipment, load_shipments
from orion_desktop.services.orders.ship_planning import find_item, plan_shipment, shipped_lines
from orion_desktop.services.orders.transitions import ledger_note as _note
from orion_desktop.services.orders.transitions import set_statuses
from orion_desktop.services.stock.backorders import allocate_backorders
from orion_desktop.services.stock.level_changes import apply_change, lock_order_rows, lock_orders_rows

log = logging.getLogger(__name__)

@dataclass(frozen=True, slots=True)
class LockedOrder:
    id: int
    store_id: int
    order_number: str
    status: OrderStatus
    reservation_expires_at: datetime | None


_orders = Order.__table__
# Built once: every order write starts here. NO KEY UPDATE, so foreign-key checks (KEY SHARE)
# of rows inserted for this order by a restock's backorder allocation never wait on it.
_LOCK_ORDER = Prepared(
    select(_orders.c.id, _orders.c.store_id, _orders.c.order_number, _orders.c.status,
           _orders.c.reservation_expires_at)
    .where(_orders.c.order_number == bindparam("number"))
    .with_for_update(key_share=True)
)
# Built once: the processing orders past their deadline, locked in ascending id (expiry).
_LOCK_EXPIRED = Prepared(
    select(_orders.c.id, _orders.c.store_id, _orders.c.order_number, _orders.c.status,
           _orders.c.reservation_expires_at)
    .where(_orders.c.status == OrderStatus.PROCESSING.value, _orders.c.reservation_expires_at < bindparam("moment"))
    .order_by(_orders.c.id)
    .with_for_update(key_share=True)
)


_items = OrderItem.__table__
# Built once: the units of a line that came back (the WHERE clause keeps returned <= shipped).
_RETURN_UNITS = Prepared(
    update(_items)
    .where(_items.c.id == bindparam("item_id"),
           _items.c.returned_quantity + bindparam("units") <= _items.c.shipped_quantity)
    .values(returned_quantity=_items.c.returned_quantity + bindparam("units"))
)


def lock_order(session: Session, order_number: str) -> tuple[LockedOrder, list[ItemState]]:
    """Lock the order row, then the stock rows of its products (ascending), then read its items."""
    number = clean_text(order_number, "order number", max_length=64)
    row = _LOCK_ORDER.first(session, {"number": number})
    if row is None:
        raise NotFound(f"There is no order {number}.")
    lock_order_rows(session, row[0])
    order = LockedOrder(row[0], row[1], row[2], OrderStatus(row[3]), row[4])
    return order, item_states(session, order.id)


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
                    refuse_short_stock(session, products, quantities)
                order_number = given_number or unused_order_number(session, store_info.id)
                if given_number and session.execute(select(Order.id).where(Order.order_number == order_number)).first():
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
        if wanted is OrderStatus.SHIPPED:  # PostgreSQL without a key: the common case as one statement of its own
            shipped = shipped_on_server.ship_all_alone(self._db, actor, order_number, operation_key)
            if shipped is not None:
                return shipped
        with self._db.write() as session:

            def action() -> StatusChangeResult:
                if wanted is OrderStatus.SHIPPED and operation_key is not None:  # with its key row, in one call
                    on_server = shipped_on_server.ship_all_on_server(session, actor, order_number, operation_key)
                    if on_server is not None:
                        return on_server
                order, items = lock_order(session, order_number)
                check_transition(order.order_number, order.status, wanted)
                if wanted is OrderStatus.PROCESSING:
                    return transitions.enter_processing(session, actor, order, items, operation_key, Cause.REQUEST)[1]
                if wanted is OrderStatus.SHIPPED:
                    return transitions.ship_all(session, actor, order, items, operation_key)
                if wanted is OrderStatus.CANCELLED:
                    return transitions.cancel_order(session, actor, order, items, operation_key)
                return transitions.deliver(session, actor, order)

            return run_once(
                session, operation_key, "order.status", actor, StatusChangeResult, action,
                params={"order": order_number, "status": wanted},
            )

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
    ) -> ShipmentResult:
        """Ship one or more lines as one parcel; returns the shipment and the per-item results."""
        actor.require(Permission.MOVE_RESERVED_STOCK)
        if not requests:
            raise InvalidInput("Choose at least one line to ship.")
        tracking_number = clean_text(tracking, "tracking number", required=False, max_length=128)
        carrier_name = clean_text(carrier, "carrier", required=False, max_length=64)
        shipped = shipped_on_server.ship_alone(self._db, actor, order_number, requests, tracking=tracking_number,
                                               carrier=carrier_name, key=operation_key)
        if shipped is not None:  # PostgreSQL without a key: the common case as one statement of its own
            return shipped
        with self._db.write() as session:

            def action() -> ShipmentResult:
                if operation_key is not None:  # with its key row, in this transaction: the common case in one call
                    on_server = shipped_on_server.ship_on_server(
                        session, actor, order_number, requests, tracking=tracking_number, carrier=carrier_name,
                        key=operation_key)
                    if on_server is not None:
                        return on_server
                order, items = lock_order(session, order_number)
                # Units in prepared parcels may be shipped here too: ship_units then shrinks those parcels.
                planned = plan_shipment(session, items, requests, already_planned={})
                shipment_id = transitions.ship_units(session, actor, order, items, planned, tracking=tracking_number,
                                                     carrier=carrier_name, key=operation_key).shipment_id
                return ShipmentResult(shipment_id, shipped_lines(order.id, planned))

            return run_once(
                session, operation_key, "order.ship", actor, ShipmentResult, action,
                params={
                    "order": order_number, "requests": requests, "tracking": tracking_number, "carrier": carrier_name
                },
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
        """The spec's ship-item call: one line, quantity defaulting to what remains."""
        shipped = self.ship(
            actor, order_number, [ShipRequest(item, quantity, location)], tracking=tracking, carrier=carrier,
            operation_key=operation_key,
        )
        return shipped.items[0]

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
        operation_key: str | None = None,
    ) -> ShipmentInfo:
        """Start a parcel in the workflow (pending). Stock leaves only when it reaches shipped."""
        actor.require(Permission.MOVE_RESERVED_STOCK)
        if not requests:
            raise InvalidInput("Choose at least one line for the shipment.")
        details = parcels.shipment_details(assigned_to, box_size, weight_grams, notes)
        with self._db.write() as session:

            def action() -> int:
                order, items = lock_order(session, order_number)
                check_shippable(order.order_number, order.status)
                planned = plan_shipment(session, items, requests, already_planned=prepared_units(session, order.id))
                return parcels.prepare(session, actor, order, planned, details).id

            # The key keeps the parcel's id (a retry must not prepare a second parcel); a replay
            # shows the parcel as it is now.
            shipment_id = run_once(
                session, operation_key, "shipment.prepare", actor, int, action,
                params={"order": order_number, "lines": list(requests), "details": details},
            )
            return load_shipments(session, shipment_id=shipment_id)[0]

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
        target = parse_shipment_status(status)
        details = parcels.shipment_details(assigned_to, box_size, weight_grams, notes)
        tracking_number = clean_text(tracking, "tracking number", required=False, max_length=128)
        carrier_name = clean_text(carrier, "carrier", required=False, max_length=64)
        number = parcels.shipment_number(shipment_number)
        with self._db.write() as session:

            def action() -> ShipmentInfo:
                found = find_shipment(session, number)
                order, items = lock_order(session, found.order_number)
                return parcels.advance(session, actor, order, items, found.id, target, details,
                                       tracking=tracking_number, carrier=carrier_name, key=operation_key)

            return run_once(
                session, operation_key, "shipment.advance", actor, ShipmentInfo, action,
                params={"shipment": number, "status": target, "details": details, "tracking": tracking_number,
                        "carrier": carrier_name},
            )

    def assign_shipment(
        self, actor: Actor, shipment_number: str, assignee: str, *, operation_key: str | None = None
    ) -> ShipmentInfo:
        """Give an open parcel to a packer (by name)."""
        actor.require(Permission.MOVE_RESERVED_STOCK)
        number = parcels.shipment_number(shipment_number)
        name = clean_text(assignee, "assignee", max_length=128)
        assert name is not None
        with self._db.write() as session:

            def action() -> int:
                found = find_shipment(session, number)
                order, _items = lock_order(session, found.order_number)
                return parcels.assign(session, actor, order, found.id, name).id

            # The key keeps the parcel's id; a replay shows the parcel as it is now.
            shipment_id = run_once(
                session, operation_key, "shipment.assign", actor, int, action,
                params={"shipment": number, "assignee": name},
            )
            return load_shipments(session, shipment_id=shipment_id)[0]

    def cancel_shipment(
        self, actor: Actor, shipment_number: str, *, reason: str | None = None, operation_key: str | None = None
    ) -> ShipmentInfo:
        """Cancel an open parcel; no stock moves (the order keeps its reservations)."""
        actor.require(Permission.MOVE_RESERVED_STOCK)
        number = parcels.shipment_number(shipment_number)
        why = clean_text(reason, "reason", required=False, max_length=500)
        with self._db.write() as session:

            def action() -> int:
                found = find_shipment(session, number)
                order, _items = lock_order(session, found.order_number)
                return parcels.cancel(session, actor, order, found.id, why).id

            # The key keeps the parcel's id; a replay shows the parcel as it is now.
            shipment_id = run_once(
                session, operation_key, "shipment.cancel", actor, int, action,
                params={"shipment": number, "reason": why},
            )
            return load_shipments(session, shipment_id=shipment_id)[0]

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
                _RETURN_UNITS.run(session, {"item_id": line.id, "units": count})
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
        body = clean_multiline_text(text, "note")  # a note keeps its line breaks
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
            rows = _LOCK_EXPIRED.run(session, {"moment": moment})
            lock_orders_rows(session, [row.id for row in rows])
            expired: list[str] = []
            moved: list[LockedOrder] = []
            released_units = 0
            history: list[Entry] = []
            items_of = item_states_of(session, [row.id for row in rows])
            held = item_stock.reservations_of_items(session, [item.id for items in items_of.values() for item in items])
            for row in rows:
                order = LockedOrder(row.id, row.store_id, row.order_number, OrderStatus(row.status),
                                    row.reservation_expires_at)
                note = _note(actor, order, "reservation expired")
                items = items_of[order.id]
                released = [line for item in items for line in release_item(session, item, note, held[item.id])]
                units = sum(r.quantity for r in released)
                released_units += units
                moved.append(order)
                text = f"Reservation expired; released {plural(units, 'unit')} and moved back to pending."
                history.append(Entry(order.id, OrderHistoryAction.INVENTORY_RELEASED, text,
                                     old_status=order.status.value, new_status=OrderStatus.PENDING.value))
                expired.append(order.order_number)
            # The deadline is spent: processing the order again holds stock until it ships or is cancelled.
            set_statuses(session, moved, OrderStatus.PENDING, Cause.EXPIRY, clear_deadline=True)
            record_many(session, history, actor)  # one round trip for the batch's history rows
            return ExpiryResult(tuple(expired), released_units)
