"""Stock work on behalf of order items: reserve (with allocation across locations), fulfil, release.

Callers hold the order row and the stock rows of its products locked (lock_product_rows), so the
plans made here from fresh reads cannot be overtaken by another PC.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from orion_desktop.db.models import (
    Inventory,
    InventoryReservation,
    Location,
    OrderItem,
    Product,
    Shipment,
    ShipmentLine,
)
from orion_desktop.db.prepared import Prepared
from orion_desktop.domain.enums import ProductType, TransactionType
from orion_desktop.domain.errors import InsufficientStock
from orion_desktop.domain.order_results import ReservedLine
from orion_desktop.domain.orders import OPEN_SHIPMENT_STATUSES, StockCandidate, plan_allocation
from orion_desktop.services.lookup import ProductRef, Slot
from orion_desktop.services.orders.locked_stock import LockedStock
from orion_desktop.services.stock.level_changes import LedgerNote, apply_change
from orion_desktop.services.stock.reservations import OpenReservation, hold, settle


@dataclass(frozen=True, slots=True)
class ItemState:
    """An order item as stock work sees it, read fresh inside the transaction."""

    id: int
    order_id: int
    product: ProductRef
    quantity: int
    shipped_quantity: int
    returned_quantity: int
    open_reserved: int
    gtin: str | None = None  # canonical GTIN-14, for finding the line by scan
    in_parcels: int = 0  # units promised by open (prepared, not yet shipped) parcels

    @property
    def stock_tracked(self) -> bool:
        return self.product.product_type.is_stock_tracked and not self.product.is_placeholder

    @property
    def remaining(self) -> int:
        return self.quantity - self.shipped_quantity

    @property
    def unreserved(self) -> int:
        """Units still to ship that no reservation covers: the backordered part while processing."""
        return max(0, self.remaining - self.open_reserved) if self.stock_tracked else 0


_items = OrderItem.__table__
_products = Product.__table__
_reservations = InventoryReservation.__table__
_shipments = Shipment.__table__
_shipment_lines = ShipmentLine.__table__
_inventory = Inventory.__table__
_locations = Location.__table__
_OPEN_T = _reservations.c.quantity_reserved - _reservations.c.quantity_fulfilled - _reservations.c.quantity_released

def _item_states_query(order_matches: Callable[[Any], Any]) -> Any:
    """The items of the orders ``order_matches(order_id column)`` picks, with their open reserved units
    and the units in their open parcels, in id order."""
    # Both sums are correlated subqueries, one index look-up per item (the indexes on order_item_id).
    # Grouped subqueries joined to the items made SQLite build an automatic index on each of them in
    # every read: 48 us against 19 us for a one-line order (issue 12; every ship reads this).
    open_quantity = (
        select(func.coalesce(func.sum(_OPEN_T), 0))
        .where(_reservations.c.order_item_id == _items.c.id, _reservations.c.status == "active")
        .scalar_subquery()
    )
    # Read with the items (no round trip of its own): shipping another way must know which
    # parcels it overtakes.
    parcel_quantity = (
        select(func.coalesce(func.sum(_shipment_lines.c.quantity), 0))
        .join(_shipments, _shipments.c.id == _shipment_lines.c.shipment_id)
        .where(_shipment_lines.c.order_item_id == _items.c.id,
               _shipments.c.status.in_([s.value for s in OPEN_SHIPMENT_STATUSES]))
        .scalar_subquery()
    )
    return (
        select(
            _items.c.id,
            _items.c.order_id,
            _items.c.quantity,
            _items.c.shipped_quantity,
            _items.c.returned_quantity,
            open_quantity,
            _products.c.id,
            _products.c.store_id,
            _products.c.sku,
            _products.c.title,
            _products.c.product_type,
            _products.c.is_placeholder,
            _products.c.gtin,
            parcel_quantity,
        )
        .join(_products, _products.c.id == _items.c.product_id)
        .where(order_matches(_items.c.order_id))
        # By order, then id: the order of the index on order_id (SQLite appends the rowid). By id alone,
        # SQLite read the items of many orders by scanning the whole table in id order, once per
        # batch of 500 orders: 20 ms a batch at 20k items, growing with the table.
        .order_by(_items.c.order_id, _items.c.id)
    )


# Built once (ARCHITECTURE.md: stock changes): every ship, status change and return reads the
# items this way, so a call only binds the order id instead of building and compiling a query.
_ITEM_STATES = Prepared(_item_states_query(lambda order_id: order_id == bindparam("order_id")))
# Many orders' items at once (an import moving its orders on): one query, not one per order.
_ITEM_STATES_OF = Prepared(_item_states_query(lambda order_id: order_id.in_(bindparam("order_ids", expanding=True))))
# An item's open reservations, oldest first, with the location (id and code) of each one's stock
# row: settling them needs no query per row (a row deleted since has no inventory id and is skipped).
_OPEN_RESERVATIONS = (
    select(
        _reservations.c.id,
        _reservations.c.inventory_id,
        _reservations.c.location_id,
        _reservations.c.order_item_id,
        _OPEN_T,
        _inventory.c.location_id,
        _locations.c.code,
    )
    .outerjoin(_inventory, _inventory.c.id == _reservations.c.inventory_id)
    .outerjoin(_locations, _locations.c.id == _inventory.c.location_id)
    .where(_reservations.c.status == "active")
    .order_by(_reservations.c.id)
)
_ITEM_RESERVATIONS = Prepared(_OPEN_RESERVATIONS.where(_reservations.c.order_item_id == bindparam("item_id")))
# The same for many items at once (expiry): one read for a batch of orders, not one per item.
_ITEMS_RESERVATIONS = Prepared(
    _OPEN_RESERVATIONS.where(_reservations.c.order_item_id.in_(bindparam("item_ids", expanding=True)))
)


def item_states(session: Session, order_id: int) -> list[ItemState]:
    """Every item of the order (in id order) with its open reservations and the units in open parcels."""
    return [_item_state(row) for row in _ITEM_STATES.run(session, {"order_id": order_id})]


IDS_PER_READ = 500
"""Order ids bound in one read of many orders' items: each is a bound value, and a read stays small."""


