"""Opening a main window in a test and moving between its pages, as a person does."""

from __future__ import annotations

import time

from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.domain.actor import Actor
from orion_desktop.ui.main_window import MainWindow
from orion_desktop.ui.pages.base import Page
from orion_desktop.ui.sign_in_dialog import SignInDialog


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


def press_sign_in(dialog: SignInDialog) -> None:
    """Press the sign-in dialog's OK and wait for the answer: the check runs off the GUI thread.

    No qtbot: modal dialogs are answered from timers, inside their own ``exec()``."""
    button = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert button is not None
    button.click()
    deadline = time.monotonic() + 15
    while dialog.signing_in:
        assert time.monotonic() < deadline, "the sign-in got no answer within 15 s"
        QTest.qWait(10)
