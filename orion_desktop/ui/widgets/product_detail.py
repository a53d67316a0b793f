"""The detail pane under a stock table: one product's totals, its stock per location, recent changes."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractScrollArea, QHBoxLayout, QHeaderView, QLabel, QVBoxLayout, QWidget

from orion_desktop.domain.results import LedgerEntry, ProductInfo, ProductStock
from orion_desktop.ui import formatting
from orion_desktop.ui.widgets.detail_pane import DetailPane, figure_grid, figure_label, subtitle_label, title_label
from orion_desktop.ui.widgets.number_delegate import GroupedNumberDelegate
from orion_desktop.ui.widgets.tables import heading

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


class ProductDetailPane(DetailPane):
    """Shows a ``ProductStock`` and its ``LedgerEntry`` rows; the page does the querying."""

    PLACEHOLDER_TEXT = "Select a row to see the product's stock at every location and its recent changes."
    UNAVAILABLE_TEXT = "The details of this product could not be loaded."

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("productDetail", "detailPlaceholder", parent)
        self.current_product: ProductInfo | None = None
        self.clear()

    # --- construction ---------------------------------------------------------------------
    def _init_content(self) -> QWidget:
        content = QWidget(self)
        self.title_label = title_label(content, "detailTitle")
        self.title_label.setWordWrap(True)
        self.subtitle_label = subtitle_label(content, "detailSubtitle")

        self.quantity_value = figure_label(content, "detailQuantity")
        self.reserved_value = figure_label(content, "detailReserved")
        self.available_value = figure_label(content, "detailAvailable")
        figures = figure_grid(
            content, (
                ("On hand", self.quantity_value), ("Reserved", self.reserved_value), ("Available", self.available_value)
            )
        )

        self.locations_table = self._table(content, LOCATION_HEADERS, "detailLocations")
        self.ledger_table = self._table(content, LEDGER_HEADERS, "detailLedger", LEDGER_HEADER_TIPS)
        self.ledger_table.horizontalHeader().setStretchLastSection(True)  # the note takes what is left
        # Stock by location is as wide as its rows (every column fits its contents: a location cut to
        # "WAREHOUSE_MAI…" named no place at 1024 px); Recent changes takes the rest and scrolls sideways.
        self.locations_table.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.locations_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.ledger_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        # A cut location keeps its end, the aisle and bin ("…MAIN.A-01"), as in the lists above.
        self.ledger_table.setItemDelegate(GroupedNumberDelegate(self.ledger_table, left_elided=(2,)))
        self.ledger_empty_label = QLabel("No stock changes recorded yet.", content)
        self.ledger_empty_label.setEnabled(False)

        names = QVBoxLayout()
        names.setSpacing(2)
        names.addWidget(self.title_label)
        names.addWidget(self.subtitle_label)
        names.addStretch(1)

        where = QVBoxLayout()
        where.setSpacing(4)  # else inherited from ``tables`` below
        where.addWidget(heading("Stock by location", content))
        where.addWidget(self.locations_table, 1)
        history = QVBoxLayout()
        history.setSpacing(4)
        history.addWidget(heading("Recent changes", content))
        history.addWidget(self.ledger_table, 1)
        history.addWidget(self.ledger_empty_label)
        tables = QHBoxLayout()
        tables.setSpacing(16)
        tables.addLayout(where, 0)
        tables.addLayout(history, 1)
        self._lay_out(content, names, figures, tables)
        return content

    # --- content --------------------------------------------------------------------------
    def clear(self, message: str | None = None) -> None:
        """Show no product: the hint to select a row, or ``message`` (e.g. why nothing is shown)."""
        self.current_product = None
        self.title_label.clear()
        self.subtitle_label.clear()
        for label in (self.quantity_value, self.reserved_value, self.available_value):
            label.clear()
        self.locations_table.setRowCount(0)
        self.ledger_table.setRowCount(0)
        self._show_placeholder(message)

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
        self.quantity_value.setText(formatting.number(stock.total_quantity))
        self.reserved_value.setText(formatting.number(stock.total_reserved))
        self.available_value.setText("unlimited" if product.unlimited else formatting.number(stock.total_available))
        self._fill_locations(stock)
        self._fill_ledger(ledger)
        self._show_content()

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
            when = formatting.when(entry.created_at)
            note = " · ".join(part for part in (entry.order_number, entry.reason) if part)
            values: tuple[object, ...] = (
                when,
                entry.transaction_type.value.replace("_", " ").capitalize(),
                entry.location,
                formatting.signed(entry.quantity_change),
                formatting.signed(entry.reserved_change),
                formatting.number(entry.quantity_after),
                entry.created_by or "",
                note,
            )
            for column, value in enumerate(values):
                item = self._item(value, right=column in _LEDGER_NUMBER_COLUMNS)
                if column == 0:
                    item.setToolTip(formatting.full_time(entry.created_at))
                elif column == 7 and note:
                    item.setToolTip(note)
                table.setItem(row, column, item)
        self.ledger_empty_label.setVisible(not ledger)
