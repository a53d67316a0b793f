"""Frozen value objects that services return. Never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from orion_desktop.domain.enums import ProductType, TransactionType

UNLIMITED = 999_999
"""What the spec reports as the available quantity of non-physical products."""


@dataclass(frozen=True, slots=True)
class StoreInfo:
    id: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class LocationInfo:
    id: int
    code: str
    name: str | None
    sort_key: int
    is_active: bool


@dataclass(frozen=True, slots=True)
class LocationSummary:
    """A location with what is stored there."""

    code: str
    name: str | None
    sort_key: int
    is_active: bool
    stock_rows: int
    quantity: int
    reserved_quantity: int

    @property
    def available_quantity(self) -> int:
        return self.quantity - self.reserved_quantity


@dataclass(frozen=True, slots=True)
class ProductInfo:
    id: int
    store_code: str
    sku: str
    gtin: str | None  # display form (13 digits unless a real GTIN-14)
    title: str
    product_type: ProductType
    low_stock_threshold: int | None
    reorder_point: int | None
    is_placeholder: bool

    @property
    def unlimited(self) -> bool:
        return not self.product_type.is_stock_tracked


@dataclass(frozen=True, slots=True)
class LocationStock:
    location: str
    quantity: int
    reserved_quantity: int

    @property
    def available_quantity(self) -> int:
        return self.quantity - self.reserved_quantity


@dataclass(frozen=True, slots=True)
class ProductStock:
    """A product's stock over all locations (``stock show``)."""

    product: ProductInfo
    locations: tuple[LocationStock, ...]

    @property
    def total_quantity(self) -> int:
        return sum(loc.quantity for loc in self.locations)

    @property
    def total_reserved(self) -> int:
        return sum(loc.reserved_quantity for loc in self.locations)

    @property
    def total_available(self) -> int:
        if self.product.unlimited:
            return UNLIMITED
        return self.total_quantity - self.total_reserved


@dataclass(frozen=True, slots=True)
class StockRow:
    """One inventory row joined with its product and location, as tables show it."""

    inventory_id: int
    store_code: str
    product_id: int
    sku: str
    gtin: str | None
    title: str
    location: str
    quantity: int
    reserved_quantity: int

    @property
    def available_quantity(self) -> int:
        return self.quantity - self.reserved_quantity


@dataclass(frozen=True, slots=True)
class LowStockRow:
    product_id: int
    store_code: str
    store_name: str
    sku: str
    product_title: str
    location: str
    quantity: int
    available_quantity: int
    threshold: int


@dataclass(frozen=True, slots=True)
class InventoryStats:
    total_entries: int
    total_quantity: int
    total_reserved: int
    total_available: int
    low_stock_count: int
    stores_with_inventory: int
    unique_locations: int


@dataclass(frozen=True, slots=True)
class StockChange:
    """What one stock operation did at one location: the ledger row it wrote."""

    transaction_type: TransactionType
    sku: str
    location: str
    quantity_change: int
    reserved_change: int
    quantity_after: int
    reserved_after: int

    @property
    def available_after(self) -> int:
        return self.quantity_after - self.reserved_after


@dataclass(frozen=True, slots=True)
class TransferResult:
    source: StockChange
    destination: StockChange


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    id: int
    created_at: datetime
    transaction_type: TransactionType
    store_code: str
    sku: str
    location: str
    quantity_change: int
    reserved_change: int
    quantity_after: int
    reserved_after: int
    order_number: str | None
    reason: str | None
    created_by: str | None


@dataclass(frozen=True, slots=True)
class LedgerMismatch:
    """An inventory row whose stock does not match the sum of its ledger (invariant L)."""

    sku: str
    location: str
    quantity: int
    reserved_quantity: int
    ledger_quantity: int
    ledger_reserved: int
    last_quantity_after: int | None
    last_reserved_after: int | None

    def describe(self) -> str:
        return (
            f"{self.sku} at {self.location}: stock says {self.quantity} on hand / {self.reserved_quantity} reserved, "
            f"ledger adds up to {self.ledger_quantity} / {self.ledger_reserved} "
            f"(last row: {self.last_quantity_after} / {self.last_reserved_after})"
        )


@dataclass(frozen=True, slots=True)
class ReservationMismatch:
    """An inventory row whose reserved quantity differs from its open reservations (invariant R)."""

    sku: str
    location: str
    reserved_quantity: int
    open_reservations: int

    def describe(self) -> str:
        return (
            f"{self.sku} at {self.location}: {self.reserved_quantity} reserved, "
            f"but open reservations add up to {self.open_reservations}"
        )


@dataclass(frozen=True, slots=True)
class VerifyReport:
    rows_checked: int
    ledger_rows: int
    mismatches: tuple[LedgerMismatch, ...]
    reservation_mismatches: tuple[ReservationMismatch, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.mismatches and not self.reservation_mismatches

    def problems(self) -> list[str]:
        return [m.describe() for m in self.mismatches] + [m.describe() for m in self.reservation_mismatches]


@dataclass(frozen=True, slots=True)
class ImportResult:
    kind: str
    rows: int
    created: int
    updated: int
