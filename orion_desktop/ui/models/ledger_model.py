"""The ledger table: stock changes newest first, filtered in SQL, paged further back by id (keyset).

Each further page asks for rows older than the last one shown (``before_id``), so paging
stays fast however far back the user scrolls, and rows added meanwhile never shift a page.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Any, Protocol

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor

from orion_desktop.domain.enums import TransactionType
from orion_desktop.domain.results import LedgerEntry
from orion_desktop.ui import formatting
from orion_desktop.ui.models.row_model import WARNING_COLOR, Column, PagedRowTableModel, PageQuery, RowRole

__all__ = ["DEFAULT_PAGE_SIZE", "LedgerColumn", "LedgerFilter", "LedgerModel", "LedgerSource", "RowRole"]

DEFAULT_PAGE_SIZE = 200


@dataclass(frozen=True, slots=True)
class LedgerFilter:
    """What the ledger shows. Empty or None fields do not filter; ``until`` is exclusive."""

    store: str | None = None
    product: str = ""
    order_number: str = ""
    transaction_type: TransactionType | None = None
    since: datetime | None = None
    until: datetime | None = None

    def query_arguments(self) -> dict[str, Any]:
        return {
            "store": self.store or None,
            "product": self.product.strip() or None,
            "order_number": self.order_number.strip() or None,
            "transaction_type": self.transaction_type,
            "since": self.since,
            "until": self.until,
        }

    @property
    def is_active(self) -> bool:
        return any(value is not None for value in self.query_arguments().values())


class LedgerSource(Protocol):
    """What the model needs from the stock queries (``StockQueries.ledger``, the one ledger query)."""

    def ledger(
        self,
        *,
        store: str | None = ...,
        product: str | None = ...,
        order_number: str | None = ...,
        transaction_type: str | TransactionType | None = ...,
        since: datetime | None = ...,
        until: datetime | None = ...,
        limit: int | str = ...,
        before_id: int | None = ...,
    ) -> Sequence[LedgerEntry]: ...


class LedgerColumn(IntEnum):
    WHEN = 0
    TYPE = 1
    SKU = 2
    STORE = 3
    LOCATION = 4
    QUANTITY_CHANGE = 5
    RESERVED_CHANGE = 6
    QUANTITY_AFTER = 7
    RESERVED_AFTER = 8
    ORDER = 9
    REASON = 10
    BY = 11


_COLUMNS: tuple[Column[LedgerEntry], ...] = (
    Column(
        "When",
        lambda e: e.created_at,
        text=lambda e: formatting.when(e.created_at),
        cell_tip=lambda e: formatting.full_time(e.created_at),
        tip="When the change was recorded (local time)",
    ),
    Column("Type", lambda e: e.transaction_type.value, text=lambda e: formatting.status_text(e.transaction_type)),
    Column("SKU", lambda e: e.sku),
    Column("Store", lambda e: e.store_code),
    Column("Location", lambda e: e.location),
    Column(
        "Qty ±", lambda e: e.quantity_change, number=True, text=lambda e: formatting.signed(e.quantity_change),
        tip="Change of the quantity on hand",
    ),
    Column(
        "Res. ±", lambda e: e.reserved_change, number=True, text=lambda e: formatting.signed(e.reserved_change),
        tip="Change of the reserved quantity",
    ),
    Column("On hand", lambda e: e.quantity_after, number=True, tip="Quantity on hand afterwards"),
    Column("Reserved", lambda e: e.reserved_after, number=True, tip="Reserved quantity afterwards"),
    Column("Order", lambda e: e.order_number),
    Column("Reason", lambda e: e.reason, cell_tip=lambda e: e.reason),
    Column("By", lambda e: e.created_by, tip="Who made the change"),
)


class LedgerModel(PagedRowTableModel[LedgerEntry]):
    def __init__(
        self, source: LedgerSource, *, page_size: int = DEFAULT_PAGE_SIZE, parent: QObject | None = None
    ) -> None:
        super().__init__(_COLUMNS, page_size=page_size, parent=parent)
        self._source = source
        self._filter = LedgerFilter()

    @property
    def ledger_filter(self) -> LedgerFilter:
        return self._filter

    def set_filter(self, ledger_filter: LedgerFilter) -> None:
        same = ledger_filter == self._filter and self.loaded_once  # a refresh: keep the rows loaded
        self._filter = ledger_filter
        self.reload(keep_loaded=same)

    def page_query(self) -> PageQuery:
        source, arguments = self._source, self._filter.query_arguments()

        def query(last: LedgerEntry | None, _offset: int, limit: int) -> Sequence[LedgerEntry]:
            return source.ledger(**arguments, limit=limit, before_id=None if last is None else last.id)

        return query

    def row_key(self, row: LedgerEntry) -> Hashable:
        return row.id

    def foreground(self, row: LedgerEntry, column: int) -> QColor | None:
        if column == LedgerColumn.QUANTITY_CHANGE and row.quantity_change < 0:
            return WARNING_COLOR
        return None
