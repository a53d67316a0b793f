"""The overview pages driven like a person would, on SQLite and PostgreSQL: shipment status,
low stock (with CSV export), dashboard and ledger. Every model also passes Qt's model tester."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers import ADMIN, GTIN_A
from PySide6.QtCore import QDate, QModelIndex, QSettings, Qt, QThreadPool
from PySide6.QtWidgets import QFileDialog, QLineEdit
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.domain.enums import TransactionType
from orion_desktop.domain.errors import DatabaseUnavailable
from orion_desktop.domain.orders import OrderStatus
from orion_desktop.services.reports import LOW_STOCK_COLUMNS, ReportService
from orion_desktop.ui.data_events import DataEvents, Topic
from orion_desktop.ui.models.ledger_model import LedgerColumn, LedgerFilter, LedgerModel
from orion_desktop.ui.models.low_stock_model import LowStockColumn, LowStockModel
from orion_desktop.ui.models.order_counts_model import OrderStatusCountsModel, StatusCountColumn
from orion_desktop.ui.models.row_model import RowRole
from orion_desktop.ui.models.shipment_models import OpenShipmentColumn, ShipmentItemColumn
from orion_desktop.ui.pages.dashboard_page import DashboardPage
from orion_desktop.ui.pages.ledger_page import LedgerPage
from orion_desktop.ui.pages.low_stock_page import OWN_THRESHOLD_TEXT, LowStockPage
from orion_desktop.ui.pages.shipment_status_page import ShipmentStatusPage

from .overview_helpers import (
    Warehouse,
    choose,
    click_header,
    column_values,
    double_click_row,
    make_warehouse,
    open_page,
    wait_idle,
)


@pytest.fixture(autouse=True)
def _finish_background_work(database: Database) -> Iterator[None]:
    """Set up after the database, so torn down before it: no query outlives the test's database."""
    yield
    QThreadPool.globalInstance().waitForDone(10_000)


@pytest.fixture
def warehouse(stocked: Services) -> Warehouse:
    return make_warehouse(stocked)


@pytest.fixture
def events() -> DataEvents:
    return DataEvents()


@pytest.fixture
def reports(database: Database) -> ReportService:
    return ReportService(database)


def _scan(qtbot: QtBot, edit: QLineEdit, code: str) -> None:
    """What a keyboard-wedge scanner (or a quick typist) does: replace the text, then Enter."""
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, code)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


# --- shipment status ------------------------------------------------------------------------
@pytest.fixture
def shipment_page(qtbot: QtBot, stocked: Services, warehouse: Warehouse, events: DataEvents) -> ShipmentStatusPage:
    page = ShipmentStatusPage(stocked, ADMIN, events)
    open_page(qtbot, page)
    return page


def test_scanning_an_order_number_shows_what_has_shipped(
    qtbot: QtBot, shipment_page: ShipmentStatusPage, warehouse: Warehouse
) -> None:
    page = shipment_page
    assert page.summary_stack.currentWidget() is page.placeholder
    _scan(qtbot, page.order_edit, warehouse.partly)
    wait_idle(qtbot, page)
    model = page.items_model
    assert column_values(model, ShipmentItemColumn.ITEM) == ["Widget A", "Widget B"]
    assert column_values(model, ShipmentItemColumn.ORDERED) == [3, 6]
    assert column_values(model, ShipmentItemColumn.SHIPPED) == [2, 0]
    assert column_values(model, ShipmentItemColumn.REMAINING) == [1, 6]
    assert column_values(model, ShipmentItemColumn.STATE) == ["Partly shipped", "Not shipped yet"]
    assert page.summary_stack.currentWidget() is page.summary
    assert page.order_label.text() == warehouse.partly
    assert page.order_status_value.text() == "Partially shipped"
    assert page.items_value.text() == "0 of 2"
    assert page.units_value.text() == "2 of 9"
    assert page.state_label.text() == "Partly shipped: 7 units still to ship."
    assert page.progress.value() == 2 and page.progress.maximum() == 9
    assert page.order_edit.selectedText() == warehouse.partly  # the next scan replaces it


def test_an_order_number_typed_in_lower_case_is_found(
    qtbot: QtBot, shipment_page: ShipmentStatusPage, warehouse: Warehouse
) -> None:
    _scan(qtbot, shipment_page.order_edit, warehouse.waiting.lower())
    wait_idle(qtbot, shipment_page)
    assert shipment_page.report is not None and shipment_page.report.order_number == warehouse.waiting
    assert shipment_page.state_label.text() == "Nothing has shipped yet."


