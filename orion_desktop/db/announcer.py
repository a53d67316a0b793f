"""PostgreSQL: the change feed's announcements, sent after the commits by a thread of their own (issue 12).

A transaction that sends NOTIFY holds one lock of the whole server through its commit, so every
announcing commit waits for the one before it to reach the disk: with many PCs writing, that lock,
not the work, set the pace (docs/performance.md: throughput). So a write no longer announces inside
its transaction. Its ``Changes`` go to this process's ``Announcer`` once committed, and its thread
sends them: at once when it has been quiet for ``GAP`` seconds, otherwise with everything else
committed meanwhile, as one notice. Under load that is one NOTIFY per ``GAP`` per process, whatever
the number of commits; alone, a commit is announced as fast as before. The NOTIFY is a short
transaction of its own on one of the ``Database``'s connections (the kept ones when idle).

What holds as before: a listener hears only of committed changes (a rollback announces nothing), and
it hears of them within a second. What is new: a process killed between its commit and the send
(a few milliseconds) leaves that commit unannounced; other PCs show it at their next reload. The
pending announcements are sent before the interpreter exits (``atexit``), so a CLI command that
ends at once is still heard.
"""

from __future__ import annotations

import atexit
import logging
import operator
import os
import threading
import time
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from functools import reduce

from orion_desktop.domain.change_notice import ChangeNotice, notice_payload
from orion_desktop.domain.changes import Changes
from orion_desktop.domain.errors import OrionError

log = logging.getLogger(__name__)

GAP = 0.05
"""Seconds between two announcements of one process: under load, the commits of a gap go out as one
notice (at 1,000 commits a second, 20 notices instead of 1,000)."""

IDLE_EXIT = 2.0
"""Seconds without anything to send after which the thread ends (the next commit starts another):
no thread lingers for a Database nobody writes with."""

FLUSH_TIMEOUT = 5.0
"""How long ``flush`` (and the exit of the interpreter) waits for pending announcements."""

_LIVE: weakref.WeakSet[Announcer] = weakref.WeakSet()


class Announcer:
    """Sends the announcements of one ``Database`` (its ``origin``) on PostgreSQL."""

    def __init__(self, send: Callable[[], Callable[[str], None] | None], origin: str) -> None:
        """``send()`` gives the callable that makes the NOTIFY of a payload, or None when it is gone
        (``Database``: a weak reference to its method, so the announcer keeps no Database alive)."""
        self._send_payload = send
        self._origin = origin
        self._condition = threading.Condition()
        self._pending: list[tuple[Changes, str | None]] = []  # committed, not yet sent
        self._sending = False
        self._waiting = False  # the thread waits for something to send (announce() wakes it)
        self._last_sent = 0.0  # time.monotonic() of the last send
        self._thread: threading.Thread | None = None
        _LIVE.add(self)

    def announce(self, changes: Changes, user: str | None) -> None:
        """Queue the changes of a committed transaction; returns at once (never waits for the server).
        Only appended here: merging is the thread's work, once per notice, not once per commit."""
        with self._condition:
            self._pending.append((changes, user))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="orion-announcer", daemon=True)
                self._thread.start()
            elif self._waiting:
                self._condition.notify_all()

    def flush(self, timeout: float = FLUSH_TIMEOUT) -> bool:
        """Wait until everything queued so far is sent (or given up); False when ``timeout`` ran out."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while self._pending or self._sending:
                left = deadline - time.monotonic()
                if left <= 0 or self._thread is None or not self._thread.is_alive():
                    return False
                self._condition.wait(left)
        return True

    def _run(self) -> None:
        while True:
            with self._condition:
                quiet_until = time.monotonic() + IDLE_EXIT
                while not self._pending:
                    left = quiet_until - time.monotonic()
                    if left <= 0:
                        self._thread = None  # under the lock: announce() starts another
                        return
                    self._waiting = True
                    self._condition.wait(left)
                    self._waiting = False
                wait = self._last_sent + GAP - time.monotonic()
            if wait > 0:
                time.sleep(wait)  # meanwhile more commits join the pending notice
            with self._condition:
                pending, self._pending = self._pending, []
                self._sending = True
            try:
                self._send(_merged(pending, self._origin))
            finally:
                with self._condition:
                    self._sending = False
                    self._last_sent = time.monotonic()
                    self._condition.notify_all()

    def _send(self, notice: ChangeNotice) -> None:
        try:
            send = self._send_payload()
            if send is not None:
                send(notice_payload(notice.changes, notice.user, notice.time, self._origin))
        except OrionError as error:
            # The commits stand. A listener that lost the server too reloads everything when it is back.
            log.warning("The change feed could not announce a commit: %s", error)
        except Exception:  # a bug: logged, and the thread carries on with the next notice
            log.exception("The change feed could not announce a commit")


def _merged(pending: list[tuple[Changes, str | None]], origin: str) -> ChangeNotice:
    """One notice of every queued commit: their changes together, every user named once."""
    changes = reduce(operator.or_, (c for c, _ in pending))  # a few dozen at most, 20 times a second
    users = [user for user in dict.fromkeys(user for _, user in pending) if user]
    return ChangeNotice(changes, ", ".join(users) if users else None, datetime.now(UTC), origin, remote=False)


def _after_fork_in_child() -> None:
    """A forked child has none of the parent's threads, and a lock held in the parent at the fork
    would stay held: its announcers start afresh (what the parent had queued is the parent's)."""
    for announcer in list(_LIVE):
        announcer._condition = threading.Condition()
        announcer._pending = []
        announcer._sending = False
        announcer._waiting = False
        announcer._thread = None


def _flush_all_at_exit() -> None:
    for announcer in list(_LIVE):
        announcer.flush()


os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(_flush_all_at_exit)
