"""Adjust, set quantity and transfer, driven from the Inventory page like a manager would, on both databases.

The seeded stock (tests/gui/conftest.py): A has 12 at WAREHOUSE_A (5 reserved) and 30 at
WAREHOUSE_B; B has 4 at WAREHOUSE_A; C 2 at SHELF-1; D 7 at WAREHOUSE_B.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers import ADMIN, assert_ledger_consistent
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import TransactionType
from orion_desktop.domain.errors import DatabaseUnavailable
from orion_desktop.ui.data_events import Topic
from orion_desktop.ui.dialogs.stock_dialogs import (
    AdjustStockDialog,
    SetQuantityDialog,
    StockDialog,
    TransferStockDialog,
)
from orion_desktop.ui.main_window import MainWindow
from orion_desktop.ui.models.inventory_model import InventoryColumn
from orion_desktop.ui.pages.inventory_page import InventoryPage

CTRL = Qt.KeyboardModifier.ControlModifier


def _page(window: MainWindow) -> InventoryPage:
    return window.inventory_page


def _levels(services: Services, sku: str) -> dict[str, tuple[int, int]]:
    stock = services.stock.product_stock("MAIN", sku)
    return {loc.location: (loc.quantity, loc.reserved_quantity) for loc in stock.locations}


def _ledger_size(services: Services) -> int:
    return len(services.stock.ledger(limit=1000))


def _select(qtbot: QtBot, window: MainWindow, sku: str, location: str) -> None:
    page = _page(window)
    model = page.model
    row = next(r for r in range(model.rowCount()) if (model.row_at(r).sku, model.row_at(r).location) == (sku, location))
    rect = page.table.visualRect(model.index(row, InventoryColumn.SKU))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    selected = page.selected_row()
    assert selected is not None and (selected.sku, selected.location) == (sku, location)


def _shortcut(qtbot: QtBot, window: MainWindow, key: Qt.Key) -> Any:
    """Press Ctrl+key in the inventory table; return the dialog that opened."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    table = _page(window).table
    table.setFocus()
    qtbot.waitUntil(table.hasFocus)
    qtbot.keyClick(table, key, CTRL)
    dialog = _page(window).dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(dialog.isActiveWindow)  # where a person would now type
    return dialog


def _type(qtbot: QtBot, widget: Any, text: str) -> None:
    """Replace what a line edit or spin box shows, key by key."""
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClicks(widget, text)


def _press_ok(qtbot: QtBot, window: MainWindow, dialog: StockDialog[Any]) -> None:
    assert dialog.ok_button.isEnabled(), dialog.problem_label.text()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def _wait_closed(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: _page(window).dialog is None, timeout=10_000)


def test_stock_actions_need_a_selected_row(qtbot: QtBot, window: MainWindow) -> None:
    page = _page(window)
    assert page.selected_row() is None
    assert not any(action.isEnabled() for action in page.stock_actions)
    assert [button.text() for button in page.action_buttons] == ["Adjust…", "Set quantity…", "Transfer…"]
    assert "Ctrl+J" in page.adjust_action.toolTip()
    _select(qtbot, window, "B", "WAREHOUSE_A")
    assert all(action.isEnabled() for action in page.stock_actions)
    assert all(button.isEnabled() for button in page.action_buttons)


