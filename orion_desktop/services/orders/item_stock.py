"""Stock work on behalf of order items: reserve (with allocation across locations), fulfil, release.

Callers hold the order row and the stock rows of its products locked (lock_product_rows), so the
plans made here from fresh reads cannot be overtaken by another PC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
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
from orion_desktop.domain.enums import ProductType, TransactionType
from orion_desktop.domain.errors import InsufficientStock
from orion_desktop.domain.order_results import ReservedLine
from orion_desktop.domain.orders import OPEN_SHIPMENT_STATUSES, StockCandidate, plan_allocation
from orion_desktop.services.lookup import ProductRef, Slot
from orion_desktop.services.stock.level_changes import LedgerNote, apply_change
from orion_desktop.services.stock.reservations import OpenReservation, hold, open_reservations, settle

_OPEN = (
    InventoryReservation.quantity_reserved
    - InventoryReservation.quantity_fulfilled
    - InventoryReservation.quantity_released
)


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


def item_states(session: Session, order_id: int) -> list[ItemState]:
    open_parts = (
        select(InventoryReservation.order_item_id, func.sum(_OPEN).label("open_quantity"))
        .where(InventoryReservation.status == "active", InventoryReservation.order_id == order_id)
        .group_by(InventoryReservation.order_item_id)
        .subquery()
    )
    # Read with the items (no round trip of its own): shipping another way must know which
    # parcels it overtakes.
    parcel_parts = (
        select(ShipmentLine.order_item_id, func.sum(ShipmentLine.quantity).label("parcel_quantity"))
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .where(Shipment.order_id == order_id, Shipment.status.in_([s.value for s in OPEN_SHIPMENT_STATUSES]))
        .group_by(ShipmentLine.order_item_id)
        .subquery()
    )
    rows = session.execute(
        select(
            OrderItem.id,
            OrderItem.order_id,
            OrderItem.quantity,
            OrderItem.shipped_quantity,
            OrderItem.returned_quantity,
            func.coalesce(open_parts.c.open_quantity, 0),
            Product.id.label("product_id"),
            Product.store_id,
            Product.sku,
            Product.title,
            Product.product_type,
            Product.is_placeholder,
            Product.gtin,
            func.coalesce(parcel_parts.c.parcel_quantity, 0).label("in_parcels"),
        )
        .join(Product, Product.id == OrderItem.product_id)
        .outerjoin(open_parts, open_parts.c.order_item_id == OrderItem.id)
        .outerjoin(parcel_parts, parcel_parts.c.order_item_id == OrderItem.id)
        .where(OrderItem.order_id == order_id)
        .order_by(OrderItem.id)
    ).all()
    return [
        ItemState(
            id=r.id,
            order_id=r.order_id,
            product=ProductRef(
                id=r.product_id,
                store_id=r.store_id,
                store_code="",
                sku=r.sku,
                title=r.title,
                product_type=ProductType(r.product_type),
                is_placeholder=r.is_placeholder,
            ),
            quantity=r.quantity,
            shipped_quantity=r.shipped_quantity,
            returned_quantity=r.returned_quantity,
            open_reserved=int(r[5]),
            gtin=r.gtin,
            in_parcels=int(r.in_parcels),
        )
        for r in rows
    ]


def _candidates(session: Session, product_id: int, location_id: int | None = None) -> list[tuple[StockCandidate, int]]:
    """Stock rows of a product with something available, with their location ids."""
    query = (
        select(
            Inventory.id, Location.code, Location.sort_key, Inventory.quantity - Inventory.reserved_quantity,
            Location.id,
        )
        .join(Location, Location.id == Inventory.location_id)
        .where(Inventory.product_id == product_id, Location.is_active.is_(True))
    )
    if location_id is not None:
        query = query.where(Inventory.location_id == location_id)
    return [(StockCandidate(r[0], r[1], r[2], int(r[3])), r[4]) for r in session.execute(query).all()]


def reserve_for_item(
    session: Session, item: ItemState, quantity: int, note: LedgerNote, expires_at: datetime | None = None
) -> tuple[list[ReservedLine], int]:
    """Reserve up to ``quantity`` units for an item across locations: (lines reserved, shortfall)."""
    found = _candidates(session, item.product.id)
    location_ids = {candidate.inventory_id: location_id for candidate, location_id in found}
    plan, shortfall = plan_allocation(quantity, [candidate for candidate, _ in found])
    reserved: list[ReservedLine] = []
    for allocation in plan:
        slot = Slot(item.product, location_ids[allocation.inventory_id], allocation.location, allocation.inventory_id)
        hold(session, slot, allocation.quantity, note, order_item_id=item.id, expires_at=expires_at)
        reserved.append(ReservedLine(item.id, item.product.sku, allocation.location, allocation.quantity))
    return reserved, shortfall


def _slot_of(session: Session, product: ProductRef, inventory_id: int) -> Slot:
    location_id, code = session.execute(
        select(Location.id, Location.code)
        .join(Inventory, Inventory.location_id == Location.id)
        .where(Inventory.id == inventory_id)
    ).one()
    return Slot(product, location_id, code, inventory_id)


def release_item(session: Session, item: ItemState, note: LedgerNote) -> list[ReservedLine]:
    """Release every open reservation of an item (cancel, expiry)."""
    released, _total = _settle_up_to(
        session, item, open_reservations(session, order_item_id=item.id), item.open_reserved,
        TransactionType.RELEASE, note,
    )
    return released


def _by_inventory(reservations: list[OpenReservation]) -> dict[int, list[OpenReservation]]:
    groups: dict[int, list[OpenReservation]] = {}
    for reservation in reservations:
        if reservation.inventory_id is not None:
            groups.setdefault(reservation.inventory_id, []).append(reservation)
    return dict(sorted(groups.items()))


def fulfill_for_item(
    session: Session, item: ItemState, quantity: int, note: LedgerNote, location_id: int | None = None
) -> list[ReservedLine]:
    """Take ``quantity`` units of an item out of stock, or raise InsufficientStock.

    The item's own reservations go first (only those at ``location_id`` when a packer picks the
    location). What they do not cover comes from available stock (there, or along the picking
    path). If the item is then reserved for more than it still needs — the goods came from
    another shelf than the reserved one — the surplus reservation is released: the reservation
    moved, and the ledger shows the release there and the fulfilment here.
    """
    if not item.stock_tracked:
        return []
    usable = [
        r for r in open_reservations(session, order_item_id=item.id) if location_id in (None, r.location_id)
    ]
    taken, used = _settle_up_to(session, item, usable, quantity, TransactionType.FULFILL, note)
    if quantity > used:
        taken += _fulfill_from_available(session, item, quantity - used, note, location_id)
    surplus = (item.open_reserved - used) - (item.remaining - quantity)
    if surplus > 0:
        _settle_up_to(session, item, open_reservations(session, order_item_id=item.id), surplus,
                      TransactionType.RELEASE, note)
    return taken


def _settle_up_to(
    session: Session,
    item: ItemState,
    reservations: list[OpenReservation],
    limit: int,
    kind: TransactionType,
    note: LedgerNote,
) -> tuple[list[ReservedLine], int]:
    """Release or fulfil up to ``limit`` units from these reservations, row by row in id order."""
    done: list[ReservedLine] = []
    total = 0
    for inventory_id, group in _by_inventory(reservations).items():
        if total == limit:
            break
        amount = min(limit - total, sum(r.open_quantity for r in group))
        slot = _slot_of(session, item.product, inventory_id)
        settle(session, slot, group, amount, kind, note)
        done.append(ReservedLine(item.id, item.product.sku, slot.location_code, amount))
        total += amount
    return done, total


def _fulfill_from_available(
    session: Session, item: ItemState, quantity: int, note: LedgerNote, location_id: int | None
) -> list[ReservedLine]:
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
    taken: list[ReservedLine] = []
    for allocation in plan:
        slot = Slot(item.product, location_ids[allocation.inventory_id], allocation.location, allocation.inventory_id)
        apply_change(session, slot, TransactionType.FULFILL, quantity_change=-allocation.quantity, reserved_change=0,
                     note=note)
        taken.append(ReservedLine(item.id, item.product.sku, allocation.location, allocation.quantity))
    return taken
