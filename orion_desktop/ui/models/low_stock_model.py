"""The low-stock list: rows at or below a threshold, and the rows of products down to their reorder
point, with the backorders waiting for each product.

Loaded page by page in the background (``ReportService.low_stock`` with limit/offset).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from enum import IntEnum
from typing import Protocol

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor

from orion_desktop.domain.report_results import LowStockReportRow
from orion_desktop.domain.validation import REORDER_POINTS_ON_SCREENS
from orion_desktop.ui.models.row_model import MUTED_COLOR, WARNING_COLOR, Column, PagedRowTableModel, PageQuery, RowRole

__all__ = ["DEFAULT_PAGE_SIZE", "LowStockColumn", "LowStockModel", "LowStockSource", "RowRole"]

DEFAULT_PAGE_SIZE = 200


class LowStockSource(Protocol):
    """What the model needs from the report service."""

    def low_stock(
        self,
        threshold: int | str | None = ...,
        *,
        store: str | None = ...,
        limit: int | str | None = ...,
        offset: int = ...,
        reorder_points: bool = ...,
    ) -> Sequence[LowStockReportRow]: ...


class LowStockColumn(IntEnum):
    PRODUCT = 0
    SKU = 1
    STORE = 2
    LOCATION = 3
    QUANTITY = 4
    AVAILABLE = 5
    THRESHOLD = 6
    REORDER_POINT = 7
    PRODUCT_AVAILABLE = 8
    BACKORDERED = 9
    WAITING_ORDERS = 10


_COLUMNS: tuple[Column[LowStockReportRow], ...] = (
    Column(
        "Product",
        lambda r: r.product_title,
        cell_tip=lambda r: f"{r.product_title}\nSKU {r.sku}" + (f" · GTIN {r.gtin}" if r.gtin else ""),
    ),
    Column("SKU", lambda r: r.sku),
    Column("Store", lambda r: r.store_code),
    Column("Location", lambda r: r.location),
    Column("On hand", lambda r: r.quantity, number=True, tip="Units on hand at this location"),
    Column("Available", lambda r: r.available_quantity, number=True, tip="On hand minus reserved"),
    Column("Threshold", lambda r: r.threshold, number=True, tip="The row is listed when available is at or below this"),
    Column("Reorder\nat", lambda r: r.reorder_point, number=True, tip="The product's reorder point, if it has one"),
    Column(
        "All\nlocations",
        lambda r: r.product_available,
        number=True,
        tip="Units of this product available at every location together: what the reorder point is compared with",
        cell_tip=lambda r: _why_listed(r),
    ),
    Column(
        "Backordered",
        lambda r: r.backordered_units,
        number=True,
        tip="Units of this product that orders wait for (over all locations); new stock goes to them first",
    ),
    Column("Waiting\norders", lambda r: r.backordered_orders, number=True, tip="Orders waiting for this product"),
)


def _why_listed(row: LowStockReportRow) -> str:
    reasons = []
    if row.below_threshold:
        reasons.append(f"{row.available_quantity} available here, at or below the threshold of {row.threshold}")
    if row.at_reorder_point:
        reasons.append(
            f"{row.product_available} available at all locations, at or below the reorder point of {row.reorder_point}"
        )
    return "Listed: " + "; ".join(reasons) if reasons else ""


class LowStockModel(PagedRowTableModel[LowStockReportRow]):
    def __init__(
        self, source: LowStockSource, *, page_size: int = DEFAULT_PAGE_SIZE, parent: QObject | None = None
    ) -> None:
        super().__init__(_COLUMNS, page_size=page_size, parent=parent)
        self._source = source
        self._threshold: int | None = None
        self._reorder_points = REORDER_POINTS_ON_SCREENS

    @property
    def threshold(self) -> int | None:
        """The threshold asked for; None means each product's own."""
        return self._threshold

    @property
    def reorder_points(self) -> bool:
        """Whether the rows of products down to their reorder point are listed too."""
        return self._reorder_points

    def set_threshold(self, threshold: int | None, *, reorder_points: bool | None = None) -> None:
        same = threshold == self._threshold and reorder_points in (None, self._reorder_points) and self.loaded_once
        self._threshold = threshold
        if reorder_points is not None:
            self._reorder_points = reorder_points
        self.reload(keep_loaded=same)  # the same list again (a refresh) keeps the rows loaded

    def page_query(self) -> PageQuery:
        source, threshold, reorder_points = self._source, self._threshold, self._reorder_points
        return lambda _last, offset, limit: source.low_stock(
            threshold, limit=limit, offset=offset, reorder_points=reorder_points
        )

    def row_key(self, row: LowStockReportRow) -> Hashable:
        return row.inventory_id

    def foreground(self, row: LowStockReportRow, column: int) -> QColor | None:
        if column == LowStockColumn.AVAILABLE and row.available_quantity <= 0:
            return WARNING_COLOR
        if column == LowStockColumn.AVAILABLE and not row.below_threshold:
            return MUTED_COLOR  # listed for the product's reorder point, not for this row
        if column == LowStockColumn.PRODUCT_AVAILABLE:
            return WARNING_COLOR if row.at_reorder_point else MUTED_COLOR
        if column in (LowStockColumn.BACKORDERED, LowStockColumn.WAITING_ORDERS):
            return WARNING_COLOR if row.backordered_units > 0 else MUTED_COLOR  # the few that matter stand out
        return None
