"""Issue 4's acceptance test: a warehouse day in one main window, on SQLite and on PostgreSQL.

With the demo database (``services.fill_demo``), a manager drives ONE ``MainWindow`` the way a
person does — scanner input typed into fields and ended with Enter, clicks on buttons and on
the navigation, choices made in combo boxes with the keyboard, dialogs accepted with OK:

1. Inventory: scan a product's GTIN into the search box and see exactly its stock row.
2. Adjust its stock down with a reason (Adjust… dialog).
3. Orders: type in a new order for it (New order… dialog, the GTIN scanned in its 14-digit
   form), then move it to processing (Change status… dialog), which reserves the units.
4. Ship part of it (Ship items… dialog, a partial quantity, tracking number and carrier).
5. Shipment status, Low stock and Ledger: the figures on the three pages agree with each other
   and with the database (``services.stock``, ``services.order_queries``), and
   ``services.stock.verify()`` finds the ledger and the reservations consistent.

The quantities are chosen so the low-stock screen is affected (see ``ORDERED`` below): the
adjustment leaves the product just above its low-stock threshold, the reservation of the new
order then takes it below, and shipping part of the order keeps it there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from helpers import ADMIN
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.demo import fill_demo
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role, TransactionType
from orion_desktop.domain.orders import OrderStatus
from orion_desktop.domain.validation import DEFAULT_LOW_STOCK_THRESHOLD
from orion_desktop.ui.dialogs.change_status_dialog import ChangeStatusDialog
from orion_desktop.ui.dialogs.new_order_dialog import NewOrderDialog
from orion_desktop.ui.dialogs.ship_dialog import ShipDialog
from orion_desktop.ui.dialogs.stock_dialogs import AdjustStockDialog
from orion_desktop.ui.main_window import MainWindow
from orion_desktop.ui.models.inventory_model import InventoryColumn
from orion_desktop.ui.models.ledger_model import LedgerColumn
from orion_desktop.ui.models.low_stock_model import LowStockColumn
from orion_desktop.ui.models.shipment_models import ShipmentItemColumn
from orion_desktop.ui.pages.base import Page

from .orders_support import press_ok, type_number
from .overview_helpers import wait_idle

pytestmark = pytest.mark.usefixtures("background_work_done")  # pages here work in the background

WAIT_MS = 15_000
MANAGER = Actor(name="maria", role=Role.MANAGER)

# The story in numbers. T is the product's low-stock threshold (its own, else the default).
ABOVE_THRESHOLD = 2  # the adjustment leaves T + 2 on hand: available T + 2, not low yet
ORDERED = 6  # processing reserves 6: available T - 4, at or under T -> on the low-stock screen
SHIPPED = 4  # a partial parcel: 4 leave, 2 stay reserved; available stays T - 4 (still low)
REASON = "pallet dropped by the forklift"
TRACKING = "1Z999AA10123456784"
CARRIER = "DHL"
CUSTOMER = "Greta Garbo"


@dataclass(frozen=True)
class Product:
    """The demo product the test works on: one stock row, nothing reserved, in no order yet."""

    sku: str
    title: str
    gtin: str  # EAN-13, as printed on the label and shown in the tables (stored as GTIN-14)
    location: str
    inventory_id: int
    quantity: int
    threshold: int


def _pick_product(services: Services) -> Product:
    """The first MAIN product (by SKU) with a single stock row of at least 25 units, nothing reserved,
    a threshold of at least 5 and only opening stock in its ledger (no order has touched it)."""
    rows: dict[str, list[Any]] = {}
    for row in services.stock.list_stock(store="MAIN"):
        rows.setdefault(row.sku, []).append(row)
    for sku in sorted(rows):
        (row, *others) = rows[sku]
        if others or row.reserved_quantity or row.quantity < 25 or not row.gtin:
            continue
        info = services.catalog.get_product("MAIN", sku)
        threshold = info.low_stock_threshold if info.low_stock_threshold is not None else DEFAULT_LOW_STOCK_THRESHOLD
        if threshold < ORDERED - ABOVE_THRESHOLD + 1:
            continue  # available must stay positive after the reservation: the row is low, not empty
        history = services.stock.ledger(store="MAIN", product=sku, limit=50)
        if any(e.transaction_type not in (TransactionType.IMPORT, TransactionType.ADJUST) for e in history):
            continue
        if services.order_queries.backorders(product=sku, store="MAIN"):
            continue
        return Product(sku, row.title, row.gtin, row.location, row.inventory_id, row.quantity, threshold)
    raise AssertionError("the demo warehouse has no product to work on")


# --- driving the window like a person ----------------------------------------------------------
def _go_to(qtbot: QtBot, window: MainWindow, page: Page) -> None:
    """Click the page's entry in the navigation list."""
    navigation = window.navigation
    item = navigation.item(window.pages.index(page))
    qtbot.mouseClick(navigation.viewport(), Qt.MouseButton.LeftButton, pos=navigation.visualItemRect(item).center())
    assert window.current_page is page


