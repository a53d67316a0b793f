"""What the main window expects of a page."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget


class Page(QWidget):
    """A page of the main window. Subclasses set ``title`` and ``settings_group`` and override what they support."""

    title = ""
    settings_group = ""

    def refresh(self) -> None:
        """Load everything shown again from the database (View > Refresh, F5)."""

    def focus_search(self) -> None:
        """Put the keyboard focus in the page's search box (View > Find, Ctrl+F)."""

    def save_state(self, settings: QSettings) -> None:
        """Remember splitter positions, column widths and the like."""

    def restore_state(self, settings: QSettings) -> None:
        """Restore what ``save_state`` remembered; missing or corrupt values are ignored."""
