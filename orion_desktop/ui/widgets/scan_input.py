"""A line edit for keyboard-wedge barcode scanners (and people typing codes).

A scanner types a code's digits and ends with Enter or Tab, faster than any hand. ``ScanInput``
emits ``scanned(text)`` on either key, with whitespace and control characters removed
(``domain.scanning.clean_scan``). A quantity prefix such as ``5*`` is passed through as typed;
the receiver parses it (``domain.scanning.parse_scan``, ``PackSession.scan``).

Tab ends a scan and keeps the focus here, so the next scan lands in the same field. Tab in an
empty field still moves the focus on (keyboard navigation), and Shift+Tab always does.

Each entry's keystroke intervals are measured with a ``QElapsedTimer``; ``last_was_scanner``
says whether the last entry arrived at scanner speed (``domain.scanning.looks_like_scanner``).
With ``clear_after_scan=False`` (a search box that keeps showing what was searched), a scanner
entry is left selected so the next scan replaces it, while typed text stays editable.

Window shortcuts that a line edit would normally swallow (Ctrl+Z is the line edit's own undo)
can be handed through with ``pass_shortcuts``, so a page's "Undo last scan" works while the
focus stays in the scan field.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QElapsedTimer, QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QLineEdit, QWidget

from orion_desktop.domain.scanning import clean_scan, looks_like_scanner

MAX_SCAN_LENGTH = 128
"""Longer input is not a code (GS1-128 payloads stay well below this)."""

_SUBMIT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_BLOCKING_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier
)


class ScanInput(QLineEdit):
    """Emits ``scanned`` with the cleaned text when Enter or Tab ends an entry."""

    scanned = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, clear_after_scan: bool = True) -> None:
        super().__init__(parent)
        self.clear_after_scan = clear_after_scan
        self.setMaxLength(MAX_SCAN_LENGTH)
        self.setInputMethodHints(Qt.InputMethodHint.ImhNoPredictiveText | Qt.InputMethodHint.ImhNoAutoUppercase)
        self._clock = QElapsedTimer()
        self._intervals: list[float] = []
        self._last_intervals: tuple[float, ...] = ()
        self._last_was_scanner = False
        self._passed: list[QKeySequence] = []
        self.textChanged.connect(self._text_changed)

    # --- public API -----------------------------------------------------------------------
    @property
    def last_was_scanner(self) -> bool:
        """True when the last entry's keys came at scanner speed (not a person typing)."""
        return self._last_was_scanner

    @property
    def last_key_intervals_ms(self) -> tuple[float, ...]:
        """The milliseconds between the last entry's keystrokes (empty when it was pasted or set)."""
        return self._last_intervals

    def pass_shortcuts(self, sequences: Iterable[QKeySequence | str]) -> None:
        """Let these shortcuts reach the window's actions even while this field has the focus."""
        self._passed.extend(QKeySequence(s) for s in sequences)

    def submit(self) -> None:
        """End the entry as Enter would: emit ``scanned`` unless the field is blank."""
        text = clean_scan(self.text())
        self._last_intervals = tuple(self._intervals)
        self._last_was_scanner = looks_like_scanner(list(self._intervals))
        self._reset_timing()
        if not text:
            self.clear()
            return
        if self.clear_after_scan:
            self.clear()
        else:
            self.setText(text)
            if self._last_was_scanner:
                self.selectAll()  # the next scan replaces this one
        self._reset_timing()
        self.scanned.emit(text)

    # --- Qt -------------------------------------------------------------------------------
    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and self._passed:
            assert isinstance(event, QKeyEvent)
            pressed = QKeySequence(event.keyCombination())
            if any(s.matches(pressed) == QKeySequence.SequenceMatch.ExactMatch for s in self._passed):
                event.ignore()  # not ours: the window's shortcut gets it
                return True
        if event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            held = event.modifiers() & (_BLOCKING_MODIFIERS | Qt.KeyboardModifier.ShiftModifier)
            if event.key() == Qt.Key.Key_Tab and not held and clean_scan(self.text()):
                # Before QWidget turns Tab into "focus the next widget": a scanner's Tab ends a scan.
                event.accept()
                self.submit()
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in _SUBMIT_KEYS and not event.modifiers() & _BLOCKING_MODIFIERS:
            event.accept()
            self.submit()
            return
        if event.text() and event.text().isprintable():
            if self._clock.isValid() and self.text():
                self._intervals.append(self._clock.nsecsElapsed() / 1_000_000)
            self._clock.start()
        super().keyPressEvent(event)

    # --- internals ------------------------------------------------------------------------
    def _text_changed(self, text: str) -> None:
        if not text:
            self._reset_timing()

    def _reset_timing(self) -> None:
        self._intervals.clear()
        self._clock.invalidate()
