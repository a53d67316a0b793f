"""A dashboard tile: a caption, one big figure and a short explanation."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

_WARNING = "#b3261e"
MUTED_SHARE = 0.3
"""How far muted text moves from the text colour towards the background (light and dark palettes alike)."""


def muted_text(palette: QPalette) -> QColor:
    """The palette's text colour, a little towards its background: quieter than a figure, easy to read."""
    text = palette.color(QPalette.ColorRole.WindowText)
    background = palette.color(QPalette.ColorRole.Window)
    return QColor.fromRgbF(*(t + (b - t) * MUTED_SHARE for t, b in (
        (text.redF(), background.redF()), (text.greenF(), background.greenF()), (text.blueF(), background.blueF()))))


class StatTile(QFrame):
    def __init__(self, caption: str, detail: str = "", *, name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if name:
            self.setObjectName(name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)  # as tall as its row
        self.setAutoFillBackground(True)
        self.caption_label = QLabel(caption, self)
        self.caption_label.setTextFormat(Qt.TextFormat.PlainText)
        self.value_label = QLabel("–", self)
        self.value_label.setObjectName("tileValue")
        self.value_label.setTextFormat(Qt.TextFormat.PlainText)
        self.value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 2.0)
        font.setBold(True)
        self.value_label.setFont(font)
        self.detail_label = QLabel(detail, self)
        self.detail_label.setTextFormat(Qt.TextFormat.PlainText)
        self.detail_label.setWordWrap(True)
        # Muted but readable: a disabled label's grey is too faint on the tile (about 1.5:1 contrast).
        palette = self.detail_label.palette()
        palette.setColor(QPalette.ColorRole.WindowText, muted_text(palette))
        self.detail_label.setPalette(palette)
        self.detail_label.setVisible(bool(detail))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 10)
        layout.setSpacing(2)
        layout.addWidget(self.caption_label)
        layout.addWidget(self.value_label)
        layout.addWidget(self.detail_label)
        self.setAccessibleName(caption)

    @property
    def value_text(self) -> str:
        return self.value_label.text()

    def set_value(self, text: str, *, warning: bool = False, detail: str | None = None) -> None:
        self.value_label.setText(text)
        self.value_label.setStyleSheet(f"color: {_WARNING};" if warning else "")  # else the palette's
        if detail is not None:
            self.detail_label.setText(detail)
            self.detail_label.setVisible(bool(detail))
        self.setAccessibleDescription(f"{self.caption_label.text()}: {text}")

    def clear(self) -> None:
        self.set_value("–")
