"""Issue 11, item 11 in the tables: a cell's whole number is drawn with the locale's digit grouping
(15,640 units at a location), as the Dashboard's tiles are. Seen in the screenshots: the Locations,
Inventory and Low stock tables showed 15640 while the Dashboard said 80,138."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QWidget
from pytestqt.qtbot import QtBot

from orion_desktop.ui.locale_setup import use_grouped_numbers
from orion_desktop.ui.models.row_model import Column, RowTableModel
from orion_desktop.ui.widgets.tables import make_table


@dataclass(frozen=True)
class Shelf:
    code: str
    units: int


@pytest.fixture
def grouped_locale() -> Iterator[QLocale]:
    """The locale as the app sets it when it starts; the test's default is restored afterwards."""
    previous = QLocale()
    yield use_grouped_numbers()
    QLocale.setDefault(previous)


def test_11_table_cells_group_thousands(qtbot: QtBot, grouped_locale: QLocale) -> None:
    columns: tuple[Column[Shelf], ...] = (
        Column("Code", lambda s: s.code), Column("Units", lambda s: s.units, number=True))
    model = RowTableModel(columns)
    model.set_rows([Shelf("WAREHOUSE_MAIN.A-01", 15640), Shelf("RETURNS", 7)])
    parent = QWidget()
    qtbot.addWidget(parent)
    table = make_table(parent, model, name="shelves", fill_column=0)
    drawn = []
    for row in range(model.rowCount()):
        option = QStyleOptionViewItem()
        table.initViewItemOption(option)  # what the view paints with: its locale omits group separators
        index = model.index(row, 1)
        delegate = table.itemDelegateForIndex(index)
        assert isinstance(delegate, QStyledItemDelegate)
        delegate.initStyleOption(option, index)
        drawn.append(option.text)
    assert drawn == [grouped_locale.toString(15640), "7"]
    assert drawn[0] != "15640"  # a locale without a group separator would make this test meaningless
    assert model.index(0, 1).data() == 15640  # the model still answers a number (sorting, tests)
