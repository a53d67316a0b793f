"""A table model over service rows that loads them page by page with keyset paging.

``reload`` loads the first page; when the view scrolls near the end it calls ``fetchMore``, which
asks the service for the rows after the last one received (``after=``). Keyset paging costs the
same deep down the list as at the top, and rows other workstations add meanwhile shift nothing.
Every page is a short, complete query, so no cursor stays open while the user scrolls (a SQLite
writer would otherwise wait behind it).

Pages load on the GUI thread: a page is one indexed query of a few hundred rows, and the pages
(search on Enter, select the first hit) rely on the rows being there when ``reload`` returns.

Subclasses give the columns' headers and implement ``_query`` (the one place that talks to the
services), ``row_id`` and ``cell`` (the roles of a cell; see ``TableModelBase``).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Signal

from orion_desktop.ui.models.row_model import TableModelBase

R = TypeVar("R")
ModelIndex = QModelIndex | QPersistentModelIndex

DEFAULT_PAGE_SIZE = 200


@dataclass(frozen=True, slots=True)
class Header:
    """One column's header: its text, alignment and tooltip."""

    header: str
    number: bool = False  # right-aligned, header and cells
    tip: str | None = None


class KeysetTableModel(TableModelBase[R]):
    """Rows loaded page by page (``reload``, ``fetchMore``); ``RowRole.ROW`` gives a cell's whole row."""

    loadFailed = Signal(object)  # the exception; the model is left empty or with what it had
    rowsLoaded = Signal()  # after every reset or appended page (row count / has_more changed)

    def __init__(self, headers: Sequence[Header], *, page_size: int = DEFAULT_PAGE_SIZE, parent: QObject | None = None) -> None:
        super().__init__(headers, parent)
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self._headers = tuple(headers)
        self._page_size = page_size
        self._positions: dict[Hashable, int] = {}  # row id -> row
        self._cursor: R | None = None  # the last row received: the next page starts after it
        self._exhausted = True  # nothing loaded yet: call reload()
        self._busy = False  # a load is under way: views and testers may call back in from signals

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

    def reload(self, *, keep_loaded: bool = True) -> bool:
        """Query the first page again. On error the table is emptied, ``loadFailed`` is emitted
        and False is returned.

        With ``keep_loaded`` (a refresh), as many rows as are loaded now are loaded again, in one
        query, so a selected row far down the list stays in the table. A new filter or sort
        passes False: it starts at the top with one page.
        """
        limit = max(self._page_size, len(self._rows)) if keep_loaded else self._page_size
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
        cursor, fresh, exhausted = self._cursor, [], False
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
