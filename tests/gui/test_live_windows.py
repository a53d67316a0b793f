"""Live windows: another PC's changes reach the open pages, which keep what the user looks at (both databases).

The bridge (``ui/live_feed.py``) is driven by a feed thread (``live_support.ThreadFeed``), the
changes are made by another workstation's own engine on the same database (``OtherPC``). The
two-process acceptance test, with the real change feed, is ``test_live_two_processes.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from helpers import ADMIN
from PySide6.QtCore import QSettings, Qt, QThreadPool
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QSpinBox, QTableView
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.changes import Changes
from orion_desktop.domain.enums import Role
from orion_desktop.domain.order_results import OrderLine
from orion_desktop.ui.data_events import DataEvents, Topic
from orion_desktop.ui.live_feed import LiveFeed
from orion_desktop.ui.models.inventory_model import InventoryColumn
from orion_desktop.ui.models.keyset_model import SortOrder
from orion_desktop.ui.models.row_model import PageQuery, RowRole
from orion_desktop.ui.pages.inventory_page import InventoryPage
from orion_desktop.ui.pages.live_page import LivePage
from orion_desktop.ui.pages.locations_page import LocationsPage
from orion_desktop.ui.pages.orders_page import DETAIL_DELAY_MS
from orion_desktop.ui.pages.shipment_status_page import ShipmentStatusPage
from orion_desktop.ui.pages.table_state import TableState, row_identity

from .live_support import OtherPC, ThreadFeed
from .orders_support import Orders, show
from .window_support import go_to, open_window

MANAGER = Actor(name="maria", role=Role.MANAGER)
WAIT_MS = 15_000
SETTLE_MS = DETAIL_DELAY_MS + 200
pytestmark = pytest.mark.usefixtures("background_work_done")


@pytest.fixture
def other_pc(database_url: str) -> Iterator[OtherPC]:
    other = OtherPC(database_url)
    yield other
    QThreadPool.globalInstance().waitForDone(WAIT_MS)
    other.close()


def _settle(qtbot: QtBot) -> None:
    """Let timers the test's last clicks started (the Orders page's detail pause) start their work, and
    let that work finish: nothing may still query when the next test empties the database."""
    qtbot.wait(SETTLE_MS)
    QThreadPool.globalInstance().waitForDone(WAIT_MS)


def _quantity(page: InventoryPage, sku: str, location: str) -> int | None:
    model = page.model
    return next((model.row_at(r).quantity for r in range(model.rowCount())
                 if (model.row_at(r).sku, model.row_at(r).location) == (sku, location)), None)


# --- the bridge -----------------------------------------------------------------------------------
def test_a_notice_from_elsewhere_is_announced_on_the_gui_thread_and_our_own_is_not(
    qtbot: QtBot, stocked: Services, other_pc: OtherPC
) -> None:
    events = DataEvents()
    feed = ThreadFeed()
    bridge = LiveFeed(feed, events, origin="this-pc")
    seen: list[tuple[Changes, bool]] = []
    on_gui = threading.main_thread
    events.committed.connect(lambda changes: seen.append((changes, threading.current_thread() is on_gui())))
    topics: list[frozenset[Topic]] = []
    events.changed.connect(topics.append)
    bridge.start()
    assert bridge.running
    with other_pc.writing() as services:
        services.inventory.adjust(ADMIN, store="MAIN", product="B", location="WAREHOUSE_A", delta=1, reason="found")
    elsewhere = other_pc.notice()
    own = other_pc.notice(Changes.everything())
    own = type(own)(changes=own.changes, user=own.user, time=own.time, origin="this-pc", remote=True)
    marked_own = type(own)(changes=own.changes, user=own.user, time=own.time, origin="db-1", remote=False)

    feed.deliver(own, marked_own, elsewhere)
    assert feed.threads == ["test-feed"] * 3  # the feed called back on its own thread
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=WAIT_MS)
    product = stocked.catalog.get_product("MAIN", "B").id
    assert seen == [(Changes.of(products={product}), True)]  # on the GUI thread, our own dropped
    assert topics == [frozenset({Topic.STOCK})]

    feed.deliver(elsewhere)  # queued for the GUI thread ...
    bridge.stop()  # ... but the window closes first: it is dropped
    qtbot.wait(50)
    assert len(seen) == 1 and not bridge.running and feed.on_notice is None


def test_notices_that_arrive_together_are_announced_as_one_change(
    qtbot: QtBot, stocked: Services, orders: Orders, other_pc: OtherPC
) -> None:
    events = DataEvents()
    feed = ThreadFeed()
    bridge = LiveFeed(feed, events, origin="this-pc")
    bridge.start()
    seen: list[Changes] = []
    events.committed.connect(seen.append)
    notices = []
    for sku, location in (("B", "WAREHOUSE_A"), ("C", "SHELF-1"), ("D", "WAREHOUSE_B")):
        with other_pc.writing() as services:
            services.inventory.adjust(ADMIN, store="MAIN", product=sku, location=location, delta=1, reason="found")
        notices.append(other_pc.notice())
    with other_pc.writing() as services:
        services.orders.add_note(ADMIN, orders.pending, "call first")
    notices.append(other_pc.notice())
    feed.deliver(*notices)  # the GUI thread was busy meanwhile: all four are waiting for it
    qtbot.waitUntil(lambda: bridge.received == 4, timeout=WAIT_MS)
    qtbot.wait(50)
    products = {stocked.catalog.get_product("MAIN", sku).id for sku in "BCD"}
    order = stocked.order_queries.get_order(orders.pending).id
    filled = stocked.order_queries.get_order(orders.partial).id  # B's arrival filled its backorder
    assert seen == [Changes.of(products=products, orders={order, filled})]  # one announcement, one reload per page
    bridge.stop()


def test_the_main_window_listens_while_it_is_open(
    qtbot: QtBot, stocked: Services, manager: Actor, window_settings: QSettings
) -> None:
    threads_before = threading.active_count()
    window = open_window(qtbot, stocked, manager, window_settings)
    assert window.live_feed.running
    window.close()
    assert not window.live_feed.running
    qtbot.waitUntil(lambda: threading.active_count() <= threads_before, timeout=WAIT_MS)  # no listener left


# --- keeping what the user looks at -------------------------------------------------------------
def _add_products(services: Services, count: int) -> None:
    for n in range(1, count + 1):
        services.catalog.add_product(ADMIN, store="MAIN", sku=f"P{n:03}", title=f"Part {n:03}")
        services.inventory.set_quantity(ADMIN, store="MAIN", product=f"P{n:03}", location="WAREHOUSE_A", quantity=n)


def test_inventory_keeps_selection_sort_filter_and_scroll_across_a_change_from_elsewhere(
    qtbot: QtBot, stocked: Services, other_pc: OtherPC
) -> None:
    _add_products(stocked, 60)
    events = DataEvents()
    page = InventoryPage(stocked, MANAGER, events, page_size=20)
    page.resize(1000, 420)
    show(qtbot, page)
    feed = ThreadFeed()
    LiveFeed(feed, events, page, origin="this-pc").start()
    qtbot.keyClicks(page.search_edit, "P0")
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)
    page.table.sortByColumn(InventoryColumn.SKU, Qt.SortOrder.DescendingOrder)  # P060 first
    table, model = page.table, page.model
    while model.canFetchMore():  # scroll to the end: every page is loaded
        table.scrollToBottom()
        model.fetchMore()
    assert model.rowCount() == 60
    target = next(r for r in range(60) if model.row_at(r).sku == "P012")  # far beyond the first page
    table.scrollTo(model.index(target, 0), QTableView.ScrollHint.PositionAtCenter)
    rect = table.visualRect(model.index(target, InventoryColumn.SKU))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.selected_row() is not None and page.selected_row().sku == "P012"  # type: ignore[union-attr]
    top_before = row_identity(model.index(table.rowAt(0), 0).data(RowRole.ROW))
    scrolled = table.verticalScrollBar().value()
    assert scrolled > 0

    with other_pc.writing() as services:  # another PC counts P012 again and adds a product above it
        services.inventory.adjust(ADMIN, store="MAIN", product="P012", location="WAREHOUSE_A", delta=-5, reason="count")
        services.catalog.add_product(ADMIN, store="MAIN", sku="P099", title="Part 099")
        services.inventory.set_quantity(ADMIN, store="MAIN", product="P099", location="WAREHOUSE_A", quantity=9)
    feed.deliver(other_pc.notice())
    qtbot.waitUntil(lambda: _quantity(page, "P012", "WAREHOUSE_A") == 7, timeout=WAIT_MS)

    row = page.selected_row()
    assert row is not None and row.sku == "P012" and row.quantity == 7  # the same row, by identity
    assert page.detail.isVisible()
    assert model.rowCount() == 60 and model.row_at(0).sku == "P099"  # as many rows as were loaded; P099 came
    assert model.sort_order == SortOrder("sku", descending=True)
    header = table.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (InventoryColumn.SKU,
                                                                            Qt.SortOrder.DescendingOrder)
    assert page.search_edit.text() == "P0" and model.stock_filter.search == "P0"
    # The view did not jump: the same row is at the top (one row further down, as P099 came above).
    assert row_identity(model.index(table.rowAt(0), 0).data(RowRole.ROW)) == top_before
    assert table.verticalScrollBar().value() == scrolled + 1


def _filters(page: LivePage) -> list[object]:
    """What the page's filter widgets show (search text, numbers, choices, ticks)."""
    shown: list[object] = []
    return shown + ([edit.text() for edit in page.findChildren(QLineEdit)]
            + [spin.value() for spin in page.findChildren(QSpinBox)]
            + [combo.currentText() for combo in page.findChildren(QComboBox)]
            + [box.isChecked() for box in page.findChildren(QCheckBox)])


