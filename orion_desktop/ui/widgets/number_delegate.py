"""Whole numbers in table cells with the locale's digit grouping: 15,640 rather than 15640.

``QAbstractItemView`` hands its delegate a locale with ``OmitGroupSeparator`` switched on, so a
model that answers an ``int`` for ``DisplayRole`` (as every model here does, so tests and sorting
see numbers) would show it ungrouped, whatever ``locale_setup`` chose. This delegate writes ints
with ``QLocale()``, the user's locale with grouping (ARCHITECTURE.md: Qt habits, "Figures").
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QStyledItemDelegate


class GroupedNumberDelegate(QStyledItemDelegate):
    def displayText(self, value: Any, locale: QLocale | QLocale.Language) -> str:  # noqa: N802 - Qt's name
        if isinstance(value, int) and not isinstance(value, bool):
            return QLocale().toString(value)
        return super().displayText(value, locale)
