"""A page that keeps itself current: it reloads when another page announces a change it shows.

The first load happens when the page is first shown (so a window with many pages opens fast);
afterwards a change announced through ``DataEvents`` reloads the page at once if it is visible,
otherwise the next time it is shown. F5 (``refresh``) always reloads. Its layout (splitters,
column widths, table sorting) is remembered for the views ``remembered_views`` names.

Changes arrive from this window's writes and from other PCs (``ui/live_feed.py``), both through
``DataEvents``. A reload keeps what the user looks at: each table keeps its current and selected
rows (by identity) and its scroll position (``table_state.TableState``); filters and sorts are
widgets' and models' state a reload does not touch. Changes that arrive while a reload is still
under way (``is_loading``) cause one more reload when it is done, not one each.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QTableView, QWidget

from orion_desktop.ui.data_events import DataEvents, Topic
from orion_desktop.ui.pages.base import Page
from orion_desktop.ui.pages.table_state import TableState, keep_table_states
from orion_desktop.ui.pages.view_state import View, restore_views, save_views
from orion_desktop.ui.widgets.message_banner import MessageBanner

RELOAD_AGAIN_POLL_MS = 40
"""While a reload is under way, how often a page that was told of another change looks whether it is done."""


class LivePage(Page):
    topics: frozenset[Topic] = frozenset()
    """What this page shows; a change of any of these reloads it."""

    def __init__(self, events: DataEvents, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.events = events
        self.banner = MessageBanner(self)  # each page places it, above its content
        self._stale = True  # nothing loaded yet
        self._shown_once = False
        self._table_states: list[TableState] = []
        self._changed_meanwhile = False  # a change arrived while a reload was under way
        self._reload_again = QTimer(self)
        self._reload_again.setSingleShot(True)
        self._reload_again.setInterval(RELOAD_AGAIN_POLL_MS)
        self._reload_again.timeout.connect(self._reload_when_done)
        events.changed.connect(self._data_changed)

    @property
    def is_loading(self) -> bool:
        """True while a reload started by ``load`` has not been answered (pages loading in the background)."""
        return False

    @property
    def reload_pending(self) -> bool:
        """True while a change that arrived during a reload waits for that reload to end: the page
        is not up to date yet, though nothing is loading at this moment."""
        return self._changed_meanwhile

    @property
    def is_stale(self) -> bool:
        """True when the page shows outdated data (or none) and will reload when shown."""
        return self._stale

    def reload_if_stale(self) -> None:
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        self._stale = False
        self._changed_meanwhile = False
        for state in self._table_states:
            state.arm()  # the reload's model resets keep selection and scroll position
        self.load()

    def load(self) -> None:
        """Start loading everything the page shows (subclasses; slow queries in the background)."""

    def remembered_views(self) -> Mapping[str, View]:
        """The splitters and tables whose state ``save_state`` keeps, by settings key."""
        return {}

    def save_state(self, settings: QSettings) -> None:
        save_views(settings, self.settings_group, self.remembered_views())

    def restore_state(self, settings: QSettings) -> None:
        restore_views(settings, self.settings_group, self.remembered_views())

    def show_error(self, error: BaseException) -> str:
        """Show ``error`` as a sentence on the page's banner, and tell the window (``report_error``);
        returns the sentence."""
        message = self.banner.show_error(error)
        self.report_error(error)
        return message

    def report_error(self, error: BaseException) -> None:
        """Tell the window, which watches for a lost database (for errors shown elsewhere, e.g. in a dialog)."""
        report = getattr(self.events, "report_error", None)  # DataEvents.report_error, where the window has it
        if report is not None:
            report(error)

    def _data_changed(self, topics: frozenset[Topic]) -> None:
        if not self.topics & topics:
            return
        if not self.isVisible():
            self._stale = True
        elif self.is_loading:
            self._changed_meanwhile = True  # several changes now: still one more reload
            if not self._reload_again.isActive():
                self._reload_again.start()
        else:
            self.refresh()

    def _reload_when_done(self) -> None:
        if not self._changed_meanwhile:
            return
        if not self.isVisible():
            self._stale = True  # the next show reloads it
            self._changed_meanwhile = False
        elif self.is_loading:
            self._reload_again.start()
        else:
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._shown_once:  # every table is built by now
            self._shown_once = True
            self._table_states = keep_table_states(self.findChildren(QTableView))
        self.reload_if_stale()
