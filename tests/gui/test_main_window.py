"""The main window driven like a person (and a barcode scanner) would, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import sys
from typing import cast

import pytest
from helpers import ADMIN, GTIN_A
from PySide6.QtCore import QPoint, QSettings, QSize, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.errors import DatabaseUnavailable, NotFound
from orion_desktop.ui.errors import GENERIC_MESSAGE
from orion_desktop.ui.main_window import MainWindow
from orion_desktop.ui.models.inventory_model import InventoryColumn
from orion_desktop.ui.pages.inventory_page import InventoryPage
from orion_desktop.ui.pages.list_page import SEARCH_DELAY_MS

from .overview_helpers import cell_text


def _page(window: MainWindow) -> InventoryPage:
    return window.inventory_page


def _scan(qtbot: QtBot, window: MainWindow, code: str) -> None:
    """What a keyboard-wedge scanner does: type the digits, then Enter."""
    search = _page(window).search_edit
    search.setFocus()
    search.selectAll()
    qtbot.keyClicks(search, code)
    qtbot.keyClick(search, Qt.Key.Key_Return)


def _table_skus(window: MainWindow) -> list[str]:
    model = _page(window).model
    return [model.index(r, InventoryColumn.SKU).data() for r in range(model.rowCount())]


def _click_row(qtbot: QtBot, window: MainWindow, row: int) -> None:
    table = _page(window).table
    rect = table.visualRect(table.model().index(row, InventoryColumn.SKU))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_the_window_opens_on_the_inventory_with_all_stock(window: MainWindow) -> None:
    assert window.windowTitle() == "Orion Desktop"
    assert window.current_page is _page(window)
    assert window.navigation.currentItem().text() == "Inventory"
    assert sorted(_table_skus(window)) == ["A", "A", "B", "C", "D"]
    assert _page(window).count_label.text() == "5 rows"
    assert _page(window).detail.current_product is None


@pytest.mark.parametrize("code", [GTIN_A, "0" + GTIN_A])
def test_scanning_a_gtin_shows_exactly_that_product(qtbot: QtBot, window: MainWindow, code: str) -> None:
    _scan(qtbot, window, code)
    assert _table_skus(window) == ["A", "A"]
    detail = _page(window).detail
    assert detail.current_product is not None and detail.current_product.sku == "A"
    assert detail.title_label.text() == "Widget A"
    assert _page(window).search_edit.selectedText() == code  # the next scan replaces this one


def test_a_upc_a_scan_finds_the_product_stored_as_ean13(qtbot: QtBot, window: MainWindow) -> None:
    _scan(qtbot, window, "036000291452")
    assert _table_skus(window) == ["D"]


def test_typing_searches_after_a_short_pause(qtbot: QtBot, window: MainWindow) -> None:
    page = _page(window)
    qtbot.keyClicks(page.search_edit, "widget b")
    assert page.model.stock_filter.search == ""  # not yet: the user may still be typing
    assert page.search_timer.isActive()
    qtbot.waitUntil(lambda: _table_skus(window) == ["B"], timeout=SEARCH_DELAY_MS * 8)
    page.search_edit.clear()
    qtbot.waitUntil(lambda: len(_table_skus(window)) == 5, timeout=SEARCH_DELAY_MS * 8)


def test_selecting_a_row_fills_the_detail_pane(qtbot: QtBot, window: MainWindow) -> None:
    page = _page(window)
    assert _table_skus(window)[0] == "A"
    _click_row(qtbot, window, 0)
    detail = page.detail
    assert detail.title_label.text() == "Widget A"
    assert "SKU A" in detail.subtitle_label.text() and GTIN_A in detail.subtitle_label.text()
    assert (detail.quantity_value.text(), detail.reserved_value.text(), detail.available_value.text()) == (
        "42",
        "5",
        "37",
    )
    locations = detail.locations_table
    rows = [tuple(cell_text(locations, r, c) for c in range(4)) for r in range(locations.rowCount())]
    assert sorted(rows) == [("WAREHOUSE_A", "12", "5", "7"), ("WAREHOUSE_B", "30", "0", "30")]
    ledger = detail.ledger_table
    assert ledger.rowCount() == 3  # two counts and one reservation, newest first
    assert [cell_text(ledger, r, 1) for r in range(3)] == ["Reserve", "Set", "Set"]
    assert cell_text(ledger, 0, 4) == "+5"

    _click_row(qtbot, window, 2)
    assert detail.title_label.text() == "Widget B"
    assert detail.available_value.text() == "4"


def test_filters_for_store_location_and_low_stock(qtbot: QtBot, window: MainWindow) -> None:
    page = _page(window)
    assert [page.store_combo.itemData(i) for i in range(page.store_combo.count())] == [None, "MAIN"]
    location_codes = [page.location_combo.itemData(i) for i in range(page.location_combo.count())]
    assert location_codes[0] is None
    assert set(location_codes[1:]) == {"WAREHOUSE_A", "WAREHOUSE_B", "SHELF-1"}

    page.location_combo.setCurrentIndex(page.location_combo.findData("WAREHOUSE_B"))
    assert sorted(_table_skus(window)) == ["A", "D"]
    page.location_combo.setCurrentIndex(0)
    page.store_combo.setCurrentIndex(page.store_combo.findData("MAIN"))
    assert len(_table_skus(window)) == 5
    qtbot.mouseClick(page.low_stock_check, Qt.MouseButton.LeftButton, pos=QPoint(4, page.low_stock_check.height() // 2))
    assert page.low_stock_check.isChecked()
    assert sorted(_table_skus(window)) == ["A", "B", "C", "D"]  # available <= 10; A's 30 at WAREHOUSE_B is not low
    assert page.count_label.text() == "4 rows"


def test_status_bar_names_the_database_and_the_user(window: MainWindow, stocked: Services, backend: str) -> None:
    database = window.database_label.text()
    assert stocked.database_description in database
    assert ("SQLite" if backend == "sqlite" else "PostgreSQL") in database
    assert window.user_label.text() == "User: maria (manager)"


def test_a_service_error_is_a_sentence_and_the_window_stays_usable(
    qtbot: QtBot, window: MainWindow, stocked: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(window)
    sentence = "No product with SKU or GTIN 'A' in store MAIN."

    def missing(*_args: object, **_kwargs: object) -> None:
        raise NotFound(sentence)

    monkeypatch.setattr(stocked.stock, "product_stock", missing)
    _click_row(qtbot, window, 0)
    assert page.banner.text == sentence
    assert page.detail.current_product is None
    assert page.detail.placeholder.text() == page.detail.UNAVAILABLE_TEXT
    monkeypatch.undo()

    _click_row(qtbot, window, 2)  # the next action works and the stale message goes away
    assert page.detail.title_label.text() == "Widget B"
    assert page.banner.text == ""
    _scan(qtbot, window, GTIN_A)
    assert _table_skus(window) == ["A", "A"]


def test_an_unexpected_error_is_logged_and_shown_as_a_short_sentence(
    qtbot: QtBot,
    window: MainWindow,
    stocked: Services,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("internal detail the user must not see")

    monkeypatch.setattr(stocked.stock, "ledger", broken)
    with caplog.at_level(logging.ERROR):
        _click_row(qtbot, window, 0)
    assert _page(window).banner.text == GENERIC_MESSAGE
    assert "internal detail" in caplog.text  # the traceback went to the log, not to the screen
    assert "Traceback" not in _page(window).banner.text


def test_a_failed_table_load_is_shown_and_refresh_recovers(
    qtbot: QtBot, window: MainWindow, stocked: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(window)
    sentence = "The database cannot be reached. Check the network cable or ask your administrator."

    def unavailable(**_kwargs: object) -> None:
        raise DatabaseUnavailable(sentence)

    monkeypatch.setattr(stocked.stock, "list_stock", unavailable)
    _scan(qtbot, window, "widget")
    assert page.banner.text == sentence
    assert page.model.rowCount() == 0
    monkeypatch.undo()

    window.refresh_action.trigger()
    assert page.banner.text == ""
    assert _table_skus(window) == ["A", "A", "B", "C"]  # the search for "widget" is kept


def test_refresh_shows_changes_made_elsewhere_and_keeps_the_selection(
    qtbot: QtBot, window: MainWindow, stocked: Services
) -> None:
    page = _page(window)
    _click_row(qtbot, window, 0)
    selected = page.selected_row()
    assert selected is not None and selected.sku == "A"
    stocked.inventory.adjust(ADMIN, store="MAIN", product="A", location="WAREHOUSE_A", delta=-2, reason="broken")
    stocked.inventory.set_quantity(ADMIN, store="MAIN", product="B", location="NEW-SHELF", quantity=1)

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F5)

    assert (selected := page.selected_row()) is not None and selected.inventory_id == selected.inventory_id
    assert page.model.index(0, InventoryColumn.QUANTITY).data() == 10
    assert page.detail.quantity_value.text() == "40"
    assert cell_text(page.detail.ledger_table, 0, 3) == "−2"
    assert page.location_combo.findData("NEW-SHELF") > 0
    assert len(_table_skus(window)) == 6


def test_ctrl_f_puts_the_cursor_in_the_search_box(qtbot: QtBot, window: MainWindow) -> None:
    page = _page(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    page.table.setFocus()
    qtbot.waitUntil(page.table.hasFocus)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(page.search_edit.hasFocus)
    assert isinstance(QApplication.focusWidget(), QLineEdit)


def test_menus_and_shortcuts(window: MainWindow) -> None:
    # PySide types QAction.menu() as a QObject; a menu bar's actions carry QMenus.
    # Only the menus a manager sees: Tools (the users dialog) is an admin's alone.
    menus = {action.text(): cast(QMenu, action.menu()) for action in window.menuBar().actions() if action.isVisible()}
    assert list(menus) == ["&File", "&Edit", "&View", "&Help"]
    assert not window.tools_menu.menuAction().isVisible()
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    assert window.refresh_action.shortcut().toString() == "F5"
    assert window.find_action.shortcut().toString() == "Ctrl+F"
    assert {window.database_action, window.quit_action} <= set(menus["&File"].actions())
    assert {window.refresh_action, window.find_action} <= set(menus["&View"].actions())
    assert window.about_action in menus["&Help"].actions()
    page = _page(window)
    assert menus["&Edit"].actions() == list(page.stock_actions)
    assert [a.shortcut().toString() for a in page.stock_actions] == ["Ctrl+J", "Ctrl+E", "Ctrl+T"]
    every_shortcut = [
        a.shortcut().toString() for menu in menus.values() for a in menu.actions() if not a.shortcut().isEmpty()
    ]
    assert len(every_shortcut) == len(set(every_shortcut))  # no clashes
    assert all(action.toolTip() for action in page.stock_actions)
    assert not window.database_action.isEnabled()  # only with a GuiSession to reconnect through


def test_help_about_names_the_version_database_and_user(qtbot: QtBot, window: MainWindow, stocked: Services) -> None:
    from orion_desktop import __version__

    window.about_action.trigger()  # Help > About Orion Desktop
    box = window.about_box
    assert box is not None
    qtbot.waitExposed(box)
    assert __version__ in box.text()
    assert stocked.database_description in box.informativeText()
    assert "maria (manager)" in box.informativeText()
    box.accept()
    assert not box.isVisible()


def test_quit_closes_the_window_and_saves_its_geometry(
    qtbot: QtBot, window: MainWindow, stocked: Services, manager: Actor, window_settings: QSettings
) -> None:
    wanted = QSize(window.minimumSizeHint().width(), 560)
    window.resize(wanted)
    qtbot.waitUntil(lambda: window.size() == wanted)
    _page(window).splitter.setSizes([200, 200])
    expected_splitter = _page(window).splitter.sizes()
    window.quit_action.trigger()
    assert not window.isVisible()

    again = MainWindow(stocked, manager, settings=window_settings)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.size() == wanted
    assert _page(again).splitter.sizes() == expected_splitter


def test_the_inventory_sort_chosen_by_header_clicks_comes_back_after_a_restart(
    qtbot: QtBot, window: MainWindow, stocked: Services, manager: Actor, window_settings: QSettings
) -> None:
    table = _page(window).table
    header = table.horizontalHeader()
    for _click in range(2):  # Quantity, then Quantity again: most first
        x = header.sectionViewportPosition(InventoryColumn.QUANTITY) + header.sectionSize(InventoryColumn.QUANTITY) // 2
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    expected = [
        (r.sku, r.location) for r in sorted(
            stocked.stock.list_stock(), key=lambda r: (r.quantity, r.inventory_id), reverse=True
        )
    ]
    rows = [(row.sku, row.location) for row in _page(window).model.rows()]
    assert rows == expected and rows[0] == ("A", "WAREHOUSE_B")  # 30 units
    window.quit_action.trigger()

    again = MainWindow(stocked, manager, settings=window_settings)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    header = _page(again).table.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        InventoryColumn.QUANTITY, Qt.SortOrder.DescendingOrder)
    assert [(row.sku, row.location) for row in _page(again).model.rows()] == expected


def test_run_gui_opens_the_window_and_returns_the_exit_code(
    qapp: QApplication, qtbot: QtBot, stocked: Services, manager: Actor
) -> None:
    from orion_desktop.app import run_gui

    old_name, old_org = qapp.applicationName(), qapp.organizationName()
    hook_before = sys.excepthook
    seen: dict[str, object] = {}

    def close_it() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        seen["windows"] = len(windows)
        seen["hook_installed"] = sys.excepthook is not hook_before
        for found in windows:
            seen["database"] = found.database_label.text()
            found.close()

    QTimer.singleShot(0, close_it)
    try:
        assert run_gui(stocked, manager, []) == 0
        assert (qapp.applicationName(), qapp.organizationName()) == ("Orion Desktop", "Orion")
        assert not qapp.windowIcon().isNull()
    finally:
        qapp.setApplicationName(old_name)
        qapp.setOrganizationName(old_org)
    assert seen == {"windows": 1, "hook_installed": True, "database": f"Database: {stocked.database_description}"}
    assert sys.excepthook is hook_before
