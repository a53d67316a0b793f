"""Order history rows: one per status change, stock action, shipment, return and note."""

from __future__ import annotations

import logging

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
    record_orders(session, (order_id,))
    record_actor(session, actor.name)  # who, for the change feed
    _INSERT.run(
        session,
        {
            "order_id": order_id,
            "action": action.value,
            "old_status": old_status,
            "new_status": new_status,
            "description": description,
            "created_by": actor.name,
            "created_at": utcnow(),
        },
    )
