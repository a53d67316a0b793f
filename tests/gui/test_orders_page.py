"""The orders model and page on SQLite and PostgreSQL: Qt's model contract, keyset paging, filtering and
searching in SQL, the detail pane's figures, the order actions, and reloading on changes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from helpers import ADMIN
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QTableWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.errors import DatabaseUnavailable
from orion_desktop.domain.order_results import OrderSummary
from orion_desktop.domain.orders import OrderStatus
from orion_desktop.ui.data_events import DataEvents, Topic
from orion_desktop.ui.dialogs.change_status_dialog import ChangeStatusDialog
from orion_desktop.ui.dialogs.new_order_dialog import NewOrderDialog
from orion_desktop.ui.dialogs.note_dialog import NoteDialog
from orion_desktop.ui.dialogs.return_dialog import ReturnDialog
from orion_desktop.ui.dialogs.ship_dialog import ShipDialog
from orion_desktop.ui.models.orders_model import OrderColumn, OrderFilter, OrderRole, OrdersModel
from orion_desktop.ui.pages.list_page import SEARCH_DELAY_MS
from orion_desktop.ui.pages.orders_page import OrdersPage
from orion_desktop.ui.widgets.order_detail import OrderView

from .orders_support import SUBMIT_TIMEOUT_MS, Orders, choose, press_ok, show, type_number
from .overview_helpers import cell_text

pytestmark = pytest.mark.usefixtures("background_work_done")  # pages here work in the background

MANAGER = Actor(name="maria", role=Role.MANAGER)


class Recorder:
    """Wraps ``services.order_queries`` and records every list_orders call."""

    def __init__(self, queries: Any) -> None:
        self._queries = queries
        self.calls: list[dict[str, Any]] = []

    def list_orders(self, **kwargs: Any) -> Sequence[OrderSummary]:
        self.calls.append(kwargs)
        orders: Sequence[OrderSummary] = self._queries.list_orders(**kwargs)
        return orders


def _numbers(model: OrdersModel) -> list[str]:
    return [row.order_number for row in model.rows()]


# --- the model --------------------------------------------------------------------------------
def test_model_passes_qt_model_tester(qtmodeltester: ModelTester, stocked: Services, orders: Orders) -> None:
    model = OrdersModel(stocked.order_queries, page_size=2)
    assert model.reload()
    qtmodeltester.check(model)  # Qt's C++ QAbstractItemModelTester keeps watching from here on
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 4
    model.set_filter(OrderFilter(status=OrderStatus.PROCESSING))
    model.set_filter(OrderFilter(search="ann"))
    model.set_filter(OrderFilter())
    model.sort(OrderColumn.CUSTOMER, Qt.SortOrder.DescendingOrder)  # a header click resets the model
    model.fetchMore(QModelIndex())
    model.sort(-1)
    assert model.rowCount() >= 2


def test_model_passes_python_model_tester(qtmodeltester: ModelTester, stocked: Services, orders: Orders) -> None:
    model = OrdersModel(stocked.order_queries, page_size=3)
    model.reload()
    qtmodeltester.check(model, force_py=True)
    model.set_filter(OrderFilter(search="Clark"))
    assert _numbers(model) == [orders.processing]


def test_keyset_paging_asks_for_orders_older_than_the_last_one_shown(stocked: Services, orders: Orders) -> None:
    source = Recorder(stocked.order_queries)
    model = OrdersModel(source, page_size=2)
    model.reload()
    assert _numbers(model) == orders.newest_first[:2]
    assert model.canFetchMore(QModelIndex()) and model.has_more
    model.fetchMore(QModelIndex())
    assert _numbers(model) == orders.newest_first
    assert not model.canFetchMore(QModelIndex())  # the second page was the last: no extra empty query
    rows = model.rows()
    assert [(c["after"], c["limit"]) for c in source.calls] == [(None, 3), (rows[1], 3)]
    assert all(c["sort"] is None for c in source.calls)  # newest first
    # The pages join up to exactly what one unpaged query returns, in the same order.
    assert model.rows() == stocked.order_queries.list_orders()


def test_reload_keeps_the_pages_already_scrolled_through(stocked: Services, orders: Orders) -> None:
    model = OrdersModel(stocked.order_queries, page_size=1)
    model.reload()
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 3
    assert model.reload()  # F5 or a change elsewhere: the third order stays loaded
    assert _numbers(model) == orders.newest_first[:3]
    model.set_filter(OrderFilter())  # a new filter starts at the top again
    assert model.rowCount() == 1


def test_status_filter_and_search_run_in_sql(stocked: Services, orders: Orders) -> None:
    source = Recorder(stocked.order_queries)
    model = OrdersModel(source)
    model.set_filter(OrderFilter(status=OrderStatus.PARTIALLY_SHIPPED))
    assert _numbers(model) == [orders.partial]
    assert source.calls[-1]["status"] == "partially_shipped"
    model.set_filter(OrderFilter(search="  baker "))
    assert _numbers(model) == [orders.pending]
    assert source.calls[-1]["search"] == "baker"
    model.set_filter(OrderFilter(search=orders.cancelled[-6:]))  # part of an order number
    assert _numbers(model) == [orders.cancelled]
    model.set_filter(OrderFilter(status=OrderStatus.DELIVERED))
    assert model.rowCount() == 0 and not model.canFetchMore(QModelIndex())


def test_data_and_header_roles(stocked: Services, orders: Orders) -> None:
    model = OrdersModel(stocked.order_queries)
    model.set_filter(OrderFilter(search=orders.partial))
    row = model.row_at(0)

    def cell(column: OrderColumn, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return model.data(model.index(0, column), role)

    assert [cell(c) for c in OrderColumn][:4] == [orders.partial, "Partially shipped", "Ann Archer", "MAIN"]
    assert cell(OrderColumn.ITEMS) == 2
    assert cell(OrderColumn.SHIPPED) == "3 / 9"
    assert cell(OrderColumn.SHIPPED, OrderRole.VALUE) == (3, 9)
    assert cell(OrderColumn.STATUS, OrderRole.VALUE) is OrderStatus.PARTIALLY_SHIPPED
    assert cell(OrderColumn.CREATED, OrderRole.VALUE) == row.created_at
    assert cell(OrderColumn.NUMBER, OrderRole.ROW) == row
    assert cell(OrderColumn.CUSTOMER, OrderRole.ORDER_NUMBER) == orders.partial
    assert cell(OrderColumn.SHIPPED, Qt.ItemDataRole.ToolTipRole) == "3 units shipped of 9 units ordered"
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    assert cell(OrderColumn.SHIPPED, Qt.ItemDataRole.TextAlignmentRole) == right
    assert cell(OrderColumn.STATUS, Qt.ItemDataRole.ForegroundRole) is not None
    assert cell(OrderColumn.STORE, Qt.ItemDataRole.DecorationRole) is None
    assert model.data(QModelIndex()) is None
    assert model.rowCount(model.index(0, 0)) == 0 and model.columnCount(model.index(0, 0)) == 0
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in OrderColumn]
    assert headers == ["Order", "Status", "Customer", "Store", "Created", "Lines", "Shipped"]
    assert model.headerData(0, Qt.Orientation.Vertical) is None
    assert model.row_of_order(row.id) == 0 and model.row_of_number(orders.partial) == 0
    assert model.row_of_order(-1) is None


def test_custom_roles_start_at_user_role() -> None:
    assert OrderRole.ROW == Qt.ItemDataRole.UserRole.value  # type: ignore[comparison-overlap]  # IntEnum == int
    assert min(OrderRole) == OrderRole.ROW


def test_a_failed_query_empties_the_model_and_reports_the_error(qtbot: QtBot) -> None:
    class Broken:
        def list_orders(self, **_kwargs: Any) -> Sequence[OrderSummary]:
            raise DatabaseUnavailable("The database cannot be reached. Check the network and try again.")

    model = OrdersModel(Broken())
    with qtbot.waitSignal(model.loadFailed) as blocker:
        assert not model.reload()
    assert isinstance(blocker.args[0], DatabaseUnavailable)
    assert model.rowCount() == 0 and not model.canFetchMore(QModelIndex())


def test_a_header_click_sorts_in_sql_and_an_unsortable_column_changes_nothing(
    stocked: Services, orders: Orders
) -> None:
    source = Recorder(stocked.order_queries)
    model = OrdersModel(source, page_size=2)
    model.reload()
    model.sort(OrderColumn.CUSTOMER, Qt.SortOrder.AscendingOrder)
    assert {k: source.calls[-1][k] for k in ("sort", "descending", "after")} == {
        "sort": "customer", "descending": False, "after": None}
    model.fetchMore(QModelIndex())
    assert [row.customer_name for row in model.rows()] == ["Ann Archer", "Bob Baker", "Cleo Clark", "Dan Doe"]
    assert source.calls[-1]["after"] == model.rows()[1]

    calls = len(source.calls)
    model.sort(OrderColumn.ITEMS, Qt.SortOrder.AscendingOrder)  # the item totals cannot be sorted in SQL
    model.sort(OrderColumn.SHIPPED, Qt.SortOrder.DescendingOrder)
    assert len(source.calls) == calls and model.sort_column == OrderColumn.CUSTOMER

    model.sort(OrderColumn.STATUS, Qt.SortOrder.DescendingOrder)
    assert [row.status.value for row in model.rows()] == ["processing", "pending"]  # the first page
    model.sort(-1)
    assert _numbers(model) == orders.newest_first[:2]


def test_every_sortable_column_has_a_service_sort_key() -> None:
    from orion_desktop.services.orders.queries import ORDER_SORT_KEYS

    model = OrdersModel(Recorder(None))
    keys = {h.sort_key for h in model.headers} - {None}
    assert keys == set(ORDER_SORT_KEYS)
    initial = Qt.ItemDataRole.InitialSortOrderRole
    assert model.headerData(OrderColumn.CREATED, Qt.Orientation.Horizontal, initial) == Qt.SortOrder.DescendingOrder
    assert model.headerData(OrderColumn.CUSTOMER, Qt.Orientation.Horizontal, initial) is None  # A to Z first


# --- the page ---------------------------------------------------------------------------------
@pytest.fixture
def events() -> DataEvents:
    return DataEvents()


def _page(qtbot: QtBot, services: Services, events: DataEvents, actor: Actor = MANAGER) -> OrdersPage:
    page = OrdersPage(services, actor, events)
    page.resize(1280, 860)
    show(qtbot, page)
    return page


def _table_numbers(page: OrdersPage) -> list[str]:
    return _numbers(page.model)


def _select(qtbot: QtBot, page: OrdersPage, number: str) -> OrderView:
    """Click the order's row and wait for its detail, which loads off the GUI thread."""
    row = page.model.row_of_number(number)
    assert row is not None, f"{number} is not listed"
    rect = page.table.visualRect(page.model.index(row, OrderColumn.NUMBER))
    with qtbot.waitSignal(page.detailShown, timeout=SUBMIT_TIMEOUT_MS) as blocker:
        qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    view: OrderView | None = blocker.args[0]
    assert view is not None and view.detail.order_number == number
    return view


