"""Sorting a table by clicking its header, and the sort remembered with the column widths.

Every sortable table has one ``HeaderSorting``, whatever sorts its rows: ``ProxySorting``
(``widgets.sorting``) sorts a small table loaded whole in memory, ``KeysetSorting``
(``models.keyset_sorting``) has a large table's model sort in SQL. Both behave alike: a click
sorts by the column, the next click turns the order round, the third gives the service's order
back (no indicator), and a column that cannot be sorted leaves the rows and the indicator alone.

``save`` keeps, under a page's settings key, the header state (column widths) and beside it
the sort: ``{key}_sort`` names it the way its backend does ("" for the service's order) and
``{key}_sort_descending`` says which way. ``restore`` applies that sort once: the header state
(which holds an indicator too, Qt's "column 0, descending" if saved before the table could
sort) never sorts anything, and a SQL-sorted model that has not loaded yet only notes the sort
for its first load. Settings from older versions (other keys) are ignored.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QObject, QSettings, Qt
from PySide6.QtWidgets import QTableView

SORT_SUFFIX = "_sort"
DESCENDING_SUFFIX = "_sort_descending"


class HeaderSorting(QObject):
    """Keeps a table's sort indicator true to its rows; subclasses sort the rows (the backend)."""

    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self.table = table
        self._restoring = False

    def _connect(self) -> None:
        """Call at the end of a subclass's constructor, once the table shows the model to sort."""
        header = self.table.horizontalHeader()
        header.setSortIndicatorClearable(True)  # the third click: back to the service's order
        header.setSortIndicator(*self.sorted_by())  # Qt's default "column 0" would sort at once
        self.table.setSortingEnabled(True)  # sorts by the indicator: how the rows are already, so nothing happens
        header.sortIndicatorChanged.connect(self._indicator_changed)

    # --- the backend ----------------------------------------------------------------------
    def sorted_by(self) -> tuple[int, Qt.SortOrder]:
        """The column the rows are sorted by (-1: the service's order) and the direction."""
        raise NotImplementedError

    def sort(self, column: int, order: Qt.SortOrder) -> None:
        """Sort the rows by ``column`` (-1: the service's order); a column that cannot sort changes nothing."""
        raise NotImplementedError

    def sort_name(self, column: int) -> str | None:
        """What the settings call a sort by ``column``; None for -1 or a column that cannot sort."""
        raise NotImplementedError

    def column_named(self, name: str) -> int:
        """The column ``sort_name`` gave ``name``; -1 for "" or a name no column has (old settings)."""
        raise NotImplementedError

    # --- clicks ---------------------------------------------------------------------------
    def _indicator_changed(self, section: int, order: Qt.SortOrder) -> None:
        if self._restoring:
            return
        # The view sorts its model on this signal too; whichever comes second changes nothing.
        self.sort(section, order)
        self.show_sort()

    def show_sort(self) -> None:
        """Put the indicator where the rows are sorted (after a click on a column that cannot sort)."""
        header = self.table.horizontalHeader()
        column, order = self.sorted_by()
        if (header.sortIndicatorSection(), header.sortIndicatorOrder()) != (column, order):
            blocked = header.blockSignals(True)
            header.setSortIndicator(column, order)
            header.blockSignals(blocked)

    # --- settings -------------------------------------------------------------------------
    def save(self, settings: QSettings, key: str) -> None:
        """Column widths and the sort, under ``key`` in the settings group the page has begun."""
        column, order = self.sorted_by()
        settings.setValue(key, self.table.horizontalHeader().saveState())
        settings.setValue(key + SORT_SUFFIX, self.sort_name(column) or "")
        settings.setValue(key + DESCENDING_SUFFIX, order == Qt.SortOrder.DescendingOrder)

    def restore(self, settings: QSettings, key: str) -> None:
        """What ``save`` kept; missing, old or corrupt values are ignored."""
        state = settings.value(key)
        column = self.column_named(str(settings.value(key + SORT_SUFFIX) or ""))
        descending = _as_bool(settings.value(key + DESCENDING_SUFFIX))
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        # Restoring the header announces its saved indicator: that must not sort the rows, nor
        # may the view (so its sorting is off meanwhile). The saved sort is applied once, below.
        self._restoring = True
        try:
            self.table.setSortingEnabled(False)
            if isinstance(state, QByteArray):
                self.table.horizontalHeader().restoreState(state)
            self.sort(column, order)
            self.table.horizontalHeader().setSortIndicator(*self.sorted_by())
            self.table.setSortingEnabled(True)  # sorts by the indicator: how the rows are now, so nothing happens
        finally:
            self._restoring = False


def _as_bool(value: object) -> bool:
    """QSettings' INI files hand booleans back as the strings "true" and "false"."""
    return value is True or (isinstance(value, str) and value.lower() == "true")
