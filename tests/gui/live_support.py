"""Helpers for the live-window tests: another PC on the same database, and a feed driven by a thread.

``OtherPC`` is a second ``Database`` and ``Services`` on the test's database (its own engine and
connections, as another workstation has): what it writes, it records, and ``notice`` turns that into
the ``ChangeNotice`` the change feed would deliver. ``ThreadFeed`` keeps the feed's contract
(``start``/``stop``, ``on_notice`` called on the feed's own thread) so the bridge is tested on a
real second thread without a database listener.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.domain.changes import NO_CHANGES, Changes
from orion_desktop.ui.live_feed import ChangeNotice, FeedStatus

OTHER_ORIGIN = "another-pc"


class OtherPC:
    """Another workstation on the same database; ``recorded`` holds what its last ``writing`` changed."""

    def __init__(self, database_url: str) -> None:
        self.database = Database(database_url)
        self.services = Services.on(self.database)
        self.recorded: Changes = NO_CHANGES

    @contextmanager
    def writing(self) -> Iterator[Services]:
        with Services.recording() as recorded:
            yield self.services
        self.recorded = recorded.changes

    def notice(self, changes: Changes | None = None) -> ChangeNotice:
        return ChangeNotice(changes=self.recorded if changes is None else changes, user="other",
                            time=datetime.now(UTC), origin=OTHER_ORIGIN, remote=True)

    def close(self) -> None:
        self.database.dispose()


class ThreadFeed:
    """A change feed whose notices come from a thread of its own (``deliver`` starts one and waits)."""

    def __init__(self) -> None:
        self.on_notice: Callable[[ChangeNotice], None] | None = None
        self.on_status: Callable[[FeedStatus], None] | None = None
        self.threads: list[str] = []  # the names of the threads notices were delivered on

    def start(
        self, on_notice: Callable[[ChangeNotice], None], on_status: Callable[[FeedStatus], None] | None = None
    ) -> None:
        self.on_notice, self.on_status = on_notice, on_status

    def stop(self) -> None:
        self.on_notice = self.on_status = None

    def lose_connection(self) -> None:
        """The feed's connection broke: its status, from its own thread."""
        self._on_thread(lambda: self.on_status and self.on_status(FeedStatus(False, datetime.now(UTC), "lost")))

    def reconnect(self) -> None:
        """The feed listens again: its status and its notice that anything may have changed, as ChangeFeed does."""
        def run() -> None:
            if self.on_status is not None:
                self.on_status(FeedStatus(True, datetime.now(UTC), "The connection to the database is back."))
            if self.on_notice is not None:
                self.on_notice(ChangeNotice.anything(reconnected=True))
        self._on_thread(run)

    def _on_thread(self, work: Callable[[], object]) -> None:
        thread = threading.Thread(target=work, name="test-feed")
        thread.start()
        thread.join()

    def deliver(self, *notices: ChangeNotice) -> None:
        def run() -> None:
            for notice in notices:
                if self.on_notice is not None:
                    self.threads.append(threading.current_thread().name)
                    self.on_notice(notice)

        thread = threading.Thread(target=run, name="test-feed")
        thread.start()
        thread.join()