def _wait_for_detail(qtbot: QtBot, page: OrdersPage, number: str) -> None:
    def shown() -> bool:
        order = page.detail.current_order
        return order is not None and order.order_number == number

    qtbot.waitUntil(shown, timeout=SUBMIT_TIMEOUT_MS)


def _dialog(page: OrdersPage, kind: type) -> Any:
    dialog = page.dialog
    assert dialog is not None and isinstance(dialog, kind), dialog
    assert dialog.isVisible() and dialog.isModal()
    return dialog


def test_the_page_lists_orders_newest_first(
    qtbot: QtBot, stocked: Services, orders: Orders, events: DataEvents
) -> None:
    page = _page(qtbot, stocked, events)
    assert _table_numbers(page) == orders.newest_first
    assert page.count_label.text() == "4 orders"
    assert page.detail.current_order is None
    assert not page.ship_action.isEnabled()  # nothing selected
    assert page.new_order_action.isEnabled()


def test_status_filter_and_search_box(qtbot: QtBot, stocked: Services, orders: Orders, events: DataEvents) -> None:
    page = _page(qtbot, stocked, events)
    choose(page.status_combo, "processing")
    assert _table_numbers(page) == [orders.processing]
    choose(page.status_combo, None)
    assert len(_table_numbers(page)) == 4

    qtbot.keyClicks(page.search_edit, "ARCHER")
    assert page.model.order_filter.search == ""  # not yet: the user may still be typing
    qtbot.waitUntil(lambda: _table_numbers(page) == [orders.partial], timeout=SEARCH_DELAY_MS * 8)

    page.search_edit.clear()
    qtbot.keyClicks(page.search_edit, orders.pending)  # a scanned order number + Enter: at once, selected
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)
    assert _table_numbers(page) == [orders.pending]
    assert (selected := page.selected_order()) is not None and selected.order_number == orders.pending
    _wait_for_detail(qtbot, page, orders.pending)

    choose(page.status_combo, "shipped")  # both filters at once
    assert _table_numbers(page) == []
    assert page.count_label.text() == "No orders match the filter"
    assert page.detail.current_order is None


