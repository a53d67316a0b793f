"""How orders read on screen: status names and colours, unit counts, what a user may do.

Shared by the orders table, the order detail pane and the order dialogs, so a status is called
and coloured the same everywhere. Numbers and times are written by ``ui.formatting``, as on every page.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

from orion_desktop.domain.actor import Actor, Permission
from orion_desktop.domain.errors import InvalidTransition, PermissionDenied
from orion_desktop.domain.orders import OrderStatus, ShipmentStatus, check_transition
from orion_desktop.ui import formatting

STATUS_TEXT: dict[OrderStatus, str] = {
    OrderStatus.PENDING: "Pending",
    OrderStatus.PROCESSING: "Processing",
    OrderStatus.PARTIALLY_SHIPPED: "Partially shipped",
    OrderStatus.SHIPPED: "Shipped",
    OrderStatus.DELIVERED: "Delivered",
    OrderStatus.CANCELLED: "Cancelled",
}

STATUS_HELP: dict[OrderStatus, str] = {
    OrderStatus.PENDING: "Received; no stock is reserved yet",
    OrderStatus.PROCESSING: "Stock is reserved; what could not be reserved is backordered",
    OrderStatus.PARTIALLY_SHIPPED: "Some units have shipped, the rest is still open",
    OrderStatus.SHIPPED: "Every unit has shipped",
    OrderStatus.DELIVERED: "The customer has the parcel",
    OrderStatus.CANCELLED: "Cancelled; reserved stock went back on the shelf",
}

# (text, background) pairs readable on a white or light-grey row.
_STATUS_COLOURS: dict[OrderStatus, tuple[str, str]] = {
    OrderStatus.PENDING: ("#4a4f55", "#eceff1"),
    OrderStatus.PROCESSING: ("#174ea6", "#e3edfb"),
    OrderStatus.PARTIALLY_SHIPPED: ("#8a4b00", "#fdf0dc"),
    OrderStatus.SHIPPED: ("#1b6b2f", "#e2f3e6"),
    OrderStatus.DELIVERED: ("#0f4d22", "#d4ecd9"),
    OrderStatus.CANCELLED: ("#a3221a", "#fbe5e3"),
}

SHIPMENT_STATUS_TEXT: dict[ShipmentStatus, str] = {
    ShipmentStatus.PENDING: "Pending",
    ShipmentStatus.PICKING: "Picking",
    ShipmentStatus.PACKING: "Packing",
    ShipmentStatus.READY_TO_SHIP: "Ready to ship",
    ShipmentStatus.SHIPPED: "Shipped",
    ShipmentStatus.CANCELLED: "Cancelled",
}

WARNING_COLOUR = "#a3221a"  # inline validation messages and figures that need attention


def status_text(status: OrderStatus) -> str:
    return STATUS_TEXT[status]


def status_colour(status: OrderStatus) -> QColor:
    return QColor(_STATUS_COLOURS[status][0])


def status_chip_style(status: OrderStatus) -> str:
    """A style sheet for a QLabel that shows the status as a small coloured chip."""
    text, background = _STATUS_COLOURS[status]
    return (
        f"QLabel {{ color: {text}; background: {background}; border: 1px solid {text}; "
        "border-radius: 9px; padding: 1px 10px; font-weight: bold; }"
    )


def allowed_targets(order_number: str, status: OrderStatus) -> tuple[OrderStatus, ...]:
    """The statuses a person may move an order to from ``status`` (the domain's status machine decides)."""
    targets = []
    for target in OrderStatus:
        try:
            check_transition(order_number, status, target)
        except InvalidTransition:
            continue
        targets.append(target)
    return tuple(targets)


def may(actor: Actor, permission: Permission) -> bool:
    try:
        actor.require(permission)
    except PermissionDenied:
        return False
    return True


def needs_role_text(actor: Actor, permission: Permission) -> str:
    """The sentence shown as a tooltip on an action the user's role does not allow."""
    try:
        actor.require(permission)
    except PermissionDenied as error:
        return str(error)
    return ""


def units(count: int) -> str:
    return formatting.plural(count, "unit")


def lines(count: int) -> str:
    return formatting.plural(count, "line")
