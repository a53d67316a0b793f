"""The pack station's feedback: one big sentence in a panel coloured by its tone, and a red flash
of the scan field when a scan is refused (the panel stays red until the next scan)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QWidget

from orion_desktop.ui.pack_station.scan_controller import Tone

FLASH_MS = 700
"""How long the scan field stays red after a refused scan."""

TONE_COLOURS: dict[Tone, tuple[str, str, str]] = {  # (background, text, border)
    Tone.IDLE: ("#f2f4f7", "#1f2933", "#d5dae1"),
    Tone.COUNTED: ("#e3f4e4", "#14532d", "#8fcf95"),
    Tone.REFUSED: ("#c62828", "#ffffff", "#8e1b1b"),
    Tone.INFO: ("#e8f1fb", "#17395c", "#b3cdea"),
    Tone.DONE: ("#d9f0ff", "#0b3954", "#7fb8da"),
}


class FeedbackPanel(QFrame):
    """The sentence (``label``) and its ``tone``; ``flash`` turns ``scan_field`` red for a moment."""

    def __init__(self, scan_field: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("packFeedbackFrame")
        self._scan_field = scan_field
        self.label = QLabel(self)
        self.label.setObjectName("packFeedback")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # messages quote scanned text: never rich text
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        font = QFont(self.label.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.label.setFont(font)
        self.label.setMinimumHeight(self.fontMetrics().height() * 2 + 36)  # two lines of the normal font
        self.label.setAccessibleName("Scan feedback")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.addWidget(self.label)
        self.tone = Tone.IDLE
        self._flash_timer = QTimer(self)
        self._flash_timer.setSingleShot(True)
        self._flash_timer.setInterval(FLASH_MS)
        self._flash_timer.timeout.connect(lambda: self._scan_field.setStyleSheet(""))

    def show_message(self, message: str, tone: Tone) -> None:
        if tone is not self.tone or not self.styleSheet():  # restyling costs milliseconds: only when it changes
            background, text, border = TONE_COLOURS[tone]
            self.setStyleSheet(
                f"#packFeedbackFrame {{ background: {background}; border: 1px solid {border}; border-radius: 6px; }}"
                f"#packFeedback {{ color: {text}; }}"
            )
        self.tone = tone
        self.label.setText(message)

    def flash(self) -> None:
        """The scan field red for ``FLASH_MS`` (a refusal while it is red restarts the time)."""
        if not self._flash_timer.isActive():
            self._scan_field.setStyleSheet("QLineEdit { background: #fdecea; border: 2px solid #c62828; }")
        self._flash_timer.start()
