"""Backorders: the unreserved, unshipped part of items in processing or partially shipped orders.

Any stock increase calls :func:`allocate_backorders` in the same transaction, so new stock goes
to the oldest waiting order first.

Locking (PostgreSQL): allocation runs late in a transaction that already changed stock, so it
must take no lock that could wait out of order. It takes none of its own. Its caller holds every
stock row of the products locked (one ascending-id statement, before any change: set, adjust,
transfer, import, return), and allocation only updates those rows. The waiting orders are not
locked: inserting their reservation and history rows takes only the KEY SHARE locks of the
foreign-key checks, which never wait for the FOR NO KEY UPDATE a PC holds on an order it works on
(and no service takes a stronger lock on an order: orders are never deleted or renumbered). Such
a PC cannot change the item meanwhile either: it would need this product's stock rows first.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.orm import Session

from orion_desktop.db.dialect import matches_any
from orion_desktop.db.models import InventoryReservation, Order, OrderItem, Product
from orion_desktop.db.prepared import Prepared
from orion_desktop.db.typing_aliases import AnySelect
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import ProductType
from orion_desktop.domain.order_results import ReservedLine
from orion_desktop.domain.orders import OrderHistoryAction, OrderStatus
from orion_desktop.services.lookup import ProductRef
from orion_desktop.services.orders.history import record
from orion_desktop.services.orders.item_stock import item_states, reserve_for_item
from orion_desktop.services.orders.locked_stock import LockedStock
from orion_desktop.services.stock.level_changes import LedgerNote

WAITING_STATUSES = (OrderStatus.PROCESSING.value, OrderStatus.PARTIALLY_SHIPPED.value)
_OPEN = (
    InventoryReservation.quantity_reserved
    - InventoryReservation.quantity_fulfilled
    - InventoryReservation.quantity_released
)


def _waiting_items() -> AnySelect:
    """Items waiting for stock, oldest order first: (order id, order number, item id, missing units).

    Each item's open reservations are summed by a correlated subquery on the (item, status) index, so
    asking about one product costs its waiting items only, not a sum over every active reservation in
    the warehouse (which a stock increase of any product used to pay).
    """
    open_units = (
        select(func.coalesce(func.sum(_OPEN), 0))
        .where(InventoryReservation.order_item_id == OrderItem.id, InventoryReservation.status == "active")
        .correlate(OrderItem)
        .scalar_subquery()
    )
    missing = OrderItem.quantity - OrderItem.shipped_quantity - open_units
    waiting = Order.status.in_(WAITING_STATUSES)
    query = (
        select(Order.id, Order.order_number, OrderItem.id.label("item_id"), missing.label("missing"))
        .join(Order, Order.id == OrderItem.order_id)
        # The sum only for items of waiting orders: a condition naming only order_items is checked as
        # each item is read, before its order (SQLite, and PostgreSQL's nested loop), so the sum ran for
        # every item of the product ever ordered; naming the order's status in it puts it after the join.
        .where(waiting, case((waiting, missing), else_=0) > 0)
        .order_by(Order.created_at, Order.id, OrderItem.id)
    )
    return query


_WAITING = _waiting_items()
# Built once: every stock increase of one product (adjust, transfer, a return) asks this, the oldest
# FIRST_LOOK first: a delivery usually fills a few orders, and a product may have hundreds waiting.
# Each row carries the product too, so reserving for it reads nothing more (reading the order's
# items again for each was 2 of a SQLite allocation's 11 statements).
FIRST_LOOK = 16
_WAITING_WITH_PRODUCT = (
    _WAITING.join_from(OrderItem, Product, Product.id == OrderItem.product_id)
    .add_columns(Product.store_id, Product.sku, Product.title, Product.product_type, Product.is_placeholder)
    .where(OrderItem.product_id == bindparam("product_id"))
)
_WAITING_FOR_ONE = Prepared(_WAITING_WITH_PRODUCT)
_FIRST_WAITING_FOR_ONE = Prepared(_WAITING_WITH_PRODUCT.limit(FIRST_LOOK))


def _waiting_for_one(session: Session, product_id: int) -> Iterator[Any]:
    """The product's waiting items, oldest first: the oldest FIRST_LOOK in one read, and only if the
    caller asks for more than those, the rest in a second read (without the items it has seen)."""
    first = _FIRST_WAITING_FOR_ONE.run(session, {"product_id": product_id})
    yield from first
    if len(first) == FIRST_LOOK:
        seen = {row.item_id for row in first}
        yield from (row for row in _WAITING_FOR_ONE.run(session, {"product_id": product_id})
                    if row.item_id not in seen)


def backordered_items_query(session: Session, product_ids: set[int] | None = None) -> AnySelect:
    """Items waiting for stock, oldest order first: (order id, order number, item id, missing units)."""
    query = _WAITING
    if product_ids is not None:
        query = query.where(matches_any(session, OrderItem.product_id, sorted(product_ids)))
    return query


def allocate_backorders(session: Session, product_ids: set[int], actor: Actor) -> list[ReservedLine]:
    """Reserve newly available stock of these products for waiting orders, oldest first.

    The products' stock rows are read once and kept current as units are handed out (LockedStock):
    exact, because the caller holds them locked (see the module's docstring) and only this changes
    them meanwhile. So allocation stops as soon as nothing is left, without reading the next order."""
    if not product_ids:
        return []
    stock = LockedStock(session)
    if len(product_ids) == 1:
        (only,) = product_ids
        return _allocate_one_product(session, only, stock, actor)
    reserved: list[ReservedLine] = []
    exhausted: set[int] = set()  # products with no stock left to hand out
    for order_id, order_number, item_id, _missing in session.execute(backordered_items_query(session, product_ids)):
        if exhausted >= product_ids:
            break  # nothing left to hand out: the other waiting orders need no look (one query each)
        item = next(i for i in item_states(session, order_id) if i.id == item_id)
        if not item.stock_tracked or item.unreserved == 0 or item.product.id in exhausted:
            continue
        reserved += _reserve_waiting(session, stock, order_id, order_number, item_id, item.product, item.unreserved,
                                     actor)
        if stock.available(item.product.id) == 0:
            exhausted.add(item.product.id)
    return reserved


def _allocate_one_product(session: Session, product_id: int, stock: LockedStock, actor: Actor) -> list[ReservedLine]:
    """``allocate_backorders`` of one product: its waiting items come with the product and the units they
    miss, read after this transaction's changes, so nothing is read again per item."""
    reserved: list[ReservedLine] = []
    for row in _waiting_for_one(session, product_id):
        if stock.available(product_id) == 0:
            break  # nothing left to hand out: the other waiting orders need no look
        product = ProductRef(product_id, row.store_id, "", row.sku, row.title, ProductType(row.product_type),
                             row.is_placeholder)
        if not product.product_type.is_stock_tracked or product.is_placeholder:
            break  # no stock of its own: nobody waits for it
        reserved += _reserve_waiting(session, stock, row.id, row.order_number, row.item_id, product, int(row.missing),
                                     actor)
    return reserved


def _reserve_waiting(
    session: Session, stock: LockedStock, order_id: int, order_number: str, item_id: int, product: ProductRef,
    missing: int, actor: Actor,
) -> list[ReservedLine]:
    """Reserve what is free of ``product`` for one waiting item, up to the units it misses, with its
    order's history row."""
    note = LedgerNote(actor, "backorder allocated", order_id=order_id, order_number=order_number)
    lines, _shortfall = reserve_for_item(session, item_id, product, missing, note, stock=stock)
    if lines:
        units = sum(line.quantity for line in lines)
        where = ", ".join(f"{line.quantity} at {line.location}" for line in lines)
        record(session, order_id, OrderHistoryAction.INVENTORY_RESERVED,
               f"Backorder of {product.sku}: reserved {units} ({where}) from new stock.", actor)
    return lines
