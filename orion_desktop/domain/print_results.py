"""What pick lists and packing slips show: plain data that the printing layer lays out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class PickRow:
    location: str | None  # None: not reserved anywhere yet (backordered)
    sort_key: int
    sku: str
    title: str
    quantity: int
    order_number: str


@dataclass(frozen=True, slots=True)
class PickList:
    order_numbers: tuple[str, ...]
    rows: tuple[PickRow, ...]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SlipLine:
    sku: str
    title: str
    quantity: int


@dataclass(frozen=True, slots=True)
class PackingSlip:
    store_name: str
    order_number: str
    customer_name: str | None
    shipment_number: str
    shipped_at: datetime | None
    tracking_number: str | None
    carrier: str | None
    shipped: tuple[SlipLine, ...]
    still_open: tuple[SlipLine, ...]