def item_states_of(session: Session, order_ids: Sequence[int]) -> dict[int, list[ItemState]]:
    """:func:`item_states` of many orders, by order id: one query per ``IDS_PER_READ`` orders."""
    found: dict[int, list[ItemState]] = {order_id: [] for order_id in order_ids}
    ids = list(found)
    for start in range(0, len(ids), IDS_PER_READ):
        for row in _ITEM_STATES_OF.run(session, {"order_ids": ids[start:start + IDS_PER_READ]}):
            found[row[1]].append(_item_state(row))
    return found


def _item_state(r: Any) -> ItemState:
    return ItemState(
        id=r[0],
        order_id=r[1],
        product=ProductRef(
            id=r[6],
            store_id=r[7],
            store_code="",
            sku=r[8],
            title=r[9],
            product_type=ProductType(r[10]),
            is_placeholder=r[11],
        ),
        quantity=r[2],
        shipped_quantity=r[3],
        returned_quantity=r[4],
        open_reserved=int(r[5]),
        gtin=r[12],
        in_parcels=int(r[13]),
    )


Slots = dict[int, tuple[int, str]]
"""Stock row id -> (location id, location code), read with the reservations."""


Held = tuple[list[OpenReservation], Slots]
"""An item's open reservations (oldest first) and where their stock rows are."""


def _item_reservations(session: Session, item_id: int) -> Held:
    """An item's open reservations (oldest first) and where their stock rows are."""
    held: Held = ([], {})
    for row in _ITEM_RESERVATIONS.run(session, {"item_id": item_id}):
        _add_reservation(held, row)
    return held


