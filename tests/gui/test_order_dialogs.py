"""The order dialogs driven like a person would, on SQLite and PostgreSQL: the effect is checked in the
database, and refused or invalid input changes nothing."""

from __future__ import annotations

import pytest
from helpers import ADMIN, GTIN_B, assert_ledger_consistent
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.order_results import OrderItemInfo, OrderLine, StatusChangeResult
from orion_desktop.domain.orders import OrderStatus
from orion_desktop.ui.dialogs.change_status_dialog import ChangeStatusDialog
from orion_desktop.ui.dialogs.new_order_dialog import NewOrderDialog
from orion_desktop.ui.dialogs.note_dialog import NoteDialog
from orion_desktop.ui.dialogs.return_dialog import ReturnDialog
from orion_desktop.ui.dialogs.ship_dialog import ShipDialog, ShipLine, stock_for_shipping

from .orders_support import Orders, choose, press_ok, show, tick, type_number

pytestmark = pytest.mark.usefixtures("background_work_done")  # pages here work in the background

CLERK = Actor(name="maria", role=Role.MANAGER)


def _item(services: Services, number: str, sku: str) -> OrderItemInfo:
    return next(i for i in services.order_queries.get_order(number).items if i.sku == sku)


def _stock(services: Services, sku: str) -> dict[str, tuple[int, int]]:
    return {
        loc.location: (loc.quantity, loc.reserved_quantity)
        for loc in services.stock.product_stock("MAIN", sku).locations
    }


def _ledger_size(services: Services) -> int:
    return len(services.stock.ledger(limit=10_000))


# --- Ship items -------------------------------------------------------------------------------
def _ship_dialog(qtbot: QtBot, services: Services, number: str) -> ShipDialog:
    detail = services.order_queries.get_order(number)
    dialog = ShipDialog(services, CLERK, detail, stock_for_shipping(services.stock, detail))
    show(qtbot, dialog)
    return dialog


def test_ship_dialog_offers_every_open_line_with_what_can_go_now(
    qtbot: QtBot, stocked: Services, orders: Orders
) -> None:
    dialog = _ship_dialog(qtbot, stocked, orders.pending)
    assert [row.item.sku for row in dialog.rows] == ["C", "D"]
    c_row, d_row = dialog.rows
    assert (c_row.quantity_spin.value(), c_row.quantity_spin.maximum()) == (1, 1)  # the remaining quantity
    assert (d_row.quantity_spin.value(), d_row.quantity_spin.maximum()) == (2, 2)
    # Locations show what is there: D has 7 at WAREHOUSE_B, 3 of them reserved for another order.
    offered = [d_row.location_combo.itemText(i) for i in range(d_row.location_combo.count())]
    assert offered == ["Automatic — 4 free", "WAREHOUSE_B — 4 free"]
    assert dialog.ok_button.isEnabled()
    assert dialog.summary_label.text() == "This parcel: 2 lines, 3 units. Everything still open goes."

    backordered = _ship_dialog(qtbot, stocked, orders.partial)
    (b_row,) = backordered.rows  # A is fully shipped and not offered
    assert b_row.item.sku == "B"
    assert b_row.quantity_spin.maximum() == 6
    assert b_row.quantity_spin.value() == 4  # only the 4 reserved can go now; 2 are backordered
    assert b_row.location_combo.itemText(0) == "Automatic — 4 reserved, 0 free"
    assert b_row.hint_label.text() == "2 stay open"


