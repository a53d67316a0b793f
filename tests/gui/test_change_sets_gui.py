"""Results say what changed: a write's change set reaches every open page through one path (both databases).

The acceptance test of issue 10: an adjustment on the Inventory page that fills a backorder updates
an Orders page that is open beside it, without a reload by hand. The two pages share the window's
one ``DataEvents``, as in the main window; nothing but the adjust dialog's OK happens in between.
"""

from __future__ import annotations

from helpers import assert_ledger_consistent
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.changes import Changes
from orion_desktop.domain.enums import Role
from orion_desktop.domain.orders import OrderStatus
from orion_desktop.ui.data_events import DataEvents, Topic, topics_for
from orion_desktop.ui.dialogs.stock_dialogs import AdjustStockDialog
from orion_desktop.ui.models.inventory_model import InventoryColumn
from orion_desktop.ui.pages.inventory_page import InventoryPage
from orion_desktop.ui.pages.orders_page import OrdersPage
from orion_desktop.ui.widgets.order_detail import OrderView

from .orders_support import SUBMIT_TIMEOUT_MS, Orders, show

MANAGER = Actor(name="maria", role=Role.MANAGER)


def _select_order(qtbot: QtBot, page: OrdersPage, number: str) -> OrderView:
    row = page.model.row_of_number(number)
    assert row is not None
    rect = page.table.visualRect(page.model.index(row, 0))
    with qtbot.waitSignal(page.detailShown, timeout=SUBMIT_TIMEOUT_MS) as blocker:
        qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    view: OrderView = blocker.args[0]
    assert view.detail.order_number == number
    return view


def _select_stock(qtbot: QtBot, page: InventoryPage, sku: str, location: str) -> None:
    model = page.model
    qtbot.waitUntil(lambda: model.rowCount() > 0)
    row = next(r for r in range(model.rowCount()) if (model.row_at(r).sku, model.row_at(r).location) == (sku, location))
    rect = page.table.visualRect(model.index(row, InventoryColumn.SKU))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.selected_row() is not None


def test_an_adjustment_that_fills_a_backorder_updates_the_open_orders_page(
    qtbot: QtBot, stocked: Services, orders: Orders
) -> None:
    events = DataEvents()
    orders_page = OrdersPage(stocked, MANAGER, events)
    orders_page.resize(1280, 860)
    show(qtbot, orders_page)
    before = _select_order(qtbot, orders_page, orders.partial)  # B×6: 4 reserved, 2 waiting for stock
    assert sum(item.backordered for item in before.detail.items) == 2
    assert orders_page.detail.backordered_value.text() == "2"

    inventory = InventoryPage(stocked, MANAGER, events)
    inventory.resize(1280, 860)
    show(qtbot, inventory)
    _select_stock(qtbot, inventory, "B", "WAREHOUSE_A")
    inventory.adjust_action.trigger()
    dialog = inventory.dialog
    assert isinstance(dialog, AdjustStockDialog)
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.delta_spin, "5")
    qtbot.keyClicks(dialog.reason_edit, "delivery")
    announced: list[Changes] = []
    events.committed.connect(announced.append)

    with qtbot.waitSignal(orders_page.detailShown, timeout=SUBMIT_TIMEOUT_MS) as shown:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    after: OrderView = shown.args[0]
    assert after.detail.order_number == orders.partial  # the same order stays selected
    assert sum(item.backordered for item in after.detail.items) == 0
    assert orders_page.detail.backordered_value.text() == "0"
    assert after.detail.status is OrderStatus.PARTIALLY_SHIPPED
    # One announcement, naming the product and the order, and so both topics.
    order_id = stocked.order_queries.get_order(orders.partial).id
    product_id = stocked.catalog.get_product("MAIN", "B").id
    assert announced == [Changes.of(products={product_id}, orders={order_id})]
    assert topics_for(announced[0]) == {Topic.STOCK, Topic.ORDERS}
    assert_ledger_consistent(stocked)


def test_a_refused_dialog_announces_nothing(qtbot: QtBot, stocked: Services) -> None:
    events = DataEvents()
    inventory = InventoryPage(stocked, MANAGER, events)
    show(qtbot, inventory)
    _select_stock(qtbot, inventory, "C", "SHELF-1")
    inventory.adjust_action.trigger()
    dialog = inventory.dialog
    assert isinstance(dialog, AdjustStockDialog)
    qtbot.keyClicks(dialog.delta_spin, "-2")
    qtbot.keyClicks(dialog.reason_edit, "broken")
    stocked.inventory.adjust(MANAGER, store="MAIN", product="C", location="SHELF-1", delta=-1, reason="sold")
    changed: list[object] = []
    events.changed.connect(changed.append)
    with qtbot.waitSignal(dialog.failed, timeout=SUBMIT_TIMEOUT_MS):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # only 1 is left now: refused
    assert changed == [] and dialog.isVisible()
    dialog.reject()


def test_the_worker_hands_a_jobs_changes_over_before_its_answer(qtbot: QtBot, stocked: Services) -> None:
    from PySide6.QtCore import QObject

    from orion_desktop.ui.worker import run_in_background

    owner = QObject()
    seen: list[object] = []

    def adjust_twice_then_fail() -> None:
        stocked.inventory.adjust(MANAGER, store="MAIN", product="B", location="WAREHOUSE_A", delta=1, reason="found")
        stocked.inventory.adjust(MANAGER, store="MAIN", product="D", location="WAREHOUSE_B", delta=-99, reason="lost")

    run_in_background(owner, adjust_twice_then_fail, on_done=seen.append, on_error=seen.append, on_changes=seen.append)
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=SUBMIT_TIMEOUT_MS)
    # The first call committed before the second was refused: its change is still reported, first.
    assert seen[0] == Changes.of(products={stocked.catalog.get_product("MAIN", "B").id})
    assert isinstance(seen[1], Exception)


def test_a_write_on_the_gui_thread_is_recorded_and_announced(qtbot: QtBot, stocked: Services) -> None:
    events = DataEvents()
    seen: list[object] = []
    events.changed.connect(seen.append)
    with events.recording():
        stocked.inventory.adjust(MANAGER, store="MAIN", product="B", location="WAREHOUSE_A", delta=1, reason="found")
    assert seen == [frozenset({Topic.STOCK})]
    with events.recording():
        stocked.stock.stats()  # a read changes nothing: nothing is announced
    assert len(seen) == 1
