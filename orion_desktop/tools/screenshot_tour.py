"""The tour the screenshot tool takes: every page and dialog of the main window, as a person sees them.

``Screenshots.run`` fills a demo database, opens the window as the app does (``GuiSession``), walks
through the pages and dialogs selecting what ``Picks`` found, and saves each view with ``save_png``.
The command line is in ``screenshots.py``.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orion_desktop.tools import screenshot_extras as extras
from orion_desktop.tools.screenshot_columns import column_report
from orion_desktop.tools.screenshot_picks import Picks
from orion_desktop.tools.small_png import save_png

if TYPE_CHECKING:  # the tool loads Qt only once it has set up its environment
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QAbstractItemView, QAbstractSpinBox, QDialog, QLineEdit, QMenu, QWidget

    from orion_desktop.services.registry import Services
    from orion_desktop.ui.dialogs.change_status_dialog import ChangeStatusDialog
    from orion_desktop.ui.dialogs.location_dialogs import AddLocationDialog
    from orion_desktop.ui.dialogs.new_order_dialog import NewOrderDialog
    from orion_desktop.ui.dialogs.note_dialog import NoteDialog
    from orion_desktop.ui.dialogs.return_dialog import ReturnDialog
    from orion_desktop.ui.dialogs.ship_dialog import ShipDialog
    from orion_desktop.ui.dialogs.stock_dialogs import AdjustStockDialog, SetQuantityDialog, TransferStockDialog
    from orion_desktop.ui.main_window import MainWindow
    from orion_desktop.ui.pages.base import Page
    from orion_desktop.ui.pages.inventory_page import InventoryPage
    from orion_desktop.ui.pages.locations_page import LocationsPage
    from orion_desktop.ui.pages.low_stock_page import LowStockPage
    from orion_desktop.ui.pages.orders_page import OrdersPage
    from orion_desktop.ui.pages.pack_station_page import PackStationPage
    from orion_desktop.ui.pages.shipment_status_page import ShipmentStatusPage

APP_USER = "maria"


def slug(text: str) -> str:
    """A file name part from a page title or action text: "&Adjust stock…" -> "adjust-stock"."""
    return re.sub(r"[^a-z0-9]+", "-", text.replace("&", "").replace("…", "").lower()).strip("-")


class Screenshots:
    """One run of the tool: a demo database in ``work``, the PNGs in ``outdir``, the window at ``size``."""

    def __init__(self, work: Path, outdir: Path, size: tuple[int, int]) -> None:
        self.work = work
        self.outdir = outdir
        self.size = size
        self.written: list[Path] = []
        self.columns: dict[str, dict[str, list[str]]] = {}  # page -> table -> its number columns (column_report)

    # --- setup ----------------------------------------------------------------------------
    def run(self) -> list[Path]:
        from PySide6.QtCore import QSettings

        from orion_desktop.app import GuiSession, ensure_application
        from orion_desktop.bootstrap import open_services
        from orion_desktop.domain.actor import Actor
        from orion_desktop.domain.enums import Role

        self.outdir.mkdir(parents=True, exist_ok=True)
        self.work.mkdir(parents=True, exist_ok=True)
        _quiet_offscreen_warning()
        self.database_path = self.work / "orion-demo.db"
        url = f"sqlite:///{self.database_path}"
        services = open_services(url, create=True)  # a fresh demo database for the pictures
        try:
            self.note = self._fill(services)
            self.picks = Picks(services)
            self.services = services
            self.app = ensure_application([])
            self.app.setStyle("Fusion")  # the same look on every platform and offscreen
            settings = QSettings(str(self.work / "gui.ini"), QSettings.Format.IniFormat)
            session = GuiSession(services, Actor(name=APP_USER, role=Role.MANAGER), database_url=url, settings=settings)
            try:
                self._shoot(session.window)
            finally:
                session.window.connection_monitor.stop()
                self.settle()
                session.window.close()
                session.window.deleteLater()
                self.settle()
                session.close()
        finally:
            services.close()
        print(self.note, file=sys.stderr)
        return self.written

    def _fill(self, services: Services) -> str:
        from orion_desktop.demo import fill_demo
        from orion_desktop.domain.actor import SYSTEM

        summary = fill_demo(services.database, SYSTEM)
        return (
            f"Demo warehouse: {summary.stores} stores, {summary.locations} locations, {summary.products} products, "
            f"{summary.stock_rows} stock rows, {summary.orders} orders."
        )

    # --- the tour -------------------------------------------------------------------------
    def _shoot(self, window: MainWindow) -> None:
        window.resize(*self.size)
        window.show()
        window.activateWindow()
        self.settle()
        steps: dict[str, Callable[[Any, Any], None]] = {
            "inventoryPage": self._inventory,
            "ordersPage": self._orders,
            "packStationPage": self._pack_station,
            "shipmentStatusPage": self._shipment_status,
            "lowStockPage": self._low_stock,
            "locationsPage": self._locations,
        }
        for row, page in enumerate(list(window.pages)):
            window.navigation.setCurrentRow(row)
            self.settle()
            steps.get(page.objectName(), self._first_row)(window, page)
            self.columns[slug(page.title)] = column_report(page)  # as photographed (its dialogs are closed)
        window.navigation.setCurrentRow(0)
        self.settle()
        extras.database_dialogs(self, window)
        extras.menu_dialogs(self, window)
        self._database_unavailable(window)
        extras.users_dialog(self, window)  # last: a database with users needs a sign-in for the rest

    def _first_row(self, window: MainWindow, page: Page) -> None:
        table = getattr(page, "table", None)
        if table is not None and table.model() is not None and table.model().rowCount():
            self.select(table, 0)
        self._save(window, slug(page.title))

    # Inventory: a product at several locations, then its stock dialogs filled in.
    def _inventory(self, window: MainWindow, page: InventoryPage) -> None:
        from orion_desktop.ui.models.inventory_model import InventoryRole

        model = page.model
        wanted = self.picks.product
        row = 0
        while wanted is not None:
            found = next((r for r in range(model.rowCount())
                          if (model.index(r, 0).data(InventoryRole.ROW).store_code,
                              model.index(r, 0).data(InventoryRole.ROW).sku) == wanted), None)
            if found is not None:
                row = found
                break
            if not model.canFetchMore():
                break
            model.fetchMore()
            self.settle()
        if model.rowCount():
            self.select(page.table, row)
        self._save(window, "inventory")
        if page.selected_row() is None:
            return

        def adjust(dialog: AdjustStockDialog) -> None:
            self.type_text(dialog.delta_spin, "-2")
            self.type_text(dialog.reason_edit, "damaged in storage")

        def count(dialog: SetQuantityDialog) -> None:
            counted = max(dialog.quantity_spin.value() + 3, dialog.row.reserved_quantity)
            self.type_text(dialog.quantity_spin, str(counted))
            self.type_text(dialog.reason_edit, "stock count")

        def transfer(dialog: TransferStockDialog) -> None:
            codes = [dialog.destination_combo.itemText(i) for i in range(dialog.destination_combo.count())]
            other = next((c for c in codes if c != dialog.source_combo.currentData()), "WAREHOUSE_WEST")
            self.type_text(dialog.destination_combo.lineEdit(), other)
            self.type_text(dialog.quantity_spin, "2")
            self.type_text(dialog.reason_edit, "make room in the aisle")

        for action, name, fill in ((page.adjust_action, "dialog-adjust-stock", adjust),
                                   (page.set_quantity_action, "dialog-set-quantity", count),
                                   (page.transfer_action, "dialog-transfer-stock", transfer)):
            self.dialog(action.trigger, name, fill)

    # Orders: a partially shipped order and the order dialogs; a pending order moved to processing.
    def _orders(self, window: MainWindow, page: OrdersPage) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        partial, pending = self.picks.partial, self.picks.pending
        if partial is not None:
            self._select_order(page, partial.order_number)
        elif page.model.rowCount():
            self.select(page.table, 0)
        self._save(window, "orders")
        if partial is not None:
            def ship(dialog: ShipDialog) -> None:
                row = max(dialog.rows, key=lambda r: r.quantity_spin.value())
                if row.quantity_spin.value() > 1:
                    self.type_text(row.quantity_spin, str(row.quantity_spin.value() - 1))  # a partial parcel
                self.type_text(dialog.tracking_edit, "1Z999AA10123456784")
                self.type_text(dialog.carrier_combo.lineEdit(), "UPS")

            def return_items(dialog: ReturnDialog) -> None:
                self.type_text(dialog.reason_edit, "wrong size")

            def note(dialog: NoteDialog) -> None:
                QTest.keyClicks(dialog.text_edit, "Customer called: leave the parcel at the back door.")
                dialog.customer_visible_check.setChecked(True)

            self.dialog(page.ship_action.trigger, "dialog-ship-items", ship)
            self.dialog(page.return_action.trigger, "dialog-return", return_items)
            self.dialog(page.note_action.trigger, "dialog-add-note", note)

        def new_order(dialog: NewOrderDialog) -> None:
            self.type_text(dialog.customer_edit, "Ida Jensen")
            self.type_text(dialog.email_edit, "ida.jensen@example.com")
            gtins = [item.gtin for item in (partial.items if partial is not None else ()) if item.gtin][:2]
            index = dialog.store_combo.findData(partial.store_code) if partial is not None else -1
            if index >= 0:
                dialog.store_combo.setCurrentIndex(index)
            for gtin in gtins:
                row = next(r for r in dialog.rows if r.is_blank)
                row.product_edit.setFocus()
                QTest.keyClicks(row.product_edit, gtin)
                QTest.keyClick(row.product_edit, Qt.Key.Key_Return)  # a scan: looks up, moves to a new line
            if gtins:
                self.type_text(dialog.rows[0].quantity_spin, "2")

        self.dialog(page.new_order_action.trigger, "dialog-new-order", new_order)

        if pending is not None and self._select_order(page, pending.order_number):
            def processing(dialog: ChangeStatusDialog) -> None:
                dialog.status_combo.setCurrentIndex(max(0, dialog.status_combo.findData("processing")))

            def result(dialog: ChangeStatusDialog) -> None:
                processing(dialog)
                dialog.accept()  # OK: the change is made; the dialog then says what happened
                self.wait(lambda: dialog.is_done or dialog.error_banner.text != "")

            self.dialog(page.change_status_action.trigger, "dialog-change-status", processing)
            self.dialog(page.change_status_action.trigger, "dialog-change-status-result", result)
            if partial is not None:
                self._select_order(page, partial.order_number)

    def _select_order(self, page: OrdersPage, number: str) -> bool:
        row = page.model.row_of_number(number)
        while row is None and page.model.canFetchMore():
            page.model.fetchMore()
            self.settle()
            row = page.model.row_of_number(number)
        if row is None:
            return False
        self.select(page.table, row)
        self.wait(lambda: page.detail.current_order is not None and page.detail.current_order.order_number == number)
        return True

    # Pack station: an order on the station, one item counted, then a refused scan.
    def _pack_station(self, window: MainWindow, page: PackStationPage) -> None:
        order = self.picks.to_pack
        if order is not None:
            self._scan(page.scan_input, order.order_number)
            first = next((i for i in order.items if i.stock_tracked and i.gtin and i.remaining_quantity), None)
            if first is not None:
                self._scan(page.scan_input, first.gtin)
            if self.picks.other_gtin is not None:
                self._scan(page.scan_input, self.picks.other_gtin)  # not on this order: refused
            self._pause(1.0)  # the scan field's red flash is over; the panel stays red until the next scan
        self._save(window, "pack-station")
        if order is not None:
            extras.quit_question(self, window)

    # Shipment status: the partially shipped order typed in.
    def _shipment_status(self, window: MainWindow, page: ShipmentStatusPage) -> None:
        if self.picks.partial is not None:
            self._scan(page.order_edit, self.picks.partial.order_number)
            self.wait(lambda: page.report is not None and not page.is_loading)
        self._save(window, "shipment-status")
        if self.picks.partial is not None:
            extras.parcel_dialogs(self, page)

    # Low stock: a product that orders wait for.
    def _low_stock(self, window: MainWindow, page: LowStockPage) -> None:
        self.wait(lambda: not page.is_loading)
        row = page.model.find_row(lambda r: r.backordered_units > 0)
        if row is not None:
            self.select(page.table, row)
        self._save(window, "low-stock")
        extras.low_stock_menu(self, window, page)

    # Locations: the first location, its contents shown (Enter on the selected row).
    def _locations(self, window: MainWindow, page: LocationsPage) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        from orion_desktop.domain.actor import Actor
        from orion_desktop.domain.enums import Role
        from orion_desktop.ui.dialogs.location_dialogs import AddLocationDialog

        self.wait(lambda: not page.is_loading)
        if page.model.rowCount():
            self.select(page.table, 0)
            QTest.keyClick(page.table, Qt.Key.Key_Return)
            self.wait(lambda: not page.is_loading)
        self._save(window, "locations")

        # Adding a location needs an admin (the window's manager sees the button disabled).
        admin = Actor(name="admin", role=Role.ADMIN)

        def fill(dialog: AddLocationDialog) -> None:
            self.type_text(dialog.code_edit, "warehouse_east.a-01")
            self.type_text(dialog.name_edit, "East warehouse, aisle A, bay 1")

        self.dialog(self.modal(lambda: AddLocationDialog(self.services, admin, page.model.rows(), window)),
                    "dialog-add-location", fill)
        extras.location_dialogs(self, page)

    def _database_unavailable(self, window: MainWindow) -> None:
        """Move the demo file away for a moment: the real banner, then recovery."""
        moved = self.database_path.with_name("moved-away.db")
        self.database_path.rename(moved)
        try:
            window.connection_monitor.check_now()
            self.wait(lambda: window.banner.text != "")
            self._save(window, "database-unavailable")
        finally:
            moved.rename(self.database_path)
        window.connection_monitor.check_now()
        self.wait(lambda: window.banner.text == "")

    # --- acting like a person -------------------------------------------------------------
    def select(self, table: QAbstractItemView, row: int) -> None:
        from PySide6.QtWidgets import QAbstractItemView

        index = table.model().index(row, 0)
        table.setCurrentIndex(index)
        table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        table.setFocus()
        self.settle()

    def type_text(self, widget: QLineEdit | QAbstractSpinBox | None, text: str) -> None:
        """Replace what a line edit or spin box shows, key by key."""
        from PySide6.QtTest import QTest

        assert widget is not None  # the line edit of an editable combo box
        widget.setFocus()
        widget.selectAll()
        QTest.keyClicks(widget, text)
        self.settle(blocking=False)

    def _scan(self, widget: QWidget, code: str) -> None:
        """A keyboard-wedge scanner: the characters, then Enter."""
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        widget.setFocus()
        QTest.keyClicks(widget, code)
        QTest.keyClick(widget, Qt.Key.Key_Return)
        self.settle()

    def dialog(self, trigger: Callable[[], object], name: str, fill: Callable[[Any], object] | None = None) -> None:
        """Open a dialog (modal with exec() or window-modal with open()), fill it, save it, close it."""
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication, QDialog

        done: list[bool] = []

        def shoot() -> None:
            dialog = QApplication.activeModalWidget()
            if not isinstance(dialog, QDialog):
                done.append(False)
                return
            try:
                self.settle(blocking=False)
                if fill is not None:
                    fill(dialog)
                    self.settle(blocking=False)
                self._save(dialog, name)
            finally:
                dialog.reject()  # nothing typed is sent (a change already made closes as accepted)
                done.append(True)

        QTimer.singleShot(300, shoot)
        trigger()  # returns at once for open(), after shoot() for exec()
        deadline = time.monotonic() + 20
        while not done and time.monotonic() < deadline:
            self.app.processEvents()
            time.sleep(0.01)
        if not done or not done[0]:
            print(f"{name}: the dialog did not open", file=sys.stderr)
        self.settle()

    @staticmethod
    def modal(make: Callable[[], QDialog]) -> Callable[[], None]:
        """A trigger for ``dialog`` that opens what ``make`` builds with exec() (as a page opens it modally)."""

        def open_modal() -> None:
            dialog = make()
            try:
                dialog.exec()
            finally:
                dialog.deleteLater()

        return open_modal

    def save_with_popup(self, window: QWidget, menu: QMenu, name: str) -> None:
        self._write(extras.popup_over(window, menu), name)

    def _save(self, widget: QWidget, name: str) -> None:
        self._write(widget.grab().toImage(), name)

    def _write(self, image: QImage, name: str) -> None:
        path = self.outdir / f"{name}.png"
        if not save_png(image, path):
            raise OSError(f"Could not write {path}")
        self.written.append(path)

    # --- waiting --------------------------------------------------------------------------
    def settle(self, *, blocking: bool = True) -> None:
        """Let background loads finish and the window repaint."""
        from PySide6.QtCore import QThreadPool

        pool = QThreadPool.globalInstance()
        quiet = 0
        deadline = time.monotonic() + 15
        while quiet < 3 and time.monotonic() < deadline:
            self.app.processEvents()
            if blocking:
                pool.waitForDone(25)
            time.sleep(0.02)
            quiet = quiet + 1 if pool.activeThreadCount() == 0 else 0
        self.app.processEvents()

    def _pause(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.app.processEvents()
            time.sleep(0.02)

    def wait(self, condition: Callable[[], bool], timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("The window did not reach the state to photograph")
            self.app.processEvents()
            time.sleep(0.02)
        self.settle(blocking=False)


def _quiet_offscreen_warning() -> None:
    """Qt's offscreen platform warns whenever a window is resized; real platforms do not."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        if "does not support propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)
