"""Table models over the frozen rows services return, for the overview pages.

``RowTableModel`` shows a tuple of rows the page loaded (in the background) and handed over
with ``set_rows``. ``PagedRowTableModel`` loads its rows itself, page by page, off the GUI
thread: the first page on ``reload``, the next ones when the view scrolls near the end
(``canFetchMore``/``fetchMore``). A newer ``reload`` makes the answers of older loads obsolete,
so a slow query can never overwrite the result of a faster, later one.

Each page's model subclasses one of these with its own columns; ``data()`` never queries.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from orion_desktop.ui.worker import run_in_background

R = TypeVar("R")
ModelIndex = QModelIndex | QPersistentModelIndex

NUMBER_ALIGNMENT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
TEXT_ALIGNMENT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
WARNING_COLOR = QColor("#b3261e")  # the inventory table's "nothing available" red
MUTED_COLOR = QColor("#6b6b6b")


class RowRole(IntEnum):
    """Custom data roles. ``ROW`` returns the whole service row of the index's row."""

    ROW = Qt.ItemDataRole.UserRole.value
    VALUE = Qt.ItemDataRole.UserRole.value + 1  # the raw value of the cell (int, str, datetime or None)


@dataclass(frozen=True, slots=True)
class Column(Generic[R]):
    """One column: its header, how to get the raw value from a row, and how to show it."""

    header: str
    value: Callable[[R], object]
    number: bool = False  # right-aligned; ints are shown with the locale's digit grouping
    tip: str | None = None  # header tooltip
    text: Callable[[R], str] | None = None  # the shown text, when it is not simply the value
    cell_tip: Callable[[R], str | None] | None = None


class HeaderSpec(Protocol):
    """What a table needs to draw a column's header."""

    @property
    def header(self) -> str: ...
    @property
    def number(self) -> bool: ...  # right-aligned, header and cells
    @property
    def tip(self) -> str | None: ...


class TableModelBase(QAbstractTableModel, Generic[R]):
    """What every table over a list of service rows shares: counts, flags, headers, ``RowRole.ROW``
    and alignment. Subclasses fill ``_rows`` and answer the other roles in ``cell``."""

    def __init__(self, columns: Sequence[HeaderSpec], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._rows: list[R] = []

    def rows(self) -> tuple[R, ...]:
        return tuple(self._rows)

    def row_at(self, row: int) -> R:
        return self._rows[row]

    def cell(self, row: R, column: int, role: int) -> Any:  # noqa: ARG002 - a hook for subclasses
        """``data()`` of a valid index for the roles other than ``RowRole.ROW`` and the alignment."""
        return None

    # --- Qt: table ------------------------------------------------------------------------
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._columns)

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            not index.isValid()
            or not 0 <= index.row() < len(self._rows)
            or not 0 <= index.column() < len(self._columns)
        ):
            return None
        row = self._rows[index.row()]
        if role == RowRole.ROW:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return NUMBER_ALIGNMENT if self._columns[index.column()].number else TEXT_ALIGNMENT
        return self.cell(row, index.column(), role)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        column = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.header
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return NUMBER_ALIGNMENT if column.number else TEXT_ALIGNMENT
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tip
        return None


class RowTableModel(TableModelBase[R]):
    """Rows set by the page. Subclasses pass their columns and may colour cells (``foreground``)."""

    def __init__(self, columns: Sequence[Column[R]], parent: QObject | None = None) -> None:
        super().__init__(columns, parent)
        self._columns: tuple[Column[R], ...] = tuple(columns)

    # --- public API -----------------------------------------------------------------------
    @property
    def columns(self) -> tuple[Column[R], ...]:
        return self._columns

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def find_row(self, predicate: Callable[[R], bool]) -> int | None:
        """The first row for which ``predicate`` is true."""
        return next((i for i, row in enumerate(self._rows) if predicate(row)), None)

    def foreground(self, row: R, column: int) -> QColor | None:  # noqa: ARG002 - a hook for subclasses
        """The text colour of a cell; None for the palette's."""
        return None

    def cell(self, row: R, column: int, role: int) -> Any:
        spec = self._columns[column]
        if role == Qt.ItemDataRole.DisplayRole:
            if spec.text is not None:
                return spec.text(row)
            value = spec.value(row)
            return "" if value is None else value
        if role == RowRole.VALUE:
            return spec.value(row)
        if role == Qt.ItemDataRole.ToolTipRole and spec.cell_tip is not None:
            return spec.cell_tip(row)
        if role == Qt.ItemDataRole.ForegroundRole:
            color = self.foreground(row, column)
            return QBrush(color) if color is not None else None
        return None


