"""Shipment status tables: the items of one order (shipped / remaining) and the open shipments."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor

from orion_desktop.domain.order_results import ItemShipmentStatus, ShipmentInfo
from orion_desktop.ui import formatting
from orion_desktop.ui.models.row_model import MUTED_COLOR, Column, RowRole, RowTableModel

__all__ = [
    "OpenShipmentColumn",
    "OpenShipmentsModel",
    "RowRole",
    "ShipmentItemColumn",
    "ShipmentItemsModel",
    "item_state",
]

_DONE_COLOR = QColor("#1e6b2f")


def item_state(item: ItemShipmentStatus) -> str:
    if item.is_fully_shipped:
        return "Shipped"
    if item.shipped_quantity > 0:
        return "Partly shipped"
    return "Not shipped yet"


class ShipmentItemColumn(IntEnum):
    ITEM = 0
    ORDERED = 1
    SHIPPED = 2
    REMAINING = 3
    STATE = 4


_ITEM_COLUMNS: tuple[Column[ItemShipmentStatus], ...] = (
    Column("Item", lambda i: i.product_name, cell_tip=lambda i: f"{i.product_name}\nItem {i.item_id}"),
    Column("Ordered", lambda i: i.quantity, number=True, tip="Units ordered"),
    Column("Shipped", lambda i: i.shipped_quantity, number=True, tip="Units that have left the warehouse"),
    Column("Remaining", lambda i: i.remaining_quantity, number=True, tip="Units still to ship"),
    Column("Status", item_state),
)


class ShipmentItemsModel(RowTableModel[ItemShipmentStatus]):
    """The items of one order with what has shipped and what remains (the spec's shipment status)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(_ITEM_COLUMNS, parent)

    def foreground(self, row: ItemShipmentStatus, column: int) -> QColor | None:
        if column == ShipmentItemColumn.STATE:
            return _DONE_COLOR if row.is_fully_shipped else None
        if column == ShipmentItemColumn.REMAINING and row.remaining_quantity == 0:
            return MUTED_COLOR
        return None


class OpenShipmentColumn(IntEnum):
    SHIPMENT = 0
    ORDER = 1
    STATUS = 2
    CONTENTS = 3
    UNITS = 4
    ASSIGNED = 5
    BOX = 6
    CREATED = 7


def _contents(shipment: ShipmentInfo) -> str:
    return ", ".join(f"{line.quantity} × {line.sku}" for line in shipment.lines)


def _contents_tip(shipment: ShipmentInfo) -> str | None:
    if not shipment.lines:
        return None
    return "\n".join(
        f"{line.quantity} × {line.product_name} ({line.sku})" + (f" from {line.location}" if line.location else "")
        for line in shipment.lines
    )


_SHIPMENT_COLUMNS: tuple[Column[ShipmentInfo], ...] = (
    Column("Shipment", lambda s: s.shipment_number),
    Column("Order", lambda s: s.order_number),
    Column("Status", lambda s: s.status.value, text=lambda s: formatting.status_text(s.status)),
    Column("Contents", _contents, cell_tip=_contents_tip),
    Column("Units", lambda s: sum(line.quantity for line in s.lines), number=True, tip="Units in the parcel"),
    Column("Assigned to", lambda s: s.assigned_to),
    Column("Box", lambda s: s.box_size),
    Column(
        "Created",
        lambda s: s.created_at,
        text=lambda s: formatting.when(s.created_at),
        cell_tip=lambda s: formatting.full_time(s.created_at),
    ),
)


class OpenShipmentsModel(RowTableModel[ShipmentInfo]):
    """Parcels in the workflow (pending, picking, packing, ready to ship)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(_SHIPMENT_COLUMNS, parent)