def test_an_unknown_order_number_is_a_sentence_and_shows_no_items(
    qtbot: QtBot, shipment_page: ShipmentStatusPage, warehouse: Warehouse
) -> None:
    page = shipment_page
    _scan(qtbot, page.order_edit, warehouse.partly)
    wait_idle(qtbot, page)
    _scan(qtbot, page.order_edit, "ORD-NOPE")
    wait_idle(qtbot, page)
    assert page.banner.text == "There is no order ORD-NOPE."
    assert page.items_model.rowCount() == 0
    assert page.summary_stack.currentWidget() is page.placeholder
    _scan(qtbot, page.order_edit, warehouse.partly)  # the next good scan clears the message
    wait_idle(qtbot, page)
    assert page.banner.text == "" and page.items_model.rowCount() == 2


def test_open_shipments_filter_by_workflow_status_and_lead_to_their_order(
    qtbot: QtBot, shipment_page: ShipmentStatusPage, warehouse: Warehouse
) -> None:
    page = shipment_page
    model = page.shipments_model
    assert sorted(column_values(model, OpenShipmentColumn.SHIPMENT)) == sorted(
        [warehouse.picking_parcel, warehouse.pending_parcel]
    )
    assert page.shipments_count.text() == "2 open shipments"
    choose(qtbot, page.status_combo, "Picking")
    wait_idle(qtbot, page)
    assert column_values(model, OpenShipmentColumn.SHIPMENT) == [warehouse.picking_parcel]
    assert column_values(model, OpenShipmentColumn.STATUS) == ["Picking"]
    assert column_values(model, OpenShipmentColumn.CONTENTS) == ["4 × B"]
    assert column_values(model, OpenShipmentColumn.UNITS) == [4]
    assert column_values(model, OpenShipmentColumn.ASSIGNED) == ["pat"]
    choose(qtbot, page.status_combo, "Ready to ship")
    wait_idle(qtbot, page)
    assert model.rowCount() == 0 and page.shipments_count.text() == "No shipments are ready to ship"
    choose(qtbot, page.status_combo, "Pending")
    wait_idle(qtbot, page)
    double_click_row(qtbot, page.shipments_table, 0, OpenShipmentColumn.ORDER)
    wait_idle(qtbot, page)
    assert page.order_edit.text() == warehouse.waiting
    assert page.report is not None and page.report.order_number == warehouse.waiting


def test_shipping_elsewhere_updates_the_shown_order(
    qtbot: QtBot, shipment_page: ShipmentStatusPage, stocked: Services, warehouse: Warehouse, events: DataEvents
) -> None:
    page = shipment_page
    _scan(qtbot, page.order_edit, warehouse.partly)
    wait_idle(qtbot, page)
    stocked.orders.advance_shipment(ADMIN, warehouse.picking_parcel, "shipped")  # the 4 reserved B leave
    events.announce(Topic.ORDERS)  # what the page that shipped them says
    wait_idle(qtbot, page)
    assert column_values(page.items_model, ShipmentItemColumn.SHIPPED) == [2, 4]
    assert page.units_value.text() == "6 of 9"
    assert warehouse.picking_parcel not in column_values(page.shipments_model, OpenShipmentColumn.SHIPMENT)


def test_open_shipments_sort_by_a_header_click_and_lead_to_the_right_order(
    qtbot: QtBot,
    shipment_page: ShipmentStatusPage,
    warehouse: Warehouse,
    events: DataEvents,
    stocked: Services,
    window_settings: QSettings,
) -> None:
    page = shipment_page
    table = page.shipments_table
    click_header(qtbot, table, OpenShipmentColumn.UNITS)
    assert column_values(table.model(), OpenShipmentColumn.UNITS) == [1, 4]
    click_header(qtbot, table, OpenShipmentColumn.UNITS)
    assert column_values(table.model(), OpenShipmentColumn.SHIPMENT) == [
        warehouse.picking_parcel,
        warehouse.pending_parcel,
    ]
    double_click_row(qtbot, table, 0, OpenShipmentColumn.CONTENTS)  # the 4 × B parcel, whatever its row in the model
    wait_idle(qtbot, page)
    assert page.report is not None and page.report.order_number == warehouse.partly

    page.save_state(window_settings)
    again = ShipmentStatusPage(stocked, ADMIN, events)
    again.restore_state(window_settings)
    open_page(qtbot, again)
    header = again.shipments_table.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        OpenShipmentColumn.UNITS,
        Qt.SortOrder.DescendingOrder,
    )
    assert column_values(again.shipments_table.model(), OpenShipmentColumn.UNITS) == [4, 1]


