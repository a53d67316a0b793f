"""Dashboard: the seven stock figures of the inventory spec, orders by status, and backorders waiting.

The low-stock tile counts what the Low stock page lists as it opens (thresholds and reorder
points, ``ReportService.low_stock_count``), so the two screens always agree; ``stock stats``
keeps the spec's thresholds-only count (see services/stock/low_stock.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from orion_desktop.domain.orders import OrderStatus
from orion_desktop.domain.report_results import BackorderSummary
from orion_desktop.domain.results import InventoryStats
from orion_desktop.domain.validation import DEFAULT_LOW_STOCK_THRESHOLD
from orion_desktop.ui import formatting
from orion_desktop.ui.data_events import DataEvents, Topic
from orion_desktop.ui.models.order_counts_model import STATUS_COLORS, OrderStatusCountsModel, StatusCountColumn
from orion_desktop.ui.pages.latest_load import LatestLoad
from orion_desktop.ui.pages.live_page import LivePage
from orion_desktop.ui.pages.view_state import View
from orion_desktop.ui.widgets.bar_chart import Bar, BarChart
from orion_desktop.ui.widgets.stat_tile import StatTile
from orion_desktop.ui.widgets.tables import heading, make_table, status_label

if TYPE_CHECKING:
    from orion_desktop.domain.actor import Actor
    from orion_desktop.services.registry import Services
    from orion_desktop.services.reports import ReportService


@dataclass(frozen=True, slots=True)
class DashboardFigures:
    stats: InventoryStats
    order_counts: dict[OrderStatus, int]
    backorders: BackorderSummary
    low_stock_rows: int
    """The Low stock page's row count as it opens (the tile shows this, not ``stats.low_stock_count``)."""


_STOCK_TILES = (
    # attribute of InventoryStats, caption, explanation
    ("total_entries", "Stock rows", "Products at a location"),
    ("total_quantity", "Units on hand", "Over all locations"),
    ("total_reserved", "Reserved", "Set aside for orders"),
    ("total_available", "Available", "On hand minus reserved"),
    ("low_stock_count", "Low-stock rows", "At or below threshold or reorder point"),
    ("stores_with_inventory", "Stores with stock", "Stores holding any stock row"),
    ("unique_locations", "Locations in use", "Locations holding any stock row"),
)
_TILES_PER_ROW = 4


