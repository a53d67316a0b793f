"""The order status machine at work: every status change, with its stock hook, in one place.

`order status`, ship item, ship (a parcel), the pack station, a prepared parcel reaching shipped,
reservation expiry and the order import all change an order's status through ``set_status``,
which asks domain.orders.check_transition first. The hooks are the same for every path:
entering processing reserves (soft failure: the rest stays backordered), shipping fulfils,
cancelling releases. Units leave the warehouse only through ``ship_units``; shipping a pending
order first passes through processing there, so its other lines are reserved and the history
shows pending -> processing -> partially_shipped/shipped, all in the caller's one transaction.

Callers hold the order row and its products' stock rows locked (orders.lock_order).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, bindparam, delete, func, update
from sqlalchemy.orm import Session

from orion_desktop.db.dialect import matches_any
from orion_desktop.db.models import Order, OrderItem, Shipment, ShipmentLine
from orion_desktop.db.prepared import Prepared
from orion_desktop.db.types import utcnow
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.errors import Conflict, InvalidTransition
from orion_desktop.domain.order_results import BackorderedItem, ReservedLine, SkippedItem, StatusChangeResult
from orion_desktop.domain.orders import (
    Cause,
    OrderHistoryAction,
    OrderStatus,
    ShipmentStatus,
    check_shippable,
    check_transition,
    status_after_shipping,
)
from orion_desktop.domain.text_rules import plural
from orion_desktop.services.orders.history import Entry, record, record_many
from orion_desktop.services.orders.item_stock import (
    ItemState,
    fulfill_lines,
    item_states,
    release_item,
    reserve_for_item,
)
from orion_desktop.services.orders.locked_stock import LockedStock
from orion_desktop.services.orders.parcel_lines import (
    LINE_INSERT,
    cancel_open_parcels,
    consume_parcels,
    insert_shipment,
)
from orion_desktop.services.stock.level_changes import LedgerNote

if TYPE_CHECKING:
    from orion_desktop.services.orders.service import LockedOrder

log = logging.getLogger(__name__)

_STATUS_TIMESTAMP = {
    OrderStatus.PROCESSING: "processing_at",
    OrderStatus.PARTIALLY_SHIPPED: "partially_shipped_at",
    OrderStatus.SHIPPED: "shipped_at",
    OrderStatus.DELIVERED: "delivered_at",
    OrderStatus.CANCELLED: "cancelled_at",
}

Planned = tuple[ItemState, int, int | None]
"""One line to ship: the item, how many units, and the location id to take them from (or None)."""


def ledger_note(actor: Actor, order: LockedOrder, reason: str | None = None, key: str | None = None) -> LedgerNote:
    return LedgerNote(actor, reason, key, order_id=order.id, order_number=order.order_number)


_orders = Order.__table__
_items = OrderItem.__table__


def _status_values(target: OrderStatus, now: Any, *, clear_deadline: bool = False) -> dict[str, Any]:
    """What a step to ``target`` writes on the order row: the status, its time stamp, the update time."""
    values: dict[str, Any] = {"status": target.value, "updated_at": now}
    if target in _STATUS_TIMESTAMP:
        values[_STATUS_TIMESTAMP[target]] = now
    if clear_deadline:
        values["reservation_expires_at"] = None
    return values


def _status_update(target: OrderStatus, *, clear_deadline: bool) -> Any:
    return (update(_orders).where(_orders.c.id == bindparam("order_id"))
            .values(_status_values(target, bindparam("now"), clear_deadline=clear_deadline)))


# Built once (ARCHITECTURE.md: stock changes): the hot paths only bind parameters.
_SET_STATUS = {
    (target, clear): Prepared(_status_update(target, clear_deadline=clear))
    for target in OrderStatus
    for clear in (False, True)
}
_SET_TRACKING = Prepared(
    update(_orders)
    .where(_orders.c.id == bindparam("order_id"))
    .values(
        tracking_number=func.coalesce(bindparam("tracking", type_=String), _orders.c.tracking_number),
        carrier=func.coalesce(bindparam("by_carrier", type_=String), _orders.c.carrier),
    )
)
_SHIP_UNITS = Prepared(
    update(_items)
    .where(_items.c.id == bindparam("item_id"), _items.c.shipped_quantity + bindparam("units") <= _items.c.quantity)
    .values(shipped_quantity=_items.c.shipped_quantity + bindparam("units"))
)


def set_status(
    session: Session, order: LockedOrder, target: OrderStatus, cause: Cause, *, clear_deadline: bool = False
) -> LockedOrder:
    """Take one step of the status machine (checked) and stamp its time; returns the order as it is now.

    ``clear_deadline``: the reservation deadline is spent too, in the same statement (expiry)."""
    _check_one_step(order, target, cause)
    _SET_STATUS[target, clear_deadline].run(session, {"order_id": order.id, "now": utcnow()})
    return replace(order, status=target)


def _check_one_step(order: LockedOrder, target: OrderStatus, cause: Cause) -> None:
    steps = check_transition(order.order_number, order.status, target, cause=cause)
    if steps != (target,):  # a person's multi-step request runs step by step through the hooks
        raise InvalidTransition(f"Order {order.order_number} cannot go from {order.status.value} to "
                                f"{target.value} in one step.")


def set_statuses(
    session: Session, orders: Sequence[LockedOrder], target: OrderStatus, cause: Cause, *,
    clear_deadline: bool = False,
) -> None:
    """``set_status`` for many orders at once (an import, expiry): each step checked, then one round
    trip (see ``_FEW_ORDERS``). The caller runs each order's hook afterwards."""
    if not orders:
        return
    for order in orders:
        _check_one_step(order, target, cause)
    now = utcnow()
    if len(orders) <= _FEW_ORDERS:  # an expiry batch: the prepared statement, sent as one executemany
        _SET_STATUS[target, clear_deadline].run_many(session, [{"order_id": order.id, "now": now} for order in orders])
        return
    ids = [order.id for order in orders]
    session.connection().execute(  # Core: no ORM work for hundreds of rows
        update(_orders).where(matches_any(session, _orders.c.id, ids))
        .values(_status_values(target, now, clear_deadline=clear_deadline))
    )


