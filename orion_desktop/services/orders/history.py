"""Order history rows: one per status change, stock action, shipment, return and note."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

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
    batch = session.info.get(_BATCH_KEY)
    if batch is not None:
        batch.extend(rows)  # written when the batch ends, in this order
    else:
        _INSERT.run_many(session, rows)  # one row: a plain execute


_BATCH_KEY = "orion.history_batch"


@contextmanager
def batched(session: Session) -> Iterator[None]:
    """History rows recorded inside this block are written together when it ends (one ``executemany``,
    in the order they were recorded): for work over many orders, such as an import moving them on.

    Safe because nothing reads an order's history inside the transaction that writes it. An error
    inside the block writes none of them; the caller's transaction rolls back anyway."""
    if _BATCH_KEY in session.info:
        yield  # already batching: the outer block writes them
        return
    rows: list[dict[str, Any]] = []
    session.info[_BATCH_KEY] = rows
    try:
        yield
    finally:
        session.info.pop(_BATCH_KEY, None)
    _INSERT.run_many(session, rows)
