"""Store scoping in the window (issue 14): the Dashboard of a user of one store counts that store alone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers import ADMIN
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.domain.actor import SYSTEM, Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.order_results import OrderLine
from orion_desktop.services.reports import ReportService
from orion_desktop.ui.data_events import DataEvents
from orion_desktop.ui.models.order_counts_model import StatusCountColumn
from orion_desktop.ui.pages.dashboard_page import DashboardPage

from .overview_helpers import column_values, make_warehouse, open_page

MAIN_ONLY = {  # the figures of tests/gui/test_overview_pages.py's warehouse, all in store MAIN
    "total_entries": "5",
    "total_quantity": "53",
    "total_reserved": "11",
    "total_available": "42",
    "low_stock_count": "4",
    "stores_with_inventory": "1",
    "unique_locations": "3",
}


@pytest.fixture(autouse=True)
def _finish_background_work(database: Database) -> Iterator[None]:
    yield
    QThreadPool.globalInstance().waitForDone(10_000)


def _tiles(page: DashboardPage) -> dict[str, str]:
    return {field: tile.value_text for field, tile in page.stock_tiles.items()}


def test_the_dashboard_of_a_user_of_one_store_counts_that_store_alone(
    qtbot: QtBot, stocked: Services, database: Database
) -> None:
    make_warehouse(stocked)
    # A second store, busy: stock low and plenty, another location, orders waiting for stock.
    stocked.catalog.add_store(ADMIN, "WEST", "West shop")
    stocked.catalog.add_product(ADMIN, store="WEST", sku="W1", title="West widget")
    stocked.inventory.set_quantity(ADMIN, store="WEST", product="W1", location="W-9", quantity=2)
    stocked.inventory.set_quantity(ADMIN, store="WEST", product="W1", location="A-01", quantity=500)
    waiting = stocked.orders.create_order(ADMIN, store="WEST", lines=[OrderLine("W1", 900)], customer="Wes")
    stocked.orders.change_status(ADMIN, waiting, "processing")
    stocked.orders.create_order(ADMIN, store="WEST", lines=[OrderLine("W1", 1)], customer="Wil")
    reports = ReportService(database)
    everyone = open_page(qtbot, DashboardPage(stocked, ADMIN, DataEvents(), reports=reports))
    assert _tiles(everyone)["stores_with_inventory"] == "2"  # unscoped, WEST counts too

    packer = Actor(name="pat", role=Role.PACKER, store_codes=frozenset({"MAIN"}))
    stocked.scope_reads_to(packer)
    try:
        page = open_page(qtbot, DashboardPage(stocked, packer, DataEvents(), reports=reports))
        assert _tiles(page) == MAIN_ONLY
        counts = dict(zip(column_values(page.counts_model, StatusCountColumn.STATUS),
                          column_values(page.counts_model, StatusCountColumn.ORDERS), strict=True))
        assert (counts["Pending"], counts["Processing"], counts["Partially shipped"]) == (1, 1, 1)
        assert page.orders_total_tile.value_text == "3"
        assert page.backorder_units_tile.value_text == "2"  # MAIN's one waiting order, not WEST's 898
        assert page.backorder_orders_tile.value_text == "1"
    finally:
        stocked.scope_reads_to(SYSTEM)