_FEW_ORDERS = 16
"""Up to this many orders, ``set_statuses`` runs the prepared one-order UPDATE for each (one
executemany); beyond, one UPDATE built for the call with the ids as one parameter, whose building
(about 0.3 ms) only pays off for many (an import's batch of up to 500)."""


# --- the hooks --------------------------------------------------------------------------------
def enter_processing(
    session: Session, actor: Actor, order: LockedOrder, items: list[ItemState], key: str | None, cause: Cause,
) -> tuple[LockedOrder, StatusChangeResult]:
    """Reserve what can be reserved; the rest is reported and stays backordered (soft failure)."""
    moved = set_status(session, order, OrderStatus.PROCESSING, cause)
    return moved, reserve_for_processing(session, actor, order, items, key, cause)


def reserve_for_processing(
    session: Session, actor: Actor, order: LockedOrder, items: list[ItemState], key: str | None, cause: Cause,
    stock: LockedStock | None = None,
) -> StatusChangeResult:
    """The hook of entering processing, for an order (``order``: as it was) whose status is set already:
    :func:`enter_processing` after ``set_status``, the order import after ``set_statuses``.

    ``stock``: the locked stock of many orders read once, which makes the holds (orders/locked_stock.py)."""
    note = ledger_note(actor, order, "order processing", key)
    reserved: list[ReservedLine] = []
    skipped: list[SkippedItem] = []
    backordered: list[BackorderedItem] = []
    for item in items:
        if item.product.is_placeholder:
            skipped.append(SkippedItem(item.id, item.product.sku, "placeholder product: no stock to reserve"))
            continue
        if not item.stock_tracked:
            skipped.append(
                SkippedItem(item.id, item.product.sku, f"{item.product.product_type.value} product: unlimited")
            )
            continue
        if item.unreserved == 0:
            continue
        lines, shortfall = reserve_for_item(session, item.id, item.product, item.unreserved, note,
                                           order.reservation_expires_at, stock)
        reserved.extend(lines)
        if shortfall:
            reason = "no stock at any location" if not lines else f"only {item.unreserved - shortfall} available"
            backordered.append(BackorderedItem(item.id, item.product.sku, shortfall, reason))
    warnings = tuple(f"{b.sku}: {b.quantity} backordered ({b.reason})" for b in backordered) + tuple(
        f"{s.sku}: skipped ({s.reason})" for s in skipped if "placeholder" in s.reason
    )
    summary = f"Reserved {plural(sum(r.quantity for r in reserved), 'unit')}"
    if backordered:
        summary += f"; backordered {plural(sum(b.quantity for b in backordered), 'unit')}"
    if cause is Cause.SHIPPING:
        summary = "Processing started to ship from a pending order. " + summary
    # The rows go as one write (one round trip on PostgreSQL), in this order.
    entries = [Entry(order.id, OrderHistoryAction.PROCESSING_STARTED, summary + ".",
                     old_status=order.status.value, new_status=OrderStatus.PROCESSING.value)]
    if reserved:
        where = ", ".join(f"{r.quantity} {r.sku} at {r.location}" for r in reserved)
        entries.append(Entry(order.id, OrderHistoryAction.INVENTORY_RESERVED, f"Reserved {where}."))
    for warning in warnings:
        log.warning("Order %s: %s", order.order_number, warning)
        entries.append(Entry(order.id, OrderHistoryAction.STATUS_CHANGED, f"Warning: {warning}."))
    record_many(session, entries, actor)
    return StatusChangeResult(
        order.order_number, order.status, OrderStatus.PROCESSING, tuple(reserved), tuple(skipped),
        tuple(backordered), warnings=warnings,
    )


