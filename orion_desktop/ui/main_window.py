"""The main window: a navigation list of pages, menus with shortcuts, a status bar naming database and user.

The window owns the ``DataEvents`` its pages share: every page is built as
``SomePage(services, actor, events, parent)`` and added with ``add_page``. It also watches the
database connection (``ConnectionMonitor``): when the database goes away a banner says so
above every page, and when it is back the banner goes and the pages reload.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from orion_desktop.config import ENV_DATABASE_URL, save_database_url
from orion_desktop.domain.enums import Role
from orion_desktop.ui.about_box import about_box
from orion_desktop.ui.connection_monitor import ConnectionMonitor
from orion_desktop.ui.data_events import DataEvents
from orion_desktop.ui.dialogs.database_dialog import DatabaseDialog
from orion_desktop.ui.dialogs.documents_dialog import DocumentsDialog
from orion_desktop.ui.dialogs.users_dialog import UsersDialog
from orion_desktop.ui.export_actions import FileTransfers
from orion_desktop.ui.help_dialog import MANUAL_TAB, SHORTCUTS_TAB, HelpDialog
from orion_desktop.ui.icons import action_icon, page_icon
from orion_desktop.ui.live_feed import LiveFeed
from orion_desktop.ui.outage_reload import OutageReload
from orion_desktop.ui.pages.base import Page
from orion_desktop.ui.pages.dashboard_page import DashboardPage
from orion_desktop.ui.pages.inventory_page import InventoryPage
from orion_desktop.ui.pages.ledger_page import LedgerPage
from orion_desktop.ui.pages.locations_page import LocationsPage
from orion_desktop.ui.pages.low_stock_page import LowStockPage
from orion_desktop.ui.pages.orders_page import OrdersPage
from orion_desktop.ui.pages.pack_station_page import PackStationPage
from orion_desktop.ui.pages.shipment_status_page import ShipmentStatusPage
from orion_desktop.ui.quit_guard import ask_before_quitting
from orion_desktop.ui.settings import gui_settings
from orion_desktop.ui.widgets.message_banner import BannerKind, MessageBanner
from orion_desktop.ui.window_state import resize_to_default, restore_window_state, save_window_state

if TYPE_CHECKING:
    from orion_desktop.domain.actor import Actor
    from orion_desktop.services.registry import Services

log = logging.getLogger(__name__)

APP_TITLE = "Orion Desktop"
STATUS_MESSAGE_MS = 8000
NAVIGATION_ICON_PX = 20


class DatabaseConnector(Protocol):
    """What the composition root (``orion_desktop.app.GuiSession``) offers for File > Database…"""

    current_url: str | None

    def open(self, url: str, *, create: bool = False) -> Services:
        """Open the database at ``url`` (called in a worker thread; raises OrionError); a new
        SQLite file only with ``create``."""
        ...

    def sign_in_to(self, url: str) -> Services | None:
        """``url`` names no login (per-user logins): sign in first, on the GUI thread; the new
        user's Services, or None when they cancel."""
        ...

    def switch_to(self, services: Services, message: str, *, url: str | None = None) -> None:
        """Run the GUI on ``services`` (opened from ``url``) from now on (replaces this window),
        then show ``message``."""
        ...


