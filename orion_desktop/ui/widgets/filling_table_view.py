"""A table view whose main text column takes the spare width, but never gets narrower than readable.

``QHeaderView.Stretch`` would squeeze that column to nothing when the view is narrow and would
stop the user from resizing it; this keeps it at least ``minimum_fill_width`` wide (the view
scrolls instead) and lets the user drag it like any other column.
"""

from __future__ import annotations

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHeaderView, QTableView, QWidget


class FillingTableView(QTableView):
    def __init__(self, fill_column: int, minimum_fill_width: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fill_column = fill_column
        self.minimum_fill_width = minimum_fill_width
        self._auto_width: int | None = None  # the width this view last gave the fill column itself
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.sectionResized.connect(self._section_resized)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.fill_width()

    def _section_resized(self, section: int, _old: int, _new: int) -> None:
        if section != self.fill_column:
            self.fill_width()  # another column changed: take up (or give back) the difference

    def fill_width(self) -> None:
        header = self.horizontalHeader()
        model = self.model()
        if model is None or self.fill_column >= model.columnCount():
            return
        others = sum(header.sectionSize(i) for i in range(header.count()) if i != self.fill_column)
        target = max(self.minimum_fill_width, self.viewport().width() - others)
        current = header.sectionSize(self.fill_column)
        user_sized = self._auto_width is not None and current != self._auto_width
        if current == target or (user_sized and current > target):
            return
        self._auto_width = target
        header.resizeSection(self.fill_column, target)