def _sort_of(table: QTableView) -> tuple[int, Qt.SortOrder]:
    header = table.horizontalHeader()
    return header.sortIndicatorSection(), header.sortIndicatorOrder()


def _main_table(page: LivePage) -> QTableView:
    for name in ("table", "items_table", "counts_table"):
        table = getattr(page, name, None)
        if isinstance(table, QTableView):
            return table
    raise AssertionError(f"{type(page).__name__} has no table")


@pytest.mark.parametrize(
    "page_name", ["orders_page", "ledger_page", "low_stock_page", "locations_page", "shipment_status_page",
                  "dashboard_page"]
)
def test_every_page_keeps_its_selected_row_across_a_change_from_elsewhere(
    qtbot: QtBot, stocked: Services, orders: Orders, manager: Actor, window_settings: QSettings,
    other_pc: OtherPC, page_name: str,
) -> None:
    window = open_window(qtbot, stocked, manager, window_settings)
    page = getattr(window, page_name)
    assert isinstance(page, LivePage)
    feed = ThreadFeed()
    LiveFeed(feed, window.events, window, origin="this-pc").start()
    go_to(qtbot, window, page)
    if isinstance(page, ShipmentStatusPage):
        qtbot.keyClicks(page.order_edit, orders.partial)
        qtbot.keyClick(page.order_edit, Qt.Key.Key_Return)
    table = _main_table(page)
    qtbot.waitUntil(lambda: not page.is_loading and table.model().rowCount() >= 2, timeout=WAIT_MS)
    table.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # a header click (a column that cannot sort stays put)
    qtbot.waitUntil(lambda: not page.is_loading, timeout=WAIT_MS)
    last = table.model().rowCount() - 1
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualRect(table.model().index(last, 0)).center())
    chosen = row_identity(table.currentIndex().data(RowRole.ROW))
    keeper = table.findChild(TableState)
    assert keeper is not None
    restored = keeper.restored
    filters, sort = _filters(page), _sort_of(table)

    with other_pc.writing() as services:  # a new order (Orders: a row above), a stock change (Ledger: a row above)
        services.orders.create_order(ADMIN, store="MAIN", customer="Eve", lines=[OrderLine("C", 1)])
        services.inventory.adjust(ADMIN, store="MAIN", product="B", location="WAREHOUSE_A", delta=1, reason="found")
    feed.deliver(other_pc.notice())
    qtbot.waitUntil(lambda: keeper.restored > restored and not page.is_loading, timeout=WAIT_MS)
    assert row_identity(table.currentIndex().data(RowRole.ROW)) == chosen
    assert [row_identity(i.data(RowRole.ROW)) for i in table.selectionModel().selectedRows()] == [chosen]
    assert _filters(page) == filters and _sort_of(table) == sort
    _settle(qtbot)


