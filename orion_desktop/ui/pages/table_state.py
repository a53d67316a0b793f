"""A table keeps what the user was looking at when its rows are loaded again.

A refresh (another PC's change, F5, this window's own write) resets the table's model. ``TableState``
remembers, just before the reset, the current and the selected rows by their identity (a database
id, never a row number: rows move when others are added or re-sorted), the row at the top of the
view and the horizontal scroll, and puts them back after it. The sort lives in the model or its
proxy and the filter text in the page's widgets: a refresh changes neither.

``LivePage`` gives every table of the page one, when the page is first shown, and arms them at every
``refresh``; a reset the user asked for (a sort, a new filter) is left alone.
"""

from __future__ import annotations

import time
from collections.abc import Hashable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QItemSelectionModel, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView, QTableWidget

from orion_desktop.ui.models.row_model import RowRole

IDENTITY_FIELDS = ("inventory_id", "id", "item_id", "shipment_number", "code", "status", "order_number")
"""The first of these a row has names it (the service rows are frozen dataclasses with database ids)."""


def row_identity(row: object) -> Hashable:
    """What a service row is, whatever it shows now: its id (or code) when it has one."""
    for name in IDENTITY_FIELDS:
        value = getattr(row, name, None)
        if value is not None:
            return (name, value)
    return row if isinstance(row, Hashable) else id(row)


@dataclass
class _Seen:
    current: Hashable | None
    current_column: int
    selected: list[Hashable]
    top: Hashable | None
    top_hidden: int  # pixels of the top row scrolled out of sight
    vertical: int
    horizontal: int


ARMED_S = 10.0
"""How long after ``arm`` a model reset still counts as the refresh's (a slow query answers late)."""


class TableState(QObject):
    """Restores ``table``'s current row, selection and scroll position after the model reset of a refresh.

    Only a refresh (``arm``) is undone so: a sort or a new filter the user asked for shows its own
    first rows, as before."""

    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self._table = table
        self._seen: _Seen | None = None
        self._armed_until = 0.0
        self.restored = 0  # resets after which something was put back (tests read it)
        model = table.model()
        model.modelAboutToBeReset.connect(self._remember)
        model.modelReset.connect(self._restore)

    def _key(self, row: int) -> Hashable | None:
        model = self._table.model()
        value = model.index(row, 0).data(RowRole.ROW)
        return None if value is None else row_identity(value)

    def arm(self) -> None:
        """The next model reset is a refresh's: keep what the table shows across it."""
        self._armed_until = time.monotonic() + ARMED_S

    def _remember(self) -> None:
        self._seen = None
        if not shiboken6.isValid(self._table) or time.monotonic() > self._armed_until:
            return  # not a refresh, or the table is being destroyed (its model resets on the way)
        self._armed_until = 0.0
        table = self._table
        current = table.currentIndex()
        selection = table.selectionModel()
        selected = [self._key(index.row()) for index in selection.selectedRows()] if selection is not None else []
        top = table.rowAt(0)
        self._seen = _Seen(
            current=self._key(current.row()) if current.isValid() else None,
            current_column=max(current.column(), 0),
            selected=[key for key in selected if key is not None],
            top=self._key(top) if top >= 0 else None,
            top_hidden=-table.rowViewportPosition(top) if top >= 0 else 0,
            vertical=table.verticalScrollBar().value(),
            horizontal=table.horizontalScrollBar().value(),
        )

    def _restore(self) -> None:
        seen, self._seen = self._seen, None
        if seen is None or not shiboken6.isValid(self._table):
            return
        table = self._table
        model = table.model()
        wanted = {seen.current, seen.top, *seen.selected} - {None}
        rows: dict[Hashable, int] = {}
        if wanted:
            for row in range(model.rowCount()):
                key = self._key(row)
                if key in wanted:
                    rows[key] = row
        selection = table.selectionModel()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for key in seen.selected:
            if key in rows and selection is not None:
                selection.select(model.index(rows[key], 0), flags)
        if seen.current in rows:
            index = model.index(rows[seen.current], seen.current_column)
            if table.currentIndex() != index and selection is not None:
                # The page's own restore (Inventory, Orders) may have set it already; else set it
                # without scrolling to it: the view's position is put back below.
                auto = table.hasAutoScroll()
                table.setAutoScroll(False)
                selection.setCurrentIndex(index, flags if seen.current in seen.selected else
                                          QItemSelectionModel.SelectionFlag.NoUpdate)
                table.setAutoScroll(auto)
        table.doItemsLayout()  # the scroll bars' ranges follow the new rows now, not at the next paint
        if seen.top in rows:
            top = rows[seen.top]
            if table.verticalScrollMode() == QAbstractItemView.ScrollMode.ScrollPerItem:
                table.verticalScrollBar().setValue(top)
            else:
                table.verticalScrollBar().setValue(table.verticalHeader().sectionPosition(top) + seen.top_hidden)
        else:
            table.verticalScrollBar().setValue(seen.vertical)
        table.horizontalScrollBar().setValue(seen.horizontal)
        self.restored += 1


def keep_table_states(tables: list[QTableView]) -> list[TableState]:
    """A ``TableState`` for each table of service rows that has none yet (a ``QTableWidget``'s items are
    its own, not rows loaded again)."""
    made = []
    for table in tables:
        direct = Qt.FindChildOption.FindDirectChildrenOnly
        if not isinstance(table, QTableWidget) and table.findChild(TableState, options=direct) is None:
            made.append(TableState(table))
    return made

