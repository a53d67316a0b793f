"""The parcel actions of the Shipment status page: prepare a parcel, advance it, assign it, cancel it.

Each is an ActionDialog: the service call runs off the GUI thread, a refusal is shown inside the
dialog and changes nothing, and OK stays disabled while the input cannot be sent. Cancelling
asks first (the dialog is the confirmation): nothing leaves the warehouse and the order keeps
its reserved stock, so its units can go into another parcel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QGridLayout, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from orion_desktop.domain.order_results import OrderDetail, ShipmentInfo, ShipRequest
from orion_desktop.domain.orders import ShipmentStatus, next_shipment_status
from orion_desktop.domain.requests import AdvanceShipment, AssignShipment, CancelShipment, PrepareShipment
from orion_desktop.ui import formatting, order_format
from orion_desktop.ui.dialogs.action_dialog import ActionDialog, ScanLineEdit

if TYPE_CHECKING:
    from orion_desktop.domain.actor import Actor
    from orion_desktop.services.registry import Services

_FORWARD = (ShipmentStatus.PICKING, ShipmentStatus.PACKING, ShipmentStatus.READY_TO_SHIP, ShipmentStatus.SHIPPED)
_STEP_HINT = {
    ShipmentStatus.PICKING: "someone is collecting the units",
    ShipmentStatus.PACKING: "the units are going into the box",
    ShipmentStatus.READY_TO_SHIP: "packed, waiting for the carrier",
    ShipmentStatus.SHIPPED: "the units leave the warehouse",
}


def contents(shipment: ShipmentInfo) -> str:
    return ", ".join(f"{formatting.number(line.quantity)} × {line.sku}" for line in shipment.lines) or "no lines"


def _summary(shipment: ShipmentInfo, parent: QWidget) -> QWidget:
    """The parcel and its order on a line of their own (a wrapped line would break a number at a
    hyphen: "ORD-1-20261204-" here, "DZQ7WP" below), then what it holds and where it stands."""
    box = QWidget(parent)
    box.setObjectName("parcelSummary")
    numbers = QLabel(f"{shipment.shipment_number} of order {shipment.order_number}:", box)
    numbers.setObjectName("parcelNumbers")
    numbers.setTextFormat(Qt.TextFormat.PlainText)
    state = QLabel(
        f"{contents(shipment)}. Now {order_format.SHIPMENT_STATUS_TEXT[shipment.status].lower()}"
        + (f", assigned to {shipment.assigned_to}." if shipment.assigned_to else "."),
        box,
    )
    state.setObjectName("parcelState")
    state.setWordWrap(True)
    state.setTextFormat(Qt.TextFormat.PlainText)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(numbers)
    layout.addWidget(state)
    return box


class AdvanceShipmentDialog(ActionDialog):
    """Move a parcel on: the next step is offered first; shipped asks for tracking and carrier."""

    ok_text = "Advance"
    busy_text = "Saving…"

    def __init__(self, services: Services, actor: Actor, shipment: ShipmentInfo, parent: QWidget | None = None) -> None:
        super().__init__(f"Advance {shipment.shipment_number}", parent)
        self.setObjectName("advanceShipmentDialog")
        self._services = services
        self._actor = actor
        self.shipment = shipment
        following = next_shipment_status(shipment.status)
        self.targets = _FORWARD[_FORWARD.index(following):] if following in _FORWARD else ()
        self._init_inputs()
        self._init_frame(self._body)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 40)
        self._target_changed()

    def _init_inputs(self) -> None:
        self._body = QWidget(self)
        self.status_combo = QComboBox(self._body)
        self.status_combo.setObjectName("parcelTarget")
        self.status_combo.setAccessibleName("Move to")
        for target in self.targets:
            self.status_combo.addItem(
                f"{order_format.SHIPMENT_STATUS_TEXT[target]} — {_STEP_HINT[target]}", target.value
            )
        self.tracking_edit = ScanLineEdit(self._body)
        self.tracking_edit.setObjectName("parcelTracking")
        self.tracking_edit.setMaxLength(128)
        self.tracking_edit.setPlaceholderText("Scan or type the tracking number")
        self.carrier_edit = QLineEdit(self._body)
        self.carrier_edit.setObjectName("parcelCarrier")
        self.carrier_edit.setMaxLength(64)
        self.carrier_edit.setPlaceholderText("e.g. DHL, UPS")
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("&Move to:", self.status_combo)
        form.addRow("&Tracking:", self.tracking_edit)
        form.addRow("Ca&rrier:", self.carrier_edit)
        layout = QVBoxLayout(self._body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_summary(self.shipment, self._body))
        layout.addLayout(form)
        self.status_combo.currentIndexChanged.connect(self._target_changed)
        self.tracking_edit.textChanged.connect(self.input_changed)
        self.carrier_edit.textChanged.connect(self.input_changed)

    @property
    def chosen_target(self) -> ShipmentStatus | None:
        data = self.status_combo.currentData()
        return ShipmentStatus(data) if data else None

    def _target_changed(self, *_args: object) -> None:
        shipping = self.chosen_target is ShipmentStatus.SHIPPED
        self.tracking_edit.setEnabled(shipping)  # tracking belongs to a parcel that leaves
        self.carrier_edit.setEnabled(shipping)
        self.input_changed()

    def problem(self) -> str | None:
        if not self.targets:
            status = order_format.SHIPMENT_STATUS_TEXT[self.shipment.status].lower()
            return f"{self.shipment.shipment_number} is {status}; it can no longer change."
        return None

    def hint(self) -> str | None:
        if self.chosen_target is ShipmentStatus.SHIPPED:
            return f"Ships {contents(self.shipment)}: the stock leaves the warehouse and the order's status follows."
        return None

    def value(self) -> AdvanceShipment:
        target = self.chosen_target
        assert target is not None
        shipping = target is ShipmentStatus.SHIPPED
        return AdvanceShipment(
            self.shipment.shipment_number, target,
            tracking=(self.tracking_edit.text().strip() or None) if shipping else None,
            carrier=(self.carrier_edit.text().strip() or None) if shipping else None,
        )

    def submit(self, value: AdvanceShipment) -> ShipmentInfo:
        return self._services.perform(self._actor, value, operation_key=self.operation_key)


class AssignShipmentDialog(ActionDialog):
    ok_text = "Assign"
    busy_text = "Saving…"

    def __init__(self, services: Services, actor: Actor, shipment: ShipmentInfo, parent: QWidget | None = None) -> None:
        super().__init__(f"Assign {shipment.shipment_number}", parent)
        self.setObjectName("assignShipmentDialog")
        self._services = services
        self._actor = actor
        self.shipment = shipment
        self._body = QWidget(self)
        self.assignee_edit = QLineEdit(shipment.assigned_to or "", self._body)
        self.assignee_edit.setObjectName("parcelAssignee")
        self.assignee_edit.setMaxLength(128)
        self.assignee_edit.setPlaceholderText("Who picks and packs it, e.g. pat")
        self.assignee_edit.selectAll()
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("&Assign to:", self.assignee_edit)
        layout = QVBoxLayout(self._body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_summary(shipment, self._body))
        layout.addLayout(form)
        self.assignee_edit.textChanged.connect(self.input_changed)
        self._init_frame(self._body)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 36)
        self.validate()

    def problem(self) -> str | None:
        name = self.assignee_edit.text().strip()
        if not name:
            return "Type who the parcel goes to."
        if name == self.shipment.assigned_to:
            return f"{self.shipment.shipment_number} is already assigned to {name}."
        return None

    def value(self) -> AssignShipment:
        return AssignShipment(self.shipment.shipment_number, self.assignee_edit.text().strip())

    def submit(self, value: AssignShipment) -> ShipmentInfo:
        return self._services.perform(self._actor, value, operation_key=self.operation_key)


class CancelShipmentDialog(ActionDialog):
    """The confirmation: says what cancelling does (and does not do) before anything changes."""

    ok_text = "Cancel parcel"
    busy_text = "Cancelling…"

    def __init__(self, services: Services, actor: Actor, shipment: ShipmentInfo, parent: QWidget | None = None) -> None:
        super().__init__(f"Cancel {shipment.shipment_number}?", parent)
        self.setObjectName("cancelShipmentDialog")
        self._services = services
        self._actor = actor
        self.shipment = shipment
        self.cancel_button.setText("Keep parcel")
        self._body = QWidget(self)
        question = QLabel(
            f"Cancel parcel {shipment.shipment_number} ({contents(shipment)})? Nothing leaves the warehouse: "
            f"order {shipment.order_number} keeps its reserved stock, and its units can go into another parcel.",
            self._body,
        )
        question.setObjectName("cancelQuestion")
        question.setWordWrap(True)
        question.setTextFormat(Qt.TextFormat.PlainText)
        self.reason_edit = QLineEdit(self._body)
        self.reason_edit.setObjectName("parcelCancelReason")
        self.reason_edit.setMaxLength(500)
        self.reason_edit.setPlaceholderText("Optional, kept in the parcel's notes")
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("&Reason:", self.reason_edit)
        layout = QVBoxLayout(self._body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(question)
        layout.addLayout(form)
        self.reason_edit.textChanged.connect(self.input_changed)
        self._init_frame(self._body)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 40)
        self.cancel_button.setDefault(True)  # Enter keeps the parcel: cancelling takes a deliberate click
        self.ok_button.setDefault(False)
        self.ok_button.setAutoDefault(False)
        self.validate()

    def value(self) -> CancelShipment:
        return CancelShipment(self.shipment.shipment_number, self.reason_edit.text().strip() or None)

    def submit(self, value: CancelShipment) -> ShipmentInfo:
        return self._services.perform(self._actor, value, operation_key=self.operation_key)


class PrepareParcelDialog(ActionDialog):
    """Start a parcel for an order: how many of each line (default: everything not yet in a parcel)."""

    ok_text = "Prepare parcel"
    busy_text = "Saving…"

    def __init__(self, services: Services, actor: Actor, order: OrderDetail, parent: QWidget | None = None) -> None:
        super().__init__(f"Prepare a parcel for {order.order_number}", parent)
        self.setObjectName("prepareParcelDialog")
        self._services = services
        self._actor = actor
        self.order = order
        free = order.unparcelled_units()
        self.spins: dict[int, QSpinBox] = {}
        self._body = QWidget(self)
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        for row, item in enumerate(i for i in order.items if i.id in free):
            spin = QSpinBox(self._body)
            spin.setObjectName(f"parcelUnits_{item.sku}")
            spin.setRange(0, free[item.id])
            spin.setValue(free[item.id])
            spin.setAccessibleName(f"Units of {item.sku}")
            spin.valueChanged.connect(self.input_changed)
            label = QLabel(f"{item.sku} — {item.product_name}", self._body)
            label.setBuddy(spin)
            grid.addWidget(label, row, 0)
            grid.addWidget(spin, row, 1)
            grid.addWidget(QLabel(f"of {formatting.number(free[item.id])} not yet in a parcel", self._body), row, 2)
            self.spins[item.id] = spin
        self.assignee_edit = QLineEdit(self._body)
        self.assignee_edit.setObjectName("parcelAssignee")
        self.assignee_edit.setMaxLength(128)
        self.assignee_edit.setPlaceholderText("Optional: who picks and packs it")
        self.box_edit = QLineEdit(self._body)
        self.box_edit.setObjectName("parcelBox")
        self.box_edit.setMaxLength(64)
        self.box_edit.setPlaceholderText("Optional, e.g. S, M, L")
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("&Assign to:", self.assignee_edit)
        form.addRow("&Box:", self.box_edit)
        note = QLabel("Nothing leaves the warehouse until the parcel is advanced to shipped.", self._body)
        note.setWordWrap(True)
        layout = QVBoxLayout(self._body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid)
        layout.addLayout(form)
        layout.addWidget(note)
        self._init_frame(self._body)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 40)
        self.validate()

    def problem(self) -> str | None:
        if not self.spins:
            return f"Every unit of order {self.order.order_number} is shipped or already in a parcel."
        if not any(spin.value() for spin in self.spins.values()):
            return "Choose at least one unit for the parcel."
        return None

    def value(self) -> PrepareShipment:
        lines = tuple(ShipRequest(item_id, spin.value()) for item_id, spin in self.spins.items() if spin.value())
        return PrepareShipment(self.order.order_number, lines, assigned_to=self.assignee_edit.text().strip() or None,
                               box_size=self.box_edit.text().strip() or None)

    def submit(self, value: PrepareShipment) -> ShipmentInfo:
        return self._services.perform(self._actor, value, operation_key=self.operation_key)
