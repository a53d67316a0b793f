"""Helpers for the overview page tests: a warehouse with orders in it, and driving pages like a person."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from helpers import ADMIN
from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPoint, Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QApplication, QComboBox, QDialog, QTableView, QTableWidget, QWidget
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.domain.order_results import OrderLine, ShipRequest

LOAD_TIMEOUT_MS = 10_000
W = TypeVar("W", bound=QWidget)  # open_page answers the page it was given, with its own type


@dataclass(frozen=True)
class Warehouse:
    """The GUI conftest's stock (``seed_stock``) plus three orders.

    partly: A×3 + B×6, processing then 2 of A shipped (partially shipped); B: 4 reserved,
            2 backordered; a parcel of the 4 reserved B is being picked.
    pending: D×2, still pending (nothing reserved).
    waiting: C×1, processing (1 reserved at SHELF-1); a parcel of it is pending.

    Available afterwards: A at WAREHOUSE_A 4 (10 on hand, 6 reserved), B 0, C 1, D 7.
    """

    partly: str
    pending: str
    waiting: str
    picking_parcel: str
    pending_parcel: str


def make_warehouse(services: Services) -> Warehouse:
    orders = services.orders
    partly = orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 3), OrderLine("B", 6)], customer="Ann")
    orders.change_status(ADMIN, partly, "processing")
    orders.ship_item(ADMIN, partly, "A", 2, tracking="1Z-1", carrier="UPS")
    picking = orders.prepare_shipment(ADMIN, partly, [ShipRequest("B", 4)], assigned_to="pat", box_size="M")
    orders.advance_shipment(ADMIN, picking.shipment_number, "picking")
    pending = orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("D", 2)], customer="Bob")
    waiting = orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("C", 1)], customer="Cleo")
    orders.change_status(ADMIN, waiting, "processing")
    parcel = orders.prepare_shipment(ADMIN, waiting, [ShipRequest("C", 1)], assigned_to="sam", box_size="S")
    return Warehouse(partly, pending, waiting, picking.shipment_number, parcel.shipment_number)


def wait_idle(qtbot: QtBot, page: Any, timeout: int = LOAD_TIMEOUT_MS) -> None:
    """Until the page's background loads have all reported back, and no change waits for one more."""
    qtbot.waitUntil(lambda: not page.is_loading and not getattr(page, "reload_pending", False), timeout=timeout)


def open_page(qtbot: QtBot, page: W, size: tuple[int, int] = (1200, 760)) -> W:
    """Show ``page`` at ``size`` and wait until it has loaded; returns it, typed as given."""
    qtbot.addWidget(page)
    page.resize(*size)
    page.show()
    qtbot.waitExposed(page)
    wait_idle(qtbot, page)
    return page


def column_values(model: QAbstractItemModel, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> list[Any]:
    return [model.index(row, column).data(role) for row in range(model.rowCount())]


def cell_text(table: QTableWidget, row: int, column: int) -> str:
    """The text of one cell of a table widget (a cell that has no item fails the test)."""
    item = table.item(row, column)
    assert item is not None, f"no item at row {row}, column {column}"
    return item.text()


def choose(qtbot: QtBot, combo: QComboBox, text: str) -> None:
    """Pick an entry of a combo box with the keyboard, as a person would: focus it and type."""
    index = combo.findText(text)
    assert index >= 0, f"{text!r} is not offered; the choices are {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setFocus()
    steps = index - combo.currentIndex()
    key = Qt.Key.Key_Down if steps > 0 else Qt.Key.Key_Up
    for _ in range(abs(steps)):
        qtbot.keyClick(combo, key)
    assert combo.currentText() == text


def double_click_row(qtbot: QtBot, table: QAbstractItemView, row: int, column: int = 0) -> None:
    index = table.model().index(row, column)
    table.scrollTo(index)
    rect = table.visualRect(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def click_row(qtbot: QtBot, table: QAbstractItemView, row: int, column: int = 0) -> None:
    index = table.model().index(row, column)
    table.scrollTo(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center())


def click_header(qtbot: QtBot, table: QTableView, column: int) -> None:
    """Click a column's header, as a person sorting the table would."""
    header = table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def answer_dialog(trigger: Callable[[], object], handle: Callable[[Any], object]) -> dict[str, Any]:
    """Run ``trigger`` (which opens a modal dialog) and ``handle`` the dialog while it is open.

    ``handle`` acts like a person (types, clicks OK); if it leaves the dialog open, the dialog
    is cancelled so the test never hangs. Returns what happened: ``dialog`` (check it inside
    ``handle``: the page deletes it afterwards), ``result`` (what ``handle`` returned) and
    ``still_open`` (whether ``handle`` left it open, e.g. because OK was disabled or refused).
    """
    seen: dict[str, Any] = {}

    def run() -> None:
        dialog = QApplication.activeModalWidget()
        seen["dialog"] = dialog
        if dialog is None:
            return
        try:
            seen["result"] = handle(dialog)
        finally:
            seen["still_open"] = dialog.isVisible()
            if isinstance(dialog, QDialog) and dialog.isVisible():  # a modal widget here is a dialog
                dialog.reject()

    QTimer.singleShot(0, run)
    trigger()
    # A page opens its dialogs window-modal without blocking (``open``, not ``exec``): the handler
    # then runs from the event loop, so wait for it to have finished.
    deadline = time.monotonic() + 10
    while "still_open" not in seen and "dialog" not in seen and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.005)
    assert seen.get("dialog") is not None, "no dialog opened"
    return seen


def first_index(model: QAbstractItemModel, column: int, value: Any) -> QModelIndex:
    for row in range(model.rowCount()):
        index = model.index(row, column)
        if index.data() == value:
            return index
    raise AssertionError(f"{value!r} is not in column {column}")