def reservations_of_items(session: Session, item_ids: Sequence[int]) -> dict[int, Held]:
    """:func:`_item_reservations` of many items, by item id: one query per ``IDS_PER_READ`` items.
    Exact for as long as the caller holds the items' orders or their stock rows locked."""
    found: dict[int, Held] = {item_id: ([], {}) for item_id in item_ids}
    ids = list(found)
    for start in range(0, len(ids), IDS_PER_READ):
        for row in _ITEMS_RESERVATIONS.run(session, {"item_ids": ids[start:start + IDS_PER_READ]}):
            _add_reservation(found[row[3]], row)
    return found


def _add_reservation(held: Held, row: Any) -> None:
    rid, inventory_id, location_id, order_item_id, open_quantity, row_location, code = row
    reservations, slots = held
    reservations.append(OpenReservation(rid, inventory_id, location_id, order_item_id, open_quantity))
    if inventory_id is not None and code is not None:
        slots[inventory_id] = (row_location, code)


_CANDIDATES = (
    select(
        _inventory.c.id, _locations.c.code, _locations.c.sort_key,
        _inventory.c.quantity - _inventory.c.reserved_quantity, _locations.c.id,
    )
    .join(_locations, _locations.c.id == _inventory.c.location_id)
    .where(_inventory.c.product_id == bindparam("product_id"), _locations.c.is_active.is_(True))
)
_CANDIDATES_AT = Prepared(_CANDIDATES.where(_inventory.c.location_id == bindparam("location_id")))
_CANDIDATES_ANYWHERE = Prepared(_CANDIDATES)


def _candidates(session: Session, product_id: int, location_id: int | None = None) -> list[tuple[StockCandidate, int]]:
    """Stock rows of a product with something available, with their location ids."""
    query = _CANDIDATES_ANYWHERE if location_id is None else _CANDIDATES_AT
    rows = query.run(session, {"product_id": product_id, "location_id": location_id})
    return [(StockCandidate(r[0], r[1], r[2], int(r[3])), r[4]) for r in rows]


def reserve_for_item(
    session: Session, item_id: int, product: ProductRef, quantity: int, note: LedgerNote,
    expires_at: datetime | None = None, stock: LockedStock | None = None,
) -> tuple[list[ReservedLine], int]:
    """Reserve up to ``quantity`` units of ``product`` for the order item ``item_id`` across locations:
    (lines reserved, shortfall).

    ``stock``: where the candidates come from when many items are reserved at once (read once), and
    what makes the holds (see orders/locked_stock.py)."""
    found = _candidates(session, product.id) if stock is None else stock.candidates(product.id)
    location_ids = {candidate.inventory_id: location_id for candidate, location_id in found}
    plan, shortfall = plan_allocation(quantity, [candidate for candidate, _ in found])
    reserved: list[ReservedLine] = []
    for allocation in plan:
        slot = Slot(product, location_ids[allocation.inventory_id], allocation.location, allocation.inventory_id)
        if stock is None:
            hold(session, slot, allocation.quantity, note, order_item_id=item_id, expires_at=expires_at)
        else:  # counted there, and perhaps written later with the holds of other orders
            stock.hold(slot, allocation.quantity, note, item_id, expires_at)
        reserved.append(ReservedLine(item_id, product.sku, allocation.location, allocation.quantity))
    return reserved, shortfall


def release_item(session: Session, item: ItemState, note: LedgerNote, held: Held | None = None) -> list[ReservedLine]:
    """Release every open reservation of an item (cancel, expiry); ``held``: read already, for many items."""
    reservations, slots = held if held is not None else _item_reservations(session, item.id)
    released, _total = _settle_up_to(session, item, reservations, slots, item.open_reserved, TransactionType.RELEASE,
                                      note)
    return [line for line, _location_id in released]