def _scan(qtbot: QtBot, field: QLineEdit, code: str) -> None:
    """What a keyboard-wedge scanner does: the characters, then Enter."""
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, code)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def _choose(qtbot: QtBot, combo: QComboBox, data: object) -> None:
    """Pick the entry carrying ``data`` with the arrow keys, as a person does with the keyboard."""
    index = combo.findData(data)
    assert index >= 0, f"{data!r} is not offered: {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setFocus()
    key = Qt.Key.Key_Down if index > combo.currentIndex() else Qt.Key.Key_Up
    for _ in range(abs(index - combo.currentIndex())):
        qtbot.keyClick(combo, key)
    assert combo.currentData() == data


def _click(qtbot: QtBot, button: QWidget | None) -> None:
    assert button is not None and button.isEnabled(), "the button is not there or disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _click_row(qtbot: QtBot, table: QAbstractItemView, row: int) -> None:
    index = table.model().index(row, 0)
    table.scrollTo(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center())
    assert table.currentIndex().row() == row


def _open_dialog(qtbot: QtBot, page: Any, kind: type[QWidget]) -> Any:
    qtbot.waitUntil(lambda: isinstance(page.dialog, kind) and page.dialog.isVisible(), timeout=WAIT_MS)
    return page.dialog


def _cell(table: QAbstractItemView, row: int, column: int) -> Any:
    return table.model().index(row, column).data()


