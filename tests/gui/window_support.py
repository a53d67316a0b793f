"""Opening a main window in a test and moving between its pages, as a person does."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.domain.actor import Actor
from orion_desktop.ui.main_window import MainWindow
from orion_desktop.ui.pages.base import Page


def open_window(qtbot: QtBot, services: Services, actor: Actor, settings: QSettings) -> MainWindow:
    """A main window with ``settings`` restored, shown (its current page loads)."""
    window = MainWindow(services, actor, settings=settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def go_to(qtbot: QtBot, window: MainWindow, page: Page) -> None:
    """Click the page's entry in the navigation."""
    navigation = window.navigation
    item = navigation.item(window.pages.index(page))
    qtbot.mouseClick(navigation.viewport(), Qt.MouseButton.LeftButton, pos=navigation.visualItemRect(item).center())
    assert window.current_page is page
