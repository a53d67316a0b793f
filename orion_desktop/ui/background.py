"""Run slow database work off the GUI thread and report back on it (like Anki's QueryOp).

    run_in_background(self, lambda: services.stock.stats(), on_done=self._show, on_error=self._fail)

The same contract as ``ui.worker.run_in_background``, without its crash: there, each job gets a
relay QObject that the GUI thread deletes (``deleteLater``) as soon as the answer arrives, while
the worker thread may still be inside that relay's ``emit`` — deleting a QObject that another
thread is emitting from is undefined behaviour in Qt, and it segfaulted about one test run in
three here (``QObject::~QObject`` from a DeferredDelete event).

Here the workers emit on one dispatcher that lives on the GUI thread for the whole session and
is never deleted while work can run; nothing a worker touches is ever deleted under it. The
dispatcher hands each answer to the callbacks of its job on the GUI thread, and drops the answer
when the job's ``owner`` has been destroyed meanwhile. Services open their own session per call,
so a worker never shares a Session with the GUI thread. The scan path stays synchronous.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QThreadPool, Qt, Signal, Slot
from shiboken6 import Shiboken

log = logging.getLogger(__name__)
T = TypeVar("T")


class _Dispatcher(QObject):
    """Lives on the GUI thread; the queued connection carries each outcome back to it."""

    delivered = Signal(int, bool, object)  # job id, succeeded, result or exception

    def __init__(self) -> None:
        super().__init__()
        self._jobs: dict[int, tuple[QObject, Callable[[Any], Any], Callable[[BaseException], Any]]] = {}
        self._ids = itertools.count(1)
        self.delivered.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def add(self, owner: QObject, on_done: Callable[[Any], Any], on_error: Callable[[BaseException], Any]) -> int:
        job_id = next(self._ids)
        self._jobs[job_id] = (owner, on_done, on_error)
        return job_id

    @property
    def pending(self) -> int:
        """Jobs whose answer has not been handed over yet."""
        return len(self._jobs)

    @Slot(int, bool, object)
    def _deliver(self, job_id: int, succeeded: bool, value: object) -> None:
        owner, on_done, on_error = self._jobs.pop(job_id)
        if not Shiboken.isValid(owner):
            return  # the page (or model) was closed while we worked: nobody wants the answer
        if succeeded:
            on_done(value)
            return
        error = value if isinstance(value, Exception) else RuntimeError(str(value))
        log.debug("Background work failed: %r", error)
        on_error(error)


_dispatcher: _Dispatcher | None = None


def _the_dispatcher() -> _Dispatcher:
    global _dispatcher  # noqa: PLW0603 - one per process, created on the GUI thread on first use
    if _dispatcher is None:
        _dispatcher = _Dispatcher()
    return _dispatcher


def run_in_background(
    owner: QObject,
    work: Callable[[], T],
    *,
    on_done: Callable[[T], Any],
    on_error: Callable[[BaseException], Any],
) -> None:
    """Run ``work`` in the global QThreadPool; call ``on_done(result)`` or ``on_error(exception)``
    on the GUI thread afterwards, unless ``owner`` has been destroyed by then. Call from the GUI thread."""
    dispatcher = _the_dispatcher()
    job_id = dispatcher.add(owner, on_done, on_error)
    delivered = dispatcher.delivered

    def job() -> None:
        try:
            result = work()
        except Exception as error:  # reported on the GUI thread as a sentence
            delivered.emit(job_id, False, error)
        else:
            delivered.emit(job_id, True, result)

    QThreadPool.globalInstance().start(job)
