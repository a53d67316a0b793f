"""The orders table: one row per order, newest first, loaded page by page with keyset paging.

Filtering by status and searching by order number or customer run in SQL
(``OrderQueries.list_orders``): a new filter resets the model and loads the first page. When the
view scrolls near the end it calls ``fetchMore``, which asks for the orders older than the last
one shown (``before_id``). Keyset paging costs the same at any depth and never shows an order
twice when other workstations add orders meanwhile (new orders are newer than every loaded one).
Every page is a short, complete query, so no cursor stays open while the user scrolls.

All database access goes through ``OrdersModel._query``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush

from orion_desktop.domain.order_results import OrderSummary
from orion_desktop.domain.orders import OrderStatus
from orion_desktop.ui import order_format

ModelIndex = QModelIndex | QPersistentModelIndex

DEFAULT_PAGE_SIZE = 200

_NUMBER_ALIGNMENT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_TEXT_ALIGNMENT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


class OrderColumn(IntEnum):
    NUMBER = 0
    STATUS = 1
    CUSTOMER = 2
    STORE = 3
    CREATED = 4
    ITEMS = 5
    SHIPPED = 6

    @property
    def header(self) -> str:
        return _HEADERS[self]

    @property
    def is_number(self) -> bool:
        return self in (OrderColumn.ITEMS, OrderColumn.SHIPPED)


_HEADERS = {
    OrderColumn.NUMBER: "Order",
    OrderColumn.STATUS: "Status",
    OrderColumn.CUSTOMER: "Customer",
    OrderColumn.STORE: "Store",
    OrderColumn.CREATED: "Created",
    OrderColumn.ITEMS: "Lines",
    OrderColumn.SHIPPED: "Shipped",
}

_HEADER_TIPS = {
    OrderColumn.NUMBER: "Order number",
    OrderColumn.CREATED: "When the order was created (local time)",
    OrderColumn.ITEMS: "Number of order lines (products)",
    OrderColumn.SHIPPED: "Units shipped of units ordered",
}


class OrderRole(IntEnum):
    """Custom data roles. ``ROW`` returns the whole ``OrderSummary`` of the index's row."""

    ROW = Qt.ItemDataRole.UserRole.value
    VALUE = Qt.ItemDataRole.UserRole.value + 1  # the raw value: OrderStatus, datetime, int, (shipped, ordered)
    ORDER_NUMBER = Qt.ItemDataRole.UserRole.value + 2


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
        before_id: int | None = ...,
    ) -> Sequence[OrderSummary]: ...


