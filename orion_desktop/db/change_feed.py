"""The change feed: what other PCs (or other processes) committed, as it happens, without Qt
(ARCHITECTURE.md: the change feed between PCs).

``ChangeFeed(database_or_url).start(on_notice)`` runs two daemon threads until ``stop()``:

- a *source*: on PostgreSQL one dedicated autocommit psycopg connection that ``LISTEN``s on
  ``orion_changes`` (``Database.write`` NOTIFYs there inside each transaction that changed
  something) and reconnects with backoff after an outage; on SQLite a connection of its own to the
  same file that polls ``PRAGMA data_version``, which moves when another connection commits;
- a *dispatcher* that coalesces what arrives within ``coalesce`` seconds into one ``ChangeNotice``
  (``Changes | Changes``) and calls ``on_notice`` with it, on the dispatcher thread (a window hands
  it to its GUI thread itself).

``on_status`` (optional) hears when the feed first watches, when its connection is lost and when it
is back; after a reconnection one notice says that anything may have changed, because announcements
made meanwhile are lost.
"""

from __future__ import annotations

import logging
import queue
import select
import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import URL

from orion_desktop.db.engine import Database, describe_url, parse_url
from orion_desktop.domain.change_notice import CHANNEL, ChangeNotice, FeedStatus, parse_notice

log = logging.getLogger(__name__)

COALESCE_SECONDS = 0.15
"""Notices arriving within this time after the first are delivered as one."""
POLL_SECONDS = 0.5
"""SQLite: how often ``PRAGMA data_version`` is read (a cheap read of the WAL index)."""
BACKOFF_FIRST, BACKOFF_MAX = 0.5, 5.0
"""PostgreSQL: the wait before reconnecting doubles from the first to the last, then stays."""
KEEPALIVE_SECONDS = 5.0
"""PostgreSQL: an idle listening connection runs ``SELECT 1`` this often, so a dead link is noticed."""

NoticeHandler = Callable[[ChangeNotice], None]
StatusHandler = Callable[[FeedStatus], None]
_Item = ChangeNotice | FeedStatus | None  # None: the dispatcher ends


def _now() -> datetime:
    return datetime.now(UTC)


