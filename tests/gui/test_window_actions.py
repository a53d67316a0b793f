"""Issue 11, item 10: the Low stock list offers Adjust, Transfer and Show in Inventory (toolbar,
right-click menu, Edit menu), and the Locations page reacts to one click like every other page."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QToolButton
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.domain.actor import Actor
from orion_desktop.ui.dialogs.stock_dialogs import AdjustStockDialog, TransferStockDialog
from orion_desktop.ui.main_window import MainWindow
from orion_desktop.ui.models.inventory_model import InventoryColumn
from orion_desktop.ui.models.locations_model import LocationColumn
from orion_desktop.ui.models.low_stock_model import LowStockColumn
from orion_desktop.ui.pages.low_stock_page import LowStockPage

from .orders_support import SUBMIT_TIMEOUT_MS, press_ok, type_number
from .overview_helpers import click_row, column_values, first_index, wait_idle
from .window_support import go_to, open_window

pytestmark = pytest.mark.usefixtures("background_work_done")


def _low_stock(qtbot: QtBot, window: MainWindow) -> LowStockPage:
    page = window.low_stock_page
    go_to(qtbot, window, page)
    wait_idle(qtbot, page)
    return page


def _select(qtbot: QtBot, page: LowStockPage, sku: str) -> int:
    row = column_values(page.model, LowStockColumn.SKU).index(sku)
    click_row(qtbot, page.table, row)
    return row


@pytest.fixture
def window(qtbot: QtBot, stocked: Services, manager: Actor, window_settings: QSettings) -> MainWindow:
    return open_window(qtbot, stocked, manager, window_settings)


def test_10_low_stock_offers_its_actions_on_the_toolbar_right_click_and_edit_menu(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = _low_stock(qtbot, window)
    actions = page.row_actions
    texts = [a.text().replace("&", "") for a in actions.actions]
    assert texts == ["Adjust stock…", "Transfer stock…", "Show in Inventory"]
    assert page.table.contextMenuPolicy() is Qt.ContextMenuPolicy.ActionsContextMenu
    assert list(actions.actions) == page.table.actions()  # the right-click menu
    buttons = [b for b in page.findChildren(QToolButton) if b.defaultAction() in actions.actions]
    assert len(buttons) == 3 and all(b.isVisible() for b in buttons)  # the toolbar row
    assert [a for a in window.edit_menu.actions() if a in actions.actions] == list(actions.actions)
    assert not any(a.isEnabled() for a in actions.actions)  # nothing selected yet
    _select(qtbot, page, "B")
    assert all(a.isEnabled() for a in actions.actions)


def test_10_adjust_from_low_stock_changes_that_row(qtbot: QtBot, window: MainWindow, stocked: Services) -> None:
    page = _low_stock(qtbot, window)
    _select(qtbot, page, "C")  # 2 at SHELF-1
    qtbot.keyClick(page.table, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    dialog = page.dialog
    assert isinstance(dialog, AdjustStockDialog) and dialog.isVisible()
    assert (dialog.row.sku, dialog.row.location) == ("C", "SHELF-1")
    type_number(qtbot, dialog.delta_spin, 40)
    qtbot.keyClicks(dialog.reason_edit, "delivery")
    press_ok(qtbot, dialog)
    assert stocked.stock.product_stock("MAIN", "C").total_quantity == 42
    qtbot.waitUntil(lambda: "C" not in column_values(page.model, LowStockColumn.SKU), timeout=SUBMIT_TIMEOUT_MS)


def test_10_transfer_from_low_stock_opens_on_the_selected_product(qtbot: QtBot, window: MainWindow) -> None:
    page = _low_stock(qtbot, window)
    _select(qtbot, page, "B")
    page.row_actions.transfer_action.trigger()
    dialog = page.dialog
    assert isinstance(dialog, TransferStockDialog) and dialog.isVisible()
    assert dialog.row.sku == "B"
    dialog.reject()


def test_10_show_in_inventory_opens_the_inventory_on_that_product(qtbot: QtBot, window: MainWindow) -> None:
    page = _low_stock(qtbot, window)
    _select(qtbot, page, "C")
    page.row_actions.show_action.trigger()
    inventory = window.inventory_page
    assert window.current_page is inventory
    qtbot.waitUntil(lambda: column_values(inventory.model, InventoryColumn.SKU) == ["C"], timeout=SUBMIT_TIMEOUT_MS)
    assert inventory.search_edit.text() == "C"


def test_10_a_packer_may_look_but_not_change(
    qtbot: QtBot, stocked: Services, packer: Actor, window_settings: QSettings
) -> None:
    window = open_window(qtbot, stocked, packer, window_settings)
    page = _low_stock(qtbot, window)
    _select(qtbot, page, "B")
    actions = page.row_actions
    assert not actions.adjust_action.isEnabled() and not actions.transfer_action.isEnabled()
    assert actions.show_action.isEnabled()


def test_10_locations_show_their_contents_on_one_click(qtbot: QtBot, window: MainWindow) -> None:
    page = window.locations_page
    go_to(qtbot, window, page)
    wait_idle(qtbot, page)
    click_row(qtbot, page.table, first_index(page.model, LocationColumn.CODE, "WAREHOUSE_B").row())
    qtbot.waitUntil(lambda: page.contents_model.location == "WAREHOUSE_B", timeout=SUBMIT_TIMEOUT_MS)
    wait_idle(qtbot, page)
    assert page.contents_model.rowCount() == 2  # A x30 and D x7
    qtbot.keyClick(page.table, Qt.Key.Key_Up)  # the arrow keys follow too
    qtbot.waitUntil(lambda: page.contents_model.location == "WAREHOUSE_A", timeout=SUBMIT_TIMEOUT_MS)
