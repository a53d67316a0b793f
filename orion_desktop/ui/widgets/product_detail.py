"""The detail pane under a stock table: one product's totals, its stock per location, recent changes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import QDateTime, QLocale, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from orion_desktop.domain.results import LedgerEntry, ProductInfo, ProductStock

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter

LOCATION_HEADERS = ("Location", "Quantity", "Reserved", "Available")
LEDGER_HEADERS = ("When", "Type", "Location", "Qty ±", "Res. ±", "After", "By", "Note")
LEDGER_HEADER_TIPS = (
    "When the change was recorded (local time)",
    "What kind of change it was",
    "Where the stock changed",
    "Change of the quantity on hand",
    "Change of the reserved quantity",
    "Quantity on hand afterwards",
    "Who made the change",
    "Order number and reason",
)
_LEDGER_NUMBER_COLUMNS = {3, 4, 5}


class ProductDetailPane(QWidget):
    """Shows a ``ProductStock`` and its ``LedgerEntry`` rows; the page does the querying."""

    PLACEHOLDER_TEXT = "Select a row to see the product's stock at every location and its recent changes."
    UNAVAILABLE_TEXT = "The details of this product could not be loaded."

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("productDetail")
        self.current_product: ProductInfo | None = None
        self._locale = QLocale()
        self._init_widgets()
        self.clear()

    # --- construction ---------------------------------------------------------------------
    def _init_widgets(self) -> None:
        self._stack = QStackedWidget(self)
        self.placeholder = QLabel(self.PLACEHOLDER_TEXT, self)
        self.placeholder.setObjectName("detailPlaceholder")
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setEnabled(False)  # drawn in the palette's muted text colour
        self._stack.addWidget(self.placeholder)
        self._stack.addWidget(self._init_content())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)

    def _init_content(self) -> QWidget:
        content = QWidget(self)
        self.title_label = QLabel(content)
        self.title_label.setObjectName("detailTitle")
        self.title_label.setWordWrap(True)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        title_font = QFont(self.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.25)
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        self.subtitle_label = QLabel(content)
        self.subtitle_label.setObjectName("detailSubtitle")
        self.subtitle_label.setTextFormat(Qt.TextFormat.PlainText)
        self.subtitle_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle_label.setWordWrap(True)

        self.quantity_value = self._figure(content, "detailQuantity")
        self.reserved_value = self._figure(content, "detailReserved")
        self.available_value = self._figure(content, "detailAvailable")
        figures = QGridLayout()
        figures.setHorizontalSpacing(24)
        for column, (caption, value) in enumerate(
            (("On hand", self.quantity_value), ("Reserved", self.reserved_value), ("Available", self.available_value))
        ):
            figures.addWidget(QLabel(caption, content), 0, column)
            figures.addWidget(value, 1, column)

        self.locations_table = self._table(content, LOCATION_HEADERS, "detailLocations")
        self.ledger_table = self._table(content, LEDGER_HEADERS, "detailLedger")
        for column, tip in enumerate(LEDGER_HEADER_TIPS):
            self.ledger_table.horizontalHeaderItem(column).setToolTip(tip)
        self.locations_table.horizontalHeader().setStretchLastSection(False)
        self.ledger_empty_label = QLabel("No stock changes recorded yet.", content)
        self.ledger_empty_label.setEnabled(False)

        names = QVBoxLayout()
        names.setSpacing(2)
        names.addWidget(self.title_label)
        names.addWidget(self.subtitle_label)
        names.addStretch(1)
        top = QHBoxLayout()
        top.addLayout(names, 1)
        top.addSpacing(24)
        top.addLayout(figures)

        where = QVBoxLayout()
        where.setSpacing(4)  # else inherited from ``tables`` below
        where.addWidget(self._heading("Stock by location", content))
        where.addWidget(self.locations_table, 1)
        history = QVBoxLayout()
        history.setSpacing(4)
        history.addWidget(self._heading("Recent changes", content))
        history.addWidget(self.ledger_table, 1)
        history.addWidget(self.ledger_empty_label)
        tables = QHBoxLayout()
        tables.setSpacing(16)
        tables.addLayout(where, 2)
        tables.addLayout(history, 3)

        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addSpacing(4)
        layout.addLayout(tables, 1)
        return content

    def _figure(self, parent: QWidget, name: str) -> QLabel:
        label = QLabel(parent)
        label.setObjectName(name)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        label.setFont(font)
        return label

    @staticmethod
    def _heading(text: str, parent: QWidget) -> QLabel:
        label = QLabel(text, parent)
        label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        font = QFont(label.font())
        font.setBold(True)
        label.setFont(font)
        return label

    @staticmethod
    def _table(parent: QWidget, headers: Sequence[str], name: str) -> QTableWidget:
        table = QTableWidget(0, len(headers), parent)
        table.setObjectName(name)
        table.setHorizontalHeaderLabels(list(headers))
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        return table

    # --- content --------------------------------------------------------------------------
    def clear(self, message: str | None = None) -> None:
        """Show no product: the hint to select a row, or ``message`` (e.g. why nothing is shown)."""
        self.placeholder.setText(message or self.PLACEHOLDER_TEXT)
        self.current_product = None
        self.title_label.clear()
        self.subtitle_label.clear()
        for label in (self.quantity_value, self.reserved_value, self.available_value):
            label.clear()
        self.locations_table.setRowCount(0)
        self.ledger_table.setRowCount(0)
        self._stack.setCurrentWidget(self.placeholder)

    def show_product(self, stock: ProductStock, ledger: Sequence[LedgerEntry]) -> None:
        product = stock.product
        self.current_product = product
        self.title_label.setText(product.title)
        parts = [f"SKU {product.sku}"]
        if product.gtin:
            parts.append(f"GTIN {product.gtin}")
        parts.append(f"store {product.store_code}")
        if product.unlimited:
            parts.append(f"{product.product_type.value}, not stock-tracked")
        self.subtitle_label.setText("  ·  ".join(parts))
        self.quantity_value.setText(self._number(stock.total_quantity))
        self.reserved_value.setText(self._number(stock.total_reserved))
        self.available_value.setText("unlimited" if product.unlimited else self._number(stock.total_available))
        self._fill_locations(stock)
        self._fill_ledger(ledger)
        self._stack.setCurrentIndex(1)

    def _fill_locations(self, stock: ProductStock) -> None:
        table = self.locations_table
        table.setRowCount(len(stock.locations))
        for row, loc in enumerate(stock.locations):
            values = (loc.location, loc.quantity, loc.reserved_quantity, loc.available_quantity)
            for column, value in enumerate(values):
                table.setItem(row, column, self._item(value))

    def _fill_ledger(self, ledger: Sequence[LedgerEntry]) -> None:
        table = self.ledger_table
        table.setRowCount(len(ledger))
        for row, entry in enumerate(ledger):
            when = self._when(entry.created_at)
            note = " · ".join(part for part in (entry.order_number, entry.reason) if part)
            values: tuple[object, ...] = (
                when,
                entry.transaction_type.value.replace("_", " ").capitalize(),
                entry.location,
                self._signed(entry.quantity_change),
                self._signed(entry.reserved_change),
                self._number(entry.quantity_after),
                entry.created_by or "",
                note,
            )
            for column, value in enumerate(values):
                item = self._item(value, right=column in _LEDGER_NUMBER_COLUMNS)
                if column == 0:
                    item.setToolTip(entry.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z"))
                elif column == 7 and note:
                    item.setToolTip(note)
                table.setItem(row, column, item)
        self.ledger_empty_label.setVisible(not ledger)

    def _item(self, value: object, *, right: bool = False) -> QTableWidgetItem:
        if isinstance(value, int):
            item = QTableWidgetItem(self._number(value))
            item.setTextAlignment(_RIGHT)
        else:
            item = QTableWidgetItem("" if value is None else str(value))
            item.setTextAlignment(_RIGHT if right else _LEFT)
        return item

    def _when(self, moment: datetime) -> str:
        """Short and unambiguous: the time today, day and month this year, else the date."""
        local = moment.astimezone()
        today = datetime.now(local.tzinfo).date()
        if local.date() == today:
            return "today " + local.strftime("%H:%M")
        if local.year == today.year:
            return self._locale.toString(QDateTime(local.date(), local.time()), "d MMM HH:mm")
        return local.strftime("%Y-%m-%d")

    def _number(self, value: int) -> str:
        return self._locale.toString(value)

    def _signed(self, value: int) -> str:
        if value == 0:
            return ""
        return ("+" if value > 0 else "−") + self._locale.toString(abs(value))
