"""The inventory table: one row per (product, location), loaded page by page.

Filtering, searching and sorting (header clicks) run in SQL (``StockQueries.list_stock``): a new
filter or sort resets the model and loads the first page; scrolling near the end makes the view call
``fetchMore``, which loads the rows after the last one received (keyset paging, ``after=``; see
``KeysetTableModel``).

All database access goes through ``InventoryModel._query``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush

from orion_desktop.domain.results import StockRow
from orion_desktop.ui.models.keyset_model import DEFAULT_PAGE_SIZE, Header, KeysetTableModel
from orion_desktop.ui.models.row_model import WARNING_COLOR, RowRole


class InventoryColumn(IntEnum):
    PRODUCT = 0
    SKU = 1
    GTIN = 2
    LOCATION = 3
    QUANTITY = 4
    RESERVED = 5
    AVAILABLE = 6


_HEADERS = (  # in InventoryColumn order; the sort keys are those of StockQueries.list_stock
    Header("Product", sort_key="product"),
    Header("SKU", sort_key="sku"),
    Header("GTIN", sort_key="gtin"),
    Header("Location", sort_key="location"),
    Header("Quantity", number=True, tip="Units on hand at this location", sort_key="quantity"),
    Header("Reserved", number=True, tip="Units set aside for orders", sort_key="reserved"),
    Header(
        "Available", number=True, tip="Quantity minus reserved: what can still be sold or moved", sort_key="available"
    ),
)


class InventoryRole(IntEnum):
    """Custom data roles. ``ROW`` returns the whole ``StockRow`` of the index's row."""

    ROW = RowRole.ROW.value
    VALUE = RowRole.VALUE.value  # the raw value of the cell (int for numbers, None for no GTIN)


@dataclass(frozen=True, slots=True)
class StockFilter:
    """What the table shows. Empty or None fields do not filter."""

    store: str | None = None
    location: str | None = None
    search: str = ""
    low_stock_at_most: int | None = None  # keep rows whose available quantity is at most this
    low_stock_only: bool = False  # keep rows at or below each product's own low-stock threshold

    def query_arguments(self) -> dict[str, Any]:
        return {
            "store": self.store or None,
            "location": self.location or None,
            "search": self.search.strip() or None,
            "low_stock": self.low_stock_at_most,
            "low_stock_only": self.low_stock_only,
        }

    @property
    def is_active(self) -> bool:
        """True when anything narrows the list."""
        return bool(
            self.store or self.location or self.search.strip() or self.low_stock_at_most is not None
            or self.low_stock_only
        )


class StockSource(Protocol):
    """What the model needs from ``services.stock``."""

    def list_stock(
        self,
        *,
        store: str | None = ...,
        location: str | None = ...,
        low_stock: int | str | None = ...,
        low_stock_only: bool = ...,
        search: str | None = ...,
        limit: int | None = ...,
        after: StockRow | None = ...,
        sort: str | None = ...,
        descending: bool = ...,
    ) -> Sequence[StockRow]: ...


class InventoryModel(KeysetTableModel[StockRow]):
    """Stock rows for the current ``StockFilter`` and sort, fetched in pages as the view scrolls.

    The default order is the picking order: store, SKU, location."""

    def __init__(
        self, source: StockSource, *, page_size: int = DEFAULT_PAGE_SIZE, parent: QObject | None = None
    ) -> None:
        super().__init__(_HEADERS, page_size=page_size, parent=parent)
        self._source = source
        self._filter = StockFilter()

    @property
    def stock_filter(self) -> StockFilter:
        return self._filter

    def set_filter(self, stock_filter: StockFilter) -> bool:
        """Show rows matching ``stock_filter``: re-queries from the first page. False on error."""
        self._filter = stock_filter
        return self.reload(keep_loaded=False)

    def row_of_inventory(self, inventory_id: int) -> int | None:
        """The row showing inventory row ``inventory_id``, if it is loaded."""
        return self.row_of_id(inventory_id)

    # --- the one place that talks to the services ----------------------------------------
    def _query(self, after: StockRow | None, limit: int) -> Sequence[StockRow]:
        sort = self.sort_order
        return self._source.list_stock(
            **self._filter.query_arguments(), limit=limit, after=after, sort=sort.key, descending=sort.descending
        )

    # --- KeysetTableModel -----------------------------------------------------------------
    def row_id(self, row: StockRow) -> int:
        return row.inventory_id

    def cell(self, row: StockRow, section: int, role: int) -> Any:
        column = InventoryColumn(section)
        if role == Qt.ItemDataRole.DisplayRole:
            value = _value(row, column)
            return "" if value is None else value
        if role == InventoryRole.VALUE:
            return _value(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column is InventoryColumn.PRODUCT:
            return f"{row.title}\nStore {row.store_code}"
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and column is InventoryColumn.AVAILABLE
            and row.available_quantity <= 0
        ):
            return QBrush(WARNING_COLOR)  # nothing available
        return None


def _value(row: StockRow, column: InventoryColumn) -> str | int | None:
    if column is InventoryColumn.PRODUCT:
        return row.title
    if column is InventoryColumn.SKU:
        return row.sku
    if column is InventoryColumn.GTIN:
        return row.gtin
    if column is InventoryColumn.LOCATION:
        return row.location
    if column is InventoryColumn.QUANTITY:
        return row.quantity
    if column is InventoryColumn.RESERVED:
        return row.reserved_quantity
    return row.available_quantity
