"""The frame of the detail panes under the stock and order tables (and the look of the summary
on the shipment status page).

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
    QGridLayout,
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


def _big_label(parent: QWidget, name: str, scale: float) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    font = QFont(parent.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    return label


def title_label(parent: QWidget, name: str) -> QLabel:
    """The large bold title of what is shown (a product, an order)."""
    return _big_label(parent, name, 1.25)


def subtitle_label(parent: QWidget, name: str) -> QLabel:
    """The line of facts under the title; selectable, so a GTIN or an e-mail can be copied."""
    label = QLabel(parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


def figure_label(parent: QWidget, name: str) -> QLabel:
    """One big figure beside the title (under its caption)."""
    return _big_label(parent, name, 1.4)


def figure_grid(parent: QWidget, figures: Sequence[tuple[str, QLabel]]) -> QGridLayout:
    """The figures side by side, each under its caption."""
    grid = QGridLayout()
    grid.setHorizontalSpacing(24)
    for column, (caption, value) in enumerate(figures):
        grid.addWidget(QLabel(caption, parent), 0, column)
        grid.addWidget(value, 1, column)
    return grid


def heading_row(names: QLayout, figures: QLayout, parent: QWidget | None = None) -> QHBoxLayout:
    """Title and subtitle (``names``) taking the width, the figures on the right."""
    top = QHBoxLayout() if parent is None else QHBoxLayout(parent)  # the stubs want a parent, Qt takes none
    top.addLayout(names, 1)
    top.addSpacing(24)
    top.addLayout(figures)
    return top


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
    @staticmethod
    def _table(
        parent: QWidget, headers: Sequence[str], name: str, tips: Sequence[str] | None = None
    ) -> QTableWidget:
        """A compact read-only table of whole rows; columns fit their contents."""
        table = QTableWidget(0, len(headers), parent)
        table.setObjectName(name)
        table.setHorizontalHeaderLabels(list(headers))
        for column, tip in enumerate(tips or ()):
            header = table.horizontalHeaderItem(column)
            assert header is not None  # setHorizontalHeaderLabels made one per column
            header.setToolTip(tip)
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
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(heading_row(names, figures))
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