def test_adjusting_stock_with_a_reason(qtbot: QtBot, window: MainWindow, stocked: Services) -> None:
    page = _page(window)
    _select(qtbot, window, "A", "WAREHOUSE_A")
    dialog = _shortcut(qtbot, window, Qt.Key.Key_J)
    assert isinstance(dialog, AdjustStockDialog)
    assert dialog.levels_label.text() == "12 on hand, 5 reserved, 7 available"
    assert not dialog.ok_button.isEnabled()  # nothing typed yet
    assert QApplication.focusWidget() is dialog.delta_spin

    qtbot.keyClicks(dialog.delta_spin, "-2")
    assert dialog.delta_spin.value() == -2
    assert not dialog.ok_button.isEnabled()  # the reason is still missing
    assert "reason" in dialog.problem_label.text()
    qtbot.keyClick(dialog.delta_spin, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.reason_edit
    qtbot.keyClicks(dialog.reason_edit, "broken in transit")
    assert dialog.ok_button.isEnabled()
    assert dialog.after_label.text() == "10 on hand, 5 reserved, 5 available"

    with qtbot.waitSignal(window.events.changed) as announced:
        qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
        _wait_closed(qtbot, window)
    assert Topic.STOCK in announced.args[0]

    assert _levels(stocked, "A") == {"WAREHOUSE_A": (10, 5), "WAREHOUSE_B": (30, 0)}
    newest = stocked.stock.ledger(store="MAIN", product="A", limit=1)[0]
    assert (newest.transaction_type, newest.quantity_change, newest.reason, newest.created_by) == (
        TransactionType.ADJUST,
        -2,
        "broken in transit",
        "maria",
    )
    # The page shows it at once, keeps the row selected, and the status bar says what happened.
    assert (selected := page.selected_row()) is not None and selected.quantity == 10
    assert page.detail.quantity_value.text() == "40"
    assert window.statusBar().currentMessage() == "Removed 2 of Widget A at WAREHOUSE_A: 10 on hand now."
    assert_ledger_consistent(stocked)


def test_invalid_adjustments_keep_ok_disabled_and_change_nothing(
    qtbot: QtBot, window: MainWindow, stocked: Services
) -> None:
    before = _ledger_size(stocked)
    _select(qtbot, window, "A", "WAREHOUSE_A")
    qtbot.mouseClick(_page(window).action_buttons[0], Qt.MouseButton.LeftButton)  # the Adjust… button
    dialog = _page(window).dialog
    assert isinstance(dialog, AdjustStockDialog)
    qtbot.waitExposed(dialog)

    _type(qtbot, dialog.reason_edit, "   ")
    _type(qtbot, dialog.delta_spin, "0")
    assert not dialog.ok_button.isEnabled()
    assert dialog.problem_label.text().startswith("Enter how many units to add")
    _type(qtbot, dialog.delta_spin, "-8")  # only 7 of the 12 are not reserved
    assert not dialog.ok_button.isEnabled()
    assert dialog.problem_label.text() == (
        "At most 7 can be removed at WAREHOUSE_A: 5 of the 12 units there are reserved for orders."
    )
    _type(qtbot, dialog.delta_spin, "+3")
    assert dialog.delta_spin.value() == 3
    assert not dialog.ok_button.isEnabled()  # a reason of blanks is no reason
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # a disabled button does nothing

    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    _wait_closed(qtbot, window)
    assert _levels(stocked, "A") == {"WAREHOUSE_A": (12, 5), "WAREHOUSE_B": (30, 0)}
    assert _ledger_size(stocked) == before


def test_a_refusal_is_a_sentence_in_the_dialog_which_stays_open(
    qtbot: QtBot, window: MainWindow, stocked: Services
) -> None:
    _select(qtbot, window, "A", "WAREHOUSE_A")
    dialog: AdjustStockDialog = _shortcut(qtbot, window, Qt.Key.Key_J)
    # Meanwhile another workstation reserves 5 more: only 2 are left that may be removed.
    stocked.inventory.reserve(ADMIN, store="MAIN", product="A", location="WAREHOUSE_A", quantity=5)
    before = _ledger_size(stocked)
    _type(qtbot, dialog.delta_spin, "-5")
    _type(qtbot, dialog.reason_edit, "damaged")
    _press_ok(qtbot, window, dialog)
    qtbot.waitUntil(lambda: dialog.error_banner.text != "", timeout=10_000)

    assert dialog.error_banner.text.startswith("Cannot remove 5 of Widget A (A) at WAREHOUSE_A")
    assert "Traceback" not in dialog.error_banner.text
    assert dialog.isVisible() and _page(window).dialog is dialog
    assert _levels(stocked, "A")["WAREHOUSE_A"] == (12, 10)
    assert _ledger_size(stocked) == before

    _type(qtbot, dialog.delta_spin, "-2")  # correcting the input clears the old sentence
    assert dialog.error_banner.text == ""
    _press_ok(qtbot, window, dialog)
    _wait_closed(qtbot, window)
    assert _levels(stocked, "A")["WAREHOUSE_A"] == (10, 10)
    assert_ledger_consistent(stocked)


def _lose_the_first_answer(stocked: Services, monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """The first adjust reaches the database but its answer is lost; the keys sent, call by call."""
    real_adjust = stocked.inventory.adjust
    keys: list[str | None] = []

    def flaky_adjust(*args: Any, **kwargs: Any) -> object:
        keys.append(kwargs.get("operation_key"))
        result = real_adjust(*args, **kwargs)
        if len(keys) == 1:
            raise DatabaseUnavailable("The database cannot be reached: the connection timed out.")
        return result

    monkeypatch.setattr(stocked.inventory, "adjust", flaky_adjust)
    return keys


def test_a_retry_after_a_lost_answer_applies_the_change_once(
    qtbot: QtBot, window: MainWindow, stocked: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first attempt reaches the database but its answer is lost; OK again must not remove twice."""
    keys = _lose_the_first_answer(stocked, monkeypatch)
    _select(qtbot, window, "B", "WAREHOUSE_A")
    dialog = _shortcut(qtbot, window, Qt.Key.Key_J)
    _type(qtbot, dialog.delta_spin, "-3")
    _type(qtbot, dialog.reason_edit, "sold at the counter")
    _press_ok(qtbot, window, dialog)
    qtbot.waitUntil(lambda: dialog.error_banner.text != "", timeout=10_000)
    assert dialog.error_banner.text == "The database cannot be reached: the connection timed out."
    assert dialog.isVisible()

    _press_ok(qtbot, window, dialog)  # the user tries again
    _wait_closed(qtbot, window)
    assert len(keys) == 2 and keys[0] == keys[1] and keys[0]
    assert _levels(stocked, "B") == {"WAREHOUSE_A": (1, 0)}  # 4 - 3, not 4 - 6
    adjustments = [
        e for e in stocked.stock.ledger(store="MAIN", product="B") if e.transaction_type is TransactionType.ADJUST
    ]
    assert len(adjustments) == 1
    qtbot.waitUntil(lambda: not window.connection_monitor.checking, timeout=10_000)
    assert window.connection_monitor.healthy  # the database was reachable all along: no banner
    assert window.banner.text == ""


def test_changed_input_after_a_lost_answer_is_a_new_request_with_a_new_key(
    qtbot: QtBot, window: MainWindow, stocked: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key belongs to one request: after a lost answer the user corrects the count, and the
    corrected request is sent under a new key (the same key would be refused as another request)."""
    keys = _lose_the_first_answer(stocked, monkeypatch)
    _select(qtbot, window, "B", "WAREHOUSE_A")
    dialog = _shortcut(qtbot, window, Qt.Key.Key_J)
    _type(qtbot, dialog.delta_spin, "-1")
    _type(qtbot, dialog.reason_edit, "sold at the counter")
    _press_ok(qtbot, window, dialog)
    qtbot.waitUntil(lambda: dialog.error_banner.text != "", timeout=10_000)

    _type(qtbot, dialog.delta_spin, "-2")  # the user changes the count before trying again
    _press_ok(qtbot, window, dialog)
    _wait_closed(qtbot, window)  # applied: a refusal would have kept the dialog open
    assert len(keys) == 2 and keys[0] and keys[1] and keys[0] != keys[1]
    assert _levels(stocked, "B") == {"WAREHOUSE_A": (1, 0)}  # 4 - 1 - 2: both requests applied once
    assert_ledger_consistent(stocked)


def test_set_quantity_refuses_less_than_is_reserved(qtbot: QtBot, window: MainWindow, stocked: Services) -> None:
    before = _ledger_size(stocked)
    _select(qtbot, window, "A", "WAREHOUSE_A")
    dialog = _shortcut(qtbot, window, Qt.Key.Key_E)
    assert isinstance(dialog, SetQuantityDialog)
    assert dialog.quantity_spin.value() == 12
    assert dialog.levels_label.text() == "12 on hand, 5 reserved, 7 available"

    qtbot.keyClicks(dialog.quantity_spin, "3")  # the current value is selected: typing replaces it
    assert dialog.quantity_spin.value() == 3
    assert not dialog.ok_button.isEnabled()
    assert dialog.problem_label.text() == "5 units are reserved here for orders, so the quantity cannot be below 5."
    assert _ledger_size(stocked) == before

    _type(qtbot, dialog.quantity_spin, "20")
    assert dialog.change_label.text() == "+8  (12 → 20)"
    qtbot.keyClick(dialog.quantity_spin, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.reason_edit, "stock count")
    _press_ok(qtbot, window, dialog)
    _wait_closed(qtbot, window)

    assert _levels(stocked, "A")["WAREHOUSE_A"] == (20, 5)
    newest = stocked.stock.ledger(store="MAIN", product="A", limit=1)[0]
    assert (newest.transaction_type, newest.quantity_change, newest.reason) == (TransactionType.SET, 8, "stock count")
    assert window.statusBar().currentMessage() == "Widget A at WAREHOUSE_A set to 20."
    assert (selected := _page(window).selected_row()) is not None and selected.quantity == 20


def test_transfer_to_a_new_location(qtbot: QtBot, window: MainWindow, stocked: Services) -> None:
    page = _page(window)
    _select(qtbot, window, "A", "WAREHOUSE_A")
    dialog = _shortcut(qtbot, window, Qt.Key.Key_T)
    assert isinstance(dialog, TransferStockDialog)
    sources = [dialog.source_combo.itemText(i) for i in range(dialog.source_combo.count())]
    assert sources == ["WAREHOUSE_A  —  7 available", "WAREHOUSE_B  —  30 available"]
    assert dialog.source_combo.currentData() == "WAREHOUSE_A"
    assert QApplication.focusWidget() is dialog.source_combo
    assert not dialog.ok_button.isEnabled()
    assert dialog.problem_label.text() == "Choose or type the location to move the units to."

    destination = dialog.destination_combo.lineEdit()
    _type(qtbot, destination, "shelf/9")
    assert not dialog.ok_button.isEnabled()
    assert "'/'" in dialog.problem_label.text()
    _type(qtbot, destination, "warehouse_a")
    assert dialog.problem_label.text() == "The units are already at WAREHOUSE_A; choose another destination."
    _type(qtbot, destination, " shelf-9 ")
    assert dialog.destination_hint.text() == "SHELF-9 is a new location; it will be created."
    _type(qtbot, dialog.quantity_spin, "8")
    assert not dialog.ok_button.isEnabled()
    assert dialog.problem_label.text() == (
        "Only 7 units are available at WAREHOUSE_A (5 of 12 are reserved for orders)."
    )
    _type(qtbot, dialog.quantity_spin, "7")
    _type(qtbot, dialog.reason_edit, "overflow shelf")
    with qtbot.waitSignal(window.events.changed):
        _press_ok(qtbot, window, dialog)
        _wait_closed(qtbot, window)

    assert _levels(stocked, "A") == {"WAREHOUSE_A": (5, 5), "WAREHOUSE_B": (30, 0), "SHELF-9": (7, 0)}
    newest = stocked.stock.ledger(store="MAIN", product="A", limit=2)
    assert {e.transaction_type for e in newest} == {TransactionType.TRANSFER_IN, TransactionType.TRANSFER_OUT}
    assert all(e.reason == "overflow shelf" and e.created_by == "maria" for e in newest)
    assert page.location_combo.findData("SHELF-9") > 0  # the new location is a filter choice now
    assert len([r for r in page.model.rows() if r.sku == "A"]) == 3
    assert window.statusBar().currentMessage() == "Moved 7 of Widget A from WAREHOUSE_A to SHELF-9."
    assert_ledger_consistent(stocked)


def test_transfer_from_another_source_to_an_existing_location(
    qtbot: QtBot, window: MainWindow, stocked: Services
) -> None:
    _select(qtbot, window, "A", "WAREHOUSE_A")
    dialog = _shortcut(qtbot, window, Qt.Key.Key_T)
    dialog.source_combo.setCurrentIndex(dialog.source_combo.findData("WAREHOUSE_B"))
    choices = [dialog.destination_combo.itemText(i) for i in range(dialog.destination_combo.count())]
    assert set(choices) == {"WAREHOUSE_A", "WAREHOUSE_B", "SHELF-1"}
    dialog.destination_combo.setCurrentIndex(dialog.destination_combo.findText("WAREHOUSE_A"))
    assert dialog.destination_hint.text() == "WAREHOUSE_A holds 12 of this product now."
    _type(qtbot, dialog.quantity_spin, "10")
    qtbot.keyClick(dialog.quantity_spin, Qt.Key.Key_Return)  # Enter presses the default button, OK
    _wait_closed(qtbot, window)
    assert _levels(stocked, "A") == {"WAREHOUSE_A": (22, 5), "WAREHOUSE_B": (20, 0)}


def test_a_packer_may_not_change_stock(
    qtbot: QtBot, stocked: Services, packer: Actor, window_settings: QSettings
) -> None:
    window = MainWindow(stocked, packer, settings=window_settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    _select(qtbot, window, "A", "WAREHOUSE_A")
    page = _page(window)
    assert not any(action.isEnabled() for action in page.stock_actions)
    assert "needs a manager" in page.adjust_action.toolTip()
    assert page.adjust_stock() is None
