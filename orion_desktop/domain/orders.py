"""Order rules in plain Python: the status machine, order numbers, and allocation planning."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from orion_desktop.domain.errors import InvalidInput, InvalidTransition


class OrderHistoryAction(StrEnum):
    """The order spec's audit actions (phase 2.5)."""

    CREATED = "created"
    CONFIRMED = "confirmed"
    PAYMENT_RECEIVED = "payment_received"
    PROCESSING_STARTED = "processing_started"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    STATUS_CHANGED = "status_changed"
    NOTE_ADDED = "note_added"
    PAYMENT_FAILED = "payment_failed"
    RETURN_REQUESTED = "return_requested"
    RETURNED = "returned"
    EDITED = "edited"
    ASSIGNED = "assigned"
    INVENTORY_RESERVED = "inventory_reserved"
    INVENTORY_RELEASED = "inventory_released"


class ShipmentStatus(StrEnum):
    """The fulfillment workflow of one parcel."""

    PENDING = "pending"
    PICKING = "picking"
    PACKING = "packing"
    READY_TO_SHIP = "ready_to_ship"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


_SHIPMENT_FLOW = [
    ShipmentStatus.PENDING,
    ShipmentStatus.PICKING,
    ShipmentStatus.PACKING,
    ShipmentStatus.READY_TO_SHIP,
    ShipmentStatus.SHIPPED,
]


def check_shipment_transition(number: str, current: ShipmentStatus, target: ShipmentStatus) -> None:
    """Shipments move forward (steps may be skipped) or are cancelled before they ship."""
    if current in (ShipmentStatus.SHIPPED, ShipmentStatus.CANCELLED):
        raise InvalidTransition(f"Shipment {number} is {current.value}; it can no longer change.")
    if target is ShipmentStatus.CANCELLED:
        return
    if _SHIPMENT_FLOW.index(target) <= _SHIPMENT_FLOW.index(current):
        raise InvalidTransition(
            f"Shipment {number} is already {current.value}; it cannot go back to {target.value}."
        )


def parse_shipment_status(raw: object) -> ShipmentStatus:
    try:
        return ShipmentStatus(str(raw).strip().lower())
    except ValueError:
        options = ", ".join(s.value for s in ShipmentStatus)
        raise InvalidInput(f"{raw!r} is not a shipment status; use one of {options}.") from None


OPEN_SHIPMENT_STATUSES = (
    ShipmentStatus.PENDING, ShipmentStatus.PICKING, ShipmentStatus.PACKING, ShipmentStatus.READY_TO_SHIP,
)
"""A parcel in these is prepared but not yet shipped or cancelled: it promises units of its order."""


def next_shipment_status(current: ShipmentStatus) -> ShipmentStatus | None:
    """The workflow step after ``current`` (None once shipped or cancelled)."""
    if current not in _SHIPMENT_FLOW or current is ShipmentStatus.SHIPPED:
        return None
    return _SHIPMENT_FLOW[_SHIPMENT_FLOW.index(current) + 1]


class OrderStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"

    @property
    def is_open(self) -> bool:
        """Still waiting for stock or shipping (reservations may be held)."""
        return self in (OrderStatus.PENDING, OrderStatus.PROCESSING, OrderStatus.PARTIALLY_SHIPPED)


class Cause(StrEnum):
    """Who or what moves an order: the status machine allows each step only to some of them."""

    REQUEST = "request"  # a person asks (`order status --set`, the Change status dialog, an imported status)
    SHIPPING = "shipping"  # units leave: ship item, ship, the pack station, a prepared parcel reaching shipped
    EXPIRY = "expiry"  # the order's reservations ran out


_S = OrderStatus
_C = Cause
# Every step of the machine, and who may take it. Shipping a pending order passes through
# processing (reserving as a person's "processing" does) before it is partly or fully shipped;
# processing -> pending happens only when reservations expire.
_STEPS: dict[tuple[OrderStatus, OrderStatus], frozenset[Cause]] = {
    (_S.PENDING, _S.PROCESSING): frozenset({_C.REQUEST, _C.SHIPPING}),
    (_S.PENDING, _S.CANCELLED): frozenset({_C.REQUEST}),
    (_S.PROCESSING, _S.PARTIALLY_SHIPPED): frozenset({_C.SHIPPING}),
    (_S.PROCESSING, _S.SHIPPED): frozenset({_C.REQUEST, _C.SHIPPING}),
    (_S.PROCESSING, _S.CANCELLED): frozenset({_C.REQUEST}),
    (_S.PROCESSING, _S.PENDING): frozenset({_C.EXPIRY}),
    (_S.PARTIALLY_SHIPPED, _S.SHIPPED): frozenset({_C.REQUEST, _C.SHIPPING}),
    (_S.PARTIALLY_SHIPPED, _S.CANCELLED): frozenset({_C.REQUEST}),
    (_S.SHIPPED, _S.DELIVERED): frozenset({_C.REQUEST}),
}
# What a person may ask for in one go, beyond single steps: shipping a pending order runs as
# pending -> processing -> shipped.
_REQUEST_PATHS: dict[tuple[OrderStatus, OrderStatus], tuple[OrderStatus, ...]] = {
    (_S.PENDING, _S.SHIPPED): (_S.PROCESSING, _S.SHIPPED),
}