class ChangeFeed:
    """Tells ``on_notice`` what was committed to the database, by this app or (``remote``) others."""

    def __init__(
        self,
        database_or_url: Database | URL | str,
        *,
        coalesce: float = COALESCE_SECONDS,
        poll: float = POLL_SECONDS,
        backoff: tuple[float, float] = (BACKOFF_FIRST, BACKOFF_MAX),
    ) -> None:
        if isinstance(database_or_url, Database):
            self._database: Database | None = database_or_url
            self._url = database_or_url.url
        else:
            self._database = None
            self._url = parse_url(database_or_url) if isinstance(database_or_url, str) else database_or_url
        self._coalesce, self._poll, self._backoff = coalesce, poll, backoff
        self._queue: queue.Queue[_Item] = queue.Queue()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._guard: _OwnCommits | None = None
        # PostgreSQL: the listening thread waits on its connection's socket and on this pair's
        # reader at once; stop() writes a byte, so it need not wait out a timeout.
        self._wake: tuple[socket.socket, socket.socket] | None = None

    @property
    def is_sqlite(self) -> bool:
        return self._url.get_backend_name() == "sqlite"

    @property
    def running(self) -> bool:
        return any(thread.is_alive() for thread in self._threads)

    def start(self, on_notice: NoticeHandler, on_status: StatusHandler | None = None) -> None:
        """Start listening; ``on_notice`` (and ``on_status``) are called on the feed's own thread."""
        if self._threads:
            raise RuntimeError("this change feed was started already")
        self._stopping.clear()
        if not self.is_sqlite:
            self._wake = socket.socketpair()
        source = self._poll_sqlite if self.is_sqlite else self._listen_postgres
        self._threads = [
            threading.Thread(target=source, name="orion-feed-source", daemon=True),
            threading.Thread(
                target=self._dispatch, args=(on_notice, on_status), name="orion-feed-dispatch", daemon=True
            ),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop both threads (at once, unless one is connecting); safe to call twice."""
        self._stopping.set()
        self._queue.put(None)
        if self._wake is not None:
            self._wake[1].send(b"\0")
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout)
        self._threads = []
        self._queue = queue.Queue()
        if self._wake is not None:
            for end in self._wake:
                end.close()
            self._wake = None

    # --- delivering -----------------------------------------------------------------------------

    def _dispatch(self, on_notice: NoticeHandler, on_status: StatusHandler | None) -> None:
        items = self._queue
        while True:
            item = items.get()
            if item is None:
                return
            if isinstance(item, FeedStatus):
                self._call(on_status, item)
                continue
            # Own and remote notices are merged apart: a window ignores its own, not the others'.
            merged: dict[bool, ChangeNotice] = {item.remote: item}
            deadline = time.monotonic() + self._coalesce
            after: FeedStatus | None = None
            ended = False
            while (remaining := deadline - time.monotonic()) > 0:
                try:
                    following = items.get(timeout=remaining)
                except queue.Empty:
                    break
                if isinstance(following, ChangeNotice):
                    earlier = merged.get(following.remote)
                    merged[following.remote] = following if earlier is None else earlier | following
                    continue
                # A status (or the end) comes after what arrived before it: deliver that first.
                after, ended = following, following is None
                break
            for notice in sorted(merged.values(), key=lambda n: n.time):
                self._call(on_notice, notice)
            if ended:
                return
            if after is not None:
                self._call(on_status, after)

    @staticmethod
    def _call(handler: Callable[[ChangeNotice], None] | Callable[[FeedStatus], None] | None, item: object) -> None:
        if handler is None:
            return
        try:
            handler(item)  # type: ignore[arg-type]  # each handler gets its own kind of item
        except Exception:  # a failing handler must not end the feed
            log.exception("A change feed handler failed")

    def _connected(self, lost: bool, first: bool) -> None:
        """The source is watching: say so; after an outage, anything may have changed meanwhile.

        An outage can come before the first connection too (the database was away when the window
        opened, or went away before the feed's thread got going): whoever heard "lost" must hear
        "back", or a window waiting for it never reloads (``ui/outage_reload.py``)."""
        if lost:
            self._queue.put(FeedStatus(True, _now(), "The connection to the database is back."))
            self._queue.put(ChangeNotice.anything(reconnected=True))
        elif first:
            self._queue.put(FeedStatus(True, _now(), f"Watching {describe_url(self._url)} for changes."))

    # --- PostgreSQL -----------------------------------------------------------------------------

    def _listen_postgres(self) -> None:
        conninfo = self._url.set(drivername="postgresql").render_as_string(hide_password=False)
        own_origin = self._database.origin if self._database is not None else ""
        delay, lost, first = self._backoff[0], False, True
        while not self._stopping.is_set():
            try:
                with psycopg.connect(
                    conninfo, autocommit=True, connect_timeout=5, application_name="orion-desktop feed"
                ) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._connected(lost, first)
                    delay, lost, first = self._backoff[0], False, False
                    self._receive(conn, own_origin)
            except psycopg.Error as error:
                if self._stopping.is_set():
                    return
                if not lost:
                    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                    self._queue.put(FeedStatus(False, _now(), f"The connection to the database was lost: {reason}"))
                    lost = True
                self._stopping.wait(delay)
                delay = min(delay * 2, self._backoff[1])

    def _receive(self, conn: psycopg.Connection[Any], own_origin: str) -> None:
        """Hand on every notification until stopped; raises psycopg.Error when the link breaks.

        Waits on the connection's socket and on the stop signal together (``select``), then reads
        what arrived without waiting again (``notifies(timeout=0)``)."""
        assert self._wake is not None
        stop_signal = self._wake[0].fileno()
        quiet_since = time.monotonic()
        while not self._stopping.is_set():
            keepalive_in = max(0.0, KEEPALIVE_SECONDS - (time.monotonic() - quiet_since))
            readable, _, _ = select.select([conn.fileno(), stop_signal], [], [], keepalive_in)
            if stop_signal in readable:
                return
            if readable:  # the server sent something (or closed the link: notifies raises then)
                for notify in conn.notifies(timeout=0.0):
                    quiet_since = time.monotonic()
                    try:
                        self._queue.put(parse_notice(notify.payload, own_origin=own_origin))
                    except ValueError:
                        log.warning("Ignored an announcement that is not Orion's: %.80r", notify.payload)
            if time.monotonic() - quiet_since >= KEEPALIVE_SECONDS:
                conn.execute("SELECT 1")  # a dead link raises here instead of waiting forever
                quiet_since = time.monotonic()

    # --- SQLite ---------------------------------------------------------------------------------

    def _poll_sqlite(self) -> None:
        assert self._url.database is not None
        path = Path(self._url.database).expanduser().absolute()
        watcher: _OwnCommits | None = None
        lost, first = False, True
        while not self._stopping.is_set():
            try:
                if watcher is None:
                    watcher = _OwnCommits(path)
                    if self._database is not None:
                        self._database.commit_guards.append(watcher)
                    self._connected(lost, first)
                    lost = first = False
                if watcher.moved():
                    self._queue.put(ChangeNotice.anything())
            except sqlite3.Error as error:
                if watcher is not None:
                    self._forget(watcher)
                    watcher = None
                if not lost:
                    self._queue.put(FeedStatus(False, _now(), f"The database file cannot be read: {error}"))
                    lost = True
            self._stopping.wait(self._poll)
        if watcher is not None:
            self._forget(watcher)

    def _forget(self, watcher: _OwnCommits) -> None:
        if self._database is not None and watcher in self._database.commit_guards:
            self._database.commit_guards.remove(watcher)
        watcher.close()


class _OwnCommits:
    """SQLite's ``data_version`` on a connection of the feed's own, minus this app's commits.

    ``data_version`` moves when any other connection commits, this app's own write connections
    too. As a commit guard of the app's ``Database`` it reads the value just before each own commit
    (the writer holds SQLite's write lock then, so nobody else can commit in between: a move seen
    here is someone else's) and again just after it, and takes that as the new starting point. An
    other process's commit landing in the microseconds between an own commit and that second read
    is reported only with the next change (ARCHITECTURE.md says so).
    """

    def __init__(self, path: Path) -> None:
        # mode=rw: never create an empty file where the database went missing.
        self._conn = sqlite3.connect(
            f"file:{path}?mode=rw", uri=True, isolation_level=None, check_same_thread=False, timeout=5
        )
        self._lock = threading.Lock()
        self._others_committed = False
        self._seen = self._read()

    def _read(self) -> int:
        row = self._conn.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def moved(self) -> bool:
        """True when another connection committed since the last call (own commits excepted)."""
        with self._lock:
            version = self._read()
            moved = version != self._seen or self._others_committed
            self._seen, self._others_committed = version, False
            return moved

    def before_commit(self) -> None:
        self._lock.acquire()
        try:
            if self._read() != self._seen:
                self._others_committed = True
        except sqlite3.Error:
            log.warning("The change feed could not read the database's data_version", exc_info=True)

    def after_commit(self) -> None:
        try:
            self._seen = self._read()
        except sqlite3.Error:
            log.warning("The change feed could not read the database's data_version", exc_info=True)
        finally:
            self._lock.release()

    def close(self) -> None:
        with self._lock:
            self._conn.close()