def test_shipment_models_pass_the_model_tester(
    qtmodeltester: ModelTester, qtbot: QtBot, shipment_page: ShipmentStatusPage, warehouse: Warehouse
) -> None:
    _scan(qtbot, shipment_page.order_edit, warehouse.partly)
    wait_idle(qtbot, shipment_page)
    qtmodeltester.check(shipment_page.items_model)
    qtmodeltester.check(shipment_page.shipments_model)
    qtmodeltester.check(shipment_page.shipments_proxy)
    index = shipment_page.items_model.index(0, ShipmentItemColumn.REMAINING)
    assert index.data(RowRole.VALUE) == 1 and index.data(RowRole.ROW).product_name == "Widget A"
    assert shipment_page.items_model.data(QModelIndex()) is None


# --- low stock ------------------------------------------------------------------------------
@pytest.fixture
def low_page(
    qtbot: QtBot, stocked: Services, warehouse: Warehouse, events: DataEvents, reports: ReportService
) -> LowStockPage:
    page = LowStockPage(stocked, ADMIN, events, reports=reports)
    open_page(qtbot, page)
    return page


def _low_rows(page: LowStockPage) -> list[tuple[str, str, int, int]]:
    model = page.model
    return list(
        zip(
            column_values(model, LowStockColumn.SKU),
            column_values(model, LowStockColumn.LOCATION),
            column_values(model, LowStockColumn.AVAILABLE),
            column_values(model, LowStockColumn.BACKORDERED),
            strict=True,
        )
    )


def test_low_stock_uses_each_products_own_threshold_and_shows_backorders(low_page: LowStockPage) -> None:
    assert low_page.threshold_spin.text() == OWN_THRESHOLD_TEXT
    assert _low_rows(low_page) == [
        ("B", "WAREHOUSE_A", 0, 2),  # 2 of the 6 ordered wait for stock
        ("C", "SHELF-1", 1, 0),  # C's own threshold is 5
        ("A", "WAREHOUSE_A", 4, 0),
        ("D", "WAREHOUSE_B", 7, 0),
    ]
    assert column_values(low_page.model, LowStockColumn.THRESHOLD) == [10, 5, 10, 10]
    assert column_values(low_page.model, LowStockColumn.WAITING_ORDERS) == [1, 0, 0, 0]
    assert low_page.count_label.text() == "4 rows low on stock"


def test_typing_a_threshold_lists_rows_at_or_below_it(qtbot: QtBot, low_page: LowStockPage) -> None:
    spin = low_page.threshold_spin
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "3")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    wait_idle(qtbot, low_page)
    assert [sku for sku, *_ in _low_rows(low_page)] == ["B", "C"]
    assert column_values(low_page.model, LowStockColumn.THRESHOLD) == [3, 3]
    spin.selectAll()
    qtbot.keyClicks(spin, "0")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    wait_idle(qtbot, low_page)
    assert [sku for sku, *_ in _low_rows(low_page)] == ["B"]
    qtbot.keyClick(spin, Qt.Key.Key_Down)  # one below 0: back to each product's own
    assert spin.text() == OWN_THRESHOLD_TEXT
    qtbot.waitUntil(lambda: low_page.model.rowCount() == 4, timeout=5000)
    assert low_page.model.threshold is None


def test_export_writes_the_list_as_csv(
    qtbot: QtBot, low_page: LowStockPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def save_as(_parent: object, _caption: str, suggested: str, _filters: str) -> tuple[str, str]:
        asked.append(suggested)
        return str(tmp_path / "to order"), "CSV files (*.csv)"  # no suffix typed: .csv is added

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_as))
    qtbot.mouseClick(low_page.export_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, low_page)
    target = tmp_path / "to order.csv"
    assert asked and asked[0].endswith(f"low-stock-{date.today():%Y-%m-%d}.csv")
    assert low_page.banner.text == f"Saved 4 low-stock rows to {target}."
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == LOW_STOCK_COLUMNS
    assert [(r[1], r[4], r[7], r[10], r[11]) for r in rows[1:]] == [
        ("B", "WAREHOUSE_A", "0", "2", "1"),
        ("C", "SHELF-1", "1", "0", "0"),
        ("A", "WAREHOUSE_A", "4", "0", "0"),
        ("D", "WAREHOUSE_B", "7", "0", "0"),
    ]
    assert rows[1][3] == "Widget B" and rows[1][2] == "5901234123457"