def parse_status(raw: object) -> OrderStatus:
    try:
        return OrderStatus(str(raw).strip().lower())
    except ValueError:
        options = ", ".join(s.value for s in OrderStatus)
        raise InvalidInput(f"{raw!r} is not an order status; use one of {options}.") from None


def _targets(current: OrderStatus, cause: Cause) -> set[OrderStatus]:
    found = {target for (start, target), causes in _STEPS.items() if start is current and cause in causes}
    if cause is Cause.REQUEST:
        found |= {target for (start, target) in _REQUEST_PATHS if start is current}
    return found


def check_transition(
    order_number: str, current: OrderStatus, target: OrderStatus, *, cause: Cause = Cause.REQUEST
) -> tuple[OrderStatus, ...]:
    """The steps that take an order from ``current`` to ``target`` (usually just ``target``).

    Every path that changes an order's status asks here first; a move the machine does not have
    (for this cause) raises InvalidTransition with a sentence.
    """
    if current == target:
        raise InvalidTransition(f"Order {order_number} is already {current.value}.")
    if cause in _STEPS.get((current, target), ()):
        return (target,)
    if cause is Cause.REQUEST and (current, target) in _REQUEST_PATHS:
        return _REQUEST_PATHS[(current, target)]
    if cause is Cause.SHIPPING:
        check_shippable(order_number, current)
        raise InvalidTransition(f"Order {order_number} is {current.value}; shipping cannot make it {target.value}.")
    if current in (OrderStatus.CANCELLED, OrderStatus.DELIVERED):
        raise InvalidTransition(f"Order {order_number} is {current.value}; its status can no longer change.")
    if target is OrderStatus.CANCELLED:
        raise InvalidTransition(
            f"Order {order_number} is {current.value}; only orders not yet shipped can be cancelled."
        )
    allowed = _targets(current, Cause.REQUEST)
    if not allowed:
        raise InvalidTransition(f"Order {order_number} is {current.value}; its status can no longer change.")
    options = ", ".join(sorted(s.value for s in allowed))
    raise InvalidTransition(
        f"Order {order_number} cannot go from {current.value} to {target.value}; "
        f"from {current.value} it can go to {options}."
    )


def check_shippable(order_number: str, current: OrderStatus) -> None:
    """Units of an order leave only while it is open (pending, processing, partially shipped)."""
    if not current.is_open:
        raise InvalidTransition(f"Order {order_number} is {current.value}; nothing can be shipped.")


def status_after_shipping(shipped_units: int, ordered_units: int) -> OrderStatus:
    """partially_shipped while anything remains, shipped when every unit has gone."""
    if ordered_units > 0 and shipped_units >= ordered_units:
        return OrderStatus.SHIPPED
    return OrderStatus.PARTIALLY_SHIPPED


ORDER_SUFFIX_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base32 without 0 and 1: no 0/O, 1/I/L (or U) to confuse when read aloud or typed from paper."""


def new_order_number(store_id: int, today: date, suffix: str | None = None) -> str:
    """ORD-{store_id}-{YYYYMMDD}-{6 chars}; new tails only use ``ORDER_SUFFIX_ALPHABET`` (old numbers stay valid)."""
    tail = suffix or "".join(secrets.choice(ORDER_SUFFIX_ALPHABET) for _ in range(6))
    return f"ORD-{store_id}-{today:%Y%m%d}-{tail}"


@dataclass(frozen=True, slots=True)
class StockCandidate:
    """A place an item could be reserved from."""

    inventory_id: int
    location: str
    sort_key: int
    available: int


@dataclass(frozen=True, slots=True)
class Allocation:
    inventory_id: int
    location: str
    quantity: int


def plan_allocation(needed: int, candidates: Sequence[StockCandidate]) -> tuple[list[Allocation], int]:
    """Where to reserve ``needed`` units: (allocations, shortfall).

    One location that can cover the whole quantity is preferred (first along the picking
    path); otherwise units are taken location by location in picking-path order.
    """
    if needed <= 0:
        return [], 0
    ordered = sorted((c for c in candidates if c.available > 0), key=lambda c: (c.sort_key, c.location, c.inventory_id))
    for candidate in ordered:
        if candidate.available >= needed:
            return [Allocation(candidate.inventory_id, candidate.location, needed)], 0
    allocations: list[Allocation] = []
    remaining = needed
    for candidate in ordered:
        take = min(candidate.available, remaining)
        allocations.append(Allocation(candidate.inventory_id, candidate.location, take))
        remaining -= take
        if remaining == 0:
            break
    return allocations, remaining
