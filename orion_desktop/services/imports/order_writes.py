"""Writing one chunk's new orders of an order import: set-based, three statements for the chunk.

The orders go in with one multi-row ``INSERT ... RETURNING id, order_number`` (SQLAlchemy's
"insertmanyvalues" batches), then their items and their ``created`` history rows with one
``executemany`` each. The items take title, SKU and GTIN from the product rows the resolver
already read; nothing is loaded as an ORM object and nothing is flushed. The rows are the ones
:func:`services.orders.creation.insert_order` writes for one order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from orion_desktop.db.change_recording import record_orders
from orion_desktop.db.models import Order, OrderHistory, OrderItem
from orion_desktop.db.types import utcnow
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.orders import OrderHistoryAction, OrderStatus

_orders = Order.__table__
_items = OrderItem.__table__
_history = OrderHistory.__table__


@dataclass(frozen=True, slots=True)
class NewOrder:
    """A checked order of the file, not in the database yet."""

    number: str
    store_id: int
    customer: str | None
    email: str | None
    channel: str
    quantities: dict[int, int]  # product id -> units, in the order of the file's lines
    products: dict[int, Row[Any]]  # product id -> its row from imports.lookups (title, sku, gtin)


def write_new_orders(session: Session, actor: Actor, orders: Sequence[NewOrder]) -> dict[str, int]:
    """Write pending orders with their items and history rows; return each order number's new id."""
    if not orders:
        return {}
    now = utcnow()  # one timestamp for the chunk, like one flush
    pending = OrderStatus.PENDING.value
    created = session.execute(
        insert(_orders).returning(_orders.c.id, _orders.c.order_number),
        [
            {
                "store_id": order.store_id, "order_number": order.number, "status": pending,
                "customer_name": order.customer, "customer_email": order.email, "channel": order.channel,
                "reservation_expires_at": None, "created_at": now, "updated_at": now, "created_by": actor.name,
            }
            for order in orders
        ],
    ).all()
    ids: dict[str, int] = {number: order_id for order_id, number in created}
    session.execute(
        insert(_items),
        [
            {
                "order_id": ids[order.number], "product_id": product_id, "product_name": product.title,
                "sku": product.sku, "gtin": product.gtin, "quantity": quantity,
                "shipped_quantity": 0, "returned_quantity": 0,
            }
            for order in orders
            for product_id, quantity in order.quantities.items()
            for product in (order.products[product_id],)
        ],
    )
    session.execute(
        insert(_history),
        [
            {
                "order_id": ids[order.number], "action": OrderHistoryAction.CREATED.value, "old_status": None,
                "new_status": pending, "description": _created_note(order), "created_by": actor.name,
                "created_at": now,
            }
            for order in orders
        ],
    )
    record_orders(session, ids.values())  # as history.record does for each order
    return ids


def _created_note(order: NewOrder) -> str:
    """The history text of a new order, as services.orders.creation.insert_order writes it."""
    quantities = order.quantities
    channel = f" (channel {order.channel})" if order.channel != "manual" else ""
    return f"Order created with {len(quantities)} lines, {sum(quantities.values())} units{channel}."