# --- the test ------------------------------------------------------------------------------
def test_scan_adjust_reserve_ship_and_the_overview_pages_agree(
    qtbot: QtBot, services: Services, window_settings: QSettings
) -> None:
    fill_demo(services.database, ADMIN)
    product = _pick_product(services)
    t = product.threshold
    on_hand_after_adjust = t + ABOVE_THRESHOLD
    delta = on_hand_after_adjust - product.quantity  # negative: units written off
    assert all(r.inventory_id != product.inventory_id for r in services.reports.low_stock())  # not low at the start

    window = MainWindow(services, MANAGER, settings=window_settings)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)

    # 1. Inventory: scan the EAN-13 from the label (the database keeps the 14-digit GTIN).
    inventory = window.inventory_page
    assert window.current_page is inventory
    _scan(qtbot, inventory.search_edit, product.gtin)
    model = inventory.model
    assert model.rowCount() == 1, "the scan finds exactly the product's one stock row"
    assert [
        _cell(inventory.table, 0, c) for c in (InventoryColumn.SKU, InventoryColumn.GTIN, InventoryColumn.LOCATION)
    ] == [
        product.sku, product.gtin, product.location]
    selected = inventory.selected_row()
    assert selected is not None and selected.inventory_id == product.inventory_id  # Enter selected the first hit
    assert inventory.detail.title_label.text() == product.title
    assert inventory.detail.quantity_value.text() == str(product.quantity)

    # 2. Adjust: remove units with a reason, so T + 2 stay on hand.
    _click(qtbot, inventory.action_buttons[0])  # "Adjust…"
    adjust = _open_dialog(qtbot, inventory, AdjustStockDialog)
    assert not adjust.ok_button.isEnabled()  # nothing typed yet
    type_number(qtbot, adjust.delta_spin, delta)
    qtbot.keyClicks(adjust.reason_edit, REASON)
    assert adjust.after_label.text() == f"{on_hand_after_adjust} on hand, 0 reserved, {on_hand_after_adjust} available"
    _click(qtbot, adjust.ok_button)
    qtbot.waitUntil(lambda: inventory.dialog is None, timeout=WAIT_MS)
    assert model.rowCount() == 1 and (row := inventory.selected_row()) is not None
    assert row.quantity == on_hand_after_adjust
    assert inventory.detail.quantity_value.text() == str(on_hand_after_adjust)
    assert window.statusBar().currentMessage().startswith(f"Removed {-delta} of {product.title}")
    # Still above the threshold: the adjustment alone does not put it on the low-stock screen.
    assert all(r.inventory_id != product.inventory_id for r in services.reports.low_stock())

    # 3a. Orders: a new order, the product scanned as GTIN-14 (leading zero), 6 units.
    orders = window.orders_page
    _go_to(qtbot, window, orders)
    _click(qtbot, orders.toolbar.widgetForAction(orders.new_order_action))
    new_order = _open_dialog(qtbot, orders, NewOrderDialog)
    _choose(qtbot, new_order.store_combo, "MAIN")
    qtbot.keyClicks(new_order.customer_edit, CUSTOMER)
    line = new_order.rows[0]
    _scan(qtbot, line.product_edit, "0" + product.gtin)
    assert line.found_label.text() == f"{product.title} ({product.sku})"
    type_number(qtbot, line.quantity_spin, ORDERED)
    press_ok(qtbot, new_order)
    number = new_order.order_number
    assert number is not None and number.startswith("ORD-")
    qtbot.waitUntil(lambda: orders.dialog is None, timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: orders.detail.current_order is not None and orders.detail.current_order.order_number == number,
        timeout=WAIT_MS,
    )
    assert (order := orders.selected_order()) is not None and order.order_number == number
    assert (shown := orders.detail.current_order) is not None and shown.status is OrderStatus.PENDING

    # 3b. Change status to processing: the 6 units are reserved at the product's location.
    _click(qtbot, orders.toolbar.widgetForAction(orders.change_status_action))
    change = _open_dialog(qtbot, orders, ChangeStatusDialog)
    _choose(qtbot, change.status_combo, OrderStatus.PROCESSING.value)
    assert change.preview_label.text().startswith(f"Will reserve stock for 1 line ({ORDERED} units)")
    press_ok(qtbot, change)
    result = change.result_label.text()
    assert result.splitlines()[0] == f"{number} is now processing (was pending)."
    assert f"{ORDERED} × {product.sku} at {product.location}" in result
    assert "Backordered" not in result
    _click(qtbot, change.cancel_button)  # "Close"
    qtbot.waitUntil(lambda: orders.dialog is None, timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: (
            orders.detail.current_order is not None and orders.detail.current_order.status is OrderStatus.PROCESSING
        ),
        timeout=WAIT_MS,
    )
    assert orders.detail.reserved_value.text() == str(ORDERED)

    # 4. Ship part of it: 4 of the 6, with tracking number and carrier.
    _click(qtbot, orders.toolbar.widgetForAction(orders.ship_action))
    ship = _open_dialog(qtbot, orders, ShipDialog)
    ship_row = ship.row_for(product.sku)
    assert ship_row.quantity_spin.value() == ORDERED  # what remains, all of it reserved
    assert ship_row.location_combo.currentText().startswith(f"Automatic — {ORDERED} reserved")
    type_number(qtbot, ship_row.quantity_spin, SHIPPED)
    qtbot.keyClicks(ship.tracking_edit, TRACKING)
    qtbot.keyClicks(ship.carrier_combo.lineEdit(), CARRIER)
    assert ship.summary_label.text() == f"This parcel: 1 line, {SHIPPED} units. {ORDERED - SHIPPED} units stay open."
    press_ok(qtbot, ship)
    qtbot.waitUntil(lambda: orders.dialog is None, timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: orders.detail.current_order is not None
        and orders.detail.current_order.status is OrderStatus.PARTIALLY_SHIPPED,
        timeout=WAIT_MS,
    )
    assert orders.banner.text == f"Shipped {SHIPPED} units of {number}. {ORDERED - SHIPPED} units still to ship."

    # What the database says now (every page below must show the same).
    on_hand, reserved = on_hand_after_adjust - SHIPPED, ORDERED - SHIPPED
    available = on_hand - reserved
    assert available == t - (ORDERED - ABOVE_THRESHOLD) and 0 < available <= t  # low, but not empty
    (level,) = services.stock.product_stock("MAIN", product.sku).locations
    assert (level.location, level.quantity, level.reserved_quantity) == (product.location, on_hand, reserved)
    status = services.order_queries.shipment_status(number)
    (item_status,) = status.items
    assert (status.order_status, status.total_ordered_units, status.total_shipped_units) == (
        OrderStatus.PARTIALLY_SHIPPED, ORDERED, SHIPPED)
    detail = services.order_queries.get_order(number)
    (item,) = detail.items
    assert (item.quantity, item.shipped_quantity, item.reserved, item.backordered) == (ORDERED, SHIPPED, reserved, 0)
    (shipment,) = detail.shipments
    assert (shipment.tracking_number, shipment.carrier) == (TRACKING, CARRIER)
    assert [(ln.sku, ln.location, ln.quantity) for ln in shipment.lines] == [(product.sku, product.location, SHIPPED)]

    # 5a. Shipment status: type the order number, Enter.
    shipment_page = window.shipment_status_page
    _go_to(qtbot, window, shipment_page)
    wait_idle(qtbot, shipment_page)
    _scan(qtbot, shipment_page.order_edit, number)
    qtbot.waitUntil(lambda: shipment_page.report is not None and not shipment_page.is_loading, timeout=WAIT_MS)
    assert shipment_page.report == status
    assert shipment_page.order_label.text() == number
    assert shipment_page.order_status_value.text() == "Partially shipped"
    assert shipment_page.units_value.text() == f"{SHIPPED} of {ORDERED}"
    assert shipment_page.items_value.text() == "0 of 1"
    assert shipment_page.state_label.text() == f"Partly shipped: {ORDERED - SHIPPED} units still to ship."
    assert shipment_page.progress.value() == SHIPPED and shipment_page.progress.maximum() == ORDERED
    items = shipment_page.items_table
    assert items.model().rowCount() == 1
    shown_item = [_cell(items, 0, c) for c in ShipmentItemColumn]
    assert shown_item == [product.title, ORDERED, SHIPPED, ORDERED - SHIPPED, "Partly shipped"]
    assert shown_item[1:4] == [item_status.quantity, item_status.shipped_quantity, item_status.remaining_quantity]

    # 5b. Low stock (each product's own threshold): the row is listed with what the database holds.
    low = window.low_stock_page
    _go_to(qtbot, window, low)
    wait_idle(qtbot, low)
    assert low.current_threshold() is None  # "Each product's own"
    found = low.model.find_row(lambda r: r.inventory_id == product.inventory_id)
    while found is None and low.model.has_more:  # scroll down, as a person would, until it is there
        low.table.scrollToBottom()
        qtbot.waitUntil(lambda: not low.model.is_loading, timeout=WAIT_MS)
        found = low.model.find_row(lambda r: r.inventory_id == product.inventory_id)
    assert found is not None, "the product is not on the low-stock screen"
    _click_row(qtbot, low.table, found)
    columns = (LowStockColumn.SKU, LowStockColumn.LOCATION, LowStockColumn.QUANTITY, LowStockColumn.AVAILABLE,
               LowStockColumn.THRESHOLD, LowStockColumn.BACKORDERED, LowStockColumn.WAITING_ORDERS)
    assert [_cell(low.table, found, c) for c in columns] == [product.sku, product.location, on_hand, available, t, 0, 0]
    (report_row,) = [r for r in services.reports.low_stock() if r.inventory_id == product.inventory_id]
    assert low.model.row_at(found) == report_row
    # Agreement with the shipment status: what is on hand plus what has shipped is what was there after
    # the adjustment, and what stays reserved is what the order still has to ship.
    assert on_hand + shown_item[ShipmentItemColumn.SHIPPED] == on_hand_after_adjust
    assert report_row.quantity - report_row.available_quantity == shown_item[ShipmentItemColumn.REMAINING]

    # 5c. Ledger: choose the store, type the SKU, Enter: the product's changes, newest first.
    ledger = window.ledger_page
    _go_to(qtbot, window, ledger)
    wait_idle(qtbot, ledger)
    _choose(qtbot, ledger.store_combo, "MAIN")
    wait_idle(qtbot, ledger)
    _scan(qtbot, ledger.product_edit, product.sku)
    wait_idle(qtbot, ledger)
    entries = ledger.model.rows()
    assert {(e.store_code, e.sku, e.location) for e in entries} == {("MAIN", product.sku, product.location)}
    fulfil, reserve, adjustment = entries[:3]
    assert (fulfil.transaction_type, fulfil.quantity_change, fulfil.reserved_change, fulfil.order_number) == (
        TransactionType.FULFILL, -SHIPPED, -SHIPPED, number)
    assert (reserve.transaction_type, reserve.quantity_change, reserve.reserved_change, reserve.order_number) == (
        TransactionType.RESERVE, 0, ORDERED, number)
    assert (adjustment.transaction_type, adjustment.quantity_change, adjustment.reason, adjustment.created_by) == (
        TransactionType.ADJUST, delta, REASON, MANAGER.name)
    assert (adjustment.quantity_after, adjustment.reserved_after) == (on_hand_after_adjust, 0)
    # The newest row's "after" figures are the low-stock screen's figures.
    table = ledger.table
    ledger_columns = (
        LedgerColumn.TYPE, LedgerColumn.QUANTITY_CHANGE, LedgerColumn.RESERVED_CHANGE,
        LedgerColumn.QUANTITY_AFTER, LedgerColumn.RESERVED_AFTER, LedgerColumn.ORDER,
    )
    assert [_cell(table, 0, c) for c in ledger_columns] == [
        "Fulfill", f"\N{MINUS SIGN}{SHIPPED}", f"\N{MINUS SIGN}{SHIPPED}", on_hand, reserved, number]
    assert (fulfil.quantity_after, fulfil.reserved_after) == (report_row.quantity, report_row.reserved_quantity)
    # The whole ledger of the row adds up to what the database and the low-stock screen hold (invariant L).
    assert not ledger.model.has_more
    assert sum(e.quantity_change for e in entries) == on_hand == report_row.quantity
    assert sum(e.reserved_change for e in entries) == reserved == report_row.reserved_quantity
    assert entries == services.stock.ledger(store="MAIN", product=product.sku, limit=len(entries) + 1)

    # The order's own changes: what left is the shipment status's "shipped", what is still held its "remaining".
    _scan(qtbot, ledger.order_edit, number)
    wait_idle(qtbot, ledger)
    for_order = ledger.model.rows()
    assert [e.transaction_type for e in for_order] == [TransactionType.FULFILL, TransactionType.RESERVE]
    assert -sum(e.quantity_change for e in for_order) == shipment_page.report.total_shipped_units == SHIPPED
    assert sum(e.reserved_change for e in for_order) == item_status.remaining_quantity == ORDERED - SHIPPED

    # Nothing drifted: every stock row equals its ledger and its open reservations (invariants L and R).
    report = services.stock.verify()
    assert report.ok, "\n".join(report.problems())
    assert window.banner.text == ""  # the database was there all along
