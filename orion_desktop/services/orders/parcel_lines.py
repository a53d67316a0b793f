"""Keeping prepared parcels true: no open parcel promises more units than remain to ship.

A parcel (a shipment in pending, picking, packing or ready_to_ship) lists units of its order.
When units leave another way (the ship dialog, the pack station, `order ship`, another parcel)
the parcels that now promise more than remains are shrunk; one left empty is cancelled, and the
order's history says why. Callers hold the order row locked.
"""

from __future__ import annotations

from sqlalchemy import String, bindparam, cast, delete, func, insert, select, update
from sqlalchemy.orm import Session

from orion_desktop.db.models import OrderItem, Shipment, ShipmentLine
from orion_desktop.db.prepared import Prepared
from orion_desktop.db.types import utcnow
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.orders import OPEN_SHIPMENT_STATUSES, OrderHistoryAction, ShipmentStatus
from orion_desktop.services.orders.history import record

_OPEN = [status.value for status in OPEN_SHIPMENT_STATUSES]
_STEP = {status.value: index for index, status in enumerate(OPEN_SHIPMENT_STATUSES)}


_shipments = Shipment.__table__
# A new shipment's number is "SHP-<order number without ORD->-<n>", n one more than the order's
# shipments so far. Counted inside the INSERT (no round trip of its own); the caller holds the
# order row locked, so no other shipment of the order can appear in between.
_NEW_SHIPMENT = Prepared(
    insert(_shipments)
    .values(
        shipment_number=bindparam("prefix", type_=String)
        + cast(
            select(func.count()).select_from(_shipments).where(_shipments.c.order_id == bindparam("of_order"))
            .scalar_subquery() + 1,
            String,
        ),
        order_id=bindparam("of_order"),
        status=bindparam("new_status"),
        created_by=bindparam("by"),
        created_at=bindparam("now"),
        shipped_at=bindparam("shipped"),
        tracking_number=bindparam("tracking", type_=String),
        carrier=bindparam("by_carrier", type_=String),
    )
    .returning(_shipments.c.id, _shipments.c.shipment_number)
)
# Built once: every ship path writes its shipment's lines with this (one executemany for many lines).
LINE_INSERT = Prepared(ShipmentLine.__table__.insert().inline(), ("shipment_id", "order_item_id", "location_id",
                                                                   "quantity"))


def insert_shipment(
    session: Session, order_id: int, order_number: str, status: ShipmentStatus, created_by: str, *,
    tracking: str | None = None, carrier: str | None = None,
) -> tuple[int, str]:
    """Insert the order's next shipment (no ORM flush); returns its id and number."""
    now = utcnow()
    (row,) = _NEW_SHIPMENT.run(session, {
        "prefix": f"SHP-{order_number.removeprefix('ORD-')}-", "of_order": order_id, "new_status": status.value,
        "by": created_by, "now": now, "shipped": now if status is ShipmentStatus.SHIPPED else None,
        "tracking": tracking, "by_carrier": carrier,
    })
    return int(row[0]), str(row[1])


def next_shipment_number(session: Session, order_id: int, order_number: str) -> str:
    count = session.execute(select(func.count(Shipment.id)).where(Shipment.order_id == order_id)).scalar_one()
    return f"SHP-{order_number.removeprefix('ORD-')}-{count + 1}"


def prepared_units(session: Session, order_id: int) -> dict[int, int]:
    """Units per item already in open parcels (prepared, not yet shipped or cancelled)."""
    rows = session.execute(
        select(ShipmentLine.order_item_id, func.sum(ShipmentLine.quantity))
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .where(Shipment.order_id == order_id, Shipment.status.in_(_OPEN))
        .group_by(ShipmentLine.order_item_id)
    ).all()
    return {item_id: int(units) for item_id, units in rows}


def consume_parcels(session: Session, actor: Actor, order_id: int, overtaken: dict[int, int], by: str) -> None:
    """Take ``overtaken[item id]`` units out of the order's open parcels: they left in shipment ``by``.

    The least advanced parcel gives first (a parcel ready to ship is likely packed already), the
    newest first among parcels at the same step. A parcel left without lines is cancelled.
    """
    rows = session.execute(
        select(ShipmentLine.id, ShipmentLine.order_item_id, ShipmentLine.quantity, Shipment.id.label("shipment_id"),
               Shipment.shipment_number, Shipment.status, OrderItem.sku)
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .join(OrderItem, OrderItem.id == ShipmentLine.order_item_id)
        .where(Shipment.order_id == order_id, Shipment.status.in_(_OPEN),
               ShipmentLine.order_item_id.in_(list(overtaken)))
    ).all()
    left = dict(overtaken)
    taken: dict[int, list[str]] = {}
    numbers: dict[int, str] = {}
    for row in sorted(rows, key=lambda r: (_STEP[r.status], -r.shipment_id, r.id)):
        take = min(left.get(row.order_item_id, 0), row.quantity)
        if take == 0:
            continue
        if take == row.quantity:
            session.execute(delete(ShipmentLine).where(ShipmentLine.id == row.id))
        else:
            session.execute(update(ShipmentLine).where(ShipmentLine.id == row.id)
                            .values(quantity=ShipmentLine.quantity - take))
        left[row.order_item_id] -= take
        taken.setdefault(row.shipment_id, []).append(f"{take} {row.sku}")
        numbers[row.shipment_id] = row.shipment_number
    if not taken:
        return
    still_filled = set(session.execute(
        select(ShipmentLine.shipment_id).where(ShipmentLine.shipment_id.in_(list(taken))).distinct()
    ).scalars())
    for shipment_id, what in taken.items():
        number, units = numbers[shipment_id], ", ".join(what)
        if shipment_id in still_filled:
            record(session, order_id, OrderHistoryAction.STATUS_CHANGED,
                   f"Shipment {number}: {units} taken out, shipped another way (shipment {by}).", actor)
        else:
            why = f"all its units were shipped another way (shipment {by})"
            _cancel(session, shipment_id, why)
            record(session, order_id, OrderHistoryAction.STATUS_CHANGED,
                   f"Shipment {number} cancelled: {why}.", actor)


def cancel_open_parcels(session: Session, actor: Actor, order_id: int, why: str) -> None:
    """Cancel every open parcel of the order (the order itself is cancelled)."""
    rows = session.execute(
        select(Shipment.id, Shipment.shipment_number)
        .where(Shipment.order_id == order_id, Shipment.status.in_(_OPEN))
        .order_by(Shipment.id)
    ).all()
    for shipment_id, number in rows:
        _cancel(session, shipment_id, why)
        record(session, order_id, OrderHistoryAction.STATUS_CHANGED, f"Shipment {number} cancelled: {why}.", actor)


def _cancel(session: Session, shipment_id: int, why: str) -> None:
    """A parcel's end without shipping; its notes keep the reason. It held no stock (see prepare)."""
    note = f"Cancelled: {why}."
    session.execute(
        update(Shipment)
        .where(Shipment.id == shipment_id)
        .values(
            status=ShipmentStatus.CANCELLED.value,
            cancelled_at=utcnow(),
            notes=func.coalesce(Shipment.notes + "\n", "") + note,
        )
    )