def test_partial_shipment_from_another_location_with_tracking(qtbot: QtBot, stocked: Services, orders: Orders) -> None:
    number = stocked.orders.create_order(
        ADMIN, store="MAIN", customer="Eve", lines=[OrderLine("A", 3), OrderLine("D", 1)]
    )
    stocked.orders.change_status(ADMIN, number, "processing")  # A: 3 reserved at WAREHOUSE_A (7 free there)
    before_a = _stock(stocked, "A")
    dialog = _ship_dialog(qtbot, stocked, number)
    a_row, d_row = dialog.row_for("A"), dialog.row_for("D")

    type_number(qtbot, a_row.quantity_spin, 2)  # a partial shipment: 2 of the 3
    choose(a_row.location_combo, "WAREHOUSE_B")  # the packer takes them from the other shelf
    assert a_row.location_combo.currentText() == "WAREHOUSE_B — 30 free"
    type_number(qtbot, d_row.quantity_spin, 0)  # D is not in this parcel
    assert d_row.hint_label.text() == "not in this parcel"
    qtbot.keyClicks(dialog.tracking_edit, "00340434161094042557")
    qtbot.keyClick(dialog.tracking_edit, Qt.Key.Key_Return)  # the scanner's Enter does not ship yet
    assert dialog.isVisible() and dialog.outcome is None
    choose(dialog.carrier_combo, "DHL")
    assert dialog.value().lines == (ShipLine(a_row.item.id, 2, "WAREHOUSE_B"),)
    assert dialog.summary_label.text() == "This parcel: 1 line, 2 units. 2 units stay open."

    press_ok(qtbot, dialog)

    assert not dialog.isVisible()
    assert dialog.error_banner.text == ""
    detail = stocked.order_queries.get_order(number)
    assert detail.status is OrderStatus.PARTIALLY_SHIPPED
    assert [(i.sku, i.shipped_quantity, i.reserved) for i in detail.items] == [("A", 2, 1), ("D", 0, 1)]
    (shipment,) = detail.shipments
    assert (shipment.tracking_number, shipment.carrier) == ("00340434161094042557", "DHL")
    assert [(line.sku, line.location, line.quantity) for line in shipment.lines] == [("A", "WAREHOUSE_B", 2)]
    after_a = _stock(stocked, "A")
    assert after_a["WAREHOUSE_B"] == (before_a["WAREHOUSE_B"][0] - 2, 0)
    # the reservation moved with the goods
    assert after_a["WAREHOUSE_A"] == (before_a["WAREHOUSE_A"][0], before_a["WAREHOUSE_A"][1] - 2)
    assert_ledger_consistent(stocked)


def test_ship_dialog_keeps_ok_disabled_for_more_than_the_shelf_holds(
    qtbot: QtBot, stocked: Services, orders: Orders
) -> None:
    ledger = _ledger_size(stocked)
    dialog = _ship_dialog(qtbot, stocked, orders.partial)
    (row,) = dialog.rows
    type_number(qtbot, row.quantity_spin, 6)  # only 4 are reserved and none are free
    assert not dialog.ok_button.isEnabled()
    assert row.hint_label.text() == "Only 4 in stock"
    assert "more than is on the shelf" in dialog.problem_label.text()
    qtbot.mouseClick(dialog.none_button, Qt.MouseButton.LeftButton)
    assert row.quantity_spin.value() == 0
    assert not dialog.ok_button.isEnabled()
    assert dialog.problem_label.text() == "Enter how many units go into this parcel."
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Enter with OK disabled does nothing
    assert dialog.isVisible()
    qtbot.mouseClick(dialog.all_button, Qt.MouseButton.LeftButton)
    assert row.quantity_spin.value() == 4 and dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert _ledger_size(stocked) == ledger
    assert _item(stocked, orders.partial, "B").shipped_quantity == 0


def test_a_refused_shipment_is_a_sentence_in_the_dialog_and_changes_nothing(
    qtbot: QtBot, stocked: Services, orders: Orders
) -> None:
    dialog = _ship_dialog(qtbot, stocked, orders.pending)
    stocked.orders.ship_item(ADMIN, orders.pending, "C", 1)  # another workstation was quicker
    ledger = _ledger_size(stocked)

    press_ok(qtbot, dialog)

    assert dialog.isVisible()
    assert dialog.error_banner.text == "C is already fully shipped."
    assert dialog.outcome is None
    assert _item(stocked, orders.pending, "D").shipped_quantity == 0  # the other line did not ship either
    assert _ledger_size(stocked) == ledger
    type_number(qtbot, dialog.row_for("C").quantity_spin, 0)  # correcting the input clears the message
    assert dialog.error_banner.text == ""
    press_ok(qtbot, dialog)
    assert not dialog.isVisible()
    assert _item(stocked, orders.pending, "D").shipped_quantity == 2
    assert stocked.order_queries.get_order(orders.pending).status is OrderStatus.SHIPPED


