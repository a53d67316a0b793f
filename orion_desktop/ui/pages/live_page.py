"""A page that keeps itself current: it reloads when another page announces a change it shows.

The first load happens when the page is first shown (so a window with many pages opens fast);
afterwards a change announced through ``DataEvents`` reloads the page at once if it is visible,
otherwise the next time it is shown. F5 (``refresh``) always reloads.
"""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from orion_desktop.ui.data_events import DataEvents, Topic
from orion_desktop.ui.pages.base import Page


class LivePage(Page):
    topics: frozenset[Topic] = frozenset()
    """What this page shows; a change of any of these reloads it."""

    def __init__(self, events: DataEvents, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.events = events
        self._stale = True  # nothing loaded yet
        events.changed.connect(self._data_changed)

    @property
    def is_stale(self) -> bool:
        """True when the page shows outdated data (or none) and will reload when shown."""
        return self._stale

    def reload_if_stale(self) -> None:
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        self._stale = False
        self.load()

    def load(self) -> None:
        """Start loading everything the page shows (subclasses; slow queries in the background)."""

    def show_error(self, error: BaseException) -> str:
        """Show ``error`` as a sentence on the page's banner (subclasses have ``self.banner``), and
        tell the window, which watches for a lost database; returns the sentence."""
        message: str = self.banner.show_error(error)  # type: ignore[attr-defined]
        report = getattr(self.events, "report_error", None)  # DataEvents.report_error, where the window has it
        if report is not None:
            report(error)
        return message

    def _data_changed(self, topics: frozenset[Topic]) -> None:
        if not self.topics & topics:
            return
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self.reload_if_stale()
