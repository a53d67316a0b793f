"""Inventory: every stock row, searchable by title, SKU or scanned GTIN, with a product detail pane.

The selected row can be adjusted, counted (set quantity) or transferred to another location
through the stock dialogs (buttons, Edit menu, context menu, Ctrl+J / Ctrl+E / Ctrl+T). The dialog
announces what its change did (ARCHITECTURE.md: change sets). It stays current as every ``LivePage`` does: it loads
when first shown (sorted as saved: one query) and reloads on ``STOCK`` and ``CATALOG``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QLocale, QModelIndex, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QToolButton,
    QWidget,
)

from orion_desktop.domain.actor import Permission
from orion_desktop.domain.errors import DatabaseUnavailable, PermissionDenied
from orion_desktop.domain.validation import DEFAULT_LOW_STOCK_THRESHOLD
from orion_desktop.ui import empty_texts
from orion_desktop.ui.data_events import DataEvents, Topic
from orion_desktop.ui.dialogs.stock_dialogs import (
    AdjustStockDialog,
    SetQuantityDialog,
    StockDialog,
    TransferStockDialog,
)
from orion_desktop.ui.models.inventory_model import InventoryColumn, InventoryModel, InventoryRole, StockFilter
from orion_desktop.ui.models.keyset_model import DEFAULT_PAGE_SIZE
from orion_desktop.ui.models.keyset_sorting import KeysetSorting
from orion_desktop.ui.pages.dialog_opening import open_action_dialog
from orion_desktop.ui.pages.list_page import FilteredListPage
from orion_desktop.ui.pages.view_state import View
from orion_desktop.ui.widgets.product_detail import ProductDetailPane
from orion_desktop.ui.widgets.tables import make_table, split_vertically, status_label

if TYPE_CHECKING:
    from orion_desktop.domain.actor import Actor
    from orion_desktop.domain.results import StockRow
    from orion_desktop.services.registry import Services

LEDGER_ROWS_SHOWN = 20

D = TypeVar("D", bound="StockDialog[Any]")  # the dialog opened is the dialog returned

ADJUST_SHORTCUT = "Ctrl+J"
SET_QUANTITY_SHORTCUT = "Ctrl+E"
TRANSFER_SHORTCUT = "Ctrl+T"


class InventoryPage(FilteredListPage[InventoryModel]):
    title = "Inventory"
    settings_group = "inventory"
    topics = frozenset({Topic.STOCK, Topic.CATALOG})

    def __init__(
        self,
        services: Services,
        actor: Actor,
        events: DataEvents,
        parent: QWidget | None = None,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> None:
        super().__init__(events, parent)
        self.setObjectName("inventoryPage")
        self._services = services
        self._actor = actor
        self._selected_inventory_id: int | None = None
        self.dialog: StockDialog[Any] | None = None  # the stock dialog open now, if any
        self.model = InventoryModel(services.stock, page_size=page_size, parent=self)
        self._init_actions()
        self._init_filters()
        self._init_table()
        self._init_layout()
        self._connect()

    # --- construction ---------------------------------------------------------------------
    def _init_actions(self) -> None:
        try:
            self._actor.require(Permission.CHANGE_STOCK)
            self._may_change_stock = True
        except PermissionDenied:
            self._may_change_stock = False
        self.adjust_action = self._action(
            "&Adjust stock…",
            "Adjust…",
            ADJUST_SHORTCUT,
            "Add or remove units of the selected row, with a reason",
            self.adjust_stock,
        )
        self.set_quantity_action = self._action(
            "&Set quantity…",
            "Set quantity…",
            SET_QUANTITY_SHORTCUT,
            "Record the counted quantity of the selected row",
            self.set_quantity,
        )
        self.transfer_action = self._action(
            "&Transfer stock…",
            "Transfer…",
            TRANSFER_SHORTCUT,
            "Move units of the selected product to another location",
            self.transfer_stock,
        )
        self.stock_actions = (self.adjust_action, self.set_quantity_action, self.transfer_action)

    def _action(self, text: str, button_text: str, shortcut: str, tip: str, slot: Any) -> QAction:
        suffix = "" if self._may_change_stock else f" (needs a manager; you are signed in as {self._actor.role.value})"
        action = self.page_action(text, tip, slot, shortcut=shortcut, tip_suffix=suffix)
        action.setIconText(button_text)
        action.setEnabled(False)  # until a row is selected
        return action

    def _init_filters(self) -> None:
        # wide enough for a GTIN-14
        self.search_edit = self.search_edit_for(
            "inventorySearch", "Search title or SKU, or scan a GTIN", "Search", "0" * 16
        )

        self.store_combo = QComboBox(self)
        self.store_combo.setObjectName("storeFilter")
        # Long names must not widen the window: the combos keep a fixed width, their lists show everything.
        self.store_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.store_combo.setMinimumContentsLength(9)
        self.store_combo.setToolTip("Show the stock of one store")
        self.store_combo.setAccessibleName("Store")
        self.location_combo = QComboBox(self)
        self.location_combo.setObjectName("locationFilter")
        self.location_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.location_combo.setMinimumContentsLength(11)
        self.location_combo.setToolTip("Show the stock at one location")
        self.location_combo.setAccessibleName("Location")
        self.low_stock_check = QCheckBox("Low stock only", self)
        self.low_stock_check.setObjectName("lowStockFilter")
        self.low_stock_check.setToolTip(
            "Show only rows at or below the product's low-stock threshold "
            f"({DEFAULT_LOW_STOCK_THRESHOLD} units available for products without their own)"
        )
        self.count_label = status_label(self, "inventoryCount")

    def _init_table(self) -> None:
        table = make_table(
            self,
            self.model,
            name="inventoryTable",
            fill_column=InventoryColumn.PRODUCT,
            places=(InventoryColumn.LOCATION,),
            samples={
                InventoryColumn.SKU: "SKU-00000",
                InventoryColumn.GTIN: "0000000000000",
                InventoryColumn.LOCATION: "WAREHOUSE_MAIN.A-01",
                InventoryColumn.QUANTITY: "000,000",
                InventoryColumn.RESERVED: "000,000",
                InventoryColumn.AVAILABLE: "000,000",
            },
        )
        self.sorting = KeysetSorting(table, self.model)  # header clicks sort in SQL
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        table.addActions(list(self.stock_actions))
        self.table = table
        self.action_buttons: list[QToolButton] = []
        for action, name in zip(
            self.stock_actions, ("adjustButton", "setQuantityButton", "transferButton"), strict=True
        ):
            button = QToolButton(self)
            button.setObjectName(name)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self.action_buttons.append(button)
        self.detail = ProductDetailPane(self)

    def _init_layout(self) -> None:
        filters = QHBoxLayout()
        filters.addWidget(self.search_edit, 2)
        filters.addSpacing(8)
        filters.addWidget(self.store_combo)  # "All stores" / "All locations" say what each combo is
        filters.addWidget(self.location_combo)
        filters.addSpacing(8)
        filters.addWidget(self.low_stock_check)
        filters.addStretch(1)
        # The actions and the count on a row of their own: the filters then fit a 1024-pixel screen.
        actions = QHBoxLayout()
        for button in self.action_buttons:
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.count_label)

        self.splitter = split_vertically(self, "inventorySplitter", self.table, self.detail, stretch=(3, 2))
        self.splitter.setSizes([600, 360])
        self.lay_out([filters, actions], self.splitter)

    def _connect(self) -> None:
        self.store_combo.currentIndexChanged.connect(self.apply_filter)
        self.location_combo.currentIndexChanged.connect(self.apply_filter)
        self.low_stock_check.toggled.connect(self.apply_filter)
        self.model.loadFailed.connect(self.show_error)
        self.model.rowsLoaded.connect(self._rows_loaded)
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.model.modelReset.connect(self._restore_selection)
        self.table.selectionModel().currentRowChanged.connect(self._current_row_changed)

    # --- LivePage -------------------------------------------------------------------------
    def load(self) -> None:
        self._unreachable = False
        self.clear_banner()
        self._load_choices()
        if self.model.stock_filter == self.current_filter() and self.model.rowCount():
            self.model.reload()  # the same list again: the rows scrolled to stay loaded
        else:
            self.apply_filter(clear_banner=False)

    def edit_actions(self) -> Sequence[QAction]:
        return self.stock_actions

    def remembered_views(self) -> Mapping[str, View]:
        return {"splitter": self.splitter, "columns": self.sorting}

    # --- filtering and searching ----------------------------------------------------------
    def show_product(self, store: str, sku: str) -> None:
        """Every location of one product (Low stock ▸ Show in Inventory): its store, its SKU, no other filter."""
        for combo, value in ((self.store_combo, store), (self.location_combo, None)):
            index = combo.findData(value) if value is not None else 0
            combo.blockSignals(True)  # one query below, not one per filter
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)
        self.low_stock_check.blockSignals(True)
        self.low_stock_check.setChecked(False)
        self.low_stock_check.blockSignals(False)
        self.search_edit.setText(sku)
        self.search_now()

    def current_filter(self) -> StockFilter:
        return StockFilter(
            store=self.store_combo.currentData(),
            location=self.location_combo.currentData(),
            search=self.search_edit.text(),
            low_stock_only=self.low_stock_check.isChecked(),
        )

    def _load_choices(self) -> None:
        try:
            stores = self._services.catalog.list_stores()
            locations = self._services.catalog.location_choices()
        except Exception as error:  # noqa: BLE001 - shown as a sentence, the page stays usable
            self.show_error(error)
            return
        self._fill_combo(
            self.store_combo,
            "All stores",
            ((s.code if s.name == s.code else f"{s.code} – {s.name}", s.code) for s in stores),
        )
        self._fill_combo(
            self.location_combo,
            "All locations",
            (
                (loc.code + (f" – {loc.name}" if loc.name else "") + ("" if loc.is_active else " (inactive)"), loc.code)
                for loc in locations
            ),
        )

    @staticmethod
    def _fill_combo(combo: QComboBox, all_text: str, items: Iterable[tuple[str, str]]) -> None:
        """Replace the choices, keeping the current one when it still exists; emits no signals."""
        chosen = combo.currentData()
        combo.blockSignals(True)
        try:
            combo.clear()
            combo.addItem(all_text, None)
            for text, code in items:
                combo.addItem(text, code)
            index = combo.findData(chosen) if chosen is not None else 0
            combo.setCurrentIndex(max(index, 0))
        finally:
            combo.blockSignals(False)

    def show_error(self, error: BaseException) -> str:
        """A lost database is said once: here until the window's banner above every page says it."""
        if isinstance(error, DatabaseUnavailable):
            self._unreachable = True
            self._update_count()
            monitor = getattr(self.window(), "connection_monitor", None)
            if monitor is not None and not monitor.healthy:  # the window's banner says it already
                self.report_error(error)
                return str(error)
            self._outage_in_banner = True
        return super().show_error(error)

    def outage_shown_above(self) -> None:
        """The window's banner now says the database is lost: this page's own copy goes."""
        if getattr(self, "_outage_in_banner", False):
            self._outage_in_banner = False
            self.clear_banner()

    def _rows_loaded(self) -> None:
        if self.model.rowCount():  # rows came back (a failed load also ends in an empty reset)
            self._unreachable = False
        self._update_count()

    def _update_count(self) -> None:
        rows = self.model.rowCount()
        if rows == 0 and getattr(self, "_unreachable", False):
            text = "Database unreachable"
        elif rows == 0:
            text = "No stock matches the filter" if self.model.stock_filter.is_active else empty_texts.NO_STOCK
        else:
            shown = QLocale().toString(rows)
            text = f"{shown}+ rows" if self.model.has_more else f"{shown} row{'s' if rows != 1 else ''}"
        self.count_label.setText(text)
        self.count_label.setToolTip("Scroll down to load more rows" if self.model.has_more else "")

    # --- selection and detail pane --------------------------------------------------------
    def selected_row(self) -> StockRow | None:
        index = self.table.currentIndex()
        return index.data(InventoryRole.ROW) if index.isValid() else None

    def _remember_selection(self) -> None:
        row = self.selected_row()
        self._selected_inventory_id = row.inventory_id if row is not None else None

    def _restore_selection(self) -> None:
        found = None
        if self._selected_inventory_id is not None:
            found = self.model.row_of_inventory(self._selected_inventory_id)
        if found is None:
            self._show_detail(QModelIndex())
        else:
            self.table.setCurrentIndex(self.model.index(found, 0))
        self._update_actions()

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_detail(current)
        self._update_actions()

    def _update_actions(self) -> None:
        enabled = self._may_change_stock and self.selected_row() is not None
        for action in self.stock_actions:
            action.setEnabled(enabled)

    def _show_detail(self, index: QModelIndex) -> None:
        row: StockRow | None = index.data(InventoryRole.ROW) if index.isValid() else None
        if row is None:
            self.detail.clear()
            return
        try:
            stock = self._services.stock.product_stock(row.store_code, row.sku)
            ledger = self._services.stock.ledger(store=row.store_code, product=row.sku, limit=LEDGER_ROWS_SHOWN)
        except Exception as error:  # noqa: BLE001 - shown as a sentence, the page stays usable
            self.detail.clear(ProductDetailPane.UNAVAILABLE_TEXT)
            self.show_error(error)
            self._detail_error_shown = True
            return
        if self._detail_error_shown:  # the last error was about the detail pane, and it works again
            self.clear_banner()
        self.detail.show_product(stock, ledger)

    # --- stock dialogs --------------------------------------------------------------------
    def adjust_stock(self) -> AdjustStockDialog | None:
        """Open Adjust stock for the selected row (window-modal; returns the dialog)."""
        row = self._row_for_dialog()
        if row is None:
            return None
        return self._open_dialog(AdjustStockDialog(self._services, self._actor, row, self))

    def set_quantity(self) -> SetQuantityDialog | None:
        """Open Set quantity for the selected row."""
        row = self._row_for_dialog()
        if row is None:
            return None
        return self._open_dialog(SetQuantityDialog(self._services, self._actor, row, self))

    def transfer_stock(self) -> TransferStockDialog | None:
        """Open Transfer stock for the selected row's product, from the selected location."""
        row = self._row_for_dialog()
        if row is None:
            return None
        try:
            stock = self._services.stock.product_stock(row.store_code, row.sku)
            codes = [loc.code for loc in self._services.catalog.location_choices() if loc.is_active]
        except Exception as error:  # noqa: BLE001 - shown as a sentence, the page stays usable
            self.show_error(error)
            return None
        return self._open_dialog(TransferStockDialog(self._services, self._actor, row, stock, codes, self))

    def _row_for_dialog(self) -> StockRow | None:
        if self.dialog is not None and self.dialog.isVisible():
            return None  # one at a time
        row = self.selected_row()
        if row is None or not self._may_change_stock:
            return None
        return row

    def _open_dialog(self, dialog: D) -> D:
        self.dialog = dialog

        def closed() -> None:
            if self.dialog is dialog:
                self.dialog = None

        def accepted(outcome: Any) -> str:
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
            return dialog.describe(outcome)

        # A stock change is said in the status bar: the banner stays free for this page's own news.
        open_action_dialog(self, dialog, accepted, closed, say=self.statusMessage.emit)
        return dialog
