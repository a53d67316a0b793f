"""Order history rows: one per status change, stock action, shipment, return and note."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy.orm import Session

from orion_desktop.db.change_recording import record_actor, record_orders
from orion_desktop.db.models import OrderHistory
from orion_desktop.db.prepared import Prepared
from orion_desktop.db.types import utcnow
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.orders import OrderHistoryAction

log = logging.getLogger(__name__)

# Built once; a call only binds its values.
_INSERT = Prepared(OrderHistory.__table__.insert().inline(), (
    "order_id", "action", "old_status", "new_status", "description", "created_by", "created_at",
))


class Entry(NamedTuple):
    """One history row of many written together (``record_many``)."""

    order_id: int
    action: OrderHistoryAction
    description: str
    old_status: str | None = None
    new_status: str | None = None


def record(
    session: Session,
    order_id: int,
    action: OrderHistoryAction,
    description: str,
    actor: Actor,
    *,
    old_status: str | None = None,
    new_status: str | None = None,
) -> None:
    """Write one history row. Every change of an order writes one, so this is where the order is
    named as changed (ARCHITECTURE.md: change sets)."""
    record_many(session, [Entry(order_id, action, description, old_status, new_status)], actor)


def record_many(session: Session, entries: Sequence[Entry], actor: Actor) -> None:
    """Write many history rows by ``actor`` at once: one round trip on PostgreSQL, however many."""
    if not entries:
        return
    record_orders(session, [entry.order_id for entry in entries])
    record_actor(session, actor.name)  # who, for the change feed
    now = utcnow()
    rows = [
        {
            "order_id": entry.order_id,
            "action": entry.action.value,
            "old_status": entry.old_status,
            "new_status": entry.new_status,
            "description": entry.description,
            "created_by": actor.name,
            "created_at": now,
        }
        for entry in entries
    ]
    _INSERT.run_many(session, rows)  # one row: a plain execute
