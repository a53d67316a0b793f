"""The frame of the detail panes under the stock and order tables.

A placeholder sentence until something is shown; then a heading (title, subtitle) with big
figures beside it over the pane's own tables. Subclasses build the content in ``_init_content``
from the pieces here and switch with ``_show_placeholder`` / ``_show_content``.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from orion_desktop.ui import formatting

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


class DetailPane(QWidget):
    """Placeholder or content; the page does the querying and hands over what to show."""

    PLACEHOLDER_TEXT = ""

    def __init__(self, name: str, placeholder_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._stack = QStackedWidget(self)
        self.placeholder = QLabel(self.PLACEHOLDER_TEXT, self)
        self.placeholder.setObjectName(placeholder_name)
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setEnabled(False)  # drawn in the palette's muted text colour
        self._stack.addWidget(self.placeholder)
        self._stack.addWidget(self._init_content())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)

    def _init_content(self) -> QWidget:
        """The widget shown once there is something to show."""
        raise NotImplementedError

    def _show_placeholder(self, message: str | None = None) -> None:
        """The hint to select a row, or ``message`` (e.g. why nothing is shown)."""
        self.placeholder.setText(message or self.PLACEHOLDER_TEXT)
        self._stack.setCurrentWidget(self.placeholder)

    def _show_content(self) -> None:
        self._stack.setCurrentIndex(1)

    # --- pieces for _init_content ---------------------------------------------------------
    def _title(self, parent: QWidget, name: str) -> QLabel:
        label = QLabel(parent)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setFont(self._scaled_bold_font(1.25))
        return label

    @staticmethod
    def _subtitle(parent: QWidget, name: str) -> QLabel:
        label = QLabel(parent)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setWordWrap(True)
        return label

    def _figure(self, parent: QWidget, name: str) -> QLabel:
        label = QLabel(parent)
        label.setObjectName(name)
        label.setFont(self._scaled_bold_font(1.4))
        return label

    def _scaled_bold_font(self, scale: float) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * scale)
        font.setBold(True)
        return font

    @staticmethod
    def _table(
        parent: QWidget, headers: Sequence[str], name: str, tips: Sequence[str] | None = None
    ) -> QTableWidget:
        """A compact read-only table of whole rows; columns fit their contents."""
        table = QTableWidget(0, len(headers), parent)
        table.setObjectName(name)
        table.setHorizontalHeaderLabels(list(headers))
        for column, tip in enumerate(tips or ()):
            table.horizontalHeaderItem(column).setToolTip(tip)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        return table

    @staticmethod
    def _lay_out(content: QWidget, names: QLayout, figures: QLayout, main: QLayout | QWidget) -> None:
        """Heading (``names``, then ``figures`` on the right) over ``main``, which takes the height."""
        top = QHBoxLayout()
        top.addLayout(names, 1)
        top.addSpacing(24)
        top.addLayout(figures)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addSpacing(4)
        if isinstance(main, QLayout):
            layout.addLayout(main, 1)
        else:
            layout.addWidget(main, 1)

    @staticmethod
    def _item(value: object, *, right: bool = False) -> QTableWidgetItem:
        """A cell: whole numbers with digit grouping on the right, text on the left (unless ``right``)."""
        if isinstance(value, int):
            item = QTableWidgetItem(formatting.number(value))
            item.setTextAlignment(_RIGHT)
        else:
            item = QTableWidgetItem("" if value is None else str(value))
            item.setTextAlignment(_RIGHT if right else _LEFT)
        return item
