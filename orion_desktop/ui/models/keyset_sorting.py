"""Header clicks that sort a ``KeysetTableModel`` in SQL, and the sort order kept in ``QSettings``.

A click on a header sorts by that column, a second click turns the order round and a third goes
back to the table's default order (the sort indicator disappears). A column the service cannot
sort by keeps the current order, and the indicator stays where it was.

This binds a view's header to the model, so it lives next to the model it drives.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QObject, QSettings, Qt
from PySide6.QtWidgets import QTableView

from orion_desktop.ui.models.keyset_model import KeysetTableModel, SortOrder

_COLUMNS = "columns"
_SORT = "sort"
_DESCENDING = "sort_descending"


class HeaderSorting(QObject):
    """Sorts ``model`` by the header's sort indicator and keeps the indicator true to the rows."""

    def __init__(self, table: QTableView, model: KeysetTableModel[Any]) -> None:
        super().__init__(table)
        self._table = table
        self._model = model
        self._restoring = False
        header = table.horizontalHeader()
        header.setSortIndicatorClearable(True)  # the third click: back to the default order
        header.setSortIndicator(model.sort_column, model.sort_order.qt_order)
        table.setSortingEnabled(True)  # sorts the model by the indicator: unchanged, so no query
        header.sortIndicatorChanged.connect(self._indicator_changed)

    def _indicator_changed(self, section: int, order: Qt.SortOrder) -> None:
        if self._restoring:
            return
        # The view sorts the model on this signal too; whichever comes second changes nothing.
        self._model.sort(section, order)
        self.show_sort()

    def show_sort(self) -> None:
        """Put the indicator where the rows are sorted (after a click on a column that cannot sort)."""
        header = self._table.horizontalHeader()
        column, order = self._model.sort_column, self._model.sort_order.qt_order
        if (header.sortIndicatorSection(), header.sortIndicatorOrder()) != (column, order):
            blocked = header.blockSignals(True)
            header.setSortIndicator(column, order)
            header.blockSignals(blocked)

    def save(self, settings: QSettings) -> None:
        """Column widths and the sort order, in the settings group the page has begun."""
        settings.setValue(_COLUMNS, self._table.horizontalHeader().saveState())
        settings.setValue(_SORT, self._model.sort_order.key or "")
        settings.setValue(_DESCENDING, self._model.sort_order.descending)

    def restore(self, settings: QSettings) -> None:
        """What ``save`` kept; missing, old or corrupt values are ignored.

        Sorts the model, which loads its first page again if it has loaded rows already.
        """
        columns = settings.value(_COLUMNS)
        wanted = SortOrder(str(settings.value(_SORT) or "") or None, _as_bool(settings.value(_DESCENDING)))
        column = self._model.column_of_sort_key(wanted.key)
        if column < 0:
            wanted = SortOrder()
        # The header's saved state holds an indicator too, and restoring it announces it: that
        # must not sort the rows (nor must the view, so sorting is off meanwhile).
        self._restoring = True
        try:
            self._table.setSortingEnabled(False)
            if isinstance(columns, QByteArray):
                self._table.horizontalHeader().restoreState(columns)
            self._model.set_sort(wanted)
            self._table.horizontalHeader().setSortIndicator(column, wanted.qt_order)
            self._table.setSortingEnabled(True)  # sorts by the indicator: what the model has, so no query
        finally:
            self._restoring = False


def _as_bool(value: object) -> bool:
    """QSettings' INI files hand booleans back as the strings "true" and "false"."""
    return value is True or (isinstance(value, str) and value.lower() == "true")
