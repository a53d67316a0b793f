"""Move an order along its status machine: says what will happen first, and then what did.

Before OK: "Will reserve stock for 3 lines (18 units)…", "Will release 12 reserved units…",
"Will ship everything still open…". After OK the dialog stays open on a summary of the
service's ``StatusChangeResult`` (reserved, backordered, skipped, released, shipped lines) until
the user closes it; the change is made by then, so closing in any way counts as accepted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from orion_desktop.domain.order_results import OrderDetail, ReservedLine, StatusChangeResult
from orion_desktop.domain.orders import OrderStatus
from orion_desktop.domain.requests import ChangeOrderStatus
from orion_desktop.ui import formatting, order_format
from orion_desktop.ui.dialogs.action_dialog import ActionDialog

if TYPE_CHECKING:
    from orion_desktop.domain.actor import Actor
    from orion_desktop.services.registry import Services

TARGET_HINT: dict[OrderStatus, str] = {
    OrderStatus.PROCESSING: "reserve stock",
    OrderStatus.SHIPPED: "ship everything still open",
    OrderStatus.DELIVERED: "the customer has it",
    OrderStatus.CANCELLED: "release reserved stock",
}

SAFE_DEFAULT_TARGETS = frozenset({OrderStatus.PROCESSING})
"""The one move the dialog may offer ready-chosen: it only reserves, and cancelling undoes it."""


def preview(order: OrderDetail, target: OrderStatus) -> str:
    """What moving ``order`` to ``target`` will do, in sentences (from the order as last loaded)."""
    open_items = [i for i in order.items if i.remaining_quantity > 0]
    if target is OrderStatus.PROCESSING:
        to_reserve = [i for i in open_items if i.stock_tracked and i.remaining_quantity > i.reserved]
        untracked = [i for i in open_items if not i.stock_tracked]
        if to_reserve:
            units = sum(i.remaining_quantity - i.reserved for i in to_reserve)
            text = (
                f"Will reserve stock for {order_format.lines(len(to_reserve))} ({order_format.units(units)}), "
                "taken along the picking path. What cannot be reserved now stays backordered; "
                "the order becomes processing either way."
            )
        else:
            text = "Nothing needs reserving; the order becomes processing."
        if untracked:
            text += (
                f" {order_format.lines(len(untracked))} "
                f"{'is' if len(untracked) == 1 else 'are'} not stock-tracked and will be skipped."
            )
        return text
    if target is OrderStatus.SHIPPED:
        units = sum(i.remaining_quantity for i in open_items)
        return (
            f"Will ship everything still open: {order_format.lines(len(open_items))}, {order_format.units(units)}, "
            "from the reserved stock first, then from available stock. "
            "If any line cannot be covered, nothing is shipped."
        )
    if target is OrderStatus.CANCELLED:
        reserved = sum(i.reserved for i in order.items)
        shipped = sum(i.shipped_quantity for i in order.items)
        text = (
            f"Will release {order_format.units(reserved)} reserved for this order back to available stock."
            if reserved
            else "Nothing is reserved for this order, so no stock changes."
        )
        if shipped:
            text += f" The {order_format.units(shipped)} already shipped stay shipped."
        return text
    if target is OrderStatus.DELIVERED:
        return "Will mark the order as delivered. No stock changes."
    return f"Will set the order to {order_format.status_text(target).lower()}."


def _where(lines: Sequence[ReservedLine]) -> list[str]:
    return [
        f"    {formatting.number(line.quantity)} × {line.sku}" + (f" at {line.location}" if line.location else "")
        for line in lines
    ]


def describe_result(result: StatusChangeResult) -> str:
    """What the status change did, line by line (plain text)."""
    parts = [
        f"{result.order_number} is now {order_format.status_text(result.new_status).lower()} "
        f"(was {order_format.status_text(result.old_status).lower()})."
    ]
    if result.reserved:
        parts.append(f"Reserved {order_format.units(sum(r.quantity for r in result.reserved))}:")
        parts.extend(_where(result.reserved))
    if result.backordered:
        parts.append(
            f"Backordered {order_format.units(sum(b.quantity for b in result.backordered))}, waiting for stock:"
        )
        parts.extend(f"    {formatting.number(b.quantity)} × {b.sku} ({b.reason})" for b in result.backordered)
    if result.skipped_items:
        parts.append("Skipped:")
        parts.extend(f"    {s.sku} ({s.reason})" for s in result.skipped_items)
    if result.released:
        parts.append(
            f"Released {order_format.units(sum(r.quantity for r in result.released))} back to available stock:"
        )
        parts.extend(_where(result.released))
    if result.fulfilled:
        parts.append(f"Shipped {order_format.units(sum(r.quantity for r in result.fulfilled))}:")
        parts.extend(_where(result.fulfilled))
    if len(parts) == 1 and result.new_status is OrderStatus.PROCESSING:
        parts.append("Nothing needed reserving.")
    elif len(parts) == 1:
        parts.append("No stock changed.")
    return "\n".join(parts)


class ChangeStatusDialog(ActionDialog):
    ok_text = "Change status"

    def __init__(
        self, services: Services, actor: Actor, order: OrderDetail, parent: QWidget | None = None
    ) -> None:
        super().__init__(f"Change the status of {order.order_number}", parent)
        self.setObjectName("changeStatusDialog")
        self._services = services
        self._actor = actor
        self.order = order
        self.targets = order_format.allowed_targets(order.order_number, order.status)
        self._init_inputs()
        self._init_result()
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._choice_page)
        self.pages.addWidget(self._result_page)
        self._init_frame(self.pages)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 44)
        self._update_preview()
        self.validate()

    def _init_inputs(self) -> None:
        page = QWidget(self)
        self._choice_page = page
        self.current_label = QLabel(order_format.status_text(self.order.status), page)
        self.current_label.setObjectName("currentStatus")
        self.current_label.setStyleSheet(order_format.status_chip_style(self.order.status))
        self.current_label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)  # a chip, not a bar
        self.status_combo = QComboBox(page)
        self.status_combo.setObjectName("targetStatus")
        self.status_combo.setAccessibleName("New status")
        for target in self.targets:
            self.status_combo.addItem(f"{order_format.status_text(target)} — {TARGET_HINT[target]}", target.value)
        self.status_combo.setEnabled(bool(self.targets))
        # Nothing destructive is ever the default: only reserving stock is offered ready-chosen;
        # shipping everything or cancelling must be chosen on purpose (Ctrl+T, Enter ships nothing).
        safe = [i for i, target in enumerate(self.targets) if target in SAFE_DEFAULT_TARGETS]
        self.status_combo.setPlaceholderText("Choose the new status…")
        self.status_combo.setCurrentIndex(safe[0] if safe else -1)
        self.preview_label = QLabel(page)
        self.preview_label.setObjectName("statusPreview")
        self.preview_label.setWordWrap(True)
        self.preview_label.setTextFormat(Qt.TextFormat.PlainText)
        self.preview_label.setMinimumHeight(self.fontMetrics().lineSpacing() * 3)
        self.preview_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Now:", self.current_label)
        form.addRow("&New status:", self.status_combo)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addSpacing(6)
        layout.addWidget(self.preview_label, 1)
        self.status_combo.currentIndexChanged.connect(self._update_preview)
        self.status_combo.currentIndexChanged.connect(self.input_changed)

    def _init_result(self) -> None:
        page = QWidget(self)
        self._result_page = page
        heading = QLabel("Done", page)
        font = QFont(heading.font())
        font.setBold(True)
        heading.setFont(font)
        self.result_label = QLabel(page)
        self.result_label.setObjectName("statusResult")
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading)
        layout.addWidget(self.result_label, 1)

    @property
    def chosen_target(self) -> OrderStatus | None:
        data = self.status_combo.currentData()  # the value: Qt hands enums back as plain strings
        return OrderStatus(data) if data else None

    @property
    def is_done(self) -> bool:
        return self.outcome is not None

    def _update_preview(self, *_args: object) -> None:
        target = self.chosen_target
        self.preview_label.setText(preview(self.order, target) if target is not None else "")

    def problem(self) -> str | None:
        if not self.targets:
            status = order_format.status_text(self.order.status).lower()
            return f"{self.order.order_number} is {status}; its status can no longer change."
        if self.chosen_target is None:
            return "Choose the new status."
        return None

    def value(self) -> ChangeOrderStatus:
        target = self.chosen_target
        assert target is not None
        return ChangeOrderStatus(self.order.order_number, target)

    def submit(self, value: ChangeOrderStatus) -> StatusChangeResult:
        return self._services.perform(self._actor, value, operation_key=self.operation_key)

    def succeeded(self) -> None:
        """Stay open on what happened; the only button left is Close."""
        result: StatusChangeResult = self.outcome
        self.result_label.setText(describe_result(result))
        self.pages.setCurrentWidget(self._result_page)
        self.problem_label.hide()
        self.ok_button.hide()
        self.cancel_button.setText("Close")
        self.cancel_button.setDefault(True)
        self.cancel_button.setFocus()
        self.adjustSize()

    def accept(self) -> None:
        if self.is_done:
            ActionDialog.succeeded(self)  # plain QDialog.accept: close with Accepted
            return
        super().accept()

    def reject(self) -> None:
        if self.is_done:  # Close, Esc or the window's close button after the change was made
            ActionDialog.succeeded(self)
            return
        super().reject()
