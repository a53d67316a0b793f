"""Orders by status, for the dashboard: one row per status in workflow order, with its share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum

from PySide6.QtCore import QLocale, QObject
from PySide6.QtGui import QColor

from orion_desktop.domain.orders import OrderStatus
from orion_desktop.ui import formatting
from orion_desktop.ui.models.row_model import MUTED_COLOR, Column, RowRole, RowTableModel

__all__ = ["STATUS_COLORS", "OrderStatusCountsModel", "RowRole", "StatusCount", "StatusCountColumn"]

STATUS_COLORS: dict[OrderStatus, QColor] = {
    OrderStatus.PENDING: QColor("#8a94a6"),
    OrderStatus.PROCESSING: QColor("#2f6db5"),
    OrderStatus.PARTIALLY_SHIPPED: QColor("#c77c0e"),
    OrderStatus.SHIPPED: QColor("#2e8b57"),
    OrderStatus.DELIVERED: QColor("#1e5e3b"),
    OrderStatus.CANCELLED: QColor("#a0a0a0"),
}


@dataclass(frozen=True, slots=True)
class StatusCount:
    status: OrderStatus
    orders: int
    total: int  # orders of every status

    @property
    def share(self) -> float:
        return self.orders / self.total if self.total else 0.0

    @property
    def label(self) -> str:
        return formatting.status_text(self.status)


class StatusCountColumn(IntEnum):
    STATUS = 0
    ORDERS = 1
    SHARE = 2


def _share_text(row: StatusCount) -> str:
    if not row.total:
        return ""
    return QLocale().toString(row.share * 100, "f", 1) + " %"


_COLUMNS: tuple[Column[StatusCount], ...] = (
    Column("Status", lambda r: r.status.value, text=lambda r: r.label),
    Column("Orders", lambda r: r.orders, number=True),
    Column("Share", lambda r: r.share, number=True, text=_share_text, tip="Share of all orders"),
)


class OrderStatusCountsModel(RowTableModel[StatusCount]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(_COLUMNS, parent)

    def set_counts(self, counts: Mapping[OrderStatus, int]) -> None:
        """Every status in workflow order, including those without orders."""
        total = sum(counts.values())
        self.set_rows([StatusCount(status, int(counts.get(status, 0)), total) for status in OrderStatus])

    @property
    def total(self) -> int:
        return sum(row.orders for row in self.rows())

    def foreground(self, row: StatusCount, column: int) -> QColor | None:
        return MUTED_COLOR if row.orders == 0 else None
