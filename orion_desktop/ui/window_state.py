"""What the main window remembers between starts: its size and place, docks, the open page, and
each page's own state (columns, splitters). Kept apart so the window only decides *when*."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QListWidget, QMainWindow

from orion_desktop.ui.pages.base import Page

DEFAULT_SIZE = (1440, 900)  # on first start; shrunk to fit smaller screens
_SETTINGS_GROUP = "main_window"


def resize_to_default(window: QMainWindow) -> None:
    """The first-start size, never more than 90 % of the screen the window is on."""
    width, height = DEFAULT_SIZE
    screen = window.screen()
    if screen is not None:
        available = screen.availableGeometry()
        width = min(width, int(available.width() * 0.9))
        height = min(height, int(available.height() * 0.9))
    window.resize(width, height)


def restore_window_state(
    window: QMainWindow, settings: QSettings, navigation: QListWidget, pages: Sequence[Page]
) -> None:
    """Put back what ``save_window_state`` kept; missing or corrupt values are ignored."""
    settings.beginGroup(_SETTINGS_GROUP)
    geometry, state, page_row = settings.value("geometry"), settings.value("state"), settings.value("page")
    settings.endGroup()
    if isinstance(geometry, QByteArray):
        window.restoreGeometry(geometry)
    if isinstance(state, QByteArray):
        window.restoreState(state)
    try:
        row = int(page_row) if page_row is not None else 0
    except (TypeError, ValueError):
        row = 0
    if 0 <= row < len(pages):
        navigation.setCurrentRow(row)
    for page in pages:
        page.restore_state(settings)


def save_window_state(
    window: QMainWindow, settings: QSettings, navigation: QListWidget, pages: Sequence[Page]
) -> None:
    settings.beginGroup(_SETTINGS_GROUP)
    settings.setValue("geometry", window.saveGeometry())
    settings.setValue("state", window.saveState())
    settings.setValue("page", navigation.currentRow())
    settings.endGroup()
    for page in pages:
        page.save_state(settings)
    settings.sync()
