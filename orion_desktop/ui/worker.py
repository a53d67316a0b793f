"""Run slow database work off the GUI thread and report back on it (like Anki's QueryOp).

    run_in_background(self, lambda: services.stock.stats(), on_done=self._show, on_error=self._fail)

The work runs in the global QThreadPool; ``on_done``/``on_error`` run on the GUI thread, and are
dropped when ``owner`` has been destroyed meanwhile. Services open their own session per call,
so the worker never shares a Session with the GUI thread. The scan path stays synchronous.

Each job gets a relay QObject, a child of ``owner``. Two ways to crash had to be avoided (both
seen here as ``QObject::~QObject`` from a DeferredDelete event, about one run in three):

- deleting the relay right after its answer arrived, while the worker thread may still be
  inside that relay's ``emit`` — so a relay is only deleted once its worker has left it for good
  (swept at the owner's next job, or deleted with the owner);
- dropping the callbacks inside the relay's signal delivery or destructor, when they hold the
  last reference to a parentless owner (a bound method of a dialog): the owner would be deleted,
  and delete the relay, from inside the relay — so they are dropped from an event of their own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal

log = logging.getLogger(__name__)
T = TypeVar("T")


class _Relay(QObject):
    """Lives on the GUI thread; queued signals carry the outcome back to it."""

    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, owner: QObject) -> None:
        super().__init__(owner)  # destroyed with the owner, which disconnects the callbacks
        self.answered = False
        self.worker_left = threading.Event()  # set once the worker will never touch this relay again


class _Job(QRunnable, Generic[T]):
    def __init__(self, work: Callable[[], T], relay: _Relay) -> None:
        super().__init__()
        self._work = work
        self._relay = relay
        self._left = relay.worker_left

    def run(self) -> None:
        try:
            try:
                result = self._work()
            except Exception as error:  # reported on the GUI thread as a sentence
                self._emit(self._relay.failed, error)
            else:
                self._emit(self._relay.succeeded, result)
        finally:
            self._left.set()

    @staticmethod
    def _emit(signal: Any, value: object) -> None:
        try:
            signal.emit(value)
        except RuntimeError:
            pass  # the owner (and its relay) was closed while we worked: nobody wants the answer


def _sweep(owner: QObject) -> None:
    """Delete the owner's relays whose answer was handed over and whose worker is gone."""
    for relay in owner.findChildren(_Relay, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if getattr(relay, "answered", False) and relay.worker_left.is_set():
            relay.deleteLater()


def run_in_background(
    owner: QObject,
    work: Callable[[], T],
    *,
    on_done: Callable[[T], Any],
    on_error: Callable[[BaseException], Any],
) -> None:
    _sweep(owner)
    relay = _Relay(owner)
    callbacks: list[Callable[[Any], Any]] = [on_done, on_error]

    def take_callbacks() -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
        relay.answered = True
        done, report = callbacks
        held = callbacks[:]
        callbacks.clear()
        QTimer.singleShot(0, held.clear)  # the last reference to the owner goes in an event of its own
        return done, report

    def finished(result: object) -> None:
        done, _report = take_callbacks()
        done(result)

    def failed(error: object) -> None:
        _done, report = take_callbacks()
        if not isinstance(error, Exception):
            error = RuntimeError(str(error))
        log.debug("Background work failed: %r", error)
        report(error)

    relay.succeeded.connect(finished)
    relay.failed.connect(failed)
    QThreadPool.globalInstance().start(_Job(work, relay))
