"""The orders table: one row per order, newest first, loaded page by page with keyset paging.

Filtering by status, searching by order number or customer and sorting by a column (header
clicks) run in SQL (``OrderQueries.list_orders``): a new filter or sort resets the model and loads
the first page. When the view scrolls near the end it calls ``fetchMore``, which asks for the
orders after the last one received (keyset paging; see ``KeysetTableModel``).

All database access goes through ``OrdersModel._query``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush

from orion_desktop.domain.order_results import OrderSummary
from orion_desktop.domain.orders import OrderStatus
from orion_desktop.ui import formatting, order_format
from orion_desktop.ui.models.keyset_model import DEFAULT_PAGE_SIZE, Header, KeysetTableModel
from orion_desktop.ui.models.row_model import RowRole


class OrderColumn(IntEnum):
    NUMBER = 0
    STATUS = 1
    CUSTOMER = 2
    STORE = 3
    CREATED = 4
    ITEMS = 5
    SHIPPED = 6


_HEADERS = (  # in OrderColumn order; the sort keys are those of OrderQueries.list_orders
    Header("Order", tip="Order number", sort_key="number"),
    Header("Status", sort_key="status"),
    Header("Customer", sort_key="customer"),
    Header("Store", sort_key="store"),
    Header("Created", tip="When the order was created (local time)", sort_key="created", descending_first=True),
    # Not sortable: sorting by the item totals would total every order's items for each page.
    Header("Lines", number=True, tip="Number of order lines (products)"),
    Header("Shipped", number=True, tip="Units shipped of units ordered"),
)


class OrderRole(IntEnum):
    """Custom data roles. ``ROW`` returns the whole ``OrderSummary`` of the index's row."""

    ROW = RowRole.ROW.value
    VALUE = RowRole.VALUE.value  # the raw value: OrderStatus, datetime, int, (shipped, ordered)
    ORDER_NUMBER = RowRole.VALUE.value + 1


@dataclass(frozen=True, slots=True)
class OrderFilter:
    """What the table shows. Empty or None fields do not filter."""

    status: OrderStatus | None = None
    search: str = ""
    store: str | None = None

    def query_arguments(self) -> dict[str, Any]:
        return {
            "status": self.status.value if self.status is not None else None,
            "search": self.search.strip() or None,
            "store": self.store or None,
        }

    @property
    def is_active(self) -> bool:
        """True when anything narrows the list."""
        return bool(self.status is not None or self.search.strip() or self.store)


class OrderSource(Protocol):
    """What the model needs from ``services.order_queries``."""

    def list_orders(
        self,
        *,
        status: str | None = ...,
        search: str | None = ...,
        store: str | None = ...,
        limit: int | str = ...,
        sort: str | None = ...,
        descending: bool = ...,
        after: OrderSummary | None = ...,
    ) -> Sequence[OrderSummary]: ...


class OrdersModel(KeysetTableModel[OrderSummary]):
    """Orders for the current ``OrderFilter``, newest first or sorted by a column, fetched in pages
    as the view scrolls."""

    def __init__(
        self, source: OrderSource, *, page_size: int = DEFAULT_PAGE_SIZE, parent: QObject | None = None
    ) -> None:
        super().__init__(_HEADERS, page_size=page_size, parent=parent)
        self._source = source
        self._filter = OrderFilter()

    @property
    def order_filter(self) -> OrderFilter:
        return self._filter

    def set_filter(self, order_filter: OrderFilter) -> bool:
        """Show orders matching ``order_filter``: re-queries from the first page. False on error."""
        self._filter = order_filter
        return self.reload(keep_loaded=False)

    def row_of_order(self, order_id: int) -> int | None:
        """The row showing order ``order_id``, if it is loaded."""
        return self.row_of_id(order_id)

    def row_of_number(self, order_number: str) -> int | None:
        return next((i for i, row in enumerate(self._rows) if row.order_number == order_number), None)

    # --- the one place that talks to the services ----------------------------------------
    def _query(self, after: OrderSummary | None, limit: int) -> Sequence[OrderSummary]:
        sort = self.sort_order
        return self._source.list_orders(
            **self._filter.query_arguments(), limit=limit, after=after, sort=sort.key, descending=sort.descending
        )

    # --- KeysetTableModel -----------------------------------------------------------------
    def row_id(self, row: OrderSummary) -> int:
        return row.id

    def cell(self, row: OrderSummary, section: int, role: int) -> Any:
        column = OrderColumn(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, column)
        if role == OrderRole.VALUE:
            return _value(row, column)
        if role == OrderRole.ORDER_NUMBER:
            return row.order_number
        if role == Qt.ItemDataRole.ForegroundRole and column is OrderColumn.STATUS:
            return QBrush(order_format.status_colour(row.status))
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(row, column)
        return None


def _value(row: OrderSummary, column: OrderColumn) -> object:
    if column is OrderColumn.NUMBER:
        return row.order_number
    if column is OrderColumn.STATUS:
        return row.status
    if column is OrderColumn.CUSTOMER:
        return row.customer_name
    if column is OrderColumn.STORE:
        return row.store_code
    if column is OrderColumn.CREATED:
        return row.created_at
    if column is OrderColumn.ITEMS:
        return row.item_count
    return (row.shipped_units, row.ordered_units)


def _display(row: OrderSummary, column: OrderColumn) -> str | int:
    if column is OrderColumn.STATUS:
        return order_format.status_text(row.status)
    if column is OrderColumn.CUSTOMER:
        return row.customer_name or ""
    if column is OrderColumn.CREATED:
        return formatting.when(row.created_at)
    if column is OrderColumn.ITEMS:
        return row.item_count
    if column is OrderColumn.SHIPPED:
        return f"{formatting.number(row.shipped_units)} / {formatting.number(row.ordered_units)}"
    value = _value(row, column)
    return "" if value is None else str(value)


def _tooltip(row: OrderSummary, column: OrderColumn) -> str | None:
    if column is OrderColumn.STATUS:
        return order_format.STATUS_HELP[row.status]
    if column is OrderColumn.CREATED:
        return formatting.full_time(row.created_at)
    if column is OrderColumn.SHIPPED:
        return f"{order_format.units(row.shipped_units)} shipped of {order_format.units(row.ordered_units)} ordered"
    if column is OrderColumn.NUMBER:
        return f"{row.order_number}\nChannel: {row.channel}"
    return None
