"""Frozen value objects returned by the report service (low stock with backorders, backorder totals)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LowStockReportRow:
    """A stock row at or below its low-stock threshold, or of a product down to its reorder point,
    with what orders still wait for of its product.

    ``backordered_units`` and ``backordered_orders`` count the whole product (every location):
    new stock of the product goes to those orders first, wherever it is put.
    """

    inventory_id: int
    product_id: int
    store_code: str
    sku: str
    gtin: str | None  # display form
    product_title: str
    location: str
    quantity: int
    reserved_quantity: int
    threshold: int  # the level this row was compared with: the override, the product's own or the default
    reorder_point: int | None
    backordered_units: int
    backordered_orders: int
    product_available: int  # available units of the whole product, every location

    @property
    def available_quantity(self) -> int:
        return self.quantity - self.reserved_quantity

    @property
    def below_threshold(self) -> bool:
        return self.available_quantity <= self.threshold

    @property
    def at_reorder_point(self) -> bool:
        """The whole product is down to its reorder point (listed for that even if this row is not low)."""
        return self.reorder_point is not None and self.product_available <= self.reorder_point


@dataclass(frozen=True, slots=True)
class BackorderSummary:
    """Units that processing or partially shipped orders still wait for (nothing reserved for them yet)."""

    units: int
    orders: int
    items: int
    products: int