def test_a_hidden_page_marks_itself_stale_and_reloads_when_shown(
    qtbot: QtBot, stocked: Services, manager: Actor, window_settings: QSettings, other_pc: OtherPC
) -> None:
    window = open_window(qtbot, stocked, manager, window_settings)
    inventory = window.inventory_page
    feed = ThreadFeed()
    LiveFeed(feed, window.events, window, origin="this-pc").start()
    qtbot.waitUntil(lambda: _quantity(inventory, "B", "WAREHOUSE_A") == 4, timeout=WAIT_MS)
    go_to(qtbot, window, window.orders_page)
    with other_pc.writing() as services:
        services.inventory.adjust(ADMIN, store="MAIN", product="B", location="WAREHOUSE_A", delta=3, reason="found")
    feed.deliver(other_pc.notice())
    qtbot.waitUntil(lambda: inventory.is_stale, timeout=WAIT_MS)
    assert _quantity(inventory, "B", "WAREHOUSE_A") == 4  # not reloaded while nobody looks
    go_to(qtbot, window, inventory)
    assert not inventory.is_stale and _quantity(inventory, "B", "WAREHOUSE_A") == 7
    _settle(qtbot)


def test_changes_during_a_reload_cause_one_more_reload_not_a_queue(
    qtbot: QtBot, stocked: Services, manager: Actor, window_settings: QSettings, other_pc: OtherPC
) -> None:
    window = open_window(qtbot, stocked, manager, window_settings)
    ledger = window.ledger_page
    go_to(qtbot, window, ledger)
    qtbot.waitUntil(lambda: not ledger.is_loading and ledger.model.rowCount() > 0, timeout=WAIT_MS)
    loads: list[int] = []
    original_load, original_query = ledger.load, ledger.model.page_query
    gate = threading.Event()  # the ledger's query waits for it: a slow query, held in flight

    def counted_load() -> None:
        loads.append(1)
        original_load()

    def slow_query() -> PageQuery:
        query = original_query()

        def waiting(last: Any, offset: int, limit: int) -> Sequence[Any]:
            gate.wait(WAIT_MS / 1000)
            return query(last, offset, limit)

        return waiting

    ledger.load = counted_load  # type: ignore[method-assign]
    ledger.model.page_query = slow_query  # type: ignore[method-assign]
    window.live_feed.stop()  # only this test's feed may announce: the database's own would add a late reload
    feed = ThreadFeed()
    LiveFeed(feed, window.events, window, origin="this-pc").start()

    def adjust() -> None:
        with other_pc.writing() as services:
            services.inventory.adjust(ADMIN, store="MAIN", product="B", location="WAREHOUSE_A", delta=1, reason="found")
        feed.deliver(other_pc.notice())

    adjust()
    qtbot.waitUntil(lambda: len(loads) == 1 and ledger.is_loading, timeout=WAIT_MS)
    for _ in range(4):  # four more changes while that reload is under way, each on its own
        adjust()
        qtbot.wait(20)
    assert len(loads) == 1  # none of them reloaded yet, none queued a reload of its own
    gate.set()
    qtbot.waitUntil(lambda: len(loads) == 2 and not ledger.is_loading, timeout=WAIT_MS)
    qtbot.wait(300)
    assert len(loads) == 2
    assert ledger.model.row_at(0).quantity_after == 9  # the last reload saw all five
    _settle(qtbot)


