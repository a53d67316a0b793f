"""Notices when the database goes away and when it is back, without freezing the window.

A timer runs ``check`` (``Services.check_connection``) in the background: every few seconds
while the database is unreachable, rarely while all is well (a SQLite file moved away is
otherwise only noticed on the next action), and at once when a page reports a
``DatabaseUnavailable`` error. ``lost`` carries the sentence to show; ``restored`` fires when
a check succeeds again. Checks never overlap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from orion_desktop.ui.errors import user_message
from orion_desktop.ui.worker import run_in_background

log = logging.getLogger(__name__)

RETRY_INTERVAL_MS = 3_000
"""While the database is unreachable: how often to try again."""

HEALTHY_INTERVAL_MS = 15_000
"""While all is well: how often to make sure it still is (one ``SELECT 1``)."""


class ConnectionMonitor(QObject):
    lost = Signal(str)  # the sentence saying why; emitted again when the reason changes
    restored = Signal()

    def __init__(
        self,
        check: Callable[[], None],
        *,
        retry_interval_ms: int = RETRY_INTERVAL_MS,
        healthy_interval_ms: int = HEALTHY_INTERVAL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._check = check
        self.retry_interval_ms = retry_interval_ms
        self.healthy_interval_ms = healthy_interval_ms
        self._healthy = True
        self._checking = False
        self._message = ""
        self._stopped = False  # after stop(): a check under way must not re-arm the timer
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)  # re-armed after each check, so checks never pile up
        self._timer.timeout.connect(self.check_now)

    @property
    def healthy(self) -> bool:
        """False from a failed check until the next successful one."""
        return self._healthy

    @property
    def message(self) -> str:
        """Why the database is unreachable; empty while it is healthy."""
        return self._message

    @property
    def checking(self) -> bool:
        return self._checking

    def start(self) -> None:
        """Begin the periodic checks (the first after one interval)."""
        self._stopped = False
        self._arm()

    def stop(self) -> None:
        """No more checks by timer, also not after the answer of one under way (a closing window)."""
        self._stopped = True
        self._timer.stop()

    def report(self, _error: BaseException) -> None:
        """A page ran into DatabaseUnavailable: find out now whether the database is gone."""
        self.check_now()

    def check_now(self) -> None:
        if self._checking:
            return
        self._timer.stop()
        self._checking = True
        run_in_background(self, self._check, on_done=self._succeeded, on_error=self._failed)

    def _succeeded(self, _result: object) -> None:
        self._checking = False
        was_healthy = self._healthy
        self._healthy = True
        self._message = ""
        self._arm()
        if not was_healthy:
            log.info("The database is reachable again")  # README: losses and recoveries go to orion.log
            self.restored.emit()

    def _failed(self, error: BaseException) -> None:
        self._checking = False
        message = user_message(error)
        changed = self._healthy or message != self._message
        self._healthy = False
        self._message = message
        self._arm()
        if changed:
            log.error("The database cannot be used: %s", message, exc_info=(type(error), error, error.__traceback__))
            self.lost.emit(message)

    def _arm(self) -> None:
        if self._stopped:
            return
        self._timer.start(self.healthy_interval_ms if self._healthy else self.retry_interval_ms)