def test_detail_pane_after_a_partial_shipment(
    qtbot: QtBot, stocked: Services, orders: Orders, events: DataEvents
) -> None:
    page = _page(qtbot, stocked, events)
    _select(qtbot, page, orders.partial)
    detail = page.detail
    assert detail.title_label.text() == orders.partial
    assert detail.status_label.text() == "Partially shipped"
    assert "Ann Archer" in detail.subtitle_label.text() and "tracking TRK-1 (DHL)" in detail.subtitle_label.text()
    figures = [label.text() for label in (detail.ordered_value, detail.shipped_value, detail.reserved_value,
                                          detail.backordered_value, detail.remaining_value)]
    assert figures == ["9", "3", "4", "2", "6"]

    def table(widget: QTableWidget) -> list[list[str]]:
        return [[cell_text(widget, r, c) for c in range(widget.columnCount())] for r in range(widget.rowCount())]

    assert table(detail.items_table) == [
        ["Widget A", "A", "3", "3", "0", "0", "0", "0"],
        ["Widget B", "B", "6", "0", "4", "2", "6", "0"],
    ]
    assert table(detail.reservations_table) == [
        ["WAREHOUSE_A", "B", "4", "4", "0", "0", "Active"],
        ["WAREHOUSE_A", "A", "0", "3", "3", "0", "Fulfilled"],
    ]
    (shipment,) = table(detail.shipments_table)
    assert shipment[1:2] + shipment[3:] == ["Shipped", "TRK-1", "DHL", "3 × A from WAREHOUSE_A"]
    history = table(detail.history_table)
    assert history[0][1] == "Shipped" and history[0][2] == "Processing → Partially shipped"
    assert history[-1][1:3] == ["Created", "Pending"]
    assert [detail.tabs.tabText(i) for i in range(detail.tabs.count())] == [
        "Items (2)", "Reservations (1)", "Shipments (1)", f"History ({len(history)})", "Notes"]
    assert page.ship_action.isEnabled() and page.return_action.isEnabled() and page.change_status_action.isEnabled()


