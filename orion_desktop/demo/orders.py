"""The demo warehouse's orders: placed, reserved, partly shipped and delivered through the order
services, so every order has the history, ledger rows and reservations a real one would have."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from orion_desktop.db.engine import Database
from orion_desktop.db.models import Inventory, Product, Store
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import ProductType

if TYPE_CHECKING:  # only for annotations: add_demo_orders imports them when it runs
    from orion_desktop.domain.order_results import OrderLine, ShipRequest
    from orion_desktop.services.orders.service import OrderService

_stores = Store.__table__
_products = Product.__table__
_inventory = Inventory.__table__

CUSTOMERS = (
    "Anna Berg", "Jürgen Weiß", "Sofia Rossi", "Liam O'Brien", "Chen Wei", "Fatima Khan", "Noah Schulz",
    "Emma Dubois", "Lucas Silva", "Mia Novak", "Oskar Lind", "Zoe Müller", "Ravi Patel", "Ida Jensen",
)
CHANNELS = ("webshop", "marketplace", "phone", "webshop", "webshop")
# (status to reach, how many) per store; processing orders sometimes ask for more than is there.
ORDER_MIX = (("pending", 3), ("processing", 4), ("partially_shipped", 3), ("shipped", 2), ("delivered", 2),
             ("cancelled", 2), ("workflow", 2))


def add_demo_orders(database: Database, rng: random.Random, actor: Actor) -> int:
    """Orders in every status, made through the real order service so every rule applies.

    Processing orders reserve stock along the picking path (some end up backordered),
    partially shipped ones have a parcel out, delivered ones are closed, some shipments sit in
    the picking/packing workflow, and one cancelled order had already shipped a part.
    """
    from orion_desktop.domain.order_results import OrderLine, ShipRequest
    from orion_desktop.services.orders.service import OrderService

    orders = OrderService(database)
    with database.read() as session:
        rows = session.execute(
            select(_stores.c.code, _products.c.sku, func.coalesce(
                func.sum(_inventory.c.quantity - _inventory.c.reserved_quantity), 0))
            .join(_stores, _stores.c.id == _products.c.store_id)
            .outerjoin(_inventory, _inventory.c.product_id == _products.c.id)
            .where(_products.c.product_type == ProductType.PHYSICAL.value, _products.c.is_placeholder.is_(False))
            .group_by(_stores.c.code, _products.c.sku)
            .order_by(_stores.c.code, _products.c.sku)
        ).all()
    by_store: dict[str, list[tuple[str, int]]] = {}
    for store_code, sku, available in rows:
        by_store.setdefault(store_code, []).append((sku, int(available)))
    made = 0
    for store_code, products in by_store.items():
        stocked = [sku for sku, available in products if available >= 6]
        scarce = [sku for sku, available in products if 0 < available < 6]
        for target, count in ORDER_MIX:
            for _ in range(count):
                skus = rng.sample(stocked, k=min(len(stocked), rng.randint(1, 3)))
                lines = [OrderLine(sku, rng.randint(1, 3)) for sku in skus]
                if target in ("partially_shipped", "cancelled"):
                    # Two or more of the first line, so shipping one unit leaves the order open.
                    lines[0] = OrderLine(lines[0].product, rng.randint(2, 3))
                if target == "processing" and scarce and rng.random() < 0.6:
                    lines.append(OrderLine(rng.choice(scarce), 8))  # more than is there: backordered
                number = orders.create_order(
                    actor, store=store_code, lines=lines, customer=rng.choice(CUSTOMERS),
                    channel=rng.choice(CHANNELS),
                )
                made += 1
                _walk(orders, actor, number, target, lines, rng, ShipRequest)
    return made


def _walk(
    orders: OrderService, actor: Actor, number: str, target: str, lines: Sequence[OrderLine], rng: random.Random,
    ship_request: type[ShipRequest],
) -> None:
    """Move a fresh pending order to ``target`` the way the warehouse would."""
    if target == "pending":
        return
    orders.change_status(actor, number, "processing")
    if target == "workflow":
        parcel = orders.prepare_shipment(actor, number, [ship_request(lines[0].product)], assigned_to="pat",
                                         box_size=rng.choice(("S", "M", "L")))
        orders.advance_shipment(actor, parcel.shipment_number, rng.choice(("picking", "packing", "ready_to_ship")))
    elif target in ("partially_shipped", "cancelled"):
        # One unit of the first line goes out; a cancelled order keeps what it already shipped.
        orders.ship_item(actor, number, lines[0].product, 1, tracking=f"1Z{rng.randint(10**9, 10**10 - 1)}",
                         carrier="UPS")
        if target == "cancelled":
            orders.change_status(actor, number, "cancelled")
    elif target in ("shipped", "delivered"):
        orders.change_status(actor, number, "shipped")
        if rng.random() < 0.3:
            orders.add_note(actor, number, "Left with the neighbour at no. 12", customer_visible=True)
        if target == "delivered":
            orders.change_status(actor, number, "delivered")
