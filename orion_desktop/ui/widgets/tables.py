"""The table look every page shares (Inventory, Orders, the pack station and the overview pages),
and the split layout of the pages with a second table below the first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLayout,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from orion_desktop.ui.widgets.filling_table_view import FillingTableView
from orion_desktop.ui.widgets.number_delegate import GroupedNumberDelegate


def make_table(
    parent: QWidget,
    model: QAbstractItemModel,
    *,
    name: str,
    fill_column: int,
    fill_chars: int = 22,
    samples: Mapping[int, str] | None = None,
    selection: QAbstractItemView.SelectionMode = QAbstractItemView.SelectionMode.SingleSelection,
    row_padding: int = 8,
    places: Iterable[int] = (),
    keep: Iterable[int] = (),
    max_fill_chars: int | None = None,
) -> FillingTableView:
    """A read-only table of whole-row selection whose ``fill_column`` takes the spare width.

    ``samples`` sizes other columns to fit a typical value (or their header, if wider);
    ``places`` are location columns: cut at the left (the end tells bins apart) and, on a narrow
    view, the last text columns to give way, as are the ``keep`` columns (identifiers such as a SKU);
    ``max_fill_chars``: on a wide view the fill column stops there and the other text columns share the rest;
    ``selection`` may be ``NoSelection`` (the pack station highlights the scanned line instead);
    rows are the font's height plus ``row_padding`` pixels.
    """
    metrics = parent.fontMetrics()
    places = frozenset(places)
    table = FillingTableView(
        fill_column, metrics.horizontalAdvance("n") * fill_chars, parent, keep=places | frozenset(keep),
        maximum_fill_width=None if max_fill_chars is None else metrics.horizontalAdvance("n") * max_fill_chars,
    )
    table.setObjectName(name)
    table.setModel(model)
    table.setItemDelegate(GroupedNumberDelegate(table, left_elided=places))  # 15,640 units, not 15640
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(selection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setCornerButtonEnabled(False)
    vertical = table.verticalHeader()
    vertical.hide()
    vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # uniform rows: fast with many rows
    vertical.setDefaultSectionSize(table.fontMetrics().height() + row_padding)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    padding = metrics.horizontalAdvance("M") + 8
    for column, sample in (samples or {}).items():
        title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        widest_line = max(metrics.horizontalAdvance(line) for line in title.split("\n"))  # a header may wrap
        width = max(metrics.horizontalAdvance(sample), widest_line) + padding
        table.setColumnWidth(column, width)
    header.setMinimumSectionSize(metrics.horizontalAdvance("0000") + padding)
    return table


def heading(text: str, parent: QWidget, *, scale: float = 1.0) -> QLabel:
    """A bold section heading."""
    label = QLabel(text, parent)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    label.setTextFormat(Qt.TextFormat.PlainText)
    font = QFont(label.font())
    font.setBold(True)
    if scale != 1.0:
        font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    return label


def status_label(parent: QWidget, name: str) -> QLabel:
    """A muted one-line status ("12 rows", "Loading…") beside a page's filters."""
    label = QLabel(parent)
    label.setObjectName(name)
    label.setEnabled(False)  # muted: a status line, not content
    return label


def table_section(parent: QWidget, title_row: QLayout, table: QWidget) -> QWidget:
    """The lower half of a split page: its title row (heading, filters, a count) over its table."""
    section = QWidget(parent)
    layout = QVBoxLayout(section)
    layout.setContentsMargins(0, 8, 0, 0)
    layout.addLayout(title_row)
    layout.addWidget(table, 1)
    return section


def split_vertically(
    parent: QWidget, name: str, upper: QWidget, lower: QWidget, *, stretch: tuple[int, int] = (1, 1)
) -> QSplitter:
    """Two halves of a page, one above the other, sharing the height as ``stretch`` says; neither can
    be collapsed away."""
    splitter = QSplitter(Qt.Orientation.Vertical, parent)
    splitter.setObjectName(name)
    splitter.addWidget(upper)
    splitter.addWidget(lower)
    splitter.setChildrenCollapsible(False)
    splitter.setStretchFactor(0, stretch[0])
    splitter.setStretchFactor(1, stretch[1])
    return splitter