class DashboardPage(LivePage):
    title = "Dashboard"
    settings_group = "dashboard"
    topics = frozenset({Topic.STOCK, Topic.ORDERS, Topic.CATALOG})

    def __init__(
        self,
        services: Services,
        actor: Actor,
        events: DataEvents,
        parent: QWidget | None = None,
        *,
        reports: ReportService | None = None,
    ) -> None:
        super().__init__(events, parent)
        self.setObjectName("dashboardPage")
        self._services = services
        self._actor = actor
        self._reports = reports if reports is not None else services.reports
        self._figures_load: LatestLoad[DashboardFigures] = LatestLoad(self, self._loaded, self._failed)
        self.figures: DashboardFigures | None = None
        self.counts_model = OrderStatusCountsModel(self)
        self._init_tiles()
        self._init_orders()
        self._init_layout()

    # --- construction ---------------------------------------------------------------------
    def _init_tiles(self) -> None:
        self.stock_tiles: dict[str, StatTile] = {
            field: StatTile(caption, detail, name=f"tile_{field}", parent=self)
            for field, caption, detail in _STOCK_TILES
        }
        self.stock_tiles["low_stock_count"].setToolTip(
            "Stock rows whose available quantity is at or below the product's low-stock threshold "
            f"({DEFAULT_LOW_STOCK_THRESHOLD} for products without one), and every row of a product whose "
            "available units, all locations together, are at or below its reorder point; "
            "the Low stock page lists them"
        )
        self.backorder_units_tile = StatTile(
            "Units waiting", "Ordered, not yet reserved or shipped", name="tile_backorder_units", parent=self
        )
        self.backorder_orders_tile = StatTile(
            "Orders waiting", "Processing orders short of stock", name="tile_backorder_orders", parent=self
        )
        self.backorder_products_tile = StatTile(
            "Products short", "Products these orders wait for", name="tile_backorder_products", parent=self
        )
        self.orders_total_tile = StatTile("Orders", "Of any status", name="tile_orders_total", parent=self)

    def _init_orders(self) -> None:
        self.chart = BarChart(self)
        self.chart.setObjectName("orderStatusChart")
        self.counts_table = make_table(
            self,
            self.counts_model,
            name="orderStatusTable",
            fill_column=StatusCountColumn.STATUS,
            fill_chars=16,
            samples={StatusCountColumn.ORDERS: "000,000", StatusCountColumn.SHARE: "100.0 %"},
        )
        table = self.counts_table
        table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = table.horizontalHeader()
        frame = 2 * table.frameWidth()
        others = sum(header.sectionSize(column) for column in StatusCountColumn if column != StatusCountColumn.STATUS)
        table.setFixedWidth(table.minimum_fill_width + others + frame)
        rows_height = len(OrderStatus) * table.verticalHeader().defaultSectionSize()
        table.setFixedHeight(header.sizeHint().height() + rows_height + frame)
        self.updated_label = status_label(self, "dashboardUpdated")

    def _init_layout(self) -> None:
        content = QWidget(self)
        column = QVBoxLayout(content)
        column.setSpacing(8)

        column.addWidget(heading("Stock", content, scale=1.2))
        grid = QGridLayout()
        grid.setSpacing(10)
        for index, tile in enumerate(self.stock_tiles.values()):
            grid.addWidget(tile, index // _TILES_PER_ROW, index % _TILES_PER_ROW)
        for col in range(_TILES_PER_ROW):
            grid.setColumnStretch(col, 1)
        column.addLayout(grid)

        column.addSpacing(8)
        column.addWidget(heading("Orders by status", content, scale=1.2))
        orders = QHBoxLayout()
        orders.setSpacing(16)
        orders.addWidget(self.orders_total_tile, 0, Qt.AlignmentFlag.AlignTop)
        orders.addWidget(self.counts_table, 0, Qt.AlignmentFlag.AlignTop)
        orders.addWidget(self.chart, 1)  # the chart takes the page's spare height: taller bars
        self.orders_total_tile.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.orders_total_tile.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 12)
        column.addLayout(orders, 1)

        column.addSpacing(8)
        column.addWidget(heading("Backorders", content, scale=1.2))
        waiting = QGridLayout()
        waiting.setSpacing(10)
        for index, tile in enumerate(
            (self.backorder_units_tile, self.backorder_orders_tile, self.backorder_products_tile)
        ):
            waiting.addWidget(tile, 0, index)
        for col in range(_TILES_PER_ROW):
            waiting.setColumnStretch(col, 1)
        column.addLayout(waiting)
        column.addWidget(self.updated_label, 0, Qt.AlignmentFlag.AlignRight)

        scroll = QScrollArea(self)
        scroll.setObjectName("dashboardScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(scroll, 1)

    # --- Page -----------------------------------------------------------------------------
    @property
    def is_loading(self) -> bool:
        return self._figures_load.loading

    def load(self) -> None:
        self.updated_label.setText("Loading…")
        stock, orders, reports = self._services.stock, self._services.order_queries, self._reports

        def work() -> DashboardFigures:
            return DashboardFigures(
                stock.stats(), orders.status_counts(), reports.backorder_summary(), reports.low_stock_count()
            )

        self._figures_load.start(work)

    def remembered_views(self) -> Mapping[str, View]:
        return {"columns": self.counts_table}

    # --- figures --------------------------------------------------------------------------
    def _loaded(self, figures: DashboardFigures) -> None:
        self.banner.clear()
        self.figures = figures
        stats = figures.stats
        for field, tile in self.stock_tiles.items():
            value = figures.low_stock_rows if field == "low_stock_count" else int(getattr(stats, field))
            tile.set_value(formatting.number(value), warning=field == "low_stock_count" and value > 0)
        self.counts_model.set_counts(figures.order_counts)
        self.orders_total_tile.set_value(formatting.number(self.counts_model.total))
        self.chart.set_bars([Bar(row.label, row.orders, STATUS_COLORS[row.status]) for row in self.counts_model.rows()])
        waiting = figures.backorders
        self.backorder_units_tile.set_value(formatting.number(waiting.units), warning=waiting.units > 0)
        self.backorder_orders_tile.set_value(formatting.number(waiting.orders), warning=waiting.orders > 0)
        self.backorder_products_tile.set_value(formatting.number(waiting.products), warning=waiting.products > 0)
        self.updated_label.setText(f"Updated {datetime.now():%H:%M:%S} · F5 to reload")

    def _failed(self, error: BaseException) -> None:
        self.updated_label.setText("")
        self.show_error(error)


__all__ = ["DashboardFigures", "DashboardPage"]
