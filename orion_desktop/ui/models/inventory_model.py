"""The inventory table: one row per (product, location), loaded page by page.

Filtering and searching run in SQL (``StockQueries.list_stock``): a new filter resets the model
and loads the first page; scrolling near the end makes the view call ``fetchMore``, which loads
the rows after the last one received (keyset paging, ``after=``): as fast deep down the list as at
the top, and rows other workstations add meanwhile shift nothing. Every page is a complete, short
query, so no database cursor stays open while the user scrolls (a SQLite writer would otherwise
wait behind it).

All database access goes through ``InventoryModel._query``; a later worker helper can replace
that one method without touching the rest of the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from orion_desktop.domain.results import StockRow

ModelIndex = QModelIndex | QPersistentModelIndex

DEFAULT_PAGE_SIZE = 200

_NUMBER_ALIGNMENT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_TEXT_ALIGNMENT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_NOTHING_AVAILABLE = QColor("#b3261e")


class InventoryColumn(IntEnum):
    PRODUCT = 0
    SKU = 1
    GTIN = 2
    LOCATION = 3
    QUANTITY = 4
    RESERVED = 5
    AVAILABLE = 6

    @property
    def header(self) -> str:
        return _HEADERS[self]

    @property
    def is_number(self) -> bool:
        return self >= InventoryColumn.QUANTITY


_HEADERS = {
    InventoryColumn.PRODUCT: "Product",
    InventoryColumn.SKU: "SKU",
    InventoryColumn.GTIN: "GTIN",
    InventoryColumn.LOCATION: "Location",
    InventoryColumn.QUANTITY: "Quantity",
    InventoryColumn.RESERVED: "Reserved",
    InventoryColumn.AVAILABLE: "Available",
}

_HEADER_TIPS = {
    InventoryColumn.QUANTITY: "Units on hand at this location",
    InventoryColumn.RESERVED: "Units set aside for orders",
    InventoryColumn.AVAILABLE: "Quantity minus reserved: what can still be sold or moved",
}


class InventoryRole(IntEnum):
    """Custom data roles. ``ROW`` returns the whole ``StockRow`` of the index's row."""

    ROW = Qt.ItemDataRole.UserRole.value
    VALUE = Qt.ItemDataRole.UserRole.value + 1  # the raw value of the cell (int for numbers, None for no GTIN)


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
    ) -> Sequence[StockRow]: ...


class InventoryModel(QAbstractTableModel):
    """Stock rows for the current ``StockFilter``, fetched in pages as the view scrolls."""

    loadFailed = Signal(object)  # the exception; the model is left empty or with what it had
    rowsLoaded = Signal()  # after every reset or appended page (row count / has_more changed)

    def __init__(self, source: StockSource, *, page_size: int = DEFAULT_PAGE_SIZE, parent: QObject | None = None) -> None:
        super().__init__(parent)
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self._source = source
        self._page_size = page_size
        self._filter = StockFilter()
        self._rows: list[StockRow] = []
        self._ids: set[int] = set()
        self._cursor: StockRow | None = None  # the last row received: the next page starts after it
        self._exhausted = True  # nothing loaded yet: call reload() or set_filter()
        self._busy = False  # a load is under way: views and testers may call back in from signals

    # --- public API -----------------------------------------------------------------------
    @property
    def stock_filter(self) -> StockFilter:
        return self._filter

    @property
    def page_size(self) -> int:
        return self._page_size

    @property
    def has_more(self) -> bool:
        return not self._exhausted

    def set_filter(self, stock_filter: StockFilter) -> bool:
        """Show rows matching ``stock_filter``: re-queries from the first page. False on error."""
        self._filter = stock_filter
        return self.reload()

    def reload(self) -> bool:
        """Re-run the current filter from the first page. On error the table is emptied,
        ``loadFailed`` is emitted and False is returned."""
        error: BaseException | None = None
        try:
            page, exhausted = self._load_page(None)
        except Exception as exc:  # noqa: BLE001 - reported through loadFailed, shown by the page
            error, page, exhausted = exc, [], True
        self._busy = True
        try:
            self.beginResetModel()
            self._rows = []
            self._ids = set()
            self._cursor = page[-1] if page else None
            self._exhausted = exhausted
            self._append(page)
            self.endResetModel()
        finally:
            self._busy = False
        if error is not None:
            self.loadFailed.emit(error)
        self.rowsLoaded.emit()
        return error is None

    def row_at(self, row: int) -> StockRow:
        return self._rows[row]

    def rows(self) -> tuple[StockRow, ...]:
        return tuple(self._rows)

    def row_of_inventory(self, inventory_id: int) -> int | None:
        """The row showing inventory row ``inventory_id``, if it is loaded."""
        if inventory_id not in self._ids:
            return None
        return next(i for i, row in enumerate(self._rows) if row.inventory_id == inventory_id)

    # --- the one place that talks to the services ----------------------------------------
    def _query(self, after: StockRow | None, limit: int) -> Sequence[StockRow]:
        return self._source.list_stock(**self._filter.query_arguments(), limit=limit, after=after)

    def _load_page(self, after: StockRow | None) -> tuple[list[StockRow], bool]:
        """One page of the rows after ``after``, and whether that was the last one.

        Asks for one row more than a page so the last page needs no extra, empty query.
        """
        rows = list(self._query(after, self._page_size + 1))
        exhausted = len(rows) <= self._page_size
        return rows[: self._page_size], exhausted

    def _append(self, page: Sequence[StockRow]) -> None:
        # The order is unique per row, but a row another workstation changed meanwhile (a new SKU)
        # can move behind the cursor and come again; never show it twice.
        for row in page:
            if row.inventory_id not in self._ids:
                self._ids.add(row.inventory_id)
                self._rows.append(row)

    # --- Qt: paging -----------------------------------------------------------------------
    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and not self._exhausted and not self._busy

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008, N802
        if parent.isValid() or self._exhausted or self._busy:
            return
        cursor, fresh, exhausted = self._cursor, [], False
        try:
            while not fresh and not exhausted:  # a page of rows already shown: go on after them
                page, exhausted = self._load_page(cursor)
                cursor = page[-1] if page else cursor
                fresh = [row for row in page if row.inventory_id not in self._ids]
        except Exception as exc:  # noqa: BLE001 - stop paging, let the page show the sentence
            self._exhausted = True
            self.loadFailed.emit(exc)
            self.rowsLoaded.emit()
            return
        self._busy = True
        try:
            self._cursor = cursor
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
        return 0 if parent.isValid() else len(InventoryColumn)

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = InventoryColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            value = _value(row, column)
            return "" if value is None else value
        if role == InventoryRole.ROW:
            return row
        if role == InventoryRole.VALUE:
            return _value(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _NUMBER_ALIGNMENT if column.is_number else _TEXT_ALIGNMENT
        if role == Qt.ItemDataRole.ToolTipRole and column is InventoryColumn.PRODUCT:
            return f"{row.title}\nStore {row.store_code}"
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and column is InventoryColumn.AVAILABLE
            and row.available_quantity <= 0
        ):
            return QBrush(_NOTHING_AVAILABLE)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(InventoryColumn):
            return None
        column = InventoryColumn(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return column.header
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _NUMBER_ALIGNMENT if column.is_number else _TEXT_ALIGNMENT
        if role == Qt.ItemDataRole.ToolTipRole:
            return _HEADER_TIPS.get(column)
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
