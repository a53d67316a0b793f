"""Python's cycle collector, run on the GUI thread only.

Automatic collection runs on whichever thread happens to allocate when a threshold is crossed.
If that is a background worker and the garbage holds a Qt object (a dialog caught in a
reference cycle, say), the object would be destroyed on the wrong thread, which can crash Qt.
So while the window runs, automatic collection is off and a timer on the GUI thread collects
instead, with the same generation thresholds the automatic collector would use.
"""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QObject, QTimer

CHECK_INTERVAL_MS = 500
FULL_COLLECTION_GAP_S = 60.0
"""At most one full (oldest-generation) collection a minute: with 100k table rows loaded, a full
collection takes a noticeable moment, and CPython's own rule that spaces them out is internal."""


class DueCollections:
    """Collects what automatic collection would have, when asked, on the asking thread.

    Plain Python, so the test suite applies the window's rule between tests as well."""

    def __init__(self) -> None:
        self._last_full = float("-inf")

    def collect_if_due(self) -> int:
        """Collect the oldest generation whose threshold is crossed; returns what was freed."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        due = [
            generation
            for generation in range(3)
            if thresholds[generation] and counts[generation] > thresholds[generation]
        ]
        if not due:
            return 0
        generation = due[-1]
        if generation == 2:
            now = time.monotonic()
            if now - self._last_full < FULL_COLLECTION_GAP_S:
                generation = 1
            else:
                self._last_full = now
        return gc.collect(generation)


class GuiThreadCollector(QObject):
    """While started: automatic collection off, a GUI-thread timer collects as thresholds are crossed."""

    def __init__(self, parent: QObject | None = None, *, interval_ms: int = CHECK_INTERVAL_MS) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_if_due)
        self._was_enabled = gc.isenabled()
        self._due = DueCollections()

    def start(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._was_enabled:
            gc.enable()

    def collect_if_due(self) -> int:
        """Collect the oldest generation whose threshold is crossed; returns what was freed."""
        return self._due.collect_if_due()