@pytest.mark.parametrize("page_name", ["ledger_page", "low_stock_page", "locations_page"])
def test_a_long_list_keeps_its_scroll_position_across_a_change_from_elsewhere(
    qtbot: QtBot, stocked: Services, manager: Actor, window_settings: QSettings, other_pc: OtherPC, page_name: str
) -> None:
    for n in range(1, 61):  # 60 more rows, every one low on stock (1 to 7 available)
        stocked.catalog.add_product(ADMIN, store="MAIN", sku=f"P{n:03}", title=f"Part {n:03}")
        stocked.inventory.set_quantity(ADMIN, store="MAIN", product=f"P{n:03}", location="WAREHOUSE_A",
                                       quantity=n % 7 + 1)
    window = open_window(qtbot, stocked, manager, window_settings)
    page = getattr(window, page_name)
    feed = ThreadFeed()
    LiveFeed(feed, window.events, window, origin="this-pc").start()
    go_to(qtbot, window, page)
    table = page.table
    if isinstance(page, LocationsPage):  # the contents of WAREHOUSE_A, in the table beside the locations
        qtbot.waitUntil(lambda: not page.is_loading and table.model().rowCount() > 0, timeout=WAIT_MS)
        row = next(r for r in range(table.model().rowCount())
                   if table.model().index(r, 0).data(RowRole.ROW).code == "WAREHOUSE_A")
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                         pos=table.visualRect(table.model().index(row, 0)).center())
        qtbot.keyClick(table, Qt.Key.Key_Return)  # Enter on a location shows what is stored there
        table = page.contents_table
    model = table.model()
    qtbot.waitUntil(lambda: not page.is_loading and model.rowCount() > 0, timeout=WAIT_MS)
    while model.rowCount() < 60:  # scrolled down: the next pages load
        assert model.canFetchMore()
        model.fetchMore()
        qtbot.waitUntil(lambda: not page.is_loading, timeout=WAIT_MS)
    table.scrollTo(model.index(30, 0), QTableView.ScrollHint.PositionAtTop)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(model.index(31, 0)).center())
    chosen = row_identity(table.currentIndex().data(RowRole.ROW))
    top = row_identity(model.index(table.rowAt(0), 0).data(RowRole.ROW))
    assert table.verticalScrollBar().value() > 0
    keeper = table.findChild(TableState)
    assert keeper is not None
    restored = keeper.restored

    with other_pc.writing() as services:  # a new ledger row on top; P001 stays low
        services.inventory.adjust(ADMIN, store="MAIN", product="P001", location="WAREHOUSE_A", delta=1, reason="found")
    feed.deliver(other_pc.notice())
    qtbot.waitUntil(lambda: keeper.restored > restored and not page.is_loading, timeout=WAIT_MS)
    assert row_identity(table.currentIndex().data(RowRole.ROW)) == chosen
    assert row_identity(model.index(table.rowAt(0), 0).data(RowRole.ROW)) == top  # the view did not move
    _settle(qtbot)
