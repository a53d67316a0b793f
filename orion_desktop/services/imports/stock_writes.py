"""Writing one chunk of a stock import: set-based, three statements for the whole chunk.

The lines are checked and planned in Python (:func:`plan_chunk`), then :func:`write_chunk`
creates the new stock rows (``INSERT ... SELECT``), changes the others (a conditional
``UPDATE ... FROM``) and writes their ledger rows (``INSERT ... SELECT``, the after-values read
back from the rows), with the rows sent as one parameter (:mod:`db.bulk_rows`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, String, and_, insert, literal, null, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from orion_desktop.db.bulk_rows import integer_rows
from orion_desktop.db.models import Inventory, InventoryTransaction
from orion_desktop.db.types import UtcDateTime
from orion_desktop.domain.enums import TransactionType
from orion_desktop.domain.errors import Conflict
from orion_desktop.services.imports.csv_files import CsvTable
from orion_desktop.services.stock.level_changes import LedgerNote

if TYPE_CHECKING:
    from orion_desktop.services.imports.stock import _Slot, _StockLine

_inventory = Inventory.__table__
_ledger = InventoryTransaction.__table__


@dataclass(slots=True)
class Plan:
    """What a chunk's good lines change, decided in Python before anything is written."""

    new_rows: list[tuple[int, int, int, int]] = field(default_factory=list)  # store, product, location, quantity
    changes: list[tuple[int, int, int]] = field(default_factory=list)  # stock row, quantity read, new quantity
    ledger: list[tuple[int, int, int]] = field(default_factory=list)  # product, location, quantity before
    raised: set[int] = field(default_factory=set)  # products with more stock somewhere: may serve backorders
    named: dict[int, int] = field(default_factory=dict)  # stock row id -> line, for rows that existed
    new_lines: dict[tuple[int, int], int] = field(default_factory=dict)  # (product, location) -> line of a new row


def plan_chunk(
    lines: Sequence[_StockLine], location_ids: dict[str, int], slots: dict[tuple[int, int], _Slot]
) -> Plan:
    """New rows, changed rows and ledger rows; a line at its row's current level changes nothing."""
    plan = Plan()
    for line in lines:
        product_id, location_id, quantity = line.product_id, location_ids[line.location], line.quantity
        slot = slots.get((product_id, location_id))
        if slot is None:
            plan.new_rows.append((line.store.id, product_id, location_id, quantity))
            plan.new_lines[(product_id, location_id)] = line.number
            before = 0
        else:
            plan.named[slot.id] = line.number
            if slot.quantity == quantity:
                continue
            plan.changes.append((slot.id, slot.quantity, quantity))
            before = slot.quantity
        if quantity != before:  # a new row at zero gets no ledger row: nothing changed
            plan.ledger.append((product_id, location_id, before))
        if quantity > before:
            plan.raised.add(product_id)
    return plan


def write_chunk(
    session: Session, note: LedgerNote, table: CsvTable, plan: Plan, stamp: datetime
) -> dict[int, int]:
    """Create and change a chunk's stock rows, then write their ledger rows: three statements in all.

    Returns the new rows' ids, each with the line that created it.
    """
    now = literal(stamp, UtcDateTime())  # one timestamp for the whole file, bound once per statement
    new_ids: dict[int, int] = {}
    if plan.new_rows:
        listed = integer_rows(session, ("store_id", "product_id", "location_id", "quantity"), plan.new_rows)
        try:
            created = session.execute(
                insert(_inventory).from_select(
                    [
                        "store_id", "product_id", "location_id", "quantity", "reserved_quantity", "created_at",
                        "updated_at",
                    ],
                    select(
                        listed.c.store_id, listed.c.product_id, listed.c.location_id, listed.c.quantity, literal(0),
                        now, now,
                    ),
                ).returning(_inventory.c.id, _inventory.c.product_id, _inventory.c.location_id)
            ).all()
        except IntegrityError:
            raise Conflict(
                f"Another workstation added stock for some of these products while {table.file_name} was being "
                "imported; nothing was imported. Import the file again."
            ) from None
        new_ids = {row_id: plan.new_lines[(product_id, location_id)] for row_id, product_id, location_id in created}
    if plan.changes:
        # Conditional, like every stock change: the row must still hold what we read and
        # the new level must cover what is reserved. The rows are locked, so all match.
        listed = integer_rows(session, ("id", "old", "new"), plan.changes)
        result = session.execute(
            update(_inventory)
            .where(
                _inventory.c.id == listed.c.id,
                _inventory.c.quantity == listed.c.old,
                _inventory.c.reserved_quantity <= listed.c.new,
            )
            .values(quantity=listed.c.new, updated_at=now)
        )
        if cast("CursorResult[Any]", result).rowcount != len(plan.changes):
            raise Conflict(
                "Another workstation changed some of this stock while the file was being imported; "
                "nothing was imported. Import the file again."
            )
    if plan.ledger:
        _write_ledger(session, note, plan.ledger, now)
    return new_ids


def _write_ledger(session: Session, note: LedgerNote, rows: list[tuple[int, int, int]], now: Any) -> None:
    """One ``import`` ledger row per (product, location, quantity before).

    The change and the after-values are read from the stock row as it is now, in this
    transaction, so the ledger holds the database's own figures, as with UPDATE ... RETURNING.
    """
    listed = integer_rows(session, ("product_id", "location_id", "before"), rows)
    session.execute(
        insert(_ledger).from_select(
            [
                "store_id", "product_id", "location_id", "transaction_type", "quantity_change", "reserved_change",
                "quantity_after", "reserved_after", "order_id", "order_number", "reason", "created_by",
                "created_at", "operation_key",
            ],
            select(
                _inventory.c.store_id,
                _inventory.c.product_id,
                _inventory.c.location_id,
                literal(TransactionType.IMPORT.value),
                _inventory.c.quantity - listed.c.before,
                literal(0),
                _inventory.c.quantity,
                _inventory.c.reserved_quantity,
                null(),
                null(),
                literal(note.reason, String()),
                literal(note.actor.name, String()),
                now,
                literal(note.operation_key, String()),
            ).join_from(
                listed,
                _inventory,
                and_(_inventory.c.product_id == listed.c.product_id, _inventory.c.location_id == listed.c.location_id),
            ),
        )
    )