PageQuery = Callable[[Any, int, int], Sequence[Any]]
"""``query(last_row_received_or_None, rows_received, limit)``: one page; runs on a worker thread.

Keyset paging starts after the last row received; offset paging (for services without it) skips
the rows received.
"""


class PagedRowTableModel(RowTableModel[R]):
    """Loads its rows in pages off the GUI thread. Subclasses implement ``page_query``."""

    loadFailed = Signal(object)  # the exception; the rows loaded so far stay
    rowsLoaded = Signal()  # after every first page or appended page (row count / has_more changed)

    def __init__(self, columns: Sequence[Column[R]], *, page_size: int, parent: QObject | None = None) -> None:
        super().__init__(columns, parent)
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self._page_size = page_size
        self._generation = 0
        self._loading = False
        self._loaded_once = False
        self._exhausted = True  # nothing loaded yet: call reload()
        self._offset = 0  # rows consumed from the query so far (may exceed the rows shown after dedup)
        self._cursor: R | None = None  # the last row received (shown or not): the next page starts after it
        self._keys: set[Hashable] = set()

    # --- for subclasses -------------------------------------------------------------------
    def page_query(self) -> PageQuery:
        """A function loading one page for the current filter (it must not read ``self`` later)."""
        raise NotImplementedError

    def row_key(self, row: R) -> Hashable:
        """Identifies a row, so offset paging never shows one twice when rows shift meanwhile."""
        return id(row)

    # --- public API -----------------------------------------------------------------------
    @property
    def is_loading(self) -> bool:
        return self._loading

    @property
    def loaded_once(self) -> bool:
        """True once a first page arrived (or failed): the row count means something."""
        return self._loaded_once

    @property
    def has_more(self) -> bool:
        return not self._exhausted

    @property
    def page_size(self) -> int:
        return self._page_size

    def reload(self, *, keep_loaded: bool = False) -> None:
        """Query the first page again in the background; older answers still under way are dropped.

        The rows shown stay until the new ones arrive, so the table does not flicker. With
        ``keep_loaded`` (a refresh of the same query) as many rows as are shown now come again, in
        one query, so a row selected far down stays in the table.
        """
        self._generation += 1
        generation = self._generation
        self._loading = True
        size = max(self._page_size, len(self._rows)) if keep_loaded else self._page_size
        query, limit = self.page_query(), size + 1
        run_in_background(
            self,
            lambda: list(query(None, 0, limit)),
            on_done=lambda rows: self._first_page_loaded(generation, rows, size),
            on_error=lambda error: self._load_failed(generation, error, reset=True),
        )

    def clear(self) -> None:
        """Show nothing; answers still under way are dropped."""
        self._generation += 1
        self._loading = False
        self._exhausted = True
        self._offset = 0
        self._cursor = None
        self.beginResetModel()
        self._rows = []
        self._keys = set()
        self.endResetModel()

    # --- loading --------------------------------------------------------------------------
    def _first_page_loaded(self, generation: int, rows: list[R], size: int) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._loaded_once = True
        self._exhausted = len(rows) <= size
        self._offset = min(len(rows), size)
        page = rows[:size]
        self._cursor = page[-1] if page else None
        self.beginResetModel()
        self._rows = []
        self._keys = set()
        self._append(page)
        self.endResetModel()
        self.rowsLoaded.emit()

    def _next_page_loaded(self, generation: int, rows: list[R]) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._exhausted = len(rows) <= self._page_size
        page = rows[: self._page_size]
        self._offset += len(page)
        if page:
            self._cursor = page[-1]
        fresh = [row for row in page if self.row_key(row) not in self._keys]
        if fresh:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._append(fresh)
            self.endInsertRows()
        self.rowsLoaded.emit()

    def _load_failed(self, generation: int, error: BaseException, *, reset: bool) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._loaded_once = True
        self._exhausted = True
        if reset:
            self.beginResetModel()
            self._rows = []
            self._keys = set()
            self.endResetModel()
        self.loadFailed.emit(error)
        self.rowsLoaded.emit()

    def _append(self, rows: Sequence[R]) -> None:
        for row in rows:
            key = self.row_key(row)
            if key not in self._keys:
                self._keys.add(key)
                self._rows.append(row)

    # --- Qt: paging -----------------------------------------------------------------------
    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008, N802
        if parent.isValid() or self._exhausted or self._loading:
            return
        generation = self._generation
        self._loading = True
        query, limit = self.page_query(), self._page_size + 1
        last, offset = self._cursor, self._offset
        run_in_background(
            self,
            lambda: list(query(last, offset, limit)),
            on_done=lambda rows: self._next_page_loaded(generation, rows),
            on_error=lambda error: self._load_failed(generation, error, reset=False),
        )
