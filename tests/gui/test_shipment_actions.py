"""The parcel actions of the Shipment status page, driven like a person (SQLite and PostgreSQL):
select a parcel, click Advance / Assign / Cancel parcel, answer the dialog; the effect is checked
in the database, and a refusal is a sentence in the dialog that changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from helpers import ADMIN, assert_ledger_consistent
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.order_results import ShipmentInfo, ShipRequest
from orion_desktop.domain.orders import ShipmentStatus
from orion_desktop.ui.data_events import DataEvents, Topic
from orion_desktop.ui.dialogs.action_dialog import ActionDialog
from orion_desktop.ui.models.shipment_models import OpenShipmentColumn
from orion_desktop.ui.pages.shipment_status_page import ShipmentStatusPage

from .overview_helpers import Warehouse, click_row, column_values, make_warehouse, open_page, wait_idle

PACKER = Actor(name="pat", role=Role.PACKER)
ANSWER_TIMEOUT_MS = 10_000


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
def page(qtbot: QtBot, stocked: Services, warehouse: Warehouse, events: DataEvents) -> ShipmentStatusPage:
    shown = ShipmentStatusPage(stocked, PACKER, events)
    open_page(qtbot, shown)
    return shown


def select(qtbot: QtBot, page: ShipmentStatusPage, shipment_number: str) -> None:
    """Click the parcel's row in the open shipments table."""
    numbers = column_values(page.shipments_table.model(), OpenShipmentColumn.SHIPMENT)
    click_row(qtbot, page.shipments_table, numbers.index(shipment_number), OpenShipmentColumn.CONTENTS)
    assert (selected := page.selected_parcel()) is not None and selected.shipment_number == shipment_number


def trigger(qtbot: QtBot, page: ShipmentStatusPage, action: QAction) -> Any:
    """Click the action's toolbar button; returns the dialog it opens (its class depends on the action)."""
    assert action.isEnabled(), action.toolTip()
    button = page.parcel_toolbar.widgetForAction(action)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(), timeout=ANSWER_TIMEOUT_MS)
    assert page.dialog is not None
    return page.dialog


def press(qtbot: QtBot, dialog: ActionDialog, button: QAbstractButton) -> None:
    """Click OK (or another button) and wait until the services answered."""
    assert button.isEnabled(), dialog.problem_label.text()
    with qtbot.waitSignal(dialog.settled, timeout=ANSWER_TIMEOUT_MS):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def shipment(services: Services, number: str) -> ShipmentInfo:
    return services.order_queries.get_shipment(number)


def test_actions_need_a_selected_parcel(qtbot: QtBot, page: ShipmentStatusPage, warehouse: Warehouse) -> None:
    assert page.selected_parcel() is None
    assert [a.isEnabled() for a in page.parcel_actions] == [False, False, False]
    assert page.advance_action.toolTip().endswith("Select a parcel in the list first.")
    select(qtbot, page, warehouse.pending_parcel)
    assert [a.isEnabled() for a in page.parcel_actions] == [True, True, True]
    assert list(page.edit_actions()) == [page.prepare_action, *page.parcel_actions]


