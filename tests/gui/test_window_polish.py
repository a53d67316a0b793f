"""Visual gaps of the window (task "polish"): what a person sees at 1024×768 and 1600×1000."""

from __future__ import annotations

import pytest
from helpers import ADMIN
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTableView
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.demo import fill_demo
from orion_desktop.domain.actor import Actor
from orion_desktop.ui.main_window import MainWindow
from orion_desktop.ui.models.inventory_model import InventoryColumn
from orion_desktop.ui.models.ledger_model import LedgerColumn
from orion_desktop.ui.models.low_stock_model import LowStockColumn
from orion_desktop.ui.pages.live_page import LivePage
from orion_desktop.ui.pages.pack_station_page import PackStationPage
from orion_desktop.ui.widgets.filling_table_view import FillingTableView

from .window_support import open_window

pytestmark = pytest.mark.usefixtures("background_work_done")
WAIT_MS = 15_000


def test_the_about_box_keeps_the_database_path_on_one_line(
    qtbot: QtBot, stocked: Services, manager: Actor, window_settings: QSettings
) -> None:
    window = open_window(qtbot, stocked, manager, window_settings)
    window.resize(1024, 768)
    box = window.show_about()
    qtbot.waitExposed(box)
    label = box.findChild(QLabel, "qt_msgbox_informativelabel")
    assert isinstance(label, QLabel)
    line = f"Database: {stocked.database_description}"
    assert line in label.text()
    # A path is one long word: narrower than it, the label broke it mid-word ("orion-screenshots-" / "jevlk0o0/…").
    assert label.contentsRect().width() >= label.fontMetrics().horizontalAdvance(line)
    box.close()


# --- columns at 1024 and 1600 pixels, on the demo warehouse -----------------------------------------
def _demo_window(
    qtbot: QtBot, services: Services, actor: Actor, settings: QSettings, width: int, height: int
) -> MainWindow:
    fill_demo(services.database, ADMIN)
    window = open_window(qtbot, services, actor, settings)
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width, timeout=2000)
    return window


def _show(qtbot: QtBot, window: MainWindow, page: LivePage | PackStationPage) -> None:
    window.navigation.setCurrentRow(window.pages.index(page))
    qtbot.waitUntil(lambda: not getattr(page, "is_loading", False), timeout=WAIT_MS)
    qtbot.wait(50)


def _shown_text(table: QTableView, row: int, column: int) -> str:
    """What the cell shows once its delegate has cut the text to the column's width."""
    index = table.model().index(row, column)
    option = QStyleOptionViewItem()
    option.initFrom(table)
    delegate = table.itemDelegate()
    assert isinstance(delegate, QStyledItemDelegate)
    delegate.initStyleOption(option, index)
    room = table.columnWidth(column) - 2 * (table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1)
    return table.fontMetrics().elidedText(option.text, option.textElideMode, room)


def _used_width(table: QTableView) -> int:
    header = table.horizontalHeader()
    return sum(header.sectionSize(c) for c in range(header.count()) if not header.isSectionHidden(c))


def test_at_1024_stock_by_location_shows_whole_names_and_lists_show_the_bin(
    qtbot: QtBot, services: Services, manager: Actor, window_settings: QSettings
) -> None:
    window = _demo_window(qtbot, services, manager, window_settings, 1024, 768)
    inventory = window.inventory_page
    _show(qtbot, window, inventory)
    model = inventory.model
    longest = max(range(model.rowCount()), key=lambda r: len(str(model.index(r, InventoryColumn.LOCATION).data())))
    inventory.table.setCurrentIndex(model.index(longest, 0))
    locations = inventory.detail.locations_table
    qtbot.waitUntil(lambda: locations.isVisible() and locations.rowCount() > 0, timeout=WAIT_MS)
    for row in range(locations.rowCount()):
        item = locations.item(row, 0)
        assert item is not None
        assert locations.columnWidth(0) >= locations.fontMetrics().horizontalAdvance(item.text()), item.text()

    for page, table, location, sku in (
        (window.low_stock_page, window.low_stock_page.table, LowStockColumn.LOCATION, LowStockColumn.SKU),
        (window.ledger_page, window.ledger_page.table, LedgerColumn.LOCATION, LedgerColumn.SKU),
    ):
        _show(qtbot, window, page)
        assert table.model().rowCount() > 0
        assert _used_width(table) <= table.viewport().width()  # nothing runs off to the right
        for row in range(min(table.model().rowCount(), 20)):
            name = str(table.model().index(row, location).data())
            shown = _shown_text(table, row, location)
            assert shown.endswith(name[-4:]), (name, shown)  # "…N.A-02": the aisle and bin stay in sight
            code = str(table.model().index(row, sku).data())
            assert _shown_text(table, row, sku) == code  # the SKU is never cut
    window.close()


@pytest.mark.parametrize("page_name", ["pack_station_page", "orders_page"])
def test_at_1600_the_main_text_column_leaves_no_gap_and_gives_it_back_when_narrow(
    qtbot: QtBot, services: Services, manager: Actor, window_settings: QSettings, page_name: str
) -> None:
    window = _demo_window(qtbot, services, manager, window_settings, 1024, 768)
    page = getattr(window, page_name)
    _show(qtbot, window, page)
    table = page.table
    assert isinstance(table, FillingTableView) and table.maximum_fill_width is not None
    header = table.horizontalHeader()
    narrow = [header.sectionSize(c) for c in range(header.count())]
    window.resize(1600, 1000)
    qtbot.waitUntil(lambda: window.width() == 1600, timeout=2000)
    qtbot.wait(50)
    assert header.sectionSize(table.fill_column) == table.maximum_fill_width  # stops there ...
    assert abs(_used_width(table) - table.viewport().width()) <= 1  # ... and the others take the rest
    texts = [c for c in range(header.count()) if c != table.fill_column and not table.is_number_column(c)]
    assert all(header.sectionSize(c) > narrow[c] for c in texts)
    numbers = [c for c in range(header.count()) if table.is_number_column(c)]
    assert all(header.sectionSize(c) == narrow[c] for c in numbers)  # figures keep their width
    window.resize(1024, 768)
    qtbot.waitUntil(lambda: window.width() == 1024, timeout=2000)
    qtbot.wait(50)
    assert [header.sectionSize(c) for c in range(header.count())] == narrow  # the extra is given back
    window.close()
