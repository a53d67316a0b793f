"""Click-to-sort for small tables that are loaded whole (large tables sort in SQL, ARCHITECTURE.md: Qt habits).

``sortable(table, model)`` puts a ``ValueSortProxy`` between ``table`` and ``model`` and returns
the table's ``ProxySorting``: a header click sorts ascending, the next descending, the third
returns to the order the service gave (for locations, the picking path); the page saves and
restores the sort through it (``HeaderSorting``). Indexes of the table are the proxy's: map them
with ``source_index`` / ``view_index`` before asking the source model about rows.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QTableView

from orion_desktop.ui.models.row_model import RowRole
from orion_desktop.ui.widgets.header_sorting import HeaderSorting

ModelIndex = QModelIndex | QPersistentModelIndex


def _sort_key(value: Any) -> tuple[int, Any]:
    """Numbers as numbers, text regardless of case; empty cells after every value."""
    if value is None or value == "":
        return (1, 0)
    if isinstance(value, str):
        return (0, value.casefold())
    return (0, value)


class ValueSortProxy(QSortFilterProxyModel):
    """Sorts by each cell's raw value (``RowRole.VALUE``), not by the text shown ("1,200" < "900")."""

    def lessThan(self, left: ModelIndex, right: ModelIndex) -> bool:  # noqa: N802
        a, b = _sort_key(left.data(RowRole.VALUE)), _sort_key(right.data(RowRole.VALUE))
        try:
            return bool(a < b)
        except TypeError:  # a column mixing kinds of value: fall back to the text
            return str(a) < str(b)


class ProxySorting(HeaderSorting):
    """Sorts a table in memory through its ``ValueSortProxy``; the settings name a sort by its column number."""

    def __init__(self, table: QTableView, model: QAbstractItemModel) -> None:
        super().__init__(table)
        self.proxy = ValueSortProxy(table)
        self.proxy.setSourceModel(model)
        table.setModel(self.proxy)
        self._connect()

    def sorted_by(self) -> tuple[int, Qt.SortOrder]:
        return self.proxy.sortColumn(), self.proxy.sortOrder()

    def sort(self, column: int, order: Qt.SortOrder) -> None:
        self.proxy.sort(column if 0 <= column < self.proxy.columnCount() else -1, order)

    def sort_name(self, column: int) -> str | None:
        return str(column) if 0 <= column < self.proxy.columnCount() else None

    def column_named(self, name: str) -> int:
        column = int(name) if name.isdecimal() else -1
        return column if column < self.proxy.columnCount() else -1


def sortable(table: QTableView, model: QAbstractItemModel) -> ProxySorting:
    """Show ``model`` in ``table`` through a sorting proxy, unsorted until a header is clicked."""
    return ProxySorting(table, model)


def source_index(table: QTableView, index: ModelIndex) -> QModelIndex:
    """The source model's index for an index of ``table`` (which may show a sorting proxy)."""
    model = table.model()
    if isinstance(model, QSortFilterProxyModel) and index.model() is model:
        return model.mapToSource(index)
    return QModelIndex(index)  # type: ignore[arg-type]  # Qt converts a QPersistentModelIndex itself


def view_index(table: QTableView, index: ModelIndex) -> QModelIndex:
    """The index in ``table`` that shows ``index`` of the source model."""
    model = table.model()
    if isinstance(model, QSortFilterProxyModel) and index.model() is not model:
        return model.mapFromSource(index)
    return QModelIndex(index)  # type: ignore[arg-type]  # Qt converts a QPersistentModelIndex itself
