"""Writing a new pending order: its lines, its history, and the strict check for short stock."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from orion_desktop.db.models import Order, OrderItem, Product
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.errors import Conflict, InsufficientStock
from orion_desktop.domain.orders import OrderHistoryAction, OrderStatus, new_order_number
from orion_desktop.domain.text_rules import plural
from orion_desktop.services.orders.history import record

NUMBER_DRAWS = 10


def unused_order_number(session: Session, store_id: int) -> str:
    """A new order number no order has yet. Its tail is drawn at random (30^6 tails a store a day), so
    with thousands of orders a day a drawn number is now and then taken already: another is drawn."""
    today = datetime.now(UTC).date()
    for _ in range(NUMBER_DRAWS):
        number = new_order_number(store_id, today)
        if not session.execute(select(Order.id).where(Order.order_number == number)).first():
            return number
    raise Conflict("No free order number could be drawn; please try again.")


def insert_order(
    session: Session,
    actor: Actor,
    *,
    store_id: int,
    order_number: str,
    quantities: dict[int, int],
    customer: str | None,
    email: str | None,
    channel: str,
    reservation_expires_at: datetime | None = None,
) -> int:
    """Write a pending order with one line per product (validated input); return its id."""
    products = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(quantities)))}
    order = Order(
        store_id=store_id,
        order_number=order_number,
        status=OrderStatus.PENDING.value,
        customer_name=customer,
        customer_email=email,
        channel=channel,
        reservation_expires_at=reservation_expires_at,
        created_by=actor.name,
    )
    session.add(order)
    session.flush()
    session.add_all(
        OrderItem(
            order_id=order.id,
            product_id=pid,
            product_name=products[pid].title,
            sku=products[pid].sku,
            gtin=products[pid].gtin,
            quantity=quantity,
        )
        for pid, quantity in quantities.items()
    )
    session.flush()
    record(
        session,
        order.id,
        OrderHistoryAction.CREATED,
        f"Order created with {plural(len(quantities), 'line')}, {plural(sum(quantities.values()), 'unit')}"
        + (f" (channel {channel})" if channel != "manual" else "")
        + ".",
        actor,
        new_status="pending",
    )
    return order.id


def refuse_short_stock(session: Session, products: dict[int, Product], wanted: dict[int, int]) -> None:
    """Strict mode: "Insufficient stock for <name>. Available: X, Requested: Y" for the first short line."""
    from orion_desktop.db.models import Inventory

    available = dict(
        session.execute(
            select(Inventory.product_id, func.sum(Inventory.quantity - Inventory.reserved_quantity))
            .where(Inventory.product_id.in_(wanted))
            .group_by(Inventory.product_id)
        ).all()
    )
    for product_id, quantity in wanted.items():
        product = products[product_id]
        if product.is_placeholder or product.product_type != "physical":
            continue
        have = int(available.get(product_id, 0))
        if have < quantity:
            raise InsufficientStock(
                f"Insufficient stock for {product.title}. Available: {have}, Requested: {quantity}",
                available=have,
                requested=quantity,
            )
