"""What a manager does about a low row, from the Low stock page itself: Adjust (a delivery came),
Transfer (move units from a full shelf), Show in Inventory (the product's whole stock and ledger).

The actions sit on the page's toolbar row, in the table's right-click menu and in the window's
Edit menu while the page shows. Adjust and Transfer open the same dialogs the Inventory page opens,
for the selected row; Show in Inventory asks the window (``showInInventory``) to switch pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QTableView, QToolButton

from orion_desktop.domain.actor import Permission
from orion_desktop.domain.errors import PermissionDenied
from orion_desktop.domain.report_results import LowStockReportRow
from orion_desktop.domain.results import StockRow
from orion_desktop.ui.dialogs.stock_dialogs import AdjustStockDialog, TransferStockDialog
from orion_desktop.ui.models.row_model import RowRole

if TYPE_CHECKING:
    from orion_desktop.domain.actor import Actor
    from orion_desktop.services.registry import Services
    from orion_desktop.ui.pages.list_page import ListPage

ADJUST_SHORTCUT = "Ctrl+J"  # as on the Inventory page
TRANSFER_SHORTCUT = "Ctrl+T"
SHOW_SHORTCUT = "Ctrl+I"


def stock_row(row: LowStockReportRow) -> StockRow:
    """The stock row a low-stock row is about, as the stock dialogs take it."""
    return StockRow(row.inventory_id, row.store_code, row.product_id, row.sku, row.gtin, row.product_title,
                    row.location, row.quantity, row.reserved_quantity)


class LowStockActions(QObject):
    """The three actions of ``page`` for the row selected in ``table``."""

    showInInventory = Signal(str, str)  # noqa: N815 - the store code and SKU to show

    def __init__(self, page: ListPage, table: QTableView, services: Services, actor: Actor) -> None:
        super().__init__(page)
        self._page = page
        self._table = table
        self._services = services
        self._actor = actor
        try:
            actor.require(Permission.CHANGE_STOCK)
            self._may_change_stock = True
        except PermissionDenied:
            self._may_change_stock = False
        self.adjust_action = page.page_action(
            "&Adjust stock…", "Add or remove units of the selected row, for example when a delivery came in",
            self.adjust, name="lowStockAdjust", shortcut=ADJUST_SHORTCUT)
        self.transfer_action = page.page_action(
            "&Transfer stock…", "Move units of the selected product here from another location",
            self.transfer, name="lowStockTransfer", shortcut=TRANSFER_SHORTCUT)
        self.show_action = page.page_action(
            "Show in &Inventory", "Open the Inventory page on the selected product: every location and its ledger",
            self.show_in_inventory, name="lowStockShowInInventory", shortcut=SHOW_SHORTCUT)
        self.actions: Sequence[QAction] = (self.adjust_action, self.transfer_action, self.show_action)
        for action, text in zip(self.actions, ("Adjust…", "Transfer…", "Show in Inventory"), strict=True):
            action.setIconText(text)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        table.addActions(list(self.actions))
        self.buttons: list[QToolButton] = []
        for action in self.actions:
            button = QToolButton(page)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self.buttons.append(button)
        table.selectionModel().currentRowChanged.connect(lambda *_: self.update_enabled())
        table.model().modelReset.connect(self.update_enabled)
        self.update_enabled()

    def selected(self) -> LowStockReportRow | None:
        index = self._table.currentIndex()
        row = index.data(RowRole.ROW) if index.isValid() else None
        return row if isinstance(row, LowStockReportRow) else None

    def update_enabled(self) -> None:
        chosen = self.selected() is not None
        self.adjust_action.setEnabled(chosen and self._may_change_stock)
        self.transfer_action.setEnabled(chosen and self._may_change_stock)
        self.show_action.setEnabled(chosen)

    # --- the actions ----------------------------------------------------------------------
    def adjust(self) -> AdjustStockDialog | None:
        row = self._row_for_dialog()
        if row is None:
            return None
        dialog = AdjustStockDialog(self._services, self._actor, stock_row(row), self._page)
        self._open(dialog)
        return dialog

    def transfer(self) -> TransferStockDialog | None:
        row = self._row_for_dialog()
        if row is None:
            return None
        try:
            stock = self._services.stock.product_stock(row.store_code, row.sku)
            codes = [loc.code for loc in self._services.catalog.location_choices() if loc.is_active]
        except Exception as error:  # noqa: BLE001 - shown as a sentence, the page stays usable
            self._page.show_error(error)
            return None
        dialog = TransferStockDialog(self._services, self._actor, stock_row(row), stock, codes, self._page)
        self._open(dialog)
        return dialog

    def show_in_inventory(self) -> None:
        row = self.selected()
        if row is not None:
            self.showInInventory.emit(row.store_code, row.sku)

    def _row_for_dialog(self) -> LowStockReportRow | None:
        dialog = self._page.dialog
        if dialog is not None and dialog.isVisible():
            return None  # one at a time
        return self.selected() if self._may_change_stock else None

    def _open(self, dialog: AdjustStockDialog | TransferStockDialog) -> None:
        def said(outcome: Any) -> str:
            self._table.setFocus(Qt.FocusReason.OtherFocusReason)
            return dialog.describe(outcome)

        self._page.open_dialog(dialog, said)
