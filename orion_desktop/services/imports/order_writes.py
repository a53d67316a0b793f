"""Writing one chunk's new orders of an order import: set-based, three statements for the chunk.

The orders go in with one ``INSERT ... SELECT ... RETURNING id, order_number``, then their items
and their ``created`` history rows with one ``INSERT ... SELECT`` each, the rows sent as one
parameter per column (:func:`db.bulk_rows.typed_rows`): no statement grows with the chunk, so
neither SQLAlchemy nor the driver parses a long VALUES list, and each table costs one round trip.
The items take title, SKU and GTIN from the product rows the resolver
already read; nothing is loaded as an ORM object and nothing is flushed. The rows are the ones
:func:`services.orders.creation.insert_order` writes for one order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, String, insert, literal, null, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from orion_desktop.db.bulk_rows import typed_rows
from orion_desktop.db.change_recording import record_orders
from orion_desktop.db.models import Order, OrderHistory, OrderItem
from orion_desktop.db.types import UtcDateTime, utcnow
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.orders import OrderHistoryAction, OrderStatus
from orion_desktop.domain.text_rules import plural

_orders = Order.__table__
_items = OrderItem.__table__
_history = OrderHistory.__table__
_ORDER_COLUMNS = (("store_id", Integer()), ("number", String()), ("customer", String()), ("email", String()),
                  ("channel", String()))
_ITEM_COLUMNS = (("order_id", Integer()), ("product_id", Integer()), ("name", String()), ("sku", String()),
                 ("gtin", String()), ("quantity", Integer()))
_NOTE_COLUMNS = (("order_id", Integer()), ("description", String()))


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
    now = literal(utcnow(), UtcDateTime())  # one timestamp for the chunk, like one flush
    pending, creator = literal(OrderStatus.PENDING.value, String()), literal(actor.name, String())
    listed = typed_rows(session, _ORDER_COLUMNS, [
        (order.store_id, order.number, order.customer, order.email, order.channel) for order in orders
    ])
    created = session.execute(
        insert(_orders).from_select(
            ["store_id", "order_number", "status", "customer_name", "customer_email", "channel", "created_at",
             "updated_at", "created_by"],
            select(listed.c.store_id, listed.c.number, pending, listed.c.customer, listed.c.email, listed.c.channel,
                   now, now, creator),
        ).returning(_orders.c.id, _orders.c.order_number)
    ).all()
    ids: dict[str, int] = {number: order_id for order_id, number in created}
    items = typed_rows(session, _ITEM_COLUMNS, [
        (ids[order.number], product_id, product.title, product.sku, product.gtin, quantity)
        for order in orders
        for product_id, quantity in order.quantities.items()
        for product in (order.products[product_id],)
    ])
    session.execute(
        insert(_items).from_select(
            ["order_id", "product_id", "product_name", "sku", "gtin", "quantity", "shipped_quantity",
             "returned_quantity"],
            select(items.c.order_id, items.c.product_id, items.c.name, items.c.sku, items.c.gtin, items.c.quantity,
                   literal(0), literal(0)),
        )
    )
    notes = typed_rows(session, _NOTE_COLUMNS, [(ids[order.number], _created_note(order)) for order in orders])
    session.execute(
        insert(_history).from_select(
            ["order_id", "action", "old_status", "new_status", "description", "created_by", "created_at"],
            select(notes.c.order_id, literal(OrderHistoryAction.CREATED.value, String()), null(), pending,
                   notes.c.description, creator, now),
        )
    )
    record_orders(session, ids.values())  # as history.record does for each order
    return ids


def _created_note(order: NewOrder) -> str:
    """The history text of a new order, as services.orders.creation.insert_order writes it."""
    quantities = order.quantities
    channel = f" (channel {order.channel})" if order.channel != "manual" else ""
    return f"Order created with {plural(len(quantities), 'line')}, {plural(sum(quantities.values()), 'unit')}{channel}."
