"""Low stock (for managers): rows at or below a threshold and products down to their reorder point,
with the backorders waiting; export to CSV.

As it opens it lists what the Dashboard's low-stock tile counts (services/stock/low_stock.py has the
one definition); unticking the reorder-point box asks the thresholds-only question of ``stock low``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

from orion_desktop.domain.errors import InvalidInput
from orion_desktop.domain.validation import DEFAULT_LOW_STOCK_THRESHOLD, MAX_QUANTITY, REORDER_POINTS_ON_SCREENS
from orion_desktop.ui import formatting
from orion_desktop.ui.data_events import DataEvents, Topic
from orion_desktop.ui.models.low_stock_model import LowStockColumn, LowStockModel
from orion_desktop.ui.pages.list_page import ListPage
from orion_desktop.ui.pages.low_stock_actions import LowStockActions
from orion_desktop.ui.save_paths import refuse_unconfirmed
from orion_desktop.ui.widgets.message_banner import BannerKind
from orion_desktop.ui.widgets.tables import make_table, status_label
from orion_desktop.ui.worker import run_in_background

if TYPE_CHECKING:
    from orion_desktop.domain.actor import Actor
    from orion_desktop.services.registry import Services
    from orion_desktop.services.reports import ReportService

THRESHOLD_DELAY_MS = 300
"""Stepping through thresholds pauses this long before the list is queried again."""

OWN_THRESHOLD = -1
"""The spin box value that means "each product's own threshold"; the box shows it as words."""

OWN_THRESHOLD_TEXT = "Each product's own"


class LowStockPage(ListPage):
    title = "Low stock"
    settings_group = "low_stock"
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
        self.setObjectName("lowStockPage")
        self._services = services
        self._actor = actor
        self._reports = reports if reports is not None else services.reports
        self._export_dir = ""
        self.exporting = False
        self.last_export: Path | None = None
        self.model = LowStockModel(self._reports, parent=self)
        self._init_controls()
        self._init_table()
        self.row_actions = LowStockActions(self, self.table, services, actor)  # Adjust, Transfer, Show in Inventory
        self._init_layout()
        self._connect()

    # --- construction ---------------------------------------------------------------------
    def _init_controls(self) -> None:
        self.threshold_spin = QSpinBox(self)
        self.threshold_spin.setObjectName("lowStockThreshold")
        self.threshold_spin.setRange(OWN_THRESHOLD, MAX_QUANTITY)
        self.threshold_spin.setSpecialValueText(OWN_THRESHOLD_TEXT)
        self.threshold_spin.setValue(OWN_THRESHOLD)
        self.threshold_spin.setAccelerated(True)
        self.threshold_spin.setKeyboardTracking(False)  # typing 25 queries once, not for 2 and then 25
        self.threshold_spin.setAccessibleName("Low-stock threshold")
        self.threshold_spin.setToolTip(
            "List rows with this many units available or fewer.\n"
            f"“{OWN_THRESHOLD_TEXT}” uses each product's low-stock threshold "
            f"({DEFAULT_LOW_STOCK_THRESHOLD} for products without one)."
        )
        self.threshold_spin.setMinimumWidth(self.fontMetrics().horizontalAdvance(OWN_THRESHOLD_TEXT) + 48)
        self.threshold_timer = QTimer(self)
        self.threshold_timer.setSingleShot(True)
        self.threshold_timer.setInterval(THRESHOLD_DELAY_MS)
        self.reorder_check = QCheckBox("Also products at their &reorder point", self)
        self.reorder_check.setObjectName("lowStockReorderPoints")
        self.reorder_check.setChecked(REORDER_POINTS_ON_SCREENS)  # as the Dashboard's tile counts
        self.reorder_check.setToolTip(
            "Also list every location of a product whose available units, all locations together,\n"
            "are at or below the product's reorder point"
        )
        self.export_button = QPushButton("&Export CSV…", self)
        self.export_button.setObjectName("exportLowStock")
        self.export_button.setToolTip("Save the list as a CSV file for a spreadsheet or a supplier order")
        self.count_label = status_label(self, "lowStockCount")

    def _init_table(self) -> None:
        self.table = make_table(
            self,
            self.model,
            name="lowStockTable",
            fill_column=LowStockColumn.PRODUCT,
            places=(LowStockColumn.LOCATION,),
            keep=(LowStockColumn.SKU, LowStockColumn.STORE),
            samples={
                LowStockColumn.SKU: "SKU-00000",
                LowStockColumn.STORE: "OUTLET",
                LowStockColumn.LOCATION: "WAREHOUSE_MAIN.A-01",
                LowStockColumn.QUANTITY: "00,000",
                LowStockColumn.AVAILABLE: "00,000",
                LowStockColumn.THRESHOLD: "0,000",
                LowStockColumn.REORDER_POINT: "0,000",
                LowStockColumn.PRODUCT_AVAILABLE: "00,000",
                LowStockColumn.BACKORDERED: "0,000",
                LowStockColumn.WAITING_ORDERS: "000",
            },
        )

    def _init_layout(self) -> None:
        controls = QHBoxLayout()
        label = QLabel("&Threshold:", self)
        label.setBuddy(self.threshold_spin)
        controls.addWidget(label)
        controls.addWidget(self.threshold_spin)
        hint = QLabel("units available or fewer", self)
        hint.setEnabled(False)
        controls.addWidget(hint)
        controls.addSpacing(16)
        controls.addWidget(self.reorder_check)
        controls.addSpacing(16)
        controls.addWidget(self.export_button)
        controls.addStretch(1)
        # A second row: what to do about the selected row, and how many there are.
        actions = QHBoxLayout()
        for button in self.row_actions.buttons:
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.count_label)
        self.lay_out([controls, actions], self.table)

    def _connect(self) -> None:
        self.threshold_spin.valueChanged.connect(lambda _value: self.threshold_timer.start())
        self.threshold_spin.editingFinished.connect(self.apply_threshold)
        self.threshold_timer.timeout.connect(self.apply_threshold)
        self.reorder_check.toggled.connect(lambda _checked: self.apply_threshold(force=True))
        self.export_button.clicked.connect(self.export_csv)
        self.model.loadFailed.connect(self.show_error)
        self.model.rowsLoaded.connect(self._update_count)

    # --- Page -----------------------------------------------------------------------------
    def edit_actions(self) -> Sequence[QAction]:
        return self.row_actions.actions

    @property
    def is_loading(self) -> bool:
        return self.model.is_loading or self.exporting

    def load(self) -> None:
        self.banner.clear()
        self.apply_threshold(force=True)

    def focus_search(self) -> None:
        self.threshold_spin.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.threshold_spin.selectAll()

    def save_state(self, settings: QSettings) -> None:
        settings.beginGroup(self.settings_group)
        settings.setValue("columns", self.table.horizontalHeader().saveState())
        settings.setValue("export_dir", self._export_dir)
        settings.setValue("reorder_points", self.reorder_check.isChecked())
        settings.endGroup()

    def restore_state(self, settings: QSettings) -> None:
        settings.beginGroup(self.settings_group)
        columns, export_dir = settings.value("columns"), settings.value("export_dir")
        reorder_points = settings.value("reorder_points", REORDER_POINTS_ON_SCREENS, type=bool)
        settings.endGroup()
        blocked = self.reorder_check.blockSignals(True)  # restoring is not a change: no query before the page shows
        self.reorder_check.setChecked(bool(reorder_points))
        self.reorder_check.blockSignals(blocked)
        if isinstance(columns, QByteArray):
            self.table.horizontalHeader().restoreState(columns)
        if isinstance(export_dir, str):
            self._export_dir = export_dir

    # --- the list -------------------------------------------------------------------------
    def current_threshold(self) -> int | None:
        """The threshold chosen; None for each product's own."""
        value = self.threshold_spin.value()
        return None if value == OWN_THRESHOLD else value

    def apply_threshold(self, *_args: object, force: bool = False) -> None:
        self.threshold_timer.stop()
        threshold = self.current_threshold()
        if not force and threshold == self.model.threshold and self.model.loaded_once:
            return
        self.count_label.setText("Loading…")
        self.model.set_threshold(threshold, reorder_points=self.reorder_check.isChecked())

    def _update_count(self) -> None:
        rows = self.model.rowCount()
        if rows == 0:
            text = "Nothing is low on stock"
        else:
            shown = formatting.number(rows)
            counted = f"{shown}+ rows" if self.model.has_more else formatting.plural(rows, "row")
            text = f"{counted} low on stock"
        self.count_label.setText(text)
        self.count_label.setToolTip("Scroll down to load more rows" if self.model.has_more else "")

    # --- export ---------------------------------------------------------------------------
    def export_csv(self) -> None:
        """Ask where to save, then write the whole list (not only the rows loaded) in the background."""
        if self.exporting:
            return
        suggested = Path(self._export_dir or Path.home()) / f"low-stock-{date.today():%Y-%m-%d}.csv"
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "Export low stock", str(suggested), "CSV files (*.csv);;All files (*)"
        )
        if not chosen:
            return
        path = Path(chosen)
        if not path.suffix:
            path = path.with_suffix(".csv")
        self._export_dir = str(path.parent)
        try:
            refuse_unconfirmed(chosen, path)
        except InvalidInput as error:
            self.show_error(error)
            return
        threshold = self.current_threshold()
        reorder_points = self.reorder_check.isChecked()
        reports = self._reports
        self.exporting = True
        self.export_button.setEnabled(False)
        self.banner.clear()
        run_in_background(
            self,
            # overwrite: the save dialog asked before it returned an existing file.
            lambda: reports.export_low_stock(path, threshold, reorder_points=reorder_points, overwrite=True),
            on_done=lambda count: self._exported(path, count),
            on_error=self._export_failed,
        )

    def _exported(self, path: Path, count: int) -> None:
        self.exporting = False
        self.export_button.setEnabled(True)
        self.last_export = path
        self.banner.show_message(f"Saved {formatting.plural(count, 'low-stock row')} to {path}.", BannerKind.INFO)

    def _export_failed(self, error: BaseException) -> None:
        self.exporting = False
        self.export_button.setEnabled(True)
        self.show_error(error)