def test_prepare_a_parcel_for_the_order_shown(
    qtbot: QtBot, page: ShipmentStatusPage, stocked: Services, warehouse: Warehouse
) -> None:
    assert not page.prepare_action.isEnabled()  # no order shown yet
    before = stocked.stock.list_stock()
    page.order_edit.setFocus()
    qtbot.keyClicks(page.order_edit, warehouse.pending)  # D × 2, pending
    qtbot.keyClick(page.order_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, page)
    dialog = trigger(qtbot, page, page.prepare_action)
    (spin,) = dialog.spins.values()
    assert (spin.value(), spin.maximum()) == (2, 2)
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(spin, "0")
    assert not dialog.ok_button.isEnabled()
    assert dialog.problem_label.text() == "Choose at least one unit for the parcel."
    qtbot.keyClick(spin, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(spin, "1")
    qtbot.keyClicks(dialog.assignee_edit, "pat")
    press(qtbot, dialog, dialog.ok_button)
    wait_idle(qtbot, page)
    (parcel,) = [s for s in stocked.order_queries.get_order(warehouse.pending).shipments]
    assert (parcel.status, parcel.assigned_to, [(line.sku, line.quantity) for line in parcel.lines]) == (
        ShipmentStatus.PENDING, "pat", [("D", 1)])
    assert (selected := page.selected_parcel()) is not None and selected.shipment_number == parcel.shipment_number
    assert page.banner.text == f"{parcel.shipment_number} prepared for {warehouse.pending}: 1 × D."
    assert stocked.stock.list_stock() == before  # a parcel moves no stock
    again = trigger(qtbot, page, page.prepare_action)
    assert [s.maximum() for s in again.spins.values()] == [1]
    qtbot.mouseClick(again.cancel_button, Qt.MouseButton.LeftButton)


def test_advance_to_the_next_step_keeps_the_parcel_selected(
    qtbot: QtBot, page: ShipmentStatusPage, stocked: Services, warehouse: Warehouse
) -> None:
    select(qtbot, page, warehouse.pending_parcel)
    dialog = trigger(qtbot, page, page.advance_action)
    assert dialog.status_combo.currentText().startswith("Picking")
    assert not dialog.tracking_edit.isEnabled()
    press(qtbot, dialog, dialog.ok_button)
    wait_idle(qtbot, page)
    assert shipment(stocked, warehouse.pending_parcel).status is ShipmentStatus.PICKING
    assert page.banner.text == f"{warehouse.pending_parcel} is now picking."
    assert (selected := page.selected_parcel()) is not None and selected.status is ShipmentStatus.PICKING
    assert page.dialog is None


def test_advance_to_shipped_with_tracking_ships_the_parcel(
    qtbot: QtBot, page: ShipmentStatusPage, stocked: Services, warehouse: Warehouse
) -> None:
    select(qtbot, page, warehouse.picking_parcel)  # 4 × B of the partly shipped order, reserved
    dialog = trigger(qtbot, page, page.advance_action)
    combo = dialog.status_combo
    combo.setCurrentIndex(combo.findData(ShipmentStatus.SHIPPED.value))
    assert dialog.tracking_edit.isEnabled()
    qtbot.keyClicks(dialog.tracking_edit, "1Z999")
    qtbot.keyClick(dialog.tracking_edit, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.outcome is None
    qtbot.keyClicks(dialog.carrier_edit, "UPS")
    assert "the stock leaves the warehouse" in dialog.problem_label.text()
    press(qtbot, dialog, dialog.ok_button)
    wait_idle(qtbot, page)
    done = shipment(stocked, warehouse.picking_parcel)
    assert (done.status, done.tracking_number, done.carrier) == (ShipmentStatus.SHIPPED, "1Z999", "UPS")
    assert [(i.sku, i.shipped_quantity) for i in stocked.order_queries.get_order(warehouse.partly).items] == [
        ("A", 2), ("B", 4)]
    assert warehouse.picking_parcel not in column_values(page.shipments_model, OpenShipmentColumn.SHIPMENT)
    assert page.banner.text.startswith(f"{warehouse.picking_parcel} is now shipped. Shipped 4 × B")
    assert_ledger_consistent(stocked)


def test_assign_to_someone_else(
    qtbot: QtBot, page: ShipmentStatusPage, stocked: Services, warehouse: Warehouse
) -> None:
    select(qtbot, page, warehouse.picking_parcel)
    dialog = trigger(qtbot, page, page.assign_action)
    edit = dialog.assignee_edit
    assert edit.text() == "pat" and not dialog.ok_button.isEnabled()
    assert dialog.problem_label.text() == f"{warehouse.picking_parcel} is already assigned to pat."
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, "sam")
    press(qtbot, dialog, dialog.ok_button)
    wait_idle(qtbot, page)
    assert shipment(stocked, warehouse.picking_parcel).assigned_to == "sam"
    assert page.banner.text == f"{warehouse.picking_parcel} is assigned to sam."
    assert (selected := page.selected_parcel()) is not None and selected.assigned_to == "sam"


def test_cancel_asks_first_and_keeps_the_orders_stock(
    qtbot: QtBot, page: ShipmentStatusPage, stocked: Services, warehouse: Warehouse
) -> None:
    before = (stocked.stock.list_stock(), stocked.order_queries.get_order(warehouse.waiting).items)
    select(qtbot, page, warehouse.pending_parcel)
    dialog = trigger(qtbot, page, page.cancel_parcel_action)
    assert dialog.cancel_button.text() == "Keep parcel" and dialog.cancel_button.isDefault()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)  # thought better of it
    qtbot.waitUntil(lambda: page.dialog is None)
    assert shipment(stocked, warehouse.pending_parcel).status is ShipmentStatus.PENDING

    dialog = trigger(qtbot, page, page.cancel_parcel_action)
    qtbot.keyClicks(dialog.reason_edit, "customer will collect")
    press(qtbot, dialog, dialog.ok_button)
    wait_idle(qtbot, page)
    cancelled = shipment(stocked, warehouse.pending_parcel)
    assert cancelled.status is ShipmentStatus.CANCELLED and cancelled.notes == "Cancelled: customer will collect"
    assert warehouse.pending_parcel not in column_values(page.shipments_model, OpenShipmentColumn.SHIPMENT)
    assert (stocked.stock.list_stock(), stocked.order_queries.get_order(warehouse.waiting).items) == before
    assert page.banner.text.endswith("keeps its reserved stock.")


def test_a_parcel_overtaken_meanwhile_is_refused_in_the_dialog_and_then_gone(
    qtbot: QtBot, page: ShipmentStatusPage, stocked: Services, warehouse: Warehouse, events: DataEvents
) -> None:
    select(qtbot, page, warehouse.pending_parcel)
    dialog = trigger(qtbot, page, page.advance_action)
    # Meanwhile the pack station ships the parcel's unit: the parcel is consumed (cancelled).
    stocked.orders.ship(ADMIN, warehouse.waiting, [ShipRequest("C", 1)])
    history = stocked.order_queries.history(warehouse.waiting)
    press(qtbot, dialog, dialog.ok_button)
    assert dialog.isVisible()
    assert dialog.error_banner.text == f"Shipment {warehouse.pending_parcel} is cancelled; it can no longer change."
    assert stocked.order_queries.history(warehouse.waiting) == history  # the refusal changed nothing
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    events.announce(Topic.ORDERS)  # what the page that shipped says
    wait_idle(qtbot, page)
    assert column_values(page.shipments_model, OpenShipmentColumn.SHIPMENT) == [warehouse.picking_parcel]
    assert_ledger_consistent(stocked)
