"""Run slow database work off the GUI thread and report back on it (like Anki's QueryOp).

    run_in_background(self, lambda: services.stock.stats(), on_done=self._show, on_error=self._fail)

The work runs in the global QThreadPool; ``on_done``/``on_error`` run on the GUI thread, and are
dropped when ``owner`` has been destroyed meanwhile. Services open their own session per call,
so the worker never shares a Session with the GUI thread. The scan path stays synchronous.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)
T = TypeVar("T")


class _Relay(QObject):
    """Lives on the GUI thread; queued signals carry the outcome back to it."""

    succeeded = Signal(object)
    failed = Signal(object)


class _Job(QRunnable, Generic[T]):
    def __init__(self, work: Callable[[], T], relay: _Relay) -> None:
        super().__init__()
        self._work = work
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._work()
        except Exception as error:  # reported on the GUI thread as a sentence
            self._emit(self._relay.failed, error)
        else:
            self._emit(self._relay.succeeded, result)

    @staticmethod
    def _emit(signal: Any, value: object) -> None:
        try:
            signal.emit(value)
        except RuntimeError:
            pass  # the owner (and its relay) was closed while we worked: nobody wants the answer


def run_in_background(
    owner: QObject,
    work: Callable[[], T],
    *,
    on_done: Callable[[T], Any],
    on_error: Callable[[BaseException], Any],
) -> None:
    relay = _Relay(owner)  # parented: destroyed with the owner, which disconnects the callbacks

    def finished(result: object) -> None:
        relay.deleteLater()
        on_done(result)  # type: ignore[arg-type]

    def failed(error: object) -> None:
        relay.deleteLater()
        if not isinstance(error, Exception):
            error = RuntimeError(str(error))
        log.debug("Background work failed: %r", error)
        on_error(error)

    relay.succeeded.connect(finished)
    relay.failed.connect(failed)
    QThreadPool.globalInstance().start(_Job(work, relay))