# --- Change status ----------------------------------------------------------------------------
def _status_dialog(qtbot: QtBot, services: Services, number: str) -> ChangeStatusDialog:
    dialog = ChangeStatusDialog(services, CLERK, services.order_queries.get_order(number))
    show(qtbot, dialog)
    return dialog


def test_change_status_says_what_will_happen_and_then_what_did(qtbot: QtBot, stocked: Services, orders: Orders) -> None:
    stocked.inventory.set_quantity(ADMIN, store="MAIN", product="C", location="SHELF-1", quantity=0)
    dialog = _status_dialog(qtbot, stocked, orders.pending)
    assert [dialog.status_combo.itemData(i) for i in range(dialog.status_combo.count())] == [
        "processing", "shipped", "cancelled"]
    choose(dialog.status_combo, "processing")
    assert dialog.preview_label.text().startswith("Will reserve stock for 2 lines (3 units)")
    choose(dialog.status_combo, "cancelled")
    assert dialog.preview_label.text() == "Nothing is reserved for this order, so no stock changes."
    choose(dialog.status_combo, "shipped")
    assert dialog.preview_label.text().startswith("Will ship everything still open: 2 lines, 3 units")
    choose(dialog.status_combo, "processing")

    press_ok(qtbot, dialog)

    assert dialog.isVisible()  # it shows what happened before it closes
    result = dialog.outcome
    assert isinstance(result, StatusChangeResult)
    text = dialog.result_label.text()
    assert text.splitlines()[0] == f"{orders.pending} is now processing (was pending)."
    assert "Reserved 2 units:" in text and "2 × D at WAREHOUSE_B" in text
    assert "Backordered 1 unit, waiting for stock:" in text and "1 × C (no stock at any location)" in text
    assert not dialog.ok_button.isVisible()
    assert dialog.cancel_button.text() == "Close"
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert dialog.result() == ChangeStatusDialog.DialogCode.Accepted  # the change was made: closing accepts

    detail = stocked.order_queries.get_order(orders.pending)
    assert detail.status is OrderStatus.PROCESSING
    assert [(i.sku, i.reserved, i.backordered) for i in detail.items] == [("C", 0, 1), ("D", 2, 0)]
    assert_ledger_consistent(stocked)


def test_cancelling_previews_and_releases_the_reserved_units(qtbot: QtBot, stocked: Services, orders: Orders) -> None:
    dialog = _status_dialog(qtbot, stocked, orders.partial)
    assert [dialog.status_combo.itemData(i) for i in range(dialog.status_combo.count())] == ["shipped", "cancelled"]
    choose(dialog.status_combo, "cancelled")
    assert dialog.preview_label.text() == (
        "Will release 4 units reserved for this order back to available stock. "
        "The 3 units already shipped stay shipped."
    )
    press_ok(qtbot, dialog)
    assert "Released 4 units back to available stock:" in dialog.result_label.text()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Esc after the change closes as accepted too
    assert dialog.result() == ChangeStatusDialog.DialogCode.Accepted
    assert stocked.order_queries.get_order(orders.partial).status is OrderStatus.CANCELLED
    assert _stock(stocked, "B")["WAREHOUSE_A"] == (4, 0)