def cancel_order(
    session: Session, actor: Actor, order: LockedOrder, items: list[ItemState], key: str | None
) -> StatusChangeResult:
    """Release every open reservation (what was already shipped stays shipped); open parcels are cancelled."""
    set_status(session, order, OrderStatus.CANCELLED, Cause.REQUEST)
    note = ledger_note(actor, order, "order cancelled", key)
    released: list[ReservedLine] = []
    for item in items:
        released.extend(release_item(session, item, note))
    units = sum(r.quantity for r in released)
    entries = [Entry(order.id, OrderHistoryAction.CANCELLED, f"Order cancelled; released {units} reserved units.",
                     old_status=order.status.value, new_status=OrderStatus.CANCELLED.value)]
    if released:
        entries.append(Entry(order.id, OrderHistoryAction.INVENTORY_RELEASED,
                             "Released " + ", ".join(f"{r.quantity} {r.sku} at {r.location}" for r in released) + "."))
    record_many(session, entries, actor)  # one write, in this order
    if any(item.in_parcels for item in items):
        cancel_open_parcels(session, actor, order.id, "the order was cancelled")
    return StatusChangeResult(order.order_number, order.status, OrderStatus.CANCELLED, released=tuple(released))


def deliver(session: Session, actor: Actor, order: LockedOrder) -> StatusChangeResult:
    set_status(session, order, OrderStatus.DELIVERED, Cause.REQUEST)
    record(session, order.id, OrderHistoryAction.DELIVERED, "Order delivered.", actor,
           old_status=order.status.value, new_status=OrderStatus.DELIVERED.value)
    return StatusChangeResult(order.order_number, order.status, OrderStatus.DELIVERED)


def ship_all(
    session: Session, actor: Actor, order: LockedOrder, items: list[ItemState], key: str | None
) -> StatusChangeResult:
    """A person's "shipped": everything still unshipped leaves in one shipment, or nothing changes."""
    planned = [(item, item.remaining, None) for item in items if item.remaining > 0]
    shipped = ship_units(session, actor, order, items, planned, tracking=None, carrier=None, key=key)
    reserved = shipped.processing.reserved if shipped.processing else ()
    return StatusChangeResult(order.order_number, order.status, shipped.order.status, reserved=reserved,
                              fulfilled=shipped.taken)


# --- units leave ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Shipped:
    """What ``ship_units`` did: the shipment, where the units came from, the order afterwards."""

    shipment_id: int
    shipment_number: str
    taken: tuple[ReservedLine, ...]
    order: LockedOrder
    processing: StatusChangeResult | None  # set when a pending order passed through processing first


