"""A table model over service rows that loads them page by page with keyset paging.

``reload`` loads the first page; when the view scrolls near the end it calls ``fetchMore``, which
asks the service for the rows after the last one received (``after=``). Keyset paging costs the
same deep down the list as at the top, and rows other workstations add meanwhile shift nothing.
Every page is a short, complete query, so no cursor stays open while the user scrolls (a SQLite
writer would otherwise wait behind it).

Pages load on the GUI thread: a page is one indexed query of a few hundred rows, and the pages
(search on Enter, select the first hit) rely on the rows being there when ``reload`` returns.

``sort`` (a header click) orders the rows by another column, in SQL, and loads the first page
again; the service breaks ties by row id, so every order is unique per row and keyset paging works
for each.

Subclasses give the columns' headers and implement ``_query`` (the one place that talks to the
services), ``row_id`` and ``cell`` (the roles of a cell; see ``TableModelBase``).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from orion_desktop.ui.models.row_model import TableModelBase

R = TypeVar("R")
ModelIndex = QModelIndex | QPersistentModelIndex

DEFAULT_PAGE_SIZE = 200


@dataclass(frozen=True, slots=True)
class Header:
    """One column's header: its text, alignment, tooltip and what the service sorts it by."""

    header: str
    number: bool = False  # right-aligned, header and cells
    tip: str | None = None
    sort_key: str | None = None  # the service's sort key; None: the column cannot be sorted
    descending_first: bool = False  # the first click sorts descending (newest first, say)


@dataclass(frozen=True, slots=True)
class SortOrder:
    """How the service orders the rows."""

    key: str | None = None  # a ``Header.sort_key``; None: the list's own default order
    descending: bool = False

    @property
    def qt_order(self) -> Qt.SortOrder:
        return Qt.SortOrder.DescendingOrder if self.descending else Qt.SortOrder.AscendingOrder


class KeysetTableModel(TableModelBase[R]):
    """Rows loaded page by page (``reload``, ``fetchMore``); ``RowRole.ROW`` gives a cell's whole row."""

    loadFailed = Signal(object)  # the exception; the model is left empty or with what it had
    rowsLoaded = Signal()  # after every reset or appended page (row count / has_more changed)

    def __init__(
        self, headers: Sequence[Header], *, page_size: int = DEFAULT_PAGE_SIZE, parent: QObject | None = None
    ) -> None:
        super().__init__(headers, parent)
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self._headers = tuple(headers)
        self._page_size = page_size
        self._positions: dict[Hashable, int] = {}  # row id -> row
        self._cursor: R | None = None  # the last row received: the next page starts after it
        self._exhausted = True  # nothing loaded yet: call reload()
        self._busy = False  # a load is under way: views and testers may call back in from signals
        self._loaded = False  # reload() has run: a new sort loads again; before, it is only noted
        self._sort = SortOrder()

    # --- for subclasses -------------------------------------------------------------------
    def _query(self, after: R | None, limit: int) -> Sequence[R]:
        """At most ``limit`` rows after ``after`` (None: from the first row), in the list's order."""
        raise NotImplementedError

    def row_id(self, row: R) -> Hashable:
        """What identifies a row (a database id)."""
        raise NotImplementedError

    # --- public API -----------------------------------------------------------------------
    @property
    def headers(self) -> tuple[Header, ...]:
        return self._headers

    @property
    def page_size(self) -> int:
        return self._page_size

    @property
    def has_more(self) -> bool:
        return not self._exhausted

    @property
    def sort_order(self) -> SortOrder:
        return self._sort

    @property
    def sort_column(self) -> int:
        """The column the rows are sorted by; -1 for the default order."""
        return self.column_of_sort_key(self._sort.key)

    def column_of_sort_key(self, key: object) -> int:
        """The column sorted by ``key``; -1 for None or a key no column has (say, from old settings)."""
        return next((i for i, h in enumerate(self._headers) if key is not None and h.sort_key == key), -1)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """A header click: sort by ``column`` in SQL and start again at the first page.

        Column -1 (a cleared sort indicator) goes back to the default order. A column the service
        cannot sort by changes nothing (the page puts the indicator back; see ``keyset_sorting``).
        """
        if column < 0:
            self.set_sort(SortOrder())
        elif column < len(self._headers) and (key := self._headers[column].sort_key) is not None:
            self.set_sort(SortOrder(key, order == Qt.SortOrder.DescendingOrder))

    def set_sort(self, sort_order: SortOrder) -> bool:
        """Sort by ``sort_order``, reloading the first page if rows were loaded. False on error."""
        if sort_order == self._sort:
            return True
        self._sort = sort_order
        return self.reload(keep_loaded=False) if self._loaded else True

    def reload(self, *, keep_loaded: bool = True) -> bool:
        """Query the first page again. On error the table is emptied, ``loadFailed`` is emitted
        and False is returned.

        With ``keep_loaded`` (a refresh), as many rows as are loaded now are loaded again, in one
        query, so a selected row far down the list stays in the table. A new filter or sort
        passes False: it starts at the top with one page.
        """
        limit = max(self._page_size, len(self._rows)) if keep_loaded else self._page_size
        self._loaded = True
        error: BaseException | None = None
        try:
            rows, exhausted = self._load_page(None, limit)
        except Exception as exc:  # noqa: BLE001 - reported through loadFailed, shown by the page
            error, rows, exhausted = exc, [], True
        self._busy = True
        try:
            self.beginResetModel()
            self._rows = []
            self._positions = {}
            self._cursor = rows[-1] if rows else None
            self._exhausted = exhausted
            self._append(rows)
            self.endResetModel()
        finally:
            self._busy = False
        if error is not None:
            self.loadFailed.emit(error)
        self.rowsLoaded.emit()
        return error is None

    def row_of_id(self, row_id: Hashable) -> int | None:
        """The row showing the row with id ``row_id``, if it is loaded."""
        return self._positions.get(row_id)

    # --- loading --------------------------------------------------------------------------
    def _load_page(self, after: R | None, limit: int) -> tuple[list[R], bool]:
        """Up to ``limit`` rows after ``after``, and whether they were the last ones.

        Asks for one row more than that, so the last page needs no extra, empty query.
        """
        rows = list(self._query(after, limit + 1))
        return rows[:limit], len(rows) <= limit

    def _append(self, page: Sequence[R]) -> None:
        for row in page:
            key = self.row_id(row)
            if key not in self._positions:
                self._positions[key] = len(self._rows)
                self._rows.append(row)

    # --- Qt: paging -----------------------------------------------------------------------
    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and not self._exhausted and not self._busy

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008, N802
        if parent.isValid() or self._exhausted or self._busy:
            return
        fresh: list[R] = []
        cursor, exhausted = self._cursor, False
        try:
            # The order is unique per row, but a row changed elsewhere meanwhile (a new status, a
            # new SKU) can move behind the cursor and come again: it is shown once, where it was
            # first shown. A page of nothing but such rows goes on to the rows after them.
            while not fresh and not exhausted:
                page, exhausted = self._load_page(cursor, self._page_size)
                cursor = page[-1] if page else cursor
                fresh = [row for row in page if self.row_id(row) not in self._positions]
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

    # --- Qt: headers ----------------------------------------------------------------------
    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.InitialSortOrderRole and orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self._headers) and self._headers[section].descending_first:
                return Qt.SortOrder.DescendingOrder
            return None
        return super().headerData(section, orientation, role)
