"""Holds of many order items written together: the processing orders of an order import (issue 12).

One hold alone is one statement on PostgreSQL (``reservations.hold``: the stock change, its ledger
row and the reservation row). Hundreds of orders at once are three statements, however many holds:
ONE conditional UPDATE of every stock row concerned (each by its total), then the ledger rows, the
reservation rows, each an ``INSERT ... SELECT`` from the rows sent as one parameter per column
(:func:`db.bulk_rows.typed_rows`).

Only for a caller that holds the stock rows locked and has read their levels
(orders/locked_stock.py), so no hold can be refused; if one would be, nothing is written. Each
ledger row tells the level after its own hold, in the order given, so a row's newest ledger row
ends at its level (invariant L).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Integer, String, insert, literal, select, update
from sqlalchemy.orm import Session

from orion_desktop.db.bulk_rows import integer_rows, typed_rows
from orion_desktop.db.change_recording import record_actor, record_stock
from orion_desktop.db.models import Inventory, InventoryReservation, InventoryTransaction
from orion_desktop.db.types import UtcDateTime, utcnow
from orion_desktop.domain.enums import TransactionType
from orion_desktop.domain.errors import Conflict
from orion_desktop.services.lookup import Slot
from orion_desktop.services.stock.level_changes import LedgerNote

_inventory = Inventory.__table__
_ledger = InventoryTransaction.__table__
_reservations = InventoryReservation.__table__

_LEDGER_COLUMNS = (
    ("store_id", Integer()), ("product_id", Integer()), ("location_id", Integer()), ("order_id", Integer()),
    ("order_number", String()), ("reason", String()), ("created_by", String()), ("operation_key", String()),
    ("reserved_change", Integer()), ("quantity_after", Integer()), ("reserved_after", Integer()),
)
_HOLD_COLUMNS = (
    ("inventory_id", Integer()), ("location_id", Integer()), ("order_id", Integer()), ("order_item_id", Integer()),
    ("quantity_reserved", Integer()), ("notes", String()), ("created_by", String()),
)


@dataclass(frozen=True, slots=True)
class Hold:
    """``quantity`` units held at ``slot`` for an order item (or none: a manual hold)."""

    slot: Slot
    quantity: int
    note: LedgerNote
    order_item_id: int | None = None
    expires_at: datetime | None = None


def hold_many(session: Session, holds: Sequence[Hold]) -> None:
    """Write many holds at once, in order (see the module's docstring)."""
    if not holds:
        return
    totals: dict[int, int] = {}
    for held in holds:
        totals[held.slot.inventory_id] = totals.get(held.slot.inventory_id, 0) + held.quantity
    stamp = utcnow()
    now = literal(stamp, UtcDateTime())
    listed = integer_rows(session, ("row_id", "delta"), sorted(totals.items()))
    changed = session.connection().execute(  # Core, once per batch of orders: no ORM work
        update(_inventory)
        .where(
            _inventory.c.id == listed.c.row_id,
            _inventory.c.reserved_quantity + listed.c.delta >= 0,
            _inventory.c.quantity >= _inventory.c.reserved_quantity + listed.c.delta,
        )
        .values(reserved_quantity=_inventory.c.reserved_quantity + listed.c.delta, updated_at=now)
        .returning(_inventory.c.id, _inventory.c.quantity, _inventory.c.reserved_quantity)
    ).all()
    if len(changed) != len(totals):
        raise Conflict("The stock changed while these orders were being reserved; nothing was written. "
                       "Please try again.")
    record_stock(session, {held.slot.product.id for held in holds})
    record_actor(session, holds[-1].note.actor.name)
    before = {row_id: (quantity, reserved - totals[row_id]) for row_id, quantity, reserved in changed}
    _write_ledger(session, holds, before, now)
    _write_reservations(session, holds, now)


def _write_ledger(
    session: Session, holds: Sequence[Hold], before: dict[int, tuple[int, int]], now: ColumnElement[datetime]
) -> None:
    """One ledger row per hold, each with the levels after it; ``before``: (quantity, reserved) per row."""
    reserved = {row_id: levels[1] for row_id, levels in before.items()}
    rows = []
    for held in holds:
        slot, note = held.slot, held.note
        reserved[slot.inventory_id] += held.quantity
        rows.append((slot.product.store_id, slot.product.id, slot.location_id, note.order_id, note.order_number,
                     note.reason, note.actor.name, note.operation_key, held.quantity, before[slot.inventory_id][0],
                     reserved[slot.inventory_id]))
    listed = typed_rows(session, _LEDGER_COLUMNS, rows)
    c = listed.c
    session.connection().execute(  # the rows in the order given, so their ids ascend with the levels
        insert(_ledger).from_select(
            ["store_id", "product_id", "location_id", "transaction_type", "order_id", "order_number", "reason",
             "created_by", "operation_key", "quantity_change", "reserved_change", "quantity_after", "reserved_after",
             "created_at"],
            select(c.store_id, c.product_id, c.location_id, literal(TransactionType.RESERVE.value, String()),
                   c.order_id, c.order_number, c.reason, c.created_by, c.operation_key, literal(0), c.reserved_change,
                   c.quantity_after, c.reserved_after, now),
        )
    )


def _write_reservations(session: Session, holds: Sequence[Hold], now: ColumnElement[datetime]) -> None:
    """The reservation rows, one INSERT per deadline (an import's orders share one: none)."""
    deadlines: dict[datetime | None, list[Hold]] = {}
    for held in holds:
        deadlines.setdefault(held.expires_at, []).append(held)
    for expires_at, group in deadlines.items():
        listed = typed_rows(session, _HOLD_COLUMNS, [
            (held.slot.inventory_id, held.slot.location_id, held.note.order_id, held.order_item_id, held.quantity,
             held.note.reason, held.note.actor.name)
            for held in group
        ])
        c = listed.c
        session.connection().execute(
            insert(_reservations).from_select(
                ["inventory_id", "location_id", "order_id", "order_item_id", "quantity_reserved", "quantity_fulfilled",
                 "quantity_released", "status", "expires_at", "notes", "created_by", "reserved_at", "updated_at"],
                select(c.inventory_id, c.location_id, c.order_id, c.order_item_id, c.quantity_reserved, literal(0),
                       literal(0), literal("active", String()), literal(expires_at, UtcDateTime()), c.notes,
                       c.created_by, now, now),
            )
        )