class MainWindow(QMainWindow):
    def __init__(
        self,
        services: Services,
        actor: Actor,
        *,
        settings: QSettings | None = None,
        connector: DatabaseConnector | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_TITLE)
        self.services = services
        self.actor = actor
        self.events = DataEvents(self)
        self._connector = connector
        self._settings = settings if settings is not None else gui_settings()
        self.pages: list[Page] = []
        self.database_dialog: DatabaseDialog | None = None
        self.about_box: QMessageBox | None = None
        self.quit_question: QMessageBox | None = None  # open while asking whether to quit a half-packed box
        self._quit_confirmed = False
        self.help_dialog: HelpDialog | None = None
        self.transfers = FileTransfers(services, actor, self.events, self, filters=self._export_filter,
                                       say=self.show_status_message)
        self._init_actions()
        self._init_menus()
        self._init_central()
        self._init_status_bar()
        self._init_connection_monitor()
        # Other PCs' changes, while shown.
        self.live_feed = LiveFeed.for_services(services, self.events, self, outage=self.outage_reload)
        # In the order of a warehouse day: what is where, what to ship, pack it, check it, review it.
        self.inventory_page = InventoryPage(services, actor, self.events, self)
        self.orders_page = OrdersPage(services, actor, self.events, self)
        self.pack_station_page = PackStationPage(services, actor, self.events, self)
        self.shipment_status_page = ShipmentStatusPage(services, actor, self.events, self)
        self.low_stock_page = LowStockPage(services, actor, self.events, self)
        self.dashboard_page = DashboardPage(services, actor, self.events, self)
        self.ledger_page = LedgerPage(services, actor, self.events, self)
        self.locations_page = LocationsPage(services, actor, self.events, self)
        for page in (
            self.inventory_page,
            self.orders_page,
            self.pack_station_page,
            self.shipment_status_page,
            self.low_stock_page,
            self.dashboard_page,
            self.ledger_page,
            self.locations_page,
        ):
            self.add_page(page)
        self.low_stock_page.row_actions.showInInventory.connect(self.show_in_inventory)
        resize_to_default(self)
        restore_window_state(self, self._settings, self.navigation, self.pages)
        self.focus_search()  # a scanner can be used as soon as the window opens

    # --- construction ---------------------------------------------------------------------
    def _init_actions(self) -> None:
        self.database_action = QAction("&Database…", self)
        self.database_action.setStatusTip("Choose the SQLite file or the shared PostgreSQL database to work on")
        self.database_action.setEnabled(self._connector is not None)
        self.database_action.triggered.connect(self.choose_database)

        self.about_action = QAction(f"&About {APP_TITLE}", self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.setStatusTip("Version, database and user")
        self.about_action.triggered.connect(self.show_about)

        self.documents_dialog: DocumentsDialog | None = None
        self.documents_action = QAction("&Print documents…", self)
        self.documents_action.setStatusTip("A pick list or a packing slip with the order number as a barcode: "
                                           "print it or save it as a PDF")
        self.documents_action.setIcon(action_icon("print"))
        self.documents_action.triggered.connect(self.print_documents)

        self.shortcuts_action = QAction("&Keyboard shortcuts", self)
        self.shortcuts_action.setShortcut(QKeySequence("F1"))
        self.shortcuts_action.setStatusTip("Every keyboard shortcut, and the manual")
        self.shortcuts_action.triggered.connect(lambda: self.show_help(SHORTCUTS_TAB))
        self.manual_action = QAction("&Manual", self)
        self.manual_action.setStatusTip("The manual (the README), to read in the window")
        self.manual_action.triggered.connect(lambda: self.show_help(MANUAL_TAB))
        for action, icon in ((self.database_action, "database"), (self.about_action, "about"),
                             (self.shortcuts_action, "help"), (self.manual_action, "documents")):
            action.setIcon(action_icon(icon))

        self.users_dialog: UsersDialog | None = None
        self.users_action = QAction("&Users…", self)
        self.users_action.setStatusTip("Add, disable and edit users, their roles and stores (admins)")
        self.users_action.setVisible(self.actor.role is Role.ADMIN)  # others never see it
        self.users_action.triggered.connect(self.manage_users)

        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))  # StandardKey.Quit is empty on Windows
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)

        self.refresh_action = QAction("&Refresh", self)
        self.refresh_action.setShortcut(QKeySequence("F5"))
        self.refresh_action.setStatusTip("Load the current page again from the database")
        self.refresh_action.triggered.connect(self.refresh_current_page)

        self.find_action = QAction("&Find…", self)
        self.find_action.setShortcut(QKeySequence("Ctrl+F"))
        self.find_action.setStatusTip("Go to the search box (scanning a barcode works there too)")
        self.find_action.triggered.connect(self.focus_search)

        self._page_actions = QActionGroup(self)
        self._page_actions.setExclusive(True)

    def _init_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.file_menu = file_menu  # the session adds Switch user… and Change password… (ui/user_session.py)
        file_menu.addAction(self.database_action)
        file_menu.addSeparator()
        self.transfers.add_to(file_menu)
        file_menu.addAction(self.documents_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        self.edit_menu: QMenu = self.menuBar().addMenu("&Edit")  # filled with the current page's actions
        self.no_edit_action = QAction("No actions on this page", self)
        self.no_edit_action.setEnabled(False)
        self.view_menu: QMenu = self.menuBar().addMenu("&View")
        self.view_menu.addAction(self.refresh_action)
        self.view_menu.addAction(self.find_action)
        self.view_menu.addSeparator()  # page actions follow, one per page
        self.tools_menu: QMenu = self.menuBar().addMenu("&Tools")
        self.tools_menu.addAction(self.users_action)
        self.tools_menu.menuAction().setVisible(self.users_action.isVisible())  # no empty menu for others
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.manual_action)
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)

    def _init_central(self) -> None:
        self.navigation = QListWidget(self)
        self.navigation.setObjectName("navigation")
        self.navigation.setFrameShape(QFrame.Shape.NoFrame)
        self.navigation.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.navigation.setFixedWidth(self.fontMetrics().horizontalAdvance("M") * 6)  # grows in add_page
        self.navigation.setStyleSheet("#navigation::item { padding: 6px 8px; }")
        self.stack = QStackedWidget(self)
        self.navigation.currentRowChanged.connect(self._show_page)
        central = QWidget(self)
        # Above every page: what is wrong with the connection (no close button: it goes by itself).
        self.banner = MessageBanner(central)
        self.banner.close_button.hide()
        pages = QHBoxLayout()
        pages.setContentsMargins(0, 0, 0, 0)
        pages.setSpacing(0)
        pages.addWidget(self.navigation)
        separator = QFrame(central)
        separator.setFrameShape(QFrame.Shape.VLine)
        separator.setFrameShadow(QFrame.Shadow.Sunken)
        pages.addWidget(separator)
        pages.addWidget(self.stack, 1)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        banner_row = QHBoxLayout()
        banner_row.setContentsMargins(8, 8, 8, 0)
        banner_row.addWidget(self.banner)
        layout.addLayout(banner_row)
        layout.addLayout(pages, 1)
        self.setCentralWidget(central)

    def _init_status_bar(self) -> None:
        self.database_label = QLabel(f"Database: {self.services.database_description}", self)
        self.database_label.setObjectName("databaseStatus")
        self.database_label.setToolTip(
            "Shared PostgreSQL database" if self.services.is_shared_database else "Local SQLite file on this PC"
        )
        self.user_label = QLabel(f"User: {self.actor.name} ({self.actor.role.value})", self)
        self.user_label.setObjectName("userStatus")
        for label in (self.database_label, self.user_label):
            label.setContentsMargins(12, 0, 12, 0)
        status = self.statusBar()
        status.addPermanentWidget(self.database_label)
        status.addPermanentWidget(self.user_label)

    def _init_connection_monitor(self) -> None:
        self.connection_monitor = ConnectionMonitor(self.services.check_connection, parent=self)
        # The monitor and the change feed both see an outage: one reload when both are back.
        self.outage_reload = OutageReload(self._reload_all_pages)
        self.events.databaseUnavailable.connect(self.connection_monitor.report)
        self.connection_monitor.lost.connect(self._database_lost)
        self.connection_monitor.restored.connect(self._database_restored)

    # --- pages ----------------------------------------------------------------------------
    def add_page(self, page: Page) -> None:
        """Add a page to the navigation, the stack and the View menu (Ctrl+1, Ctrl+2, …)."""
        number = len(self.pages) + 1
        self.pages.append(page)
        self.stack.addWidget(page)
        page.statusMessage.connect(self.show_status_message)
        icon = page_icon(page.title.lower().replace(" ", "_"))
        QListWidgetItem(icon, page.title, self.navigation)
        # Wide enough for the longest title plus the item padding (8 px each side) and a margin.
        longest = max(self.navigation.fontMetrics().horizontalAdvance(p.title) for p in self.pages)
        if not icon.isNull() and self.navigation.iconSize().width() != NAVIGATION_ICON_PX:
            self.navigation.setIconSize(QSize(NAVIGATION_ICON_PX, NAVIGATION_ICON_PX))
        icon_width = NAVIGATION_ICON_PX + 12 if not icon.isNull() else 0  # the icon and its gap to the title
        self.navigation.setFixedWidth(max(self.navigation.width(), longest + icon_width + 2 * 8 + 16))
        action = QAction(icon, page.title, self)
        action.setCheckable(True)
        if number <= 9:
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
        action.triggered.connect(lambda _checked=False, row=number - 1: self.navigation.setCurrentRow(row))
        self._page_actions.addAction(action)
        self.view_menu.addAction(action)
        if number == 1:
            self.navigation.setCurrentRow(0)

    @property
    def current_page(self) -> Page | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, Page) else None

    def _show_page(self, row: int) -> None:
        if not 0 <= row < len(self.pages):
            return
        self.stack.setCurrentIndex(row)
        self._page_actions.actions()[row].setChecked(True)
        self._fill_edit_menu()

    def _fill_edit_menu(self) -> None:
        """Only the current page's actions: their shortcuts then work on that page alone."""
        self.edit_menu.clear()
        page = self.current_page
        actions = list(page.edit_actions()) if page is not None else []
        self.edit_menu.addActions(actions or [self.no_edit_action])

    def refresh_current_page(self) -> None:
        page = self.current_page
        if page is not None:
            page.refresh()
            self.statusBar().showMessage(f"{page.title} reloaded", 3000)

    def focus_search(self) -> None:
        page = self.current_page
        if page is not None:
            page.focus_search()

    def show_in_inventory(self, store: str, sku: str) -> None:
        """Low stock ▸ Show in Inventory: the Inventory page, searching for the product."""
        self.navigation.setCurrentRow(self.pages.index(self.inventory_page))
        self.inventory_page.show_product(store, sku)

    def show_status_message(self, text: str) -> None:
        self.statusBar().showMessage(text, STATUS_MESSAGE_MS)

    # --- the database connection ----------------------------------------------------------
    def _database_lost(self, message: str) -> None:
        seconds = max(1, round(self.connection_monitor.retry_interval_ms / 1000))
        self.banner.show_message(
            f"{message}\nOrion Desktop tries again every {seconds} second{'s' if seconds != 1 else ''} "
            "and reloads the page as soon as the database is back. Until then nothing can be looked up or changed.",
            BannerKind.ERROR,
        )
        for page in self.pages:  # said once, above every page: a page's own copy goes
            hook = getattr(page, "outage_shown_above", None)
            if callable(hook):
                hook()
        self.outage_reload.window_lost()

    def _database_restored(self) -> None:
        self.banner.clear()
        self.show_status_message("The database is reachable again; the page was reloaded.")
        self.outage_reload.window_back()

    def _reload_all_pages(self) -> None:
        """After an outage (``OutageReload``): anything may have changed meanwhile."""
        self.events.announce_all()  # every page that follows a topic reloads (the visible one now)
        page = self.current_page
        if page is not None and not getattr(page, "topics", None):
            page.refresh()

    def choose_database(self) -> DatabaseDialog | None:
        """File > Database…: open the chosen database and switch the whole window to it."""
        if self._connector is None:
            return None
        if self.database_dialog is not None:
            self.database_dialog.raise_()
            return self.database_dialog
        dialog = DatabaseDialog(
            self._connector.open,
            initial_url=self._connector.current_url,
            current_description=self.services.database_description,
            sign_in=self._connector.sign_in_to,
            parent=self,
        )
        dialog.finished.connect(lambda result: self._database_chosen(dialog, result))
        self.database_dialog = dialog
        dialog.open()
        return dialog

    def _database_chosen(self, dialog: DatabaseDialog, result: int) -> None:
        self.database_dialog = None
        dialog.deleteLater()
        if result != QDialog.DialogCode.Accepted or dialog.services is None or dialog.selection is None:
            return
        selection = dialog.selection
        message = f"Now using {selection.description}."
        try:
            save_database_url(selection.url)
        except OSError as error:
            log.error("Could not save the database choice", exc_info=error)
            message += " It could not be remembered for the next start (the settings file is not writable)."
        else:
            if os.environ.get(ENV_DATABASE_URL, "").strip():
                message += f" At the next start {ENV_DATABASE_URL} (set on this PC) takes precedence."
        assert self._connector is not None
        self._connector.switch_to(dialog.services, message, url=selection.url)

    # --- import, export, help ---------------------------------------------------------------
    def _export_filter(self, kind: str) -> dict[str, object]:
        """What an export of ``kind`` keeps: the filter of the page that lists it (File ▸ Export)."""
        if kind == "stock":
            return {"store": self.inventory_page.current_filter().store}
        if kind == "orders":
            status = self.orders_page.current_filter().status
            return {"status": status.value if status is not None else None}
        if kind == "ledger":
            return self.ledger_page.current_filter().query_arguments()
        return {}

    def print_documents(self) -> DocumentsDialog:
        """File ▸ Print documents…: a pick list or packing slip, printed or saved as a PDF."""
        if self.documents_dialog is None:
            self.documents_dialog = DocumentsDialog(self.services, self)
        self.documents_dialog.open()
        return self.documents_dialog

    def manage_users(self) -> UsersDialog:
        """Tools ▸ Users…: the admin's users dialog, window-modal, never a blocking exec()."""
        if self.users_dialog is None:
            self.users_dialog = UsersDialog(self.services, self.actor, self)
            self.users_dialog.setWindowModality(Qt.WindowModality.WindowModal)
        else:
            self.users_dialog.reload()
        self.users_dialog.open()
        return self.users_dialog

    def show_help(self, tab: int = SHORTCUTS_TAB) -> HelpDialog:
        """F1: the keyboard shortcuts (read from the actions as they are now) and the manual."""
        if self.help_dialog is not None:
            self.help_dialog.deleteLater()
        actions = [*self.findChildren(QAction), *self.edit_menu.actions()]
        self.help_dialog = HelpDialog(actions, self)
        self.help_dialog.show_tab(tab)
        return self.help_dialog

    def show_about(self) -> QMessageBox:
        if self.about_box is None:
            box = about_box(
                self, APP_TITLE, database=self.services.database_description,
                user=f"{self.actor.name} ({self.actor.role.value})",
            )
            self.about_box = box
        self.about_box.open()
        return self.about_box

    def _quit_anyway(self) -> None:
        self._quit_confirmed = True
        self.close()

    def _quit_question_closed(self, _result: int) -> None:
        self.quit_question = None

    # --- settings (ui/window_state.py) -----------------------------------------------------
    def save_state(self) -> None:
        save_window_state(self, self._settings, self.navigation, self.pages)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self.connection_monitor.start()
        self.live_feed.start()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        question = None if self._quit_confirmed else self.pack_station_page.controller.quit_question()
        if question is not None:  # a half-packed box: ask first, as Esc at the station does
            event.ignore()
            if self.quit_question is None:
                self.quit_question = ask_before_quitting(self, question, self._quit_anyway)
                self.quit_question.finished.connect(self._quit_question_closed)
            return
        self.connection_monitor.stop()
        self.live_feed.stop()
        self.save_state()
        super().closeEvent(event)
