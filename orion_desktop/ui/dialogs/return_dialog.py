"""Take shipped units of an order back: onto a shelf (stock goes up, backorders first) or as damaged."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from orion_desktop.domain.errors import InvalidInput
from orion_desktop.domain.order_results import OrderDetail, OrderItemInfo, ReturnResult
from orion_desktop.domain.requests import ReturnItem
from orion_desktop.domain.results import LocationInfo
from orion_desktop.domain.validation import normalize_location_code
from orion_desktop.ui import formatting
from orion_desktop.ui.dialogs.action_dialog import ActionDialog

if TYPE_CHECKING:
    from orion_desktop.domain.actor import Actor
    from orion_desktop.services.registry import Services

PREFERRED_RETURN_LOCATION = "RETURNS"  # chosen first when it exists: returned goods are inspected there


def returnable(item: OrderItemInfo) -> int:
    return item.shipped_quantity - item.returned_quantity


class ReturnDialog(ActionDialog):
    ok_text = "Record return"

    def __init__(
        self,
        services: Services,
        actor: Actor,
        order: OrderDetail,
        locations: Sequence[LocationInfo],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(f"Return from {order.order_number}", parent)
        self.setObjectName("returnDialog")
        self._services = services
        self._actor = actor
        self.order = order
        self.items = tuple(item for item in order.items if returnable(item) > 0)
        self._init_inputs(locations)
        self._init_frame(self._body)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 36)
        self._item_changed()
        self.validate()

    def _init_inputs(self, locations: Sequence[LocationInfo]) -> None:
        body = QWidget(self)
        self._body = body
        self.item_combo = QComboBox(body)
        self.item_combo.setObjectName("returnItem")
        for item in self.items:
            self.item_combo.addItem(
                f"{item.sku} – {item.product_name} ({formatting.number(returnable(item))} can come back)", item.id
            )
        self.item_combo.setEnabled(len(self.items) > 1)
        self.quantity_spin = QSpinBox(body)
        self.quantity_spin.setObjectName("returnQuantity")
        self.quantity_spin.setMinimum(1)
        self.quantity_spin.setAccelerated(True)

        self.restock_radio = QRadioButton("&Back on the shelf at", body)
        self.restock_radio.setObjectName("returnRestock")
        self.restock_radio.setToolTip("The units go back into stock there; waiting backorders get them first")
        self.location_combo = QComboBox(body)
        self.location_combo.setObjectName("returnLocation")
        self.location_combo.setEditable(True)  # a new shelf can be typed; it is created on first use
        self.location_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.location_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.location_combo.setMinimumContentsLength(20)
        active = [loc for loc in locations if loc.is_active]
        for loc in active:
            self.location_combo.addItem(loc.code, loc.code)
            if loc.name:
                self.location_combo.setItemData(self.location_combo.count() - 1, loc.name, Qt.ItemDataRole.ToolTipRole)
        self.location_combo.setCurrentIndex(0 if active else -1)
        self.damaged_radio = QRadioButton("&Damaged – record it, do not restock", body)
        self.damaged_radio.setObjectName("returnDamaged")
        self.damaged_radio.setToolTip("The return is recorded on the order; stock does not change")
        self.where_group = QButtonGroup(body)
        self.where_group.addButton(self.restock_radio)
        self.where_group.addButton(self.damaged_radio)
        self.restock_radio.setChecked(True)
        self.location_error = self.field_error_label(body)

        self.reason_edit = QLineEdit(body)
        self.reason_edit.setObjectName("returnReason")
        self.reason_edit.setPlaceholderText("e.g. wrong size, broken in transit")
        self.reason_edit.setMaxLength(255)

        restock_row = QHBoxLayout()
        restock_row.addWidget(self.restock_radio)
        restock_row.addWidget(self.location_combo, 1)
        where = QVBoxLayout()
        where.setSpacing(4)
        where.addLayout(restock_row)
        where.addWidget(self.location_error)
        where.addWidget(self.damaged_radio)
        form = QFormLayout(body)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("&Item:", self.item_combo)
        form.addRow("&Quantity:", self.quantity_spin)
        form.addRow("Where to:", where)
        form.addRow("&Reason:", self.reason_edit)

        self.item_combo.currentIndexChanged.connect(self._item_changed)
        self.item_combo.currentIndexChanged.connect(self.input_changed)
        self.quantity_spin.valueChanged.connect(self.input_changed)
        self.restock_radio.toggled.connect(self._where_changed)
        self.location_combo.currentTextChanged.connect(self.input_changed)
        self.reason_edit.textChanged.connect(self.input_changed)

    @property
    def chosen_item(self) -> OrderItemInfo | None:
        item_id = self.item_combo.currentData()
        return next((item for item in self.items if item.id == item_id), None)

    def _default_location(self, item: OrderItemInfo) -> str | None:
        """The returns shelf if there is one (returns are inspected there), else where the item shipped from."""
        if self.location_combo.findData(PREFERRED_RETURN_LOCATION) >= 0:
            return PREFERRED_RETURN_LOCATION
        shipped_from = [
            line.location for shipment in self.order.shipments for line in shipment.lines
            if line.item_id == item.id and line.location
        ]
        return shipped_from[-1] if shipped_from else None

    def _item_changed(self, *_args: object) -> None:
        item = self.chosen_item
        if item is not None and item.stock_tracked:
            default = self._default_location(item)
            if default is not None:
                found = self.location_combo.findData(default)
                if found >= 0:
                    self.location_combo.setCurrentIndex(found)
                else:
                    self.location_combo.setEditText(default)
        self.quantity_spin.setMaximum(returnable(item) if item is not None else 1)
        self.quantity_spin.setSuffix(f" of {formatting.number(returnable(item))}" if item is not None else "")
        tracked = item is None or item.stock_tracked
        self.restock_radio.setEnabled(tracked)
        if not tracked:
            self.damaged_radio.setChecked(True)
        self.restock_radio.setToolTip(
            "The units go back into stock there; waiting backorders get them first"
            if tracked else f"{item.sku if item else ''} is not stock-tracked; record the return as damaged"
        )
        self._where_changed()

    def _where_changed(self, *_args: object) -> None:
        self.location_combo.setEnabled(self.restock_radio.isChecked())
        self.input_changed()

    def _location(self) -> tuple[str | None, str | None]:
        """(normalized location code, problem)."""
        try:
            return normalize_location_code(self.location_combo.currentText()), None
        except InvalidInput as error:
            return None, str(error)

    def problem(self) -> str | None:
        location_problem = self._location()[1] if self.restock_radio.isChecked() else None
        self.set_field_error(self.location_error, location_problem)
        if not self.items:
            return f"Nothing from {self.order.order_number} has shipped, so nothing can be returned."
        if location_problem:
            return "Choose or type the location the units go back to."
        return None

    def value(self) -> ReturnItem:
        item = self.chosen_item
        assert item is not None
        damaged = self.damaged_radio.isChecked()
        reason = self.reason_edit.text().strip() or None
        return ReturnItem(self.order.order_number, item.id, self.quantity_spin.value(),
                          None if damaged else self._location()[0], damaged, reason)  # no location when damaged

    def submit(self, value: ReturnItem) -> ReturnResult:
        return self._services.perform(self._actor, value, operation_key=self.operation_key)