def test_ship_from_the_page_updates_the_list_and_keeps_the_order_selected(
    qtbot: QtBot, stocked: Services, orders: Orders, events: DataEvents
) -> None:
    page = _page(qtbot, stocked, events)
    _select(qtbot, page, orders.pending)
    announced: list[frozenset[Topic]] = []
    events.changed.connect(announced.append)

    page.ship_action.trigger()
    dialog = _dialog(page, ShipDialog)
    type_number(qtbot, dialog.row_for("D").quantity_spin, 1)  # one of two D; C goes too
    qtbot.keyClicks(dialog.tracking_edit, "TRK-77")
    with qtbot.waitSignal(page.detailShown, timeout=SUBMIT_TIMEOUT_MS):
        press_ok(qtbot, dialog)

    assert page.dialog is None
    assert announced == [frozenset({Topic.ORDERS, Topic.STOCK})]
    assert page.banner.text == f"Shipped 2 units of {orders.pending}. 1 unit still to ship."
    selected = page.selected_order()
    assert selected is not None and selected.order_number == orders.pending  # still selected after the reload
    assert selected.status is OrderStatus.PARTIALLY_SHIPPED and (
        selected.shipped_units, selected.ordered_units
    ) == (2, 3)
    assert page.detail.shipped_value.text() == "2" and page.detail.remaining_value.text() == "1"
    detail = stocked.order_queries.get_order(orders.pending)
    assert [(i.sku, i.shipped_quantity) for i in detail.items] == [("C", 1), ("D", 1)]
    assert detail.shipments[0].tracking_number == "TRK-77"


