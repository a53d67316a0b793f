"""Header clicks that sort a ``KeysetTableModel`` in SQL (the Inventory and Orders tables).

The ``HeaderSorting`` of a large table: the model sorts by the service's sort key of the clicked
column and loads its first page again; the settings name the sort by that key, so a sort saved
once still means the same column if the columns change. A model that has not loaded yet only
notes a restored sort: its first load comes sorted, and no second query is made.

This binds a view's header to the model, so it lives next to the model it drives.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from orion_desktop.ui.models.keyset_model import KeysetTableModel
from orion_desktop.ui.widgets.header_sorting import HeaderSorting


class KeysetSorting(HeaderSorting):
    """Sorts ``model`` (shown in ``table``) in SQL by the header's sort indicator."""

    def __init__(self, table: QTableView, model: KeysetTableModel[Any]) -> None:
        super().__init__(table)
        self._model = model
        self._connect()

    def sorted_by(self) -> tuple[int, Qt.SortOrder]:
        return self._model.sort_column, self._model.sort_order.qt_order

    def sort(self, column: int, order: Qt.SortOrder) -> None:
        self._model.sort(column, order)

    def sort_name(self, column: int) -> str | None:
        headers = self._model.headers
        return headers[column].sort_key if 0 <= column < len(headers) else None

    def column_named(self, name: str) -> int:
        return self._model.column_of_sort_key(name or None)
