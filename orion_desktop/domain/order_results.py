"""Frozen value objects returned by the order and shipping services. Field names follow the spec.

Also the lines that order requests carry (``OrderLine``, ``ShipRequest``); the requests themselves
are in ``domain/requests.py``, which imports them from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from orion_desktop.domain.orders import OPEN_SHIPMENT_STATUSES, OrderHistoryAction, OrderStatus, ShipmentStatus


@dataclass(frozen=True, slots=True)
class OrderLine:
    """What a new order asks for: a product (SKU or GTIN) and a quantity."""

    product: str
    quantity: int | str


@dataclass(frozen=True, slots=True)
class ShipRequest:
    """One line of a shipment: an item (id, SKU or GTIN), how many (None = all remaining), from where."""

    item: str | int
    quantity: int | str | None = None
    location: str | None = None


@dataclass(frozen=True, slots=True)
class ReservationInfo:
    id: int
    item_id: int | None
    sku: str
    location: str
    quantity_reserved: int
    quantity_fulfilled: int
    quantity_released: int
    status: str
    expires_at: datetime | None

    @property
    def open_quantity(self) -> int:
        return self.quantity_reserved - self.quantity_fulfilled - self.quantity_released


@dataclass(frozen=True, slots=True)
class OrderItemInfo:
    id: int
    product_id: int
    product_name: str
    sku: str
    gtin: str | None
    quantity: int
    shipped_quantity: int
    returned_quantity: int
    reserved: int
    backordered: int
    stock_tracked: bool

    @property
    def remaining_quantity(self) -> int:
        return self.quantity - self.shipped_quantity

    @property
    def is_fully_shipped(self) -> bool:
        return self.shipped_quantity >= self.quantity


@dataclass(frozen=True, slots=True)
class ShipmentLineInfo:
    item_id: int
    sku: str
    product_name: str
    location: str | None
    quantity: int


@dataclass(frozen=True, slots=True)
class ShipmentInfo:
    id: int
    shipment_number: str
    order_number: str
    status: ShipmentStatus
    assigned_to: str | None
    box_size: str | None
    weight_grams: int | None
    notes: str | None
    tracking_number: str | None
    carrier: str | None
    created_at: datetime
    shipped_at: datetime | None
    lines: tuple[ShipmentLineInfo, ...]


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    id: int
    action: OrderHistoryAction
    old_status: str | None
    new_status: str | None
    description: str
    created_by: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NoteInfo:
    id: int
    note: str
    is_internal: bool
    created_by: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class OrderSummary:
    """One row of the orders list."""

    id: int
    order_number: str
    store_code: str
    status: OrderStatus
    customer_name: str | None
    channel: str
    created_at: datetime
    item_count: int
    ordered_units: int
    shipped_units: int


@dataclass(frozen=True, slots=True)
class OrderDetail:
    id: int
    order_number: str
    store_code: str
    status: OrderStatus
    customer_name: str | None
    customer_email: str | None
    channel: str
    tracking_number: str | None
    carrier: str | None
    reservation_expires_at: datetime | None
    created_at: datetime
    items: tuple[OrderItemInfo, ...]
    reservations: tuple[ReservationInfo, ...]
    shipments: tuple[ShipmentInfo, ...]

    def unparcelled_units(self) -> dict[int, int]:
        """Per item id: units not yet shipped and not in an open parcel (what a new parcel can take)."""
        in_parcels: dict[int, int] = {}
        for shipment in self.shipments:
            if shipment.status in OPEN_SHIPMENT_STATUSES:
                for line in shipment.lines:
                    in_parcels[line.item_id] = in_parcels.get(line.item_id, 0) + line.quantity
        free = {item.id: item.remaining_quantity - in_parcels.get(item.id, 0) for item in self.items}
        return {item_id: units for item_id, units in free.items() if units > 0}


@dataclass(frozen=True, slots=True)
class ReservedLine:
    item_id: int
    sku: str
    location: str
    quantity: int


@dataclass(frozen=True, slots=True)
class SkippedItem:
    item_id: int
    sku: str
    reason: str


@dataclass(frozen=True, slots=True)
class BackorderedItem:
    item_id: int
    sku: str
    quantity: int
    reason: str


@dataclass(frozen=True, slots=True)
class StatusChangeResult:
    """What `order status --set` did (the spec's soft-failure report)."""

    order_number: str
    old_status: OrderStatus
    new_status: OrderStatus
    reserved: tuple[ReservedLine, ...] = ()
    skipped_items: tuple[SkippedItem, ...] = ()
    backordered: tuple[BackorderedItem, ...] = ()
    released: tuple[ReservedLine, ...] = ()
    fulfilled: tuple[ReservedLine, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ShipItemResult:
    """The spec's ship-item result."""

    order_id: int
    item_id: int
    fulfilled_quantity: int
    shipped_quantity: int
    remaining_quantity: int
    is_fully_shipped: bool


@dataclass(frozen=True, slots=True)
class ItemShipmentStatus:
    item_id: int
    product_name: str
    quantity: int
    shipped_quantity: int
    remaining_quantity: int
    is_fully_shipped: bool


@dataclass(frozen=True, slots=True)
class ShipmentStatusReport:
    """The spec's shipment status, field for field."""

    order_id: int
    order_number: str
    order_status: OrderStatus
    is_fully_shipped: bool
    is_partially_shipped: bool
    shipped_item_count: int
    total_item_count: int
    total_shipped_units: int
    total_ordered_units: int
    items: tuple[ItemShipmentStatus, ...]


@dataclass(frozen=True, slots=True)
class ShipmentResult:
    """One parcel shipped (``OrderService.ship``, ``PackingService.complete``): its shipment and, per
    item in it, what shipped now and what remains. Only what the ship wrote: nothing is read back.

    Kept under an operation key as JSON; a key stored while this was a ``(shipment_id, items)`` pair
    still replays (its fields are in that order).
    """

    shipment_id: int
    items: tuple[ShipItemResult, ...]

    @property
    def units(self) -> int:
        """Units that left in this parcel."""
        return sum(item.fulfilled_quantity for item in self.items)


@dataclass(frozen=True, slots=True)
class ReturnResult:
    order_number: str
    item_id: int
    sku: str
    quantity: int
    restocked_location: str | None
    damaged: bool
    returned_quantity: int


@dataclass(frozen=True, slots=True)
class BackorderRow:
    order_number: str
    order_id: int
    item_id: int
    sku: str
    product_name: str
    quantity: int
    ordered_at: datetime


@dataclass(frozen=True, slots=True)
class ExpiryResult:
    order_numbers: tuple[str, ...]
    released_units: int
