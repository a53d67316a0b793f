"""Remembering a page's layout in QSettings: splitter positions, column widths and table sorting.

A page names its views by settings key (``{"splitter": ..., "columns": table}``). A table's
header state is kept under its key; for a sortable table the sort column and order are kept
beside it (``columns_sort_column``, ``columns_sort_order``) and applied after the header,
because a header state saved before the table could sort holds Qt's default "column 0,
descending", which must not sort anything. Missing or corrupt values are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtWidgets import QSplitter, QTableView

View = QSplitter | QTableView


def save_views(settings: QSettings, group: str, views: Mapping[str, View]) -> None:
    settings.beginGroup(group)
    try:
        for key, view in views.items():
            if isinstance(view, QSplitter):
                settings.setValue(key, view.saveState())
                continue
            header = view.horizontalHeader()
            settings.setValue(key, header.saveState())
            if view.isSortingEnabled():
                settings.setValue(f"{key}_sort_column", header.sortIndicatorSection())
                settings.setValue(f"{key}_sort_order", header.sortIndicatorOrder().value)
    finally:
        settings.endGroup()


def restore_views(settings: QSettings, group: str, views: Mapping[str, View]) -> None:
    settings.beginGroup(group)
    try:
        for key, view in views.items():
            state = settings.value(key)
            if isinstance(view, QSplitter):
                if isinstance(state, QByteArray):
                    view.restoreState(state)
                continue
            if isinstance(state, QByteArray):
                view.horizontalHeader().restoreState(state)
            if view.isSortingEnabled():
                column = _int(settings.value(f"{key}_sort_column"), -1)
                order = _int(settings.value(f"{key}_sort_order"), 0)
                if not -1 <= column < view.horizontalHeader().count():
                    column = -1
                view.sortByColumn(column, Qt.SortOrder.DescendingOrder if order == 1 else Qt.SortOrder.AscendingOrder)
    finally:
        settings.endGroup()


def _int(value: object, default: int) -> int:
    """QSettings gives numbers back as strings from INI files."""
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return default
