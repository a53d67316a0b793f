"""The pack station reacts at once when its order is changed on another PC (both databases).

Another workstation (its own engine on the same database) cancels the order on the station, ships
it, or takes the stock the box needs; its change reaches this window through the live bridge (a
feed thread, then the GUI thread), and the station says so in its feedback panel, keeps the scanned
counts and turns Complete off. A change that leaves the box shippable says nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers import ADMIN, GTIN_B
from PySide6.QtCore import Qt, QThreadPool
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.ui.data_events import DataEvents
from orion_desktop.ui.live_feed import LiveFeed
from orion_desktop.ui.pack_station.scan_controller import Tone
from orion_desktop.ui.pages.pack_station_page import PackStationPage

from .conftest import GTIN_D_UPC
from .live_support import OtherPC, ThreadFeed
from .orders_support import Orders

PACKER = Actor(name="pat", role=Role.PACKER)
WAIT_MS = 15_000


@pytest.fixture
def other_pc(database_url: str) -> Iterator[OtherPC]:
    other = OtherPC(database_url)
    yield other
    QThreadPool.globalInstance().waitForDone(WAIT_MS)
    other.close()


@pytest.fixture
def live(qtbot: QtBot, stocked: Services) -> Iterator[tuple[PackStationPage, ThreadFeed]]:
    events = DataEvents()
    page = PackStationPage(stocked, PACKER, events)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.alert = lambda: None  # no sound in tests
    page.show()
    qtbot.waitExposed(page)
    feed = ThreadFeed()
    bridge = LiveFeed(feed, events, page, origin="this-pc")
    bridge.start()
    yield page, feed
    bridge.stop()
    QThreadPool.globalInstance().waitForDone(WAIT_MS)


def scan(qtbot: QtBot, page: PackStationPage, code: str) -> None:
    qtbot.keyClicks(page.scan_input, code)
    qtbot.keyClick(page.scan_input, Qt.Key.Key_Return)


def packed(page: PackStationPage) -> dict[str, int]:
    session = page.session
    assert session is not None
    return {line.sku: session.packed_for(line.item_id) for line in session.lines}


def wait_for_check(qtbot: QtBot, page: PackStationPage, before: int) -> None:
    qtbot.waitUntil(lambda: page.order_watch.checks > before, timeout=WAIT_MS)


def test_an_order_cancelled_elsewhere_stops_the_box_and_keeps_the_counts(
    qtbot: QtBot, live: tuple[PackStationPage, ThreadFeed], orders: Orders, other_pc: OtherPC
) -> None:
    page, feed = live
    scan(qtbot, page, orders.processing)  # D x3, reserved
    scan(qtbot, page, GTIN_D_UPC)
    scan(qtbot, page, GTIN_D_UPC)
    assert packed(page) == {"D": 2} and page.complete_action.isEnabled()

    with other_pc.writing() as services:
        services.orders.change_status(ADMIN, orders.processing, "cancelled")
    checks = page.order_watch.checks
    feed.deliver(other_pc.notice())
    wait_for_check(qtbot, page, checks)

    text = page.feedback.text()
    assert f"Order {orders.processing} was cancelled while it was being packed" in text
    assert page.tone is Tone.REFUSED
    assert not page.complete_action.isEnabled()  # F12 and the button do nothing now
    assert packed(page) == {"D": 2}  # the counts stay visible: the packer puts those two back
    assert page.model.rowCount() == 1
    page.put_aside()  # still possible: it asks, as ever, since two units are packed
    assert page.confirmation is not None
    page.confirmation.reject()


def test_an_order_shipped_elsewhere_stops_the_box(
    qtbot: QtBot, live: tuple[PackStationPage, ThreadFeed], orders: Orders, other_pc: OtherPC
) -> None:
    page, feed = live
    scan(qtbot, page, orders.processing)
    for _ in range(3):
        scan(qtbot, page, GTIN_D_UPC)
    with other_pc.writing() as services:
        services.orders.change_status(ADMIN, orders.processing, "shipped")
    checks = page.order_watch.checks
    feed.deliver(other_pc.notice())
    wait_for_check(qtbot, page, checks)
    assert f"Order {orders.processing} was shipped while it was being packed" in page.feedback.text()
    assert not page.complete_action.isEnabled() and packed(page) == {"D": 3}


def test_units_shipped_elsewhere_from_the_line_being_packed_stop_the_box(
    qtbot: QtBot, live: tuple[PackStationPage, ThreadFeed], orders: Orders, other_pc: OtherPC
) -> None:
    page, feed = live
    scan(qtbot, page, orders.partial)  # B x6 open: 4 reserved, 2 waiting for stock
    for _ in range(3):
        scan(qtbot, page, GTIN_B)
    with other_pc.writing() as services:  # a colleague ships the four reserved units of B
        services.orders.ship_item(ADMIN, orders.partial, "B", 4)
    checks = page.order_watch.checks
    feed.deliver(other_pc.notice())
    wait_for_check(qtbot, page, checks)
    assert page.feedback.text() == (
        f"Widget B (B) of order {orders.partial} was shipped meanwhile: 2 units of it are still to ship, and the "
        "box holds 3 units. Take out what is too many, put the order aside (Esc) and scan it again.")
    assert not page.complete_action.isEnabled() and packed(page) == {"B": 3}


def test_stock_taken_elsewhere_stops_the_box_until_it_is_back(
    qtbot: QtBot, live: tuple[PackStationPage, ThreadFeed], orders: Orders, other_pc: OtherPC
) -> None:
    page, feed = live
    scan(qtbot, page, orders.pending)  # C x1, D x2, nothing reserved yet
    scan(qtbot, page, GTIN_D_UPC)
    scan(qtbot, page, GTIN_D_UPC)
    # D: 7 at WAREHOUSE_B, 3 of them reserved for another order: 4 free. Someone takes all four.
    with other_pc.writing() as services:
        services.inventory.adjust(ADMIN, store="MAIN", product="D", location="WAREHOUSE_B", delta=-4, reason="damaged")
    checks = page.order_watch.checks
    feed.deliver(other_pc.notice())
    wait_for_check(qtbot, page, checks)
    assert "The stock for Gadget D (D) was taken meanwhile" in page.feedback.text()
    assert "the box holds 2 units, but only 0 can ship now" in page.feedback.text()
    assert not page.complete_action.isEnabled() and packed(page) == {"D": 2, "C": 0}

    with other_pc.writing() as services:
        services.inventory.adjust(ADMIN, store="MAIN", product="D", location="WAREHOUSE_B", delta=4, reason="found")
    checks = page.order_watch.checks
    feed.deliver(other_pc.notice())
    wait_for_check(qtbot, page, checks)
    assert page.feedback.text() == f"Order {orders.pending} can be completed again."
    assert page.complete_action.isEnabled() and packed(page) == {"D": 2, "C": 0}


def test_a_change_that_leaves_the_box_shippable_says_nothing(
    qtbot: QtBot, live: tuple[PackStationPage, ThreadFeed], orders: Orders, other_pc: OtherPC
) -> None:
    page, feed = live
    scan(qtbot, page, orders.processing)
    scan(qtbot, page, GTIN_D_UPC)
    said = page.feedback.text()
    with other_pc.writing() as services:
        services.orders.add_note(ADMIN, orders.processing, "Customer called: leave at the door")
        services.inventory.adjust(ADMIN, store="MAIN", product="D", location="WAREHOUSE_B", delta=-4, reason="sold")
    checks = page.order_watch.checks
    feed.deliver(other_pc.notice())
    wait_for_check(qtbot, page, checks)  # it did look: the change named the order and its product
    assert page.feedback.text() == said and page.tone is Tone.COUNTED
    assert page.complete_action.isEnabled() and packed(page) == {"D": 1}


def test_changes_to_other_orders_and_products_are_not_checked(
    qtbot: QtBot, live: tuple[PackStationPage, ThreadFeed], orders: Orders, other_pc: OtherPC
) -> None:
    page, feed = live
    scan(qtbot, page, orders.processing)
    scan(qtbot, page, GTIN_D_UPC)
    with other_pc.writing() as services:
        services.orders.add_note(ADMIN, orders.processing, "first look")
    checks = page.order_watch.checks
    feed.deliver(other_pc.notice())
    wait_for_check(qtbot, page, checks)  # the first check learns the order's id and products
    checks = page.order_watch.checks
    with other_pc.writing() as services:
        services.orders.add_note(ADMIN, orders.partial, "another order")
        services.inventory.adjust(ADMIN, store="MAIN", product="C", location="SHELF-1", delta=1, reason="found")
    feed.deliver(other_pc.notice())
    qtbot.wait(300)
    QThreadPool.globalInstance().waitForDone(WAIT_MS)
    assert page.order_watch.checks == checks


def test_a_station_out_of_sight_is_told_too_and_an_empty_box_says_there_is_nothing_to_put_back(
    qtbot: QtBot, live: tuple[PackStationPage, ThreadFeed], orders: Orders, other_pc: OtherPC
) -> None:
    page, feed = live
    scan(qtbot, page, orders.processing)  # opened, nothing scanned yet
    page.hide()  # the packer looks at another page meanwhile: the station does not reload, but it is told
    with other_pc.writing() as services:
        services.orders.change_status(ADMIN, orders.processing, "cancelled")
    checks = page.order_watch.checks
    feed.deliver(other_pc.notice())
    wait_for_check(qtbot, page, checks)
    assert page.feedback.text() == (f"Order {orders.processing} was cancelled while it was being packed. "
                                    "Nothing is packed for it: put the order aside (Esc) and scan the next one.")
    assert not page.complete_action.isEnabled() and page.session is not None
    page.show()
    qtbot.waitExposed(page)
    qtbot.keyClick(page.scan_input, Qt.Key.Key_Escape)  # put aside: nothing packed, so no question
    assert page.session is None and not page.complete_action.isEnabled()  # no order: nothing to complete
