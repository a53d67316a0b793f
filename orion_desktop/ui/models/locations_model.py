"""Locations with what they hold, and the stock rows of one location (the drill-down)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from enum import IntEnum
from typing import Protocol

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor

from orion_desktop.domain.results import LocationSummary, StockRow
from orion_desktop.ui.models.row_model import (
    MUTED_COLOR,
    WARNING_COLOR,
    Column,
    PagedRowTableModel,
    PageQuery,
    RowRole,
    RowTableModel,
)

__all__ = [
    "LocationColumn",
    "LocationStockColumn",
    "LocationStockModel",
    "LocationsModel",
    "RowRole",
    "StockListSource",
]

DEFAULT_PAGE_SIZE = 200


class LocationColumn(IntEnum):
    CODE = 0
    NAME = 1
    SORT_KEY = 2
    ACTIVE = 3
    STOCK_ROWS = 4
    QUANTITY = 5
    RESERVED = 6
    AVAILABLE = 7


_LOCATION_COLUMNS: tuple[Column[LocationSummary], ...] = (
    Column("Code", lambda loc: loc.code),
    Column("Name", lambda loc: loc.name, cell_tip=lambda loc: loc.name),
    Column("Sort key", lambda loc: loc.sort_key, number=True, tip="Order along the picking path: lower comes first"),
    Column(
        "Active",
        lambda loc: loc.is_active,
        text=lambda loc: "yes" if loc.is_active else "no",
        tip="Orders reserve stock only at active locations",
    ),
    Column("Stock rows", lambda loc: loc.stock_rows, number=True, tip="Products with a stock row here"),
    Column("Units", lambda loc: loc.quantity, number=True, tip="Units on hand here"),
    Column("Reserved", lambda loc: loc.reserved_quantity, number=True, tip="Units set aside for orders"),
    Column("Available", lambda loc: loc.available_quantity, number=True, tip="Units minus reserved"),
)


class LocationsModel(RowTableModel[LocationSummary]):
    """Every location in picking-path order; inactive ones are drawn muted."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(_LOCATION_COLUMNS, parent)

    def row_of(self, code: str) -> int | None:
        return self.find_row(lambda loc: loc.code == code)

    def foreground(self, row: LocationSummary, column: int) -> QColor | None:
        return None if row.is_active else MUTED_COLOR


class StockListSource(Protocol):
    """What the drill-down needs from ``services.stock``."""

    def list_stock(
        self, *, location: str | None = ..., limit: int | None = ..., after: StockRow | None = ...
    ) -> Sequence[StockRow]: ...


class LocationStockColumn(IntEnum):
    PRODUCT = 0
    SKU = 1
    GTIN = 2
    STORE = 3
    QUANTITY = 4
    RESERVED = 5
    AVAILABLE = 6


_STOCK_COLUMNS: tuple[Column[StockRow], ...] = (
    Column("Product", lambda r: r.title, cell_tip=lambda r: f"{r.title}\nStore {r.store_code}"),
    Column("SKU", lambda r: r.sku),
    Column("GTIN", lambda r: r.gtin),
    Column("Store", lambda r: r.store_code),
    Column("Quantity", lambda r: r.quantity, number=True, tip="Units on hand at this location"),
    Column("Reserved", lambda r: r.reserved_quantity, number=True, tip="Units set aside for orders"),
    Column("Available", lambda r: r.available_quantity, number=True, tip="Quantity minus reserved"),
)


class LocationStockModel(PagedRowTableModel[StockRow]):
    """The stock rows of one location, loaded page by page in the background.

    Keyset paging: each page starts after the last row received (``list_stock(after=...)``), so a
    page deep down a large location costs what the first does, and rows added meanwhile shift nothing.
    """

    def __init__(
        self, source: StockListSource, *, page_size: int = DEFAULT_PAGE_SIZE, parent: QObject | None = None
    ) -> None:
        super().__init__(_STOCK_COLUMNS, page_size=page_size, parent=parent)
        self._source = source
        self._location: str | None = None

    @property
    def location(self) -> str | None:
        return self._location

    def set_location(self, code: str | None) -> None:
        """Show the contents of ``code``; None shows nothing."""
        self._location = code
        if code is None:
            self.clear()
        else:
            self.reload()

    def page_query(self) -> PageQuery:
        source, location = self._source, self._location
        return lambda last, _offset, limit: source.list_stock(location=location, limit=limit, after=last)

    def row_key(self, row: StockRow) -> Hashable:
        return row.inventory_id

    def foreground(self, row: StockRow, column: int) -> QColor | None:
        if column == LocationStockColumn.AVAILABLE and row.available_quantity <= 0:
            return WARNING_COLOR
        return None
