"""The pack station forgets "the database cannot be reached" once it is back.

The feedback panel keeps its last sentence until the next scan; after an outage that was a red
"✗ The database cannot be reached …" long after the database had come back, which reads as if it
were still gone. ``OutageNote`` remembers the sentence of the last ``DatabaseUnavailable`` the
station reported, and when the window announces that everything may have changed (what it does
after a reconnect) while the panel still shows that sentence, it says the database is back instead.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from orion_desktop.ui.data_events import DataEvents, Topic
from orion_desktop.ui.errors import user_message
from orion_desktop.ui.pack_station.feedback_panel import FeedbackPanel
from orion_desktop.ui.pack_station.scan_controller import Tone

BACK_MESSAGE = "The database is reachable again. Scan again to carry on."


class OutageNote(QObject):
    """Replaces a stale outage sentence on ``panel`` when ``events`` report the database answering again."""

    def __init__(self, events: DataEvents, panel: FeedbackPanel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._panel = panel
        self._sentence: str | None = None
        events.databaseUnavailable.connect(self._lost)
        events.changed.connect(self._answered)

    def _lost(self, error: BaseException) -> None:
        self._sentence = user_message(error)

    def _answered(self, topics: object) -> None:
        if topics != frozenset(Topic):  # only the window's "everything" after a reconnect, not a write
            return
        sentence, self._sentence = self._sentence, None
        panel = self._panel
        if sentence and panel.tone is Tone.REFUSED and sentence in panel.label.text():
            panel.show_message(BACK_MESSAGE, Tone.INFO)