def test_an_export_that_cannot_be_written_is_a_sentence_and_writes_nothing(
    qtbot: QtBot, low_page: LowStockPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "missing folder" / "low.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *_: (str(target), "")))
    qtbot.mouseClick(low_page.export_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, low_page)
    assert low_page.banner.text.startswith(f"Cannot write {target}")
    assert not target.parent.exists()
    assert low_page.export_button.isEnabled()


def test_cancelling_the_file_dialog_exports_nothing(
    qtbot: QtBot, low_page: LowStockPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *_: ("", "")))
    qtbot.mouseClick(low_page.export_button, Qt.MouseButton.LeftButton)
    assert not low_page.exporting and low_page.banner.text == "" and low_page.last_export is None


def test_restocking_elsewhere_updates_the_list(
    qtbot: QtBot, low_page: LowStockPage, stocked: Services, events: DataEvents
) -> None:
    stocked.inventory.adjust(ADMIN, store="MAIN", product="B", location="WAREHOUSE_A", delta=5, reason="delivery")
    events.announce(Topic.STOCK)
    wait_idle(qtbot, low_page)
    rows = {sku: (available, waiting) for sku, _location, available, waiting in _low_rows(low_page)}
    assert rows["B"] == (3, 0)  # the 2 waiting got the new stock first, 3 are left


def test_low_stock_model_pages_and_passes_the_model_tester(
    qtmodeltester: ModelTester, qtbot: QtBot, warehouse: Warehouse, reports: ReportService
) -> None:
    model = LowStockModel(reports, page_size=2)
    model.reload()
    qtbot.waitUntil(lambda: model.loaded_once and not model.is_loading, timeout=5000)
    assert model.rowCount() == 2 and model.has_more
    qtmodeltester.check(model)  # may start fetching the next page itself
    qtbot.waitUntil(lambda: not model.is_loading, timeout=5000)
    while model.has_more:
        model.fetchMore(QModelIndex())
        qtbot.waitUntil(lambda: not model.is_loading, timeout=5000)
    assert column_values(model, LowStockColumn.SKU) == ["B", "C", "A", "D"]
    assert model.canFetchMore(QModelIndex()) is False


# --- dashboard ------------------------------------------------------------------------------
def _tile_values(page: DashboardPage) -> dict[str, str]:
    return {field: tile.value_text for field, tile in page.stock_tiles.items()}


def test_dashboard_shows_the_seven_figures_orders_by_status_and_backorders(
    qtbot: QtBot, stocked: Services, warehouse: Warehouse, events: DataEvents, reports: ReportService
) -> None:
    page = open_page(qtbot, DashboardPage(stocked, ADMIN, events, reports=reports))
    stats = stocked.stock.stats()
    assert _tile_values(page) == {
        "total_entries": "5",
        "total_quantity": "53",
        "total_reserved": "11",
        "total_available": "42",
        "low_stock_count": "4",
        "stores_with_inventory": "1",
        "unique_locations": "3",
    }
    assert stats.total_quantity == 53 and stats.low_stock_count == 4  # the tiles show the service's figures
    counts = dict(
        zip(
            column_values(page.counts_model, StatusCountColumn.STATUS),
            column_values(page.counts_model, StatusCountColumn.ORDERS),
            strict=True,
        )
    )
    assert counts == {
        "Pending": 1,
        "Processing": 1,
        "Partially shipped": 1,
        "Shipped": 0,
        "Delivered": 0,
        "Cancelled": 0,
    }
    assert [(bar.label, bar.value) for bar in page.chart.bars] == list(counts.items())
    assert page.orders_total_tile.value_text == "3"
    assert page.backorder_units_tile.value_text == "2"
    assert page.backorder_orders_tile.value_text == "1"
    assert page.backorder_products_tile.value_text == "1"
    assert page.updated_label.text().startswith("Updated ")
    qtmodeltester_rows = page.counts_model.rowCount()
    assert qtmodeltester_rows == len(OrderStatus)


