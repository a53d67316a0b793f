"""Acceptance (issue 13): two processes on one database, on SQLite and on PostgreSQL.

The first process is this test's own main window; the second runs the command line. The second
changes stock and cancels the order on the first's pack station; the first's Inventory page shows
the new level, and its pack station warns, each within 1 second of the command's end, with the
Inventory page's selection and sort kept, through the real change feed (PostgreSQL NOTIFY, SQLite
``data_version`` polling).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.domain.actor import Actor
from orion_desktop.ui.models.inventory_model import InventoryColumn
from orion_desktop.ui.pack_station.scan_controller import Tone
from orion_desktop.ui.pages.inventory_page import InventoryPage

from .conftest import GTIN_D_UPC
from .orders_support import Orders
from .window_support import open_window

LIVE_WITHIN_S = 1.0
WAIT_MS = 5_000
pytestmark = pytest.mark.usefixtures("background_work_done")


def _cli(database_url: str, *arguments: str) -> None:
    """The second process: one command of the command line, as another PC would run it."""
    environment = dict(os.environ, ORION_USER="second-pc")
    done = subprocess.run([sys.executable, "-m", "orion_desktop", "--db", database_url, *arguments],
                          capture_output=True, text=True, timeout=120, check=False, env=environment)
    assert done.returncode == 0, done.stderr


def _row_of(page: InventoryPage, sku: str, location: str) -> int | None:
    model = page.model
    return next((r for r in range(model.rowCount())
                 if (model.row_at(r).sku, model.row_at(r).location) == (sku, location)), None)


def test_another_process_changes_stock_and_cancels_an_order_and_this_window_shows_it_within_a_second(
    qtbot: QtBot, stocked: Services, orders: Orders, manager: Actor, window_settings: QSettings, database_url: str
) -> None:
    window = open_window(qtbot, stocked, manager, window_settings)
    assert window.live_feed.running
    inventory = window.inventory_page
    assert window.current_page is inventory
    table = inventory.table
    qtbot.waitUntil(lambda: _row_of(inventory, "A", "WAREHOUSE_B") is not None, timeout=WAIT_MS)
    table.sortByColumn(InventoryColumn.SKU, Qt.SortOrder.DescendingOrder)  # D, C, B, A, A
    row = _row_of(inventory, "A", "WAREHOUSE_B")
    assert row is not None
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualRect(inventory.model.index(row, InventoryColumn.SKU)).center())
    selected = inventory.selected_row()
    assert selected is not None and (selected.sku, selected.location, selected.quantity) == ("A", "WAREHOUSE_B", 30)
    # The packer has counted one of three units of the processing order (D x3) on this window's station.
    station = window.pack_station_page
    station.alert = lambda: None
    station.handle_scan(orders.processing)
    station.handle_scan(GTIN_D_UPC)
    assert station.session is not None and sum(station.session.packed.values()) == 1

    _cli(database_url, "stock", "adjust", "--store", "MAIN", "--product", "A", "--location", "WAREHOUSE_B",
         "--delta=-5", "--reason", "sold at the counter")
    committed = time.monotonic()
    qtbot.waitUntil(lambda: (row := inventory.selected_row()) is not None and row.quantity == 25, timeout=WAIT_MS)
    stock_seen = time.monotonic() - committed
    selected = inventory.selected_row()
    assert selected is not None and (selected.sku, selected.location) == ("A", "WAREHOUSE_B")  # selection kept
    header = table.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (InventoryColumn.SKU,
                                                                            Qt.SortOrder.DescendingOrder)
    assert [inventory.model.row_at(r).sku for r in range(inventory.model.rowCount())] == ["D", "C", "B", "A", "A"]

    _cli(database_url, "order", "status", "--order", orders.processing, "--set", "cancelled")
    committed = time.monotonic()
    qtbot.waitUntil(lambda: station.tone is Tone.REFUSED, timeout=WAIT_MS)
    warned = time.monotonic() - committed
    assert f"Order {orders.processing} was cancelled while it was being packed" in station.feedback.text()
    assert not station.complete_action.isEnabled()
    assert station.session is not None and sum(station.session.packed.values()) == 1  # the count stays shown

    assert stock_seen < LIVE_WITHIN_S, f"the new level showed after {stock_seen:.2f} s"
    assert warned < LIVE_WITHIN_S, f"the pack station warned after {warned:.2f} s"
