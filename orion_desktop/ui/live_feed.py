"""The GUI's end of the change feed: other PCs' (and processes') commits reach the pages.

``LiveFeed`` starts the services' change feed when the main window opens and stops it when the
window closes. The feed calls back on its own thread; a notice crosses to the GUI thread as a queued
signal (no widget is touched off it) and goes into ``DataEvents.announce_changes``, so the one
mapping ``data_events.topics_for`` decides which pages reload, exactly as for this window's own
writes (ARCHITECTURE.md: change sets, "In the window"). Notices of this app's own origin are
dropped: its own writes were announced already, by the worker that ran them.

After an outage of the feed's connection (its statuses, and the notice that anything may have
changed) the pages reload through an ``OutageReload`` (``ui/outage_reload.py``) that the main window
shares with its ``ConnectionMonitor``, so an outage both saw reloads each page once, not twice.

Lifetime, as in ``ui/worker.py``: the feed's thread touches exactly one QObject, a relay that lives
on the GUI thread for the whole session and is never deleted; only a number and the (plain, frozen)
notice cross threads. A notice for a bridge that was stopped or destroyed meanwhile is dropped.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal, Slot

from orion_desktop.services.change_feed import ChangeNotice, FeedStatus
from orion_desktop.ui.data_events import DataEvents
from orion_desktop.ui.outage_reload import OutageReload

__all__ = ["ChangeNotice", "FeedStatus", "LiveFeed", "NoticeSource"]  # tests take the notice types from here

if TYPE_CHECKING:
    from orion_desktop.services.registry import Services

log = logging.getLogger(__name__)


class NoticeSource(Protocol):
    """The feed's contract: ``on_notice`` (and ``on_status``: its connection lost or back) is called
    on the feed's own thread, notices already coalesced."""

    def start(
        self, on_notice: Callable[[ChangeNotice], None], on_status: Callable[[FeedStatus], None] | None = None
    ) -> None: ...

    def stop(self) -> None: ...


class _Relay(QObject):
    """The one QObject a feed thread touches; it hands each notice to its bridge on the GUI thread."""

    arrived = Signal(int, object)  # (bridge number, ChangeNotice or FeedStatus)

    def __init__(self) -> None:
        super().__init__()  # no parent: lives until the interpreter ends
        self.bridges: dict[int, LiveFeed] = {}
        self.numbers = itertools.count(1)
        self.arrived.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @Slot(int, object)
    def _deliver(self, number: int, item: ChangeNotice | FeedStatus) -> None:
        bridge = self.bridges.get(number)
        if bridge is None or not shiboken6.isValid(bridge):
            return
        if isinstance(item, FeedStatus):
            bridge.receive_status(item)
        else:
            bridge.receive(item)


_relay: _Relay | None = None


def _the_relay() -> _Relay:
    global _relay
    if _relay is None or not shiboken6.isValid(_relay):
        _relay = _Relay()
    return _relay


class LiveFeed(QObject):
    """Feeds other PCs' change notices into ``events``; ``start`` when the window shows, ``stop`` on close."""

    noticeReceived = Signal(object)  # noqa: N815 - a notice from elsewhere, after it was announced

    def __init__(
        self,
        feed: NoticeSource,
        events: DataEvents,
        parent: QObject | None = None,
        *,
        origin: str | None = None,
        outage: OutageReload | None = None,
    ) -> None:
        """``origin``: drop notices of this origin too (the feed marks this app's own ones ``remote=False``).

        ``outage``: who reloads the pages after the feed's connection was lost and is back (the main
        window's, shared with its connection monitor); by default every page reloads then.
        """
        super().__init__(parent)
        self._feed = feed
        self.origin = origin
        self._events = events
        self._outage = outage if outage is not None else OutageReload(events.announce_all)
        self._relay = _the_relay()
        self._number = next(self._relay.numbers)
        self._running = False
        self.received = 0  # notices from elsewhere received so far (the tests read it)
        self._waiting: list[ChangeNotice] = []
        self._announce_timer = QTimer(self)
        self._announce_timer.setSingleShot(True)
        self._announce_timer.setInterval(0)  # after the notices queued meanwhile have arrived
        self._announce_timer.timeout.connect(self._announce)
        app = QCoreApplication.instance()
        if app is not None:  # quitting without closing the window must not leave the feed's thread behind
            app.aboutToQuit.connect(self.stop)

    @classmethod
    def for_services(
        cls,
        services: Services,
        events: DataEvents,
        parent: QObject | None = None,
        *,
        outage: OutageReload | None = None,
    ) -> LiveFeed:
        """The bridge for the feed of ``services``' database."""
        return cls(services.change_feed(), events, parent, outage=outage)

    @property
    def feed(self) -> NoticeSource:
        return self._feed

    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> None:
        """Start listening (again after ``stop``); a second call does nothing."""
        if self._running:
            return
        self._relay.bridges[self._number] = self
        relay, number = self._relay, self._number  # the feed thread's closure holds no reference to self

        def on_item(item: ChangeNotice | FeedStatus) -> None:
            try:
                relay.arrived.emit(number, item)
            except RuntimeError:  # the application is shutting down
                pass

        try:
            self._feed.start(on_item, on_item)
        except Exception:  # noqa: BLE001 - the window works without live updates (F5 still reloads)
            log.warning("The change feed could not start; pages refresh on F5 only", exc_info=True)
            self._relay.bridges.pop(self._number, None)
            return
        self._running = True

    def stop(self) -> None:
        """Stop listening; the feed's thread is gone when this returns. Notices still queued are dropped."""
        self._relay.bridges.pop(self._number, None)
        self._waiting = []
        self._outage.feed_stopped()
        if not self._running:
            return
        self._running = False
        try:
            self._feed.stop()
        except Exception:  # noqa: BLE001 - closing must not fail on the feed
            log.warning("The change feed did not stop cleanly", exc_info=True)

    def receive(self, notice: ChangeNotice) -> None:
        """On the GUI thread: a notice from elsewhere goes to the pages (own notices are ignored).

        Notices that reach the GUI thread together (it was busy meanwhile) are announced as one
        change set, at the end of this turn of the event loop: one reload, not one each."""
        if not self._running:
            return
        if not notice.reconnected and (
            not notice.remote or notice.origin == self.origin or notice.changes.is_empty
        ):
            return  # this app's own writes were announced already, by the worker that ran them
        self.received += 1
        self._waiting.append(notice)
        if not self._announce_timer.isActive():
            self._announce_timer.start()

    def _announce(self) -> None:
        waiting, self._waiting = self._waiting, []
        if not waiting or not self._running:
            return
        if any(notice.reconnected for notice in waiting):
            # Anything may have changed: the outage's one reload covers the others waiting too.
            self._outage.feed_back()
        else:
            changes = waiting[0].changes
            for notice in waiting[1:]:
                changes = changes | notice.changes
            self._events.announce_changes(changes)
        for notice in waiting:
            self.noticeReceived.emit(notice)

    def receive_status(self, status: FeedStatus) -> None:
        """On the GUI thread: the feed's connection was lost (or is back: its notice says so)."""
        if self._running and not status.connected:
            self._outage.feed_lost()