def test_a_refused_status_change_is_a_sentence_and_changes_nothing(
    qtbot: QtBot, stocked: Services, orders: Orders
) -> None:
    ledger = _ledger_size(stocked)
    dialog = _status_dialog(qtbot, stocked, orders.partial)
    choose(dialog.status_combo, "shipped")  # B has 2 units nobody has in stock
    press_ok(qtbot, dialog)
    assert dialog.isVisible() and dialog.outcome is None
    assert dialog.error_banner.text.startswith("Insufficient stock for Widget B (B)")
    assert dialog.ok_button.isVisible() and dialog.ok_button.isEnabled()  # the user may pick another status
    assert stocked.order_queries.get_order(orders.partial).status is OrderStatus.PARTIALLY_SHIPPED
    assert _ledger_size(stocked) == ledger
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == ChangeStatusDialog.DialogCode.Rejected


def test_a_finished_order_offers_no_status(qtbot: QtBot, stocked: Services, orders: Orders) -> None:
    dialog = _status_dialog(qtbot, stocked, orders.cancelled)
    assert dialog.status_combo.count() == 0
    assert not dialog.ok_button.isEnabled()
    assert dialog.problem_label.text() == f"{orders.cancelled} is cancelled; its status can no longer change."


# --- Return -----------------------------------------------------------------------------------
def _return_dialog(qtbot: QtBot, services: Services, number: str) -> ReturnDialog:
    order = services.order_queries.get_order(number)
    dialog = ReturnDialog(services, CLERK, order, services.catalog.location_choices())
    show(qtbot, dialog)
    return dialog


def test_return_to_a_new_shelf_puts_the_units_back_in_stock(qtbot: QtBot, stocked: Services, orders: Orders) -> None:
    dialog = _return_dialog(qtbot, stocked, orders.partial)
    assert dialog.item_combo.count() == 1 and dialog.item_combo.currentText().startswith(
        "A – Widget A (3 can come back)"
    )
    assert dialog.quantity_spin.maximum() == 3  # shipped minus returned
    type_number(qtbot, dialog.quantity_spin, 2)
    assert dialog.restock_radio.isChecked()
    location_edit = dialog.location_combo.lineEdit()
    assert location_edit is not None  # the combo box is editable
    location_edit.selectAll()
    qtbot.keyClicks(location_edit, "returns")  # a new shelf, typed in lower case
    qtbot.keyClicks(dialog.reason_edit, "wrong colour")
    assert dialog.value().location == "RETURNS"

    press_ok(qtbot, dialog)

    assert not dialog.isVisible()
    assert _item(stocked, orders.partial, "A").returned_quantity == 2
    assert _stock(stocked, "A")["RETURNS"] == (2, 0)
    history = stocked.order_queries.history(orders.partial)
    assert history[-1].description == "Returned 2 A back to RETURNS: wrong colour."
    assert_ledger_consistent(stocked)


def test_a_damaged_return_changes_no_stock_and_a_bad_location_keeps_ok_disabled(
    qtbot: QtBot, stocked: Services, orders: Orders
) -> None:
    before = _stock(stocked, "A")
    dialog = _return_dialog(qtbot, stocked, orders.partial)
    location_edit = dialog.location_combo.lineEdit()
    assert location_edit is not None  # the combo box is editable
    location_edit.selectAll()
    qtbot.keyClicks(location_edit, "shelf #4")
    assert not dialog.ok_button.isEnabled()
    assert dialog.location_error.isVisible() and "'#'" in dialog.location_error.text()
    tick(qtbot, dialog.damaged_radio)
    assert dialog.damaged_radio.isChecked() and not dialog.location_combo.isEnabled()
    assert dialog.ok_button.isEnabled()
    press_ok(qtbot, dialog)
    assert _item(stocked, orders.partial, "A").returned_quantity == 1
    assert _stock(stocked, "A") == before


def test_nothing_shipped_means_nothing_to_return(qtbot: QtBot, stocked: Services, orders: Orders) -> None:
    dialog = _return_dialog(qtbot, stocked, orders.pending)
    assert not dialog.ok_button.isEnabled()
    assert dialog.problem_label.text() == f"Nothing from {orders.pending} has shipped, so nothing can be returned."


