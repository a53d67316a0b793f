"""The parcel workflow: prepare, advance (pending -> picking -> packing -> ready_to_ship -> shipped),
assign and cancel. OrderService's public calls run these inside their one transaction.

A parcel holds no stock of its own: preparing one reserves nothing (the order's reservations,
made when it entered processing, stay with the order), so cancelling one releases nothing.
Stock leaves only when a parcel reaches shipped, through transitions.ship_units.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from orion_desktop.db.models import Shipment, ShipmentLine
from orion_desktop.db.types import utcnow
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.errors import InvalidInput, InvalidTransition
from orion_desktop.domain.order_results import ShipmentInfo
from orion_desktop.domain.orders import (
    OrderHistoryAction,
    ShipmentStatus,
    check_shipment_transition,
    check_shippable,
)
from orion_desktop.domain.validation import check_count, clean_text
from orion_desktop.services.orders.history import record
from orion_desktop.services.orders.item_stock import ItemState
from orion_desktop.services.orders.parcel_lines import next_shipment_number
from orion_desktop.services.orders.queries import load_shipments
from orion_desktop.services.orders.transitions import Planned, ship_units

if TYPE_CHECKING:
    from orion_desktop.services.orders.service import LockedOrder

_STAMP = {
    ShipmentStatus.PICKING: "picking_at",
    ShipmentStatus.PACKING: "packing_at",
    ShipmentStatus.READY_TO_SHIP: "ready_at",
    ShipmentStatus.CANCELLED: "cancelled_at",
}


def shipment_number(raw: object) -> str:
    number = clean_text(raw, "shipment number", max_length=64)
    assert number is not None
    return number


def shipment_details(
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


def _info(session: Session, order: LockedOrder, shipment_id: int) -> ShipmentInfo:
    session.flush()
    return load_shipments(session, order_id=order.id, shipment_id=shipment_id)[0]


def prepare(
    session: Session, actor: Actor, order: LockedOrder, planned: Sequence[Planned], details: dict[str, object]
) -> ShipmentInfo:
    """Start a parcel (pending) with the planned lines; no stock moves."""
    check_shippable(order.order_number, order.status)
    shipment = Shipment(shipment_number=next_shipment_number(session, order.id, order.order_number),
                        order_id=order.id, status=ShipmentStatus.PENDING.value, created_by=actor.name, **details)
    if details.get("assigned_to"):
        shipment.assigned_at = utcnow()
    session.add(shipment)
    session.flush()
    for item, quantity, location in planned:
        session.add(ShipmentLine(shipment_id=shipment.id, order_item_id=item.id, location_id=location,
                                 quantity=quantity))
    record(session, order.id, OrderHistoryAction.STATUS_CHANGED,
           f"Shipment {shipment.shipment_number} prepared: "
           + ", ".join(f"{q} {i.product.sku}" for i, q, _ in planned) + ".", actor)
    return _info(session, order, shipment.id)


def advance(
    session: Session,
    actor: Actor,
    order: LockedOrder,
    items: list[ItemState],
    shipment_id: int,
    target: ShipmentStatus,
    details: dict[str, object],
    *,
    tracking: str | None,
    carrier: str | None,
    key: str | None,
) -> ShipmentInfo:
    """Move a parcel on; reaching shipped fulfils its lines and the order's status follows."""
    shipment = session.get_one(Shipment, shipment_id)
    check_shipment_transition(shipment.shipment_number, ShipmentStatus(shipment.status), target)
    for name, value in details.items():
        setattr(shipment, name, value)
    if details.get("assigned_to"):
        shipment.assigned_at = utcnow()
    if target is ShipmentStatus.CANCELLED:
        return cancel(session, actor, order, shipment_id, None)
    if not order.status.is_open:  # an old parcel of a closed order can only be cancelled
        raise InvalidTransition(
            f"Order {order.order_number} is {order.status.value}; its shipment {shipment.shipment_number} "
            "can only be cancelled."
        )
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
        ship_units(session, actor, order, items, planned, tracking=tracking, carrier=carrier, key=key,
                   shipment_id=shipment.id)
        return _info(session, order, shipment.id)
    shipment.status = target.value
    setattr(shipment, _STAMP[target], utcnow())
    if tracking:
        shipment.tracking_number = tracking
    if carrier:
        shipment.carrier = carrier
    action = OrderHistoryAction.PACKED if target is ShipmentStatus.PACKING else OrderHistoryAction.STATUS_CHANGED
    record(session, order.id, action,
           f"Shipment {shipment.shipment_number} is now {target.value}"
           + (f" (assigned to {shipment.assigned_to})" if shipment.assigned_to else "") + ".", actor)
    return _info(session, order, shipment.id)


def assign(session: Session, actor: Actor, order: LockedOrder, shipment_id: int, assignee: str) -> ShipmentInfo:
    """Give an open parcel to someone (or to someone else)."""
    shipment = session.get_one(Shipment, shipment_id)
    status = ShipmentStatus(shipment.status)
    if status in (ShipmentStatus.SHIPPED, ShipmentStatus.CANCELLED):
        raise InvalidTransition(f"Shipment {shipment.shipment_number} is {status.value}; it can no longer change.")
    if shipment.assigned_to == assignee:
        raise InvalidInput(f"Shipment {shipment.shipment_number} is already assigned to {assignee}.")
    before = shipment.assigned_to
    shipment.assigned_to = assignee
    shipment.assigned_at = utcnow()
    record(session, order.id, OrderHistoryAction.ASSIGNED,
           f"Shipment {shipment.shipment_number} assigned to {assignee}" + (f" (was {before})" if before else "") + ".",
           actor)
    return _info(session, order, shipment.id)


def cancel(
    session: Session, actor: Actor, order: LockedOrder, shipment_id: int, reason: str | None
) -> ShipmentInfo:
    """Cancel an open parcel. It held no stock, so nothing is released: the order keeps its reservations."""
    shipment = session.get_one(Shipment, shipment_id)
    check_shipment_transition(shipment.shipment_number, ShipmentStatus(shipment.status), ShipmentStatus.CANCELLED)
    shipment.status = ShipmentStatus.CANCELLED.value
    shipment.cancelled_at = utcnow()
    if reason:
        shipment.notes = (shipment.notes + "\n" if shipment.notes else "") + f"Cancelled: {reason}"
    record(session, order.id, OrderHistoryAction.STATUS_CHANGED,
           f"Shipment {shipment.shipment_number} cancelled" + (f": {reason}" if reason else "")
           + "; the order's reservations stay in place.", actor)
    return _info(session, order, shipment.id)
