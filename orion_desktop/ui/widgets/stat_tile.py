"""A dashboard tile: a caption, one big figure and a short explanation."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

_WARNING = "#b3261e"


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
        self.detail_label.setEnabled(False)  # muted
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