def test_change_status_and_note_from_the_page(
    qtbot: QtBot, stocked: Services, orders: Orders, events: DataEvents
) -> None:
    page = _page(qtbot, stocked, events)
    _select(qtbot, page, orders.pending)
    page.change_status_action.trigger()
    dialog = _dialog(page, ChangeStatusDialog)
    choose(dialog.status_combo, "processing")
    press_ok(qtbot, dialog)
    assert "Reserved 3 units:" in dialog.result_label.text()
    with qtbot.waitSignal(page.detailShown, timeout=SUBMIT_TIMEOUT_MS):
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)  # "Close"
    assert page.banner.text == f"{orders.pending} is now processing."
    assert (selected := page.selected_order()) is not None and selected.status is OrderStatus.PROCESSING
    assert page.detail.reserved_value.text() == "3"

    page.note_action.trigger()
    note = _dialog(page, NoteDialog)
    qtbot.keyClicks(note.text_edit, "Pack with extra bubble wrap")
    with qtbot.waitSignal(page.detailShown, timeout=SUBMIT_TIMEOUT_MS):
        press_ok(qtbot, note)
    assert page.detail.tabs.currentWidget() is page.detail.notes_table
    assert cell_text(page.detail.notes_table, 0, 3) == "Pack with extra bubble wrap"
    assert cell_text(page.detail.notes_table, 0, 2) == "Staff only"


def test_new_order_from_the_page_is_selected(
    qtbot: QtBot, stocked: Services, orders: Orders, events: DataEvents
) -> None:
    page = _page(qtbot, stocked, events)
    page.new_order_action.trigger()
    dialog = _dialog(page, NewOrderDialog)
    dialog.rows[0].product_edit.setFocus()
    qtbot.keyClicks(dialog.rows[0].product_edit, "D")
    qtbot.keyClick(dialog.rows[0].product_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.customer_edit, "Gus Grant")
    with qtbot.waitSignal(page.detailShown, timeout=SUBMIT_TIMEOUT_MS):
        press_ok(qtbot, dialog)
    number = dialog.order_number
    assert _table_numbers(page) == [number, *orders.newest_first]
    assert (selected := page.selected_order()) is not None and selected.order_number == number
    assert page.detail.current_order is not None and page.detail.current_order.customer_name == "Gus Grant"
    assert page.banner.text == f"Order {number} was created; it is pending."


def test_return_from_the_page(qtbot: QtBot, stocked: Services, orders: Orders, events: DataEvents) -> None:
    page = _page(qtbot, stocked, events)
    _select(qtbot, page, orders.partial)
    page.return_action.trigger()
    dialog = _dialog(page, ReturnDialog)
    qtbot.keyClicks(dialog.reason_edit, "too small")
    with qtbot.waitSignal(page.detailShown, timeout=SUBMIT_TIMEOUT_MS):
        press_ok(qtbot, dialog)
    assert page.banner.text == "Returned 1 unit of A back to WAREHOUSE_A."
    assert cell_text(page.detail.items_table, 0, 7) == "1"
    assert stocked.stock.product_stock("MAIN", "A").locations[0].quantity == 10  # 9 left after shipping 3, +1


def test_cancelling_a_dialog_changes_nothing_and_announces_nothing(
    qtbot: QtBot, stocked: Services, orders: Orders, events: DataEvents
) -> None:
    page = _page(qtbot, stocked, events)
    _select(qtbot, page, orders.processing)
    announced: list[object] = []
    events.changed.connect(announced.append)
    page.ship_action.trigger()
    dialog = _dialog(page, ShipDialog)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert page.dialog is None and announced == []
    assert stocked.order_queries.get_order(orders.processing).items[0].shipped_quantity == 0


