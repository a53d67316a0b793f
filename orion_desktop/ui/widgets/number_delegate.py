"""Whole numbers in table cells with the locale's digit grouping: 15,640 rather than 15640.

``QAbstractItemView`` hands its delegate a locale with ``OmitGroupSeparator`` switched on, so a
model that answers an ``int`` for ``DisplayRole`` (as every model here does, so tests and sorting
see numbers) would show it ungrouped, whatever ``locale_setup`` chose. This delegate writes ints
with ``QLocale()``, the user's locale with grouping (ARCHITECTURE.md: Qt habits, "Figures").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QLocale, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QWidget


class GroupedNumberDelegate(QStyledItemDelegate):
    """Grouped whole numbers; the ``left_elided`` columns cut their text at the left.

    A location code narrows from left to right and differs from its neighbours at its end
    ("WAREHOUSE_MAIN.A-01", "….B-02"): cut at the right, every row read "WAREHOUSE_…"; cut at the
    left it stays "…MAIN.A-01", the aisle and bin to walk to.
    """

    def __init__(self, parent: QWidget | None = None, *, left_elided: Iterable[int] = ()) -> None:
        super().__init__(parent)
        self.left_elided = frozenset(left_elided)

    def initStyleOption(  # noqa: N802 - Qt's name
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        if index.column() in self.left_elided:
            option.textElideMode = Qt.TextElideMode.ElideLeft

    def displayText(self, value: Any, locale: QLocale | QLocale.Language) -> str:  # noqa: N802 - Qt's name
        if isinstance(value, int) and not isinstance(value, bool):
            return QLocale().toString(value)
        return super().displayText(value, locale)
