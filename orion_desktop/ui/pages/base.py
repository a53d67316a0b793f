"""What the main window expects of a page."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSettings, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget


class Page(QWidget):
    """A page of the main window. Subclasses set ``title`` and ``settings_group`` and override what they support."""

    title = ""
    settings_group = ""

    statusMessage = Signal(str)  # noqa: N815 - a short "done" note for the window's status bar

    def refresh(self) -> None:
        """Load everything shown again from the database (View > Refresh, F5)."""

    def focus_search(self) -> None:
        """Put the keyboard focus in the page's search box (View > Find, Ctrl+F)."""

    def edit_actions(self) -> Sequence[QAction]:
        """The page's actions for the window's Edit menu (shown while the page is current)."""
        return ()

    def save_state(self, settings: QSettings) -> None:
        """Remember splitter positions, column widths and the like."""

    def restore_state(self, settings: QSettings) -> None:
        """Restore what ``save_state`` remembered; missing or corrupt values are ignored."""
