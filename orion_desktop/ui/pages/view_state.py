"""Remembering a page's layout in QSettings: splitter positions, column widths and table sorting.

A page names its views by settings key (``{"splitter": ..., "columns": self.sorting}``). A
splitter keeps its state under its key, a table its header state (column widths). A sortable
table is named by its ``HeaderSorting``, which keeps the sort beside the header state, the same
way whether it sorts in memory or in SQL (see ``widgets.header_sorting``). Missing or corrupt
values are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QSplitter, QTableView

from orion_desktop.ui.widgets.header_sorting import HeaderSorting

View = QSplitter | QTableView | HeaderSorting


def save_views(settings: QSettings, group: str, views: Mapping[str, View]) -> None:
    settings.beginGroup(group)
    try:
        for key, view in views.items():
            if isinstance(view, HeaderSorting):
                view.save(settings, key)
            elif isinstance(view, QSplitter):
                settings.setValue(key, view.saveState())
            else:
                settings.setValue(key, view.horizontalHeader().saveState())
    finally:
        settings.endGroup()


def restore_views(settings: QSettings, group: str, views: Mapping[str, View]) -> None:
    settings.beginGroup(group)
    try:
        for key, view in views.items():
            if isinstance(view, HeaderSorting):
                view.restore(settings, key)
                continue
            state = settings.value(key)
            if not isinstance(state, QByteArray):
                continue
            if isinstance(view, QSplitter):
                view.restoreState(state)
            else:
                view.horizontalHeader().restoreState(state)
    finally:
        settings.endGroup()