def test_a_hidden_dashboard_catches_up_when_shown(
    qtbot: QtBot, stocked: Services, warehouse: Warehouse, events: DataEvents, reports: ReportService
) -> None:
    page = open_page(qtbot, DashboardPage(stocked, ADMIN, events, reports=reports))
    page.hide()
    stocked.orders.change_status(ADMIN, warehouse.pending, "cancelled")
    events.announce(Topic.ORDERS)
    assert page.is_stale and page.orders_total_tile.value_text == "3"
    counts_before = page.counts_model.rows()
    page.show()
    wait_idle(qtbot, page)
    assert not page.is_stale and page.counts_model.rows() != counts_before
    cancelled = page.counts_model.find_row(lambda row: row.status is OrderStatus.CANCELLED)
    assert cancelled is not None and page.counts_model.row_at(cancelled).orders == 1


class RecordingEvents(DataEvents):
    """Records what pages report, as the main window's database watch receives it."""

    def __init__(self) -> None:
        super().__init__()
        self.reported: list[BaseException] = []

    def report_error(self, error: BaseException) -> None:
        self.reported.append(error)


def test_a_database_that_is_away_is_a_sentence_on_the_dashboard(
    qtbot: QtBot, stocked: Services, reports: ReportService, monkeypatch: pytest.MonkeyPatch
) -> None:
    def away() -> None:
        raise DatabaseUnavailable("The database cannot be reached: connection refused")

    monkeypatch.setattr(stocked.stock, "stats", away)
    events = RecordingEvents()
    page = open_page(qtbot, DashboardPage(stocked, ADMIN, events, reports=reports))
    assert page.banner.text == "The database cannot be reached: connection refused"
    assert [type(error) for error in events.reported] == [DatabaseUnavailable]  # the window hears of it
    monkeypatch.undo()
    page.refresh()  # F5 once it is back
    wait_idle(qtbot, page)
    assert page.banner.text == "" and page.stock_tiles["total_entries"].value_text == "5"


def test_order_counts_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = OrderStatusCountsModel()
    qtmodeltester.check(model)
    model.set_counts({OrderStatus.PENDING: 3, OrderStatus.SHIPPED: 1})
    assert model.rowCount() == len(OrderStatus) and model.total == 4
    assert model.index(0, StatusCountColumn.SHARE).data(RowRole.VALUE) == 0.75


# --- ledger ---------------------------------------------------------------------------------
@pytest.fixture
def ledger_page(
    qtbot: QtBot, stocked: Services, warehouse: Warehouse, events: DataEvents, reports: ReportService
) -> LedgerPage:
    page = LedgerPage(stocked, ADMIN, events)
    open_page(qtbot, page, size=(1400, 760))
    return page


def _ledger_ids(page: LedgerPage) -> list[int]:
    return [row.id for row in page.model.rows()]


def test_the_ledger_shows_every_change_newest_first(ledger_page: LedgerPage, stocked: Services) -> None:
    everything = stocked.stock.ledger(limit=1000)
    assert _ledger_ids(ledger_page) == [entry.id for entry in everything]
    assert ledger_page.count_label.text() == f"{len(everything)} changes"
    first = ledger_page.model.index(0, LedgerColumn.TYPE)
    assert first.data() == TransactionType(everything[0].transaction_type).value.replace("_", " ").capitalize()
    assert ledger_page.store_combo.itemData(1) == "MAIN"  # the stores arrived in the background


def test_scanning_a_gtin_shows_that_products_changes(qtbot: QtBot, ledger_page: LedgerPage) -> None:
    _scan(qtbot, ledger_page.product_edit, "0" + GTIN_A)  # a GTIN-14 form of A's EAN-13
    wait_idle(qtbot, ledger_page)
    skus = column_values(ledger_page.model, LedgerColumn.SKU)
    assert skus and set(skus) == {"A"}
    assert ledger_page.product_edit.selectedText() == "0" + GTIN_A


