"""Run slow database work off the GUI thread and report back on it (like Anki's QueryOp).

    run_in_background(self, lambda: services.stock.stats(), on_done=self._show, on_error=self._fail)

The work runs in the global QThreadPool; ``on_done``/``on_error`` run on the GUI thread, and are
dropped when ``owner`` has been destroyed meanwhile. Services open their own session per call,
so the worker never shares a Session with the GUI thread. The scan path stays synchronous.

A job that writes passes ``on_changes``: its service calls are recorded (``Services.recording``) on
the pool thread, and what they committed (a ``Changes``) is handed to ``on_changes`` on the GUI
thread before ``on_done``/``on_error`` (after a partial failure too). ``ActionDialog`` and the pack
station hand it to ``DataEvents.announce_changes``: the one path by which the window learns what its
own writes changed (ARCHITECTURE.md: change sets).

Two lifetime rules keep this crash-free (each was seen to segfault here):

- A worker thread touches exactly one QObject: the dispatcher, which lives on the GUI thread for
  the whole session and is never deleted. A per-job object owned by ``owner`` could be deleted
  with the owner while a worker thread is inside its ``emit``.
- A worker thread never holds the last reference to anything the GUI made. The job, its result
  and its error stay in a table on the GUI thread and are dropped there after the answer: a work
  closure capturing a widget (``lambda: self.submit(value)``) would otherwise let the worker
  thread free that widget, and Qt objects must be deleted on their own thread (QObject docs).
"""

from __future__ import annotations

import atexit
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThread, QThreadPool, Signal, Slot

from orion_desktop.domain.changes import NO_CHANGES, Changes
from orion_desktop.services.registry import Services

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(eq=False)
class _Pending:
    """One job: what to run, whom to tell, and (once run) what came of it. Lives on the GUI side."""

    owner: QObject
    work: Callable[[], Any] | None
    on_done: Callable[[Any], Any] | None
    on_error: Callable[[BaseException], Any] | None
    on_changes: Callable[[Changes], Any] | None = None  # given: the job's commits are recorded
    ok: bool = False
    outcome: Any = field(default=None)
    changes: Changes = NO_CHANGES


def _call(work: Callable[[], Any]) -> tuple[bool, Any]:
    """Run ``work``; its error is returned, not raised. No frame here refers to the ``_Pending``,
    so an error's traceback cannot form a reference cycle with it (the cyclic collector may run
    on any thread)."""
    try:
        return True, work()
    except Exception as error:  # reported on the GUI thread as a sentence
        return False, error
    except BaseException as error:  # noqa: BLE001 - not ours to end a pool thread: report it instead
        return False, RuntimeError(str(error) or type(error).__name__)


class _Dispatcher(QObject):
    """The GUI thread's end: keeps every job until its answer has been handed over."""

    answered = Signal(int)  # only the job's number crosses threads

    def __init__(self) -> None:
        super().__init__()  # no parent: nothing deletes it before the interpreter ends
        self.jobs: dict[int, _Pending] = {}
        self._numbers = itertools.count(1)
        self.answered.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def submit(self, pending: _Pending) -> None:
        number = next(self._numbers)
        self.jobs[number] = pending
        QThreadPool.globalInstance().start(_Job(number, pending, self))

    @Slot(int)
    def _deliver(self, number: int) -> None:
        pending = self.jobs.pop(number)
        try:
            if not shiboken6.isValid(pending.owner):
                return  # the owner was closed while we worked: nobody wants the answer
            if pending.on_changes is not None and not pending.changes.is_empty:
                pending.on_changes(pending.changes)
            if pending.ok:
                if pending.on_done is not None:
                    pending.on_done(pending.outcome)
            else:
                log.debug("Background work failed: %r", pending.outcome)
                if pending.on_error is not None:
                    pending.on_error(pending.outcome)
        finally:
            # Here, on the GUI thread, the job's references go: the closures may hold the last
            # reference to a widget (even to the owner itself).
            pending.work = pending.on_done = pending.on_error = pending.outcome = pending.on_changes = None


class _Job(QRunnable):
    def __init__(self, number: int, pending: _Pending, dispatcher: _Dispatcher) -> None:
        super().__init__()
        self._number = number
        self._pending: _Pending | None = pending
        self._dispatcher = dispatcher

    def run(self) -> None:
        pending, self._pending = self._pending, None
        assert pending is not None and pending.work is not None
        if pending.on_changes is None:
            ok, outcome = _call(pending.work)
        else:
            with Services.recording() as recorded:  # this thread's commits during the job
                ok, outcome = _call(pending.work)
            pending.changes = recorded.changes
        pending.ok, pending.outcome = ok, outcome
        del pending, outcome  # the dispatcher's table holds them; the GUI thread lets them go
        try:
            self._dispatcher.answered.emit(self._number)
        except RuntimeError:
            pass  # the application is shutting down


_dispatcher: _Dispatcher | None = None
EXIT_WAIT_MS = 10_000
"""At interpreter exit, how long jobs still running may take to finish (a query has a lock timeout)."""


def _the_dispatcher() -> _Dispatcher:
    global _dispatcher
    if _dispatcher is None or not shiboken6.isValid(_dispatcher):
        if _dispatcher is None:
            # Before the module (and the dispatcher with it) is torn down: no job may emit on it then.
            atexit.register(QThreadPool.globalInstance().waitForDone, EXIT_WAIT_MS)
        _dispatcher = _Dispatcher()
    return _dispatcher


def pending_jobs() -> int:
    """How many jobs have not been answered yet (for tests and shutdown)."""
    return len(_dispatcher.jobs) if _dispatcher is not None else 0


def run_in_background(
    owner: QObject,
    work: Callable[[], T],
    *,
    on_done: Callable[[T], Any],
    on_error: Callable[[BaseException], Any],
    on_changes: Callable[[Changes], Any] | None = None,
) -> None:
    """Run ``work`` in the thread pool; call ``on_done(result)`` or ``on_error(error)`` on the GUI thread.

    ``on_changes``: ``work`` writes; what it committed goes there first (see the module's docstring)."""
    app = QCoreApplication.instance()
    if app is not None and QThread.currentThread() is not app.thread():
        raise RuntimeError("run_in_background is called on the GUI thread only")
    _the_dispatcher().submit(_Pending(owner, work, on_done, on_error, on_changes))