def ship_units(
    session: Session,
    actor: Actor,
    order: LockedOrder,
    items: list[ItemState],
    planned: Sequence[Planned],
    *,
    tracking: str | None,
    carrier: str | None,
    key: str | None,
    shipment_id: int | None = None,
) -> Shipped:
    """Fulfil the planned lines as one shipment: a new one, or a prepared parcel (``shipment_id``) reaching shipped.

    The one way units leave, used by every ship path. A pending order first enters processing
    (reserving its lines as a person's "processing" does). Open parcels that now promise more
    than remains to ship are shrunk (or cancelled). Refusals raise; the caller's transaction then
    rolls back, so a refused ship changes nothing, not even the status.
    """
    check_shippable(order.order_number, order.status)
    processing = None
    if order.status is OrderStatus.PENDING:
        order, processing = enter_processing(session, actor, order, items, key, Cause.SHIPPING)
        fresh = {item.id: item for item in item_states(session, order.id)}  # with their new reservations
        planned = [(fresh[item.id], quantity, location) for item, quantity, location in planned]
    note = ledger_note(actor, order, "shipped", key)
    if shipment_id is None:  # the common case: a new shipment, one INSERT ... RETURNING (no ORM flush)
        shipment_id, shipment_number = insert_shipment(session, order.id, order.order_number,
                                                       ShipmentStatus.SHIPPED, actor.name,
                                                       tracking=tracking, carrier=carrier)
        shipment_tracking, shipment_carrier = tracking, carrier
        prepared = False
    else:
        shipment = session.get_one(Shipment, shipment_id)
        # The prepared lines said what to send; the lines written below say where it came from.
        session.execute(delete(ShipmentLine).where(ShipmentLine.shipment_id == shipment_id))
        shipment.status = ShipmentStatus.SHIPPED.value
        shipment.shipped_at = utcnow()
        shipment.tracking_number = tracking or shipment.tracking_number
        shipment.carrier = carrier or shipment.carrier
        session.flush()
        shipment_number, shipment_tracking, shipment_carrier = (
            shipment.shipment_number, shipment.tracking_number, shipment.carrier
        )
        prepared = True
    taken: list[ReservedLine] = []
    shipment_lines: list[dict[str, Any]] = []
    for item, quantity, location in planned:
        lines = fulfill_lines(session, item, quantity, note, location)
        taken.extend(line for line, _location_id in lines)
        # An item without stock (a service, a placeholder) still gets its line, from no location.
        placed: list[tuple[ReservedLine, int | None]] = [*lines] or [(ReservedLine(item.id, "", "", quantity), None)]
        shipment_lines.extend(
            {"shipment_id": shipment_id, "order_item_id": item.id, "location_id": location_id,
             "quantity": line.quantity}
            for line, location_id in placed
        )
        if _SHIP_UNITS.count(session, {"item_id": item.id, "units": quantity}) != 1:
            raise Conflict(f"{item.product.sku} was shipped by another workstation at the same moment.")
    LINE_INSERT.run_many(session, shipment_lines)
    # ``items`` are every item of the order, read under the order's lock: the totals need no query.
    units = sum(q for _, q, _ in planned)
    shipped_units = sum(item.shipped_quantity for item in items) + units
    new_status = status_after_shipping(shipped_units, sum(item.quantity for item in items))
    if shipment_tracking or shipment_carrier:
        _SET_TRACKING.run(session, {"order_id": order.id, "tracking": shipment_tracking,
                                     "by_carrier": shipment_carrier})
    before = order
    if new_status != order.status:
        order = set_status(session, order, new_status, Cause.SHIPPING)
    what = ", ".join(f"{q} {i.product.sku}" for i, q, _ in planned)
    record(session, order.id, OrderHistoryAction.SHIPPED,
           f"Shipment {shipment_number}: shipped {what} ({plural(units, 'unit')})"
           + (f", tracking {shipment_tracking}" if shipment_tracking else "") + ".",
           actor, old_status=before.status.value, new_status=new_status.value)
    overtaken = {
        item.id: excess
        for item, quantity, _ in planned
        # Units in other open parcels beyond what still remains to ship: those parcels promise too much.
        if (excess := item.in_parcels - (quantity if prepared else 0) - (item.remaining - quantity)) > 0
    }
    if overtaken:  # only then a query: the common ship has no parcel to look at
        consume_parcels(session, actor, order.id, overtaken, shipment_number)
    return Shipped(shipment_id, shipment_number, tuple(taken), order, processing)
