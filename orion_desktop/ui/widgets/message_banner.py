"""An inline banner above a page's content: errors as plain sentences, without a modal dialog."""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from orion_desktop.ui.errors import user_message


class BannerKind(Enum):
    ERROR = ("#fdecea", "#8a1c12", "#f0b4ac")
    INFO = ("#e8f1fb", "#17395c", "#b3cdea")

    @property
    def background(self) -> str:
        return self.value[0]

    @property
    def foreground(self) -> str:
        return self.value[1]

    @property
    def border(self) -> str:
        return self.value[2]


class MessageBanner(QFrame):
    """Hidden until there is something to say; the user can dismiss it with its close button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBanner")
        self.kind = BannerKind.ERROR
        self._init_widgets()
        self.hide()

    def _init_widgets(self) -> None:
        self.label = QLabel(self)
        self.label.setObjectName("messageBannerText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # messages quote user input: never rich text
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # The technical words behind a sentence (a driver's message), shown only on request.
        self.details_label = QLabel(self)
        self.details_label.setObjectName("messageBannerDetails")
        self.details_label.setWordWrap(True)
        self.details_label.setTextFormat(Qt.TextFormat.PlainText)
        self.details_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_label.hide()
        self.details_button = QToolButton(self)
        self.details_button.setObjectName("messageBannerDetailsButton")
        self.details_button.setText("Details")
        self.details_button.setCheckable(True)
        self.details_button.setToolTip("Show the technical details, for whoever looks after the database")
        self.details_button.toggled.connect(self._show_details)
        self.details_button.hide()
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setToolTip("Dismiss")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.clear)
        texts = QVBoxLayout()
        texts.setContentsMargins(0, 0, 0, 0)
        texts.addWidget(self.label)
        texts.addWidget(self.details_label)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addLayout(texts, 1)
        layout.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)

    def _show_details(self, shown: bool) -> None:
        self.details_label.setVisible(shown)
        window = self.window()
        if shown and window is not self and isinstance(window, QDialog):
            # A wrapped label's height is not part of a dialog's minimum size, so the dialog would keep its
            # height and cut the details off: it grows (keeping its width) until they show whole.
            layout = window.layout()
            if layout is not None:
                layout.activate()
            wanted = window.heightForWidth(window.width()) if window.hasHeightForWidth() else -1
            if wanted <= 0:  # no height-for-width answer: the size hint (at its own width) instead
                wanted = window.sizeHint().height()
            if wanted > window.height():
                window.resize(window.width(), wanted)

    @property
    def text(self) -> str:
        """The message shown now; empty when the banner is dismissed."""
        return "" if self.isHidden() else self.label.text()

    def show_error(self, error: BaseException) -> str:
        """Show ``error`` as a sentence (unexpected errors are logged); returns the sentence."""
        message = user_message(error)
        self.show_message(message, BannerKind.ERROR)
        return message

    def show_message(self, message: str, kind: BannerKind = BannerKind.INFO, *, details: str | None = None) -> None:
        """Show ``message``; ``details`` (technical words) sit behind a Details button."""
        self.kind = kind
        self.setStyleSheet(
            f"#messageBanner {{ background: {kind.background}; border: 1px solid {kind.border}; border-radius: 4px; }}"
            f"#messageBannerText {{ color: {kind.foreground}; }}"
            f"#messageBanner QToolButton {{ color: {kind.foreground}; }}"
        )
        self.label.setText(message)
        self.details_label.setText(details or "")
        self.details_button.setChecked(False)
        self.details_button.setVisible(bool(details))
        self.show()

    @property
    def details(self) -> str:
        """The technical details behind the Details button ("" when there are none)."""
        return "" if self.isHidden() else self.details_label.text()

    def clear(self) -> None:
        self.label.clear()
        self.details_label.clear()
        self.details_button.setChecked(False)
        self.details_button.hide()
        self.hide()