def test_a_refused_return_is_a_sentence_and_changes_nothing(qtbot: QtBot, stocked: Services, orders: Orders) -> None:
    dialog = _return_dialog(qtbot, stocked, orders.partial)
    type_number(qtbot, dialog.quantity_spin, 3)
    stocked.orders.return_item(ADMIN, orders.partial, "A", 2, damaged=True)  # recorded meanwhile elsewhere
    before = _stock(stocked, "A")
    press_ok(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.error_banner.text == (
        "Cannot return 3 of A: 3 shipped, 2 already returned, so at most 1 can come back."
    )
    assert _stock(stocked, "A") == before
    assert _item(stocked, orders.partial, "A").returned_quantity == 2


# --- Note -------------------------------------------------------------------------------------
def test_a_customer_visible_note(qtbot: QtBot, stocked: Services, orders: Orders) -> None:
    dialog = show(qtbot, NoteDialog(stocked, CLERK, orders.pending))
    assert not dialog.ok_button.isEnabled()
    assert dialog.problem_label.text() == "Write the note."
    qtbot.keyClicks(dialog.text_edit, "   ")
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.text_edit, "Leave the parcel with the neighbour.")
    tick(qtbot, dialog.customer_visible_check)
    assert dialog.customer_visible_check.isChecked()
    press_ok(qtbot, dialog)
    assert not dialog.isVisible()
    (note,) = stocked.order_queries.notes(orders.pending)
    assert (note.note, note.is_internal, note.created_by) == ("Leave the parcel with the neighbour.", False, "maria")
    assert stocked.order_queries.notes(orders.pending, customer_visible_only=True) == (note,)