def test_changes_announced_elsewhere_reload_the_page_and_keep_the_selection(
    qtbot: QtBot, stocked: Services, orders: Orders, events: DataEvents
) -> None:
    page = _page(qtbot, stocked, events)
    _select(qtbot, page, orders.processing)
    stocked.orders.ship_item(ADMIN, orders.processing, "D", 2)  # another page (or PC) shipped two
    with qtbot.waitSignal(page.detailShown, timeout=SUBMIT_TIMEOUT_MS):
        events.announce(Topic.STOCK)
    assert (selected := page.selected_order()) is not None and selected.order_number == orders.processing
    assert (selected := page.selected_order()) is not None and selected.status is OrderStatus.PARTIALLY_SHIPPED
    assert page.detail.shipped_value.text() == "2"

    calls: list[object] = []
    page.model.rowsLoaded.connect(lambda: calls.append(True))
    events.announce(Topic.CATALOG)  # not something this page shows
    assert calls == []

    page.hide()  # a hidden page only notes the change ...
    stocked.orders.add_note(ADMIN, orders.processing, "Courier comes at 3")
    events.announce(Topic.ORDERS)
    assert calls == []
    with qtbot.waitSignal(page.detailShown, timeout=SUBMIT_TIMEOUT_MS):
        page.show()  # ... and reloads when shown again
    assert calls == [True]
    assert page.detail.notes_table.rowCount() == 1


def test_a_packer_may_ship_and_add_notes_but_not_manage_orders(
    qtbot: QtBot, stocked: Services, orders: Orders, events: DataEvents
) -> None:
    packer = Actor(name="pat", role=Role.PACKER)
    page = _page(qtbot, stocked, events, packer)
    _select(qtbot, page, orders.partial)
    assert page.ship_action.isEnabled() and page.note_action.isEnabled()
    assert not page.new_order_action.isEnabled()
    assert not page.change_status_action.isEnabled()
    assert not page.return_action.isEnabled()
    assert "may not manage orders" in page.change_status_action.toolTip()


def test_finished_orders_cannot_be_shipped_or_changed(
    qtbot: QtBot, stocked: Services, orders: Orders, events: DataEvents
) -> None:
    page = _page(qtbot, stocked, events)
    _select(qtbot, page, orders.cancelled)
    assert not page.ship_action.isEnabled() and not page.change_status_action.isEnabled()
    assert not page.return_action.isEnabled()
    assert page.note_action.isEnabled()
    assert "not delivered or cancelled" in page.change_status_action.toolTip()


def test_shortcuts_open_the_dialogs(qtbot: QtBot, stocked: Services, orders: Orders, events: DataEvents) -> None:
    page = _page(qtbot, stocked, events)
    _select(qtbot, page, orders.partial)
    shortcuts = {a.objectName(): a.shortcut().toString() for a in page.order_actions}
    assert shortcuts == {"newOrderAction": "Ctrl+N", "changeStatusAction": "Ctrl+T", "shipAction": "Ctrl+Shift+S",
                         "returnAction": "Ctrl+Shift+R", "noteAction": "Ctrl+Shift+N"}
    qtbot.keyClick(page.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = _dialog(page, ShipDialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert page.dialog is None
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    _dialog(page, NoteDialog).reject()


def test_a_detail_that_cannot_load_is_a_sentence(
    qtbot: QtBot, stocked: Services, orders: Orders, events: DataEvents, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(qtbot, stocked, events)
    sentence = "The database cannot be reached: connection refused"

    def unavailable(*_args: object, **_kwargs: object) -> None:
        raise DatabaseUnavailable(sentence)

    monkeypatch.setattr(stocked.order_queries, "history", unavailable)
    row = page.model.row_of_number(orders.partial)
    assert row is not None
    with qtbot.waitSignal(page.detailShown, timeout=SUBMIT_TIMEOUT_MS) as blocker:
        page.table.setCurrentIndex(page.model.index(row, 0))
    assert blocker.args == [None]
    assert page.banner.text == sentence
    assert page.detail.placeholder.text() == page.detail.UNAVAILABLE_TEXT
    monkeypatch.undo()
    _select(qtbot, page, orders.pending)  # the next selection works and the message goes away
    assert page.banner.text == ""
