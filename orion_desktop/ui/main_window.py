"""The main window: a navigation list of pages, menus with shortcuts, a status bar naming database and user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QWidget,
)

from orion_desktop.ui.pages.base import Page
from orion_desktop.ui.pages.inventory_page import InventoryPage
from orion_desktop.ui.settings import gui_settings

if TYPE_CHECKING:
    from orion_desktop.bootstrap import Services
    from orion_desktop.domain.actor import Actor

APP_TITLE = "Orion Desktop"
DEFAULT_SIZE = (1440, 900)  # on first start; shrunk to fit smaller screens
_SETTINGS_GROUP = "main_window"


class MainWindow(QMainWindow):
    def __init__(
        self,
        services: Services,
        actor: Actor,
        *,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_TITLE)
        self.services = services
        self.actor = actor
        self._settings = settings if settings is not None else gui_settings()
        self.pages: list[Page] = []
        self._init_actions()
        self._init_menus()
        self._init_central()
        self._init_status_bar()
        self.inventory_page = InventoryPage(services, self)
        self.add_page(self.inventory_page)
        self._resize_to_default()
        self._restore_state()
        self.focus_search()  # a scanner can be used as soon as the window opens

    # --- construction ---------------------------------------------------------------------
    def _init_actions(self) -> None:
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
        file_menu.addAction(self.quit_action)
        self.view_menu: QMenu = self.menuBar().addMenu("&View")
        self.view_menu.addAction(self.refresh_action)
        self.view_menu.addAction(self.find_action)
        self.view_menu.addSeparator()  # page actions follow, one per page

    def _init_central(self) -> None:
        self.navigation = QListWidget(self)
        self.navigation.setObjectName("navigation")
        self.navigation.setFrameShape(QFrame.Shape.NoFrame)
        self.navigation.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.navigation.setFixedWidth(self.fontMetrics().horizontalAdvance("M") * 9)
        self.navigation.setStyleSheet("#navigation::item { padding: 6px 8px; }")
        self.stack = QStackedWidget(self)
        self.navigation.currentRowChanged.connect(self._show_page)
        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.navigation)
        separator = QFrame(central)
        separator.setFrameShape(QFrame.Shape.VLine)
        separator.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addWidget(separator)
        layout.addWidget(self.stack, 1)
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

    # --- pages ----------------------------------------------------------------------------
    def add_page(self, page: Page) -> None:
        """Add a page to the navigation, the stack and the View menu (Ctrl+1, Ctrl+2, …)."""
        number = len(self.pages) + 1
        self.pages.append(page)
        self.stack.addWidget(page)
        QListWidgetItem(page.title, self.navigation)
        action = QAction(page.title, self)
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

    def refresh_current_page(self) -> None:
        page = self.current_page
        if page is not None:
            page.refresh()
            self.statusBar().showMessage(f"{page.title} reloaded", 3000)

    def focus_search(self) -> None:
        page = self.current_page
        if page is not None:
            page.focus_search()

    # --- settings -------------------------------------------------------------------------
    def _resize_to_default(self) -> None:
        width, height = DEFAULT_SIZE
        screen = self.screen()
        if screen is not None:
            available = screen.availableGeometry()
            width = min(width, int(available.width() * 0.9))
            height = min(height, int(available.height() * 0.9))
        self.resize(width, height)

    def _restore_state(self) -> None:
        settings = self._settings
        settings.beginGroup(_SETTINGS_GROUP)
        geometry, state, page_row = settings.value("geometry"), settings.value("state"), settings.value("page")
        settings.endGroup()
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            self.restoreState(state)
        try:
            row = int(page_row) if page_row is not None else 0  # type: ignore[call-overload]
        except (TypeError, ValueError):
            row = 0
        if 0 <= row < len(self.pages):
            self.navigation.setCurrentRow(row)
        for page in self.pages:
            page.restore_state(settings)

    def save_state(self) -> None:
        settings = self._settings
        settings.beginGroup(_SETTINGS_GROUP)
        settings.setValue("geometry", self.saveGeometry())
        settings.setValue("state", self.saveState())
        settings.setValue("page", self.navigation.currentRow())
        settings.endGroup()
        for page in self.pages:
            page.save_state(settings)
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.save_state()
        super().closeEvent(event)
