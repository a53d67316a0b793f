"""Reservation rows and the stock they hold, always changed together (invariant R).

Every reserved unit belongs to one open reservation: an order item's, or a manual hold
(``order_item_id`` NULL) made with `stock reserve`. The inventory row is changed first
(conditional UPDATE, which also locks it), then its reservation rows, so concurrent calls
take locks in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, literal, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import CTE

from orion_desktop.db.models import InventoryReservation
from orion_desktop.db.prepared import Prepared
from orion_desktop.db.types import utcnow
from orion_desktop.domain.enums import TransactionType
from orion_desktop.domain.errors import Conflict, InsufficientStock
from orion_desktop.domain.results import StockChange
from orion_desktop.services.lookup import Slot
from orion_desktop.services.stock.level_changes import FollowOn, LedgerNote, apply_change, followed_by

_reservations = InventoryReservation.__table__
_HOLD_INSERT = Prepared(_reservations.insert().inline(), (
    "inventory_id", "location_id", "order_id", "order_item_id", "quantity_reserved", "quantity_fulfilled",
    "quantity_released", "status", "expires_at", "notes", "created_by", "reserved_at", "updated_at",
))
_HOLD_VALUES = ("inventory_id", "location_id", "order_id", "order_item_id", "quantity_reserved", "expires_at", "notes",
                "created_by")


def _hold_from(logged: CTE) -> Any:
    """The reservation row, inserted from the ledger row of its reserve (none when it was refused)."""
    columns = _reservations.c
    values = [bindparam(f"hold_{name}", type_=columns[name].type) for name in _HOLD_VALUES]
    return _reservations.insert().from_select(
        [*_HOLD_VALUES, "quantity_fulfilled", "quantity_released", "status", "reserved_at", "updated_at"],
        select(*values, literal(0), literal(0), literal("active"), bindparam("now"), bindparam("now"))
        .select_from(logged),
    )


_RESERVE_AND_HOLD = followed_by(_hold_from)  # PostgreSQL: change, ledger row and hold, one statement
_OPEN = _reservations.c.quantity_reserved - _reservations.c.quantity_fulfilled - _reservations.c.quantity_released


def _settling(column: str, stamp: str) -> Any:
    """``UPDATE`` taking ``take`` open units of one reservation into ``column``, built once per kind.

    Its status follows: still active while units are open, else fulfilled when any unit was
    fulfilled, else released. The WHERE clause refuses to take more than is open.
    """
    fulfilled = _reservations.c.quantity_fulfilled + (bindparam("take") if column == "quantity_fulfilled" else 0)
    return (
        update(_reservations)
        .where(_reservations.c.id == bindparam("reservation_id"), _OPEN >= bindparam("take"))
        .values({
            column: _reservations.c[column] + bindparam("take"),
            "updated_at": bindparam("now"),
            stamp: bindparam("now"),
            "status": case(
                (_OPEN - bindparam("take") > 0, "active"), (fulfilled > 0, "fulfilled"), else_="released"
            ),
        })
    )


_SETTLE = {
    TransactionType.FULFILL: Prepared(_settling("quantity_fulfilled", "fulfilled_at")),
    TransactionType.RELEASE: Prepared(_settling("quantity_released", "released_at")),
}


@dataclass(frozen=True, slots=True)
class OpenReservation:
    id: int
    inventory_id: int | None
    location_id: int
    order_item_id: int | None
    open_quantity: int


def hold(
    session: Session,
    slot: Slot,
    quantity: int,
    note: LedgerNote,
    *,
    order_item_id: int | None = None,
    expires_at: datetime | None = None,
) -> StockChange:
    """Reserve ``quantity`` at ``slot`` and record who it is for."""
    held = {
        "inventory_id": slot.inventory_id,
        "location_id": slot.location_id,
        "order_id": note.order_id,
        "order_item_id": order_item_id,
        "quantity_reserved": quantity,
        "expires_at": expires_at,
        "notes": note.reason,
        "created_by": note.actor.name,
    }
    if session.get_bind().dialect.name == "postgresql":
        follow_on = FollowOn(_RESERVE_AND_HOLD, {f"hold_{name}": value for name, value in held.items()})
        return apply_change(session, slot, TransactionType.RESERVE, quantity_change=0, reserved_change=quantity,
                            note=note, follow_on=follow_on)
    change = apply_change(
        session, slot, TransactionType.RESERVE, quantity_change=0, reserved_change=quantity, note=note
    )
    now = utcnow()
    _HOLD_INSERT.run(session, held | {"quantity_fulfilled": 0, "quantity_released": 0, "status": "active",
                                      "reserved_at": now, "updated_at": now})
    return change


# The manual holds of one stock row, oldest first (a release or fulfil by hand), built once.
# Not joined to the stock row's lock: under READ COMMITTED a statement that waited for that lock
# would still read the holds as they were when it began (the concurrency tests caught that), so the
# caller locks the row first and this reads the holds with the next statement's fresh snapshot.
_MANUAL_HOLDS = Prepared(
    select(_reservations.c.id, _reservations.c.inventory_id, _reservations.c.location_id,
           _reservations.c.order_item_id, _OPEN)
    .where(_reservations.c.status == "active", _reservations.c.order_item_id.is_(None),
           _reservations.c.inventory_id == bindparam("row_id"))
    .order_by(_reservations.c.id)
)


def manual_holds(session: Session, inventory_id: int) -> list[OpenReservation]:
    """The open manual holds (not for an order) of one stock row, oldest first."""
    return [OpenReservation(*row) for row in _MANUAL_HOLDS.run(session, {"row_id": inventory_id})]


def settle(
    session: Session,
    slot: Slot,
    reservations: list[OpenReservation],
    quantity: int,
    kind: TransactionType,
    note: LedgerNote,
) -> StockChange:
    """Release or fulfil ``quantity`` units out of ``reservations`` (all at ``slot``), oldest first."""
    assert kind in (TransactionType.RELEASE, TransactionType.FULFILL)
    held = sum(r.open_quantity for r in reservations)
    if held < quantity:
        verb = "release" if kind is TransactionType.RELEASE else "ship"
        whose = "held manually" if all(r.order_item_id is None for r in reservations) else "reserved for this line"
        raise InsufficientStock(
            f"Cannot {verb} {quantity} of {slot.product.title} ({slot.product.sku}) at {slot.location_code}: "
            f"only {held} {whose} there." + (
                " Units reserved for orders are released through their orders." if whose == "held manually" else ""
            ),
            available=held,
            requested=quantity,
        )
    change = apply_change(
        session,
        slot,
        kind,
        quantity_change=-quantity if kind is TransactionType.FULFILL else 0,
        reserved_change=-quantity,
        note=note,
    )
    statement = _SETTLE[kind]
    remaining = quantity
    now = utcnow()
    for reservation in reservations:
        if remaining == 0:
            break
        take = min(reservation.open_quantity, remaining)
        if statement.count(session, {"reservation_id": reservation.id, "take": take, "now": now}) != 1:
            raise Conflict("Another workstation changed this reservation at the same moment. Please try again.")
        remaining -= take
    return change