def test_the_ledger_filters_by_order_and_kind_of_change(
    qtbot: QtBot, ledger_page: LedgerPage, warehouse: Warehouse
) -> None:
    _scan(qtbot, ledger_page.order_edit, warehouse.partly)
    wait_idle(qtbot, ledger_page)
    model = ledger_page.model
    assert set(column_values(model, LedgerColumn.ORDER)) == {warehouse.partly}
    assert sorted(column_values(model, LedgerColumn.TYPE)) == ["Fulfill", "Reserve", "Reserve"]
    choose(qtbot, ledger_page.type_combo, "Fulfill")
    wait_idle(qtbot, ledger_page)
    assert column_values(model, LedgerColumn.SKU) == ["A"]
    assert column_values(model, LedgerColumn.QUANTITY_CHANGE) == ["−2"]
    assert column_values(model, LedgerColumn.RESERVED_CHANGE) == ["−2"]
    qtbot.mouseClick(ledger_page.clear_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ledger_page)
    assert ledger_page.order_edit.text() == "" and ledger_page.type_combo.currentIndex() == 0
    assert len(set(column_values(model, LedgerColumn.SKU))) == 4


def test_the_ledger_filters_by_date_range(qtbot: QtBot, ledger_page: LedgerPage) -> None:
    everything = _ledger_ids(ledger_page)
    qtbot.mouseClick(ledger_page.from_check, Qt.MouseButton.LeftButton)  # from 30 days ago
    qtbot.mouseClick(ledger_page.to_check, Qt.MouseButton.LeftButton)  # to the end of today
    wait_idle(qtbot, ledger_page)
    assert ledger_page.from_date.isEnabled() and ledger_page.to_date.isEnabled()
    assert _ledger_ids(ledger_page) == everything
    tomorrow = QDate.currentDate().addDays(1)
    ledger_page.to_date.setDate(tomorrow.addDays(5))
    ledger_page.from_date.setDate(tomorrow)
    wait_idle(qtbot, ledger_page)
    assert ledger_page.model.rowCount() == 0
    assert ledger_page.count_label.text() == "No changes match the filter"
    assert ledger_page.to_date.minimumDate() == tomorrow  # the range cannot end before it starts
    filt = ledger_page.model.ledger_filter
    assert filt.since is not None and filt.since.date() == date.today() + timedelta(days=1)
    assert filt.until is not None and filt.until.date() == date.today() + timedelta(days=7)


@pytest.mark.parametrize(
    ("typed", "sentence"),
    [
        (
            "4006381333932",
            "4006381333932 has a wrong check digit (last digit should be 1); "
            "the code was probably mistyped or misread.",
        ),
        ("NOPE", "No product has the SKU or GTIN 'NOPE'."),
    ],
)
def test_a_product_that_is_not_there_is_a_sentence(
    qtbot: QtBot, ledger_page: LedgerPage, typed: str, sentence: str
) -> None:
    _scan(qtbot, ledger_page.product_edit, typed)
    wait_idle(qtbot, ledger_page)
    assert ledger_page.banner.text == sentence
    assert ledger_page.model.rowCount() == 0


def test_a_change_elsewhere_appears_on_top(
    qtbot: QtBot, ledger_page: LedgerPage, stocked: Services, events: DataEvents
) -> None:
    stocked.inventory.adjust(
        ADMIN, store="MAIN", product="D", location="WAREHOUSE_B", delta=-1, reason="broken in transit"
    )
    events.announce(Topic.STOCK)
    wait_idle(qtbot, ledger_page)
    top = ledger_page.model.row_at(0)
    assert (top.sku, top.quantity_change, top.reason, top.created_by) == ("D", -1, "broken in transit", "admin")


def test_ledger_model_pages_back_by_id_and_passes_the_model_tester(
    qtmodeltester: ModelTester, qtbot: QtBot, stocked: Services, warehouse: Warehouse, reports: ReportService
) -> None:
    model = LedgerModel(stocked.stock, page_size=3)
    model.set_filter(LedgerFilter(store="MAIN"))
    qtbot.waitUntil(lambda: model.loaded_once and not model.is_loading, timeout=5000)
    qtmodeltester.check(model)  # may start fetching the next page itself
    qtbot.waitUntil(lambda: not model.is_loading, timeout=5000)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
        qtbot.waitUntil(lambda: not model.is_loading, timeout=5000)
    ids = [row.id for row in model.rows()]
    assert ids == [entry.id for entry in stocked.stock.ledger(limit=1000)]
    assert ids == sorted(ids, reverse=True) and len(ids) == len(set(ids))
