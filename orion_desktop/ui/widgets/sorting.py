"""Click-to-sort for small tables that are loaded whole (large tables sort in SQL, DESIGN.md §5).

``sortable(table, model)`` puts a ``ValueSortProxy`` between ``table`` and ``model``: a header
click sorts ascending, the next descending, the third returns to the order the service gave
(for locations, the picking path). Indexes of the table are the proxy's: map them with
``source_index`` / ``view_index`` before asking the source model about rows.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QTableView

from orion_desktop.ui.models.row_model import RowRole

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


def sortable(table: QTableView, model: QAbstractItemModel) -> ValueSortProxy:
    """Show ``model`` in ``table`` through a sorting proxy, unsorted until a header is clicked."""
    proxy = ValueSortProxy(table)
    proxy.setSourceModel(model)
    table.setModel(proxy)
    header = table.horizontalHeader()
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # Qt's default would sort column 0 at once
    header.setSortIndicatorClearable(True)  # the third click gives the service's order back
    table.setSortingEnabled(True)
    return proxy


def source_index(table: QTableView, index: ModelIndex) -> QModelIndex:
    """The source model's index for an index of ``table`` (which may show a sorting proxy)."""
    model = table.model()
    if isinstance(model, QSortFilterProxyModel) and index.model() is model:
        return model.mapToSource(index)
    return QModelIndex(index)


def view_index(table: QTableView, index: ModelIndex) -> QModelIndex:
    """The index in ``table`` that shows ``index`` of the source model."""
    model = table.model()
    if isinstance(model, QSortFilterProxyModel) and index.model() is not model:
        return model.mapFromSource(index)
    return QModelIndex(index)