def _by_inventory(reservations: list[OpenReservation]) -> dict[int, list[OpenReservation]]:
    groups: dict[int, list[OpenReservation]] = {}
    for reservation in reservations:
        if reservation.inventory_id is not None:
            groups.setdefault(reservation.inventory_id, []).append(reservation)
    return dict(sorted(groups.items()))


def fulfill_for_item(
    session: Session, item: ItemState, quantity: int, note: LedgerNote, location_id: int | None = None
) -> list[ReservedLine]:
    """Take ``quantity`` units of an item out of stock, or raise InsufficientStock (see ``fulfill_lines``)."""
    return [line for line, _location_id in fulfill_lines(session, item, quantity, note, location_id)]


def fulfill_lines(
    session: Session, item: ItemState, quantity: int, note: LedgerNote, location_id: int | None = None
) -> list[tuple[ReservedLine, int]]:
    """Take ``quantity`` units of an item out of stock, or raise InsufficientStock; with each line's location id.

    The item's own reservations go first (only those at ``location_id`` when a packer picks the
    location). What they do not cover comes from available stock (there, or along the picking
    path). If the item is then reserved for more than it still needs — the goods came from
    another shelf than the reserved one — the surplus reservation is released: the reservation
    moved, and the ledger shows the release there and the fulfilment here.
    """
    if not item.stock_tracked:
        return []
    reservations, slots = _item_reservations(session, item.id)
    usable = [r for r in reservations if location_id in (None, r.location_id)]
    taken, used = _settle_up_to(session, item, usable, slots, quantity, TransactionType.FULFILL, note)
    if quantity > used:
        taken += _fulfill_from_available(session, item, quantity - used, note, location_id)
    surplus = (item.open_reserved - used) - (item.remaining - quantity)
    if surplus > 0:
        reservations, slots = _item_reservations(session, item.id)  # as the settling above left them
        _settle_up_to(session, item, reservations, slots, surplus, TransactionType.RELEASE, note)
    return taken


def _settle_up_to(
    session: Session,
    item: ItemState,
    reservations: list[OpenReservation],
    slots: Slots,
    limit: int,
    kind: TransactionType,
    note: LedgerNote,
) -> tuple[list[tuple[ReservedLine, int]], int]:
    """Release or fulfil up to ``limit`` units from these reservations, row by row in id order."""
    done: list[tuple[ReservedLine, int]] = []
    total = 0
    for inventory_id, group in _by_inventory(reservations).items():
        if total == limit:
            break
        amount = min(limit - total, sum(r.open_quantity for r in group))
        row_location, code = slots[inventory_id]
        slot = Slot(item.product, row_location, code, inventory_id)
        settle(session, slot, group, amount, kind, note)
        done.append((ReservedLine(item.id, item.product.sku, code, amount), row_location))
        total += amount
    return done, total


def _fulfill_from_available(
    session: Session, item: ItemState, quantity: int, note: LedgerNote, location_id: int | None
) -> list[tuple[ReservedLine, int]]:
    found = _candidates(session, item.product.id, location_id)
    location_ids = {candidate.inventory_id: loc for candidate, loc in found}
    plan, shortfall = plan_allocation(quantity, [candidate for candidate, _ in found])
    if shortfall:
        available = quantity - shortfall
        where = "at that location" if location_id is not None else "in stock"
        raise InsufficientStock(
            f"Insufficient stock for {item.product.title} ({item.product.sku}): {available} available {where} "
            f"besides its reservations. Available: {available}, Requested: {quantity}.",
            available=available,
            requested=quantity,
        )
    taken: list[tuple[ReservedLine, int]] = []
    for allocation in plan:
        slot = Slot(item.product, location_ids[allocation.inventory_id], allocation.location, allocation.inventory_id)
        apply_change(session, slot, TransactionType.FULFILL, quantity_change=-allocation.quantity, reserved_change=0,
                     note=note)
        taken.append((ReservedLine(item.id, item.product.sku, allocation.location, allocation.quantity),
                      slot.location_id))
    return taken
