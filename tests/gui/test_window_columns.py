"""Issue 11, item 2: at 1024 (and 1380) pixels wide every number column is in sight, without
scrolling sideways, even after a wide Product / Customer / Name column was saved in the settings.

On the demo warehouse, as a new user sees it. Number columns are the ones the model's header
right-aligns (every table model here does so for its figures)."""

from __future__ import annotations

import pytest
from helpers import ADMIN
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.demo import fill_demo
from orion_desktop.domain.actor import Actor
from orion_desktop.ui.main_window import MainWindow
from orion_desktop.ui.pages.base import Page
from orion_desktop.ui.widgets.filling_table_view import FillingTableView

from .window_support import open_window

pytestmark = pytest.mark.usefixtures("background_work_done")

SAVED_WIDE = 900  # what a Product column dragged wide on a big screen leaves in the settings
PAGES = ("Inventory", "Orders", "Low stock", "Locations")


def _number_columns(table: QTableView) -> list[int]:
    model = table.model()
    header = table.horizontalHeader()
    numbers = []
    for column in range(model.columnCount()):
        alignment = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.TextAlignmentRole)
        if alignment is None and model.rowCount() > 0:  # a QTableWidget aligns its cells, not its header
            alignment = model.index(0, column).data(Qt.ItemDataRole.TextAlignmentRole)
        right = alignment is not None and bool(Qt.AlignmentFlag(int(alignment)) & Qt.AlignmentFlag.AlignRight)
        if right and not header.isSectionHidden(column):
            numbers.append(column)
    return numbers


def _tables(page: Page) -> list[QTableView]:
    return [t for t in page.findChildren(QTableView) if t.isVisible() and t.model() is not None]


def _show(qtbot: QtBot, window: MainWindow, title: str) -> Page:
    page = next(p for p in window.pages if p.title == title)
    window.navigation.setCurrentRow(window.pages.index(page))
    qtbot.wait(50)
    return page


def _out_of_sight(table: QTableView) -> list[str]:
    header = table.horizontalHeader()
    width = table.viewport().width()
    return [
        str(table.model().headerData(c, Qt.Orientation.Horizontal))
        for c in _number_columns(table)
        if header.sectionViewportPosition(c) < 0 or header.sectionViewportPosition(c) + header.sectionSize(c) > width
    ]


def _save_wide_text_columns(qtbot: QtBot, services: Services, actor: Actor, settings: QSettings) -> None:
    """A first session on a big screen: every fill column dragged wide, then the window closed."""
    window = open_window(qtbot, services, actor, settings)
    window.resize(1900, 1000)
    for title in PAGES:
        page = _show(qtbot, window, title)
        for table in _tables(page):
            if isinstance(table, FillingTableView):
                table.horizontalHeader().resizeSection(table.fill_column, SAVED_WIDE)
    window.save_state()
    window.close()


@pytest.mark.parametrize("width", [1024, 1380])
def test_2_every_number_column_is_in_sight_at_common_widths(
    qtbot: QtBot, services: Services, manager: Actor, window_settings: QSettings, width: int
) -> None:
    fill_demo(services.database, ADMIN)
    _save_wide_text_columns(qtbot, services, manager, window_settings)

    window = open_window(qtbot, services, manager, window_settings)
    window.resize(width, 768)
    qtbot.waitUntil(lambda: window.width() == width, timeout=2000)  # the window fits the screen's width
    for title in PAGES:
        page = _show(qtbot, window, title)
        if page is window.inventory_page:  # with a product chosen: its detail tables count too
            inventory = window.inventory_page
            qtbot.waitUntil(lambda: inventory.model.rowCount() > 0)  # noqa: B023
            inventory.table.setCurrentIndex(inventory.model.index(0, 0))
            qtbot.waitUntil(lambda: inventory.detail.locations_table.isVisible())  # noqa: B023
        tables = _tables(page)
        assert tables, title
        for table in tables:
            assert _number_columns(table), (title, table.objectName())
            assert _out_of_sight(table) == [], (title, table.objectName())


def test_2_text_columns_take_the_spare_width_and_numbers_fit_their_contents(
    qtbot: QtBot, stocked: Services, manager: Actor, window_settings: QSettings
) -> None:
    window = open_window(qtbot, stocked, manager, window_settings)
    window.resize(1380, 800)
    page = _show(qtbot, window, "Inventory")
    table = page.findChild(FillingTableView, "inventoryTable")
    assert table is not None
    header = table.horizontalHeader()
    used = sum(header.sectionSize(c) for c in range(header.count()) if not header.isSectionHidden(c))
    assert abs(used - table.viewport().width()) <= 1  # the product column takes what is left, no gap
    for column in _number_columns(table):
        title = str(table.model().headerData(column, Qt.Orientation.Horizontal))
        assert header.sectionSize(column) >= table.fontMetrics().horizontalAdvance(title)  # header readable