class OrdersModel(QAbstractTableModel):
    """Orders for the current ``OrderFilter``, newest first, fetched in pages as the view scrolls."""

    loadFailed = Signal(object)  # the exception; the model is left empty or with what it had
    rowsLoaded = Signal()  # after every reset or appended page (row count / has_more changed)

    def __init__(self, source: OrderSource, *, page_size: int = DEFAULT_PAGE_SIZE, parent: QObject | None = None) -> None:
        super().__init__(parent)
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self._source = source
        self._page_size = page_size
        self._filter = OrderFilter()
        self._rows: list[OrderSummary] = []
        self._positions: dict[int, int] = {}  # order id -> row
        self._exhausted = True  # nothing loaded yet: call reload() or set_filter()
        self._busy = False  # a load is under way: views and testers may call back in from signals

    # --- public API -----------------------------------------------------------------------
    @property
    def order_filter(self) -> OrderFilter:
        return self._filter

    @property
    def page_size(self) -> int:
        return self._page_size

    @property
    def has_more(self) -> bool:
        return not self._exhausted

    def set_filter(self, order_filter: OrderFilter) -> bool:
        """Show orders matching ``order_filter``: re-queries from the newest. False on error."""
        self._filter = order_filter
        return self.reload(keep_loaded=False)

    def reload(self, *, keep_loaded: bool = True) -> bool:
        """Re-run the current filter from the newest order. On error the table is emptied,
        ``loadFailed`` is emitted and False is returned.

        With ``keep_loaded`` (a refresh), the orders the user had already scrolled down to are
        loaded again too, so a selected order far down the list stays in the table.
        """
        depth = self._rows[-1].id if keep_loaded and len(self._rows) > self._page_size else None
        error: BaseException | None = None
        try:
            rows, exhausted = self._load_page(None)
            while depth is not None and not exhausted and rows and rows[-1].id > depth:
                more, exhausted = self._load_page(rows[-1].id)
                rows.extend(more)
        except Exception as exc:  # noqa: BLE001 - reported through loadFailed, shown by the page
            error, rows, exhausted = exc, [], True
        self._busy = True
        try:
            self.beginResetModel()
            self._rows = []
            self._positions = {}
            self._exhausted = exhausted
            self._append(rows)
            self.endResetModel()
        finally:
            self._busy = False
        if error is not None:
            self.loadFailed.emit(error)
        self.rowsLoaded.emit()
        return error is None

    def row_at(self, row: int) -> OrderSummary:
        return self._rows[row]

    def rows(self) -> tuple[OrderSummary, ...]:
        return tuple(self._rows)

    def row_of_order(self, order_id: int) -> int | None:
        """The row showing order ``order_id``, if it is loaded."""
        return self._positions.get(order_id)

    def row_of_number(self, order_number: str) -> int | None:
        return next((i for i, row in enumerate(self._rows) if row.order_number == order_number), None)

    # --- the one place that talks to the services ----------------------------------------
    def _query(self, before_id: int | None, limit: int) -> Sequence[OrderSummary]:
        return self._source.list_orders(**self._filter.query_arguments(), limit=limit, before_id=before_id)

    def _load_page(self, before_id: int | None) -> tuple[list[OrderSummary], bool]:
        """One page of orders older than ``before_id``, and whether that was the last one.

        Asks for one row more than a page so the last page needs no extra, empty query.
        """
        rows = list(self._query(before_id, self._page_size + 1))
        exhausted = len(rows) <= self._page_size
        return rows[: self._page_size], exhausted

    def _append(self, page: Sequence[OrderSummary]) -> None:
        for row in page:
            if row.id not in self._positions:
                self._positions[row.id] = len(self._rows)
                self._rows.append(row)

    # --- Qt: paging -----------------------------------------------------------------------
    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and not self._exhausted and not self._busy

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008, N802
        if parent.isValid() or self._exhausted or self._busy:
            return
        before = self._rows[-1].id if self._rows else None
        try:
            page, exhausted = self._load_page(before)
        except Exception as exc:  # noqa: BLE001 - stop paging, let the page show the sentence
            self._exhausted = True
            self.loadFailed.emit(exc)
            self.rowsLoaded.emit()
            return
        fresh = [row for row in page if row.id not in self._positions]
        self._busy = True
        try:
            self._exhausted = exhausted
            if fresh:
                first = len(self._rows)
                self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
                self._append(fresh)
                self.endInsertRows()
        finally:
            self._busy = False
        self.rowsLoaded.emit()

    # --- Qt: table ------------------------------------------------------------------------
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(OrderColumn)

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = OrderColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, column)
        if role == OrderRole.ROW:
            return row
        if role == OrderRole.VALUE:
            return _value(row, column)
        if role == OrderRole.ORDER_NUMBER:
            return row.order_number
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _NUMBER_ALIGNMENT if column.is_number else _TEXT_ALIGNMENT
        if role == Qt.ItemDataRole.ForegroundRole and column is OrderColumn.STATUS:
            return QBrush(order_format.status_colour(row.status))
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(row, column)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(OrderColumn):
            return None
        column = OrderColumn(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return column.header
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _NUMBER_ALIGNMENT if column.is_number else _TEXT_ALIGNMENT
        if role == Qt.ItemDataRole.ToolTipRole:
            return _HEADER_TIPS.get(column)
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
        return order_format.format_when(row.created_at)
    if column is OrderColumn.ITEMS:
        return row.item_count
    if column is OrderColumn.SHIPPED:
        return f"{order_format.number(row.shipped_units)} / {order_format.number(row.ordered_units)}"
    value = _value(row, column)
    return "" if value is None else str(value)


def _tooltip(row: OrderSummary, column: OrderColumn) -> str | None:
    if column is OrderColumn.STATUS:
        return order_format.STATUS_HELP[row.status]
    if column is OrderColumn.CREATED:
        return order_format.format_full_time(row.created_at)
    if column is OrderColumn.SHIPPED:
        return f"{order_format.units(row.shipped_units)} shipped of {order_format.units(row.ordered_units)} ordered"
    if column is OrderColumn.NUMBER:
        return f"{row.order_number}\nChannel: {row.channel}"
    return None