def test_a_note_on_an_order_that_is_gone_is_a_sentence(qtbot: QtBot, stocked: Services, orders: Orders) -> None:
    dialog = show(qtbot, NoteDialog(stocked, CLERK, "ORD-9-20260101-NOPE00"))
    qtbot.keyClicks(dialog.text_edit, "Call back")
    press_ok(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.error_banner.text == "There is no order ORD-9-20260101-NOPE00."


# --- New order --------------------------------------------------------------------------------
def _new_order_dialog(qtbot: QtBot, services: Services) -> NewOrderDialog:
    dialog = NewOrderDialog(services, CLERK, services.catalog.list_stores())
    show(qtbot, dialog)
    return dialog


def _scan(qtbot: QtBot, dialog: NewOrderDialog, code: str) -> None:
    edit = dialog.focusWidget()
    assert edit is dialog.rows[-1].product_edit or edit in [row.product_edit for row in dialog.rows]
    qtbot.keyClicks(edit, code)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def test_new_order_by_typing_and_scanning(qtbot: QtBot, stocked: Services) -> None:
    dialog = _new_order_dialog(qtbot, stocked)
    assert dialog.store_combo.currentData() == "MAIN"
    assert not dialog.ok_button.isEnabled()
    assert dialog.problem_label.text() == "Add at least one product: type its SKU or scan its GTIN."
    qtbot.keyClicks(dialog.customer_edit, "Fiona Fox")

    first = dialog.rows[0]
    first.product_edit.setFocus()
    qtbot.keyClicks(first.product_edit, "A")
    qtbot.keyClick(first.product_edit, Qt.Key.Key_Tab)  # leaving the field looks the product up
    assert first.found_label.text() == "Widget A (A)"
    type_number(qtbot, first.quantity_spin, 2)
    assert dialog.ok_button.isEnabled()

    qtbot.mouseClick(dialog.add_line_button, Qt.MouseButton.LeftButton)
    _scan(qtbot, dialog, GTIN_B)  # Enter moves on to a fresh line and does not create the order
    assert dialog.outcome is None and dialog.isVisible()
    assert len(dialog.rows) == 3 and dialog.rows[1].found_label.text() == "Widget B (B)"
    _scan(qtbot, dialog, "0" + GTIN_B)  # the same product again, as GTIN-14: one more on its line
    assert dialog.rows[1].quantity_spin.value() == 2
    assert dialog.rows[2].is_blank

    _scan(qtbot, dialog, "NO-SUCH-SKU")
    assert dialog.rows[2].found_label.text() == "No product 'NO-SUCH-SKU' in store MAIN"
    assert not dialog.ok_button.isEnabled()
    assert dialog.problem_label.text() == "Some lines name no product of this store; correct or remove them."
    qtbot.mouseClick(dialog.rows[2].remove_button, Qt.MouseButton.LeftButton)
    assert len(dialog.rows) == 2 and dialog.ok_button.isEnabled()

    qtbot.keyClicks(dialog.email_edit, "fiona")
    assert not dialog.ok_button.isEnabled() and dialog.email_error.isVisible()
    qtbot.keyClicks(dialog.email_edit, "@example.com")
    assert dialog.ok_button.isEnabled()

    press_ok(qtbot, dialog)

    number = dialog.order_number
    assert number is not None and number.startswith("ORD-")
    detail = stocked.order_queries.get_order(number)
    assert (detail.status, detail.customer_name, detail.customer_email) == (
        OrderStatus.PENDING, "Fiona Fox", "fiona@example.com")
    assert [(i.sku, i.quantity) for i in detail.items] == [("A", 2), ("B", 2)]


def test_strict_new_order_short_of_stock_is_refused_and_nothing_is_created(qtbot: QtBot, stocked: Services) -> None:
    dialog = _new_order_dialog(qtbot, stocked)
    dialog.rows[0].product_edit.setFocus()
    _scan(qtbot, dialog, "C")
    type_number(qtbot, dialog.rows[0].quantity_spin, 5)
    tick(qtbot, dialog.strict_check)
    assert dialog.strict_check.isChecked()
    press_ok(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.error_banner.text == "Insufficient stock for Widget C. Available: 2, Requested: 5"
    assert stocked.order_queries.list_orders() == ()
    type_number(qtbot, dialog.rows[0].quantity_spin, 2)  # what is there
    press_ok(qtbot, dialog)
    assert not dialog.isVisible()
    assert [o.order_number for o in stocked.order_queries.list_orders()] == [dialog.order_number]


def test_a_new_order_needs_permission(qtbot: QtBot, stocked: Services) -> None:
    packer = Actor(name="pat", role=Role.PACKER)
    dialog = NewOrderDialog(stocked, packer, stocked.catalog.list_stores())
    show(qtbot, dialog)
    dialog.rows[0].product_edit.setFocus()
    _scan(qtbot, dialog, "A")
    press_ok(qtbot, dialog)
    assert dialog.error_banner.text == "pat is signed in as packer and may not manage orders; this needs a manager."
    assert stocked.order_queries.list_orders() == ()


# --- The lines' scroll area ---------------------------------------------------------------------
def test_the_line_lists_scroll_area_leaves_qwidget_scroll_alone(
    qtbot: QtBot, stocked: Services, orders: Orders
) -> None:
    """``scroll`` is QWidget's method: the dialogs name their line list's scroll area ``scroll_area``."""
    from PySide6.QtWidgets import QScrollArea, QWidget

    for dialog, name in ((_ship_dialog(qtbot, stocked, orders.pending), "shipLines"),
                         (_new_order_dialog(qtbot, stocked), "newOrderLines")):
        assert isinstance(dialog.scroll_area, QScrollArea) and dialog.scroll_area.objectName() == name
        assert dialog.scroll_area.widget() is dialog.lines_widget
        assert type(dialog).scroll is QWidget.scroll  # not shadowed by an attribute of the instance
        assert "scroll" not in vars(dialog)
        dialog.scroll(0, 0)  # the inherited method still answers
