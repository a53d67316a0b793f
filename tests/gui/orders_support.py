"""Orders for the GUI tests, and helpers to drive the order dialogs like a person.

Imported by the order page and dialog tests; the ``orders`` fixture is in conftest.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from helpers import ADMIN
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QSpinBox, QWidget
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.domain.order_results import OrderLine
from orion_desktop.ui.dialogs.action_dialog import ActionDialog

SUBMIT_TIMEOUT_MS = 15_000
W = TypeVar("W", bound=QWidget)  # show answers the widget it was given, with its own type


@dataclass(frozen=True)
class Orders:
    """Four orders of the stocked shop (conftest.seed_stock), oldest first.

    partial (Ann Archer): A×3 shipped (tracking TRK-1, DHL), B×6 with 4 reserved at WAREHOUSE_A
        and 2 backordered -> partially_shipped
    pending (Bob Baker): C×1, D×2
    processing (Cleo Clark): D×3 reserved at WAREHOUSE_B
    cancelled (Dan Doe): A×1
    """

    partial: str
    pending: str
    processing: str
    cancelled: str

    @property
    def newest_first(self) -> list[str]:
        return [self.cancelled, self.processing, self.pending, self.partial]


def seed_orders(services: Services) -> Orders:
    orders = services.orders

    def create(customer: str, *lines: tuple[str, int]) -> str:
        return orders.create_order(ADMIN, store="MAIN", customer=customer, lines=[OrderLine(p, q) for p, q in lines])

    partial = create("Ann Archer", ("A", 3), ("B", 6))
    orders.change_status(ADMIN, partial, "processing")
    orders.ship_item(ADMIN, partial, "A", 3, tracking="TRK-1", carrier="DHL")
    pending = create("Bob Baker", ("C", 1), ("D", 2))
    processing = create("Cleo Clark", ("D", 3))
    orders.change_status(ADMIN, processing, "processing")
    cancelled = create("Dan Doe", ("A", 1))
    orders.change_status(ADMIN, cancelled, "cancelled")
    return Orders(partial, pending, processing, cancelled)


def show(qtbot: QtBot, widget: W) -> W:
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()  # keyboard focus moves (Tab) only in the active window
    qtbot.waitUntil(widget.isActiveWindow)
    return widget


def tick(qtbot: QtBot, box: QAbstractButton) -> None:
    """Click a check box or radio button on its indicator."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(4, box.height() // 2))


def press_ok(qtbot: QtBot, dialog: ActionDialog) -> None:
    """Click OK and wait until the services have answered (the request runs off the GUI thread)."""
    assert dialog.ok_button.isEnabled(), dialog.problem_label.text()
    with qtbot.waitSignal(dialog.settled, timeout=SUBMIT_TIMEOUT_MS):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def type_number(qtbot: QtBot, spin: QSpinBox, value: int) -> None:
    """Select the number in a spin box and type another one, as a person does."""
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(spin, str(value))
    assert spin.value() == value


def choose(combo: QComboBox, data: object) -> None:
    """Pick the entry carrying ``data`` (or showing it), as choosing it from the list does."""
    index = combo.findData(data)
    if index < 0 and isinstance(data, str):
        index = combo.findText(data)
    assert index >= 0, f"{data!r} is not offered: {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setCurrentIndex(index)
