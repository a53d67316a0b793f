"""What every action dialog shares: OK/Cancel, inline validation, and service errors as sentences.

A subclass builds its inputs in ``_init_*`` helpers, says in ``problem()`` why the input cannot be
sent yet (OK stays disabled and the reason is shown under the form), returns its frozen value
object from ``value()``, and sends it in ``submit()``, which runs off the GUI thread (it may only
use the value and the services, never widgets). When the service refuses, the sentence is shown
inside the dialog, the dialog stays open and the user can correct the input; the service call was
one transaction, so nothing changed. ``outcome`` holds what the service returned.

Each dialog makes one operation key (DESIGN.md §3) for the user's action: a retry after a lost
connection cannot apply the change twice.
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from orion_desktop.ui import order_format
from orion_desktop.ui.widgets.message_banner import MessageBanner
from orion_desktop.ui.worker import run_in_background

_PROBLEM_STYLE = "color: #5f6368;"  # muted: a hint about what is missing, not an error


class ScanLineEdit(QLineEdit):
    """A field a barcode scanner types into: its Enter ends the code and never presses the dialog's OK."""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()  # QLineEdit ignores it, which would let QDialog click the default button


class ActionDialog(QDialog):
    """Base of the order dialogs. Subclasses call ``_init_frame`` last in their constructor."""

    ok_text = "OK"
    settled = Signal()  # after OK: the services answered (``outcome`` is set, or the error is shown)

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.operation_key = str(uuid.uuid4())
        self.outcome: Any = None
        self._busy = False
        self._body_widget: QWidget | None = None
        self.error_banner = MessageBanner(self)
        self.problem_label = QLabel(self)
        self.problem_label.setObjectName("dialogProblem")
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextFormat(Qt.TextFormat.PlainText)
        self.problem_label.setStyleSheet(_PROBLEM_STYLE)
        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button: QPushButton = self.button_box.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.ok_text)
        self.cancel_button: QPushButton = self.button_box.button(QDialogButtonBox.StandardButton.Cancel)
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)

    def _init_frame(self, body: QWidget | None = None) -> QVBoxLayout:
        """Lay out: error banner, ``body`` (disabled while a request is under way), problem line, buttons."""
        self._body_widget = body
        layout = QVBoxLayout(self)
        layout.addWidget(self.error_banner)
        if body is not None:
            layout.addWidget(body, 1)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.button_box)
        return layout

    # --- to override ----------------------------------------------------------------------
    def problem(self) -> str | None:
        """Why the input cannot be sent yet, as a sentence; None when it can."""
        return None

    def value(self) -> Any:
        """The frozen value object the input describes (only meaningful without a problem)."""
        raise NotImplementedError

    def submit(self, value: Any) -> Any:
        """Send ``value`` to the services; return what they returned (kept as ``outcome``)."""
        raise NotImplementedError

    def succeeded(self) -> None:
        """After a successful submit: close (subclasses may first show what happened)."""
        super().accept()

    # --- validation and sending -----------------------------------------------------------
    @property
    def is_busy(self) -> bool:
        """True while the request is with the services (off the GUI thread)."""
        return self._busy

    def validate(self) -> bool:
        """Enable OK only for input that can be sent; say why not under the form."""
        problem = self.problem()
        self.ok_button.setEnabled(problem is None and not self._busy)
        self.problem_label.setText(problem or "")
        self.problem_label.setVisible(bool(problem))
        return problem is None

    def input_changed(self, *_args: object) -> None:
        """Connected to every input: the last refusal no longer applies to what is shown now."""
        self.error_banner.clear()
        self.validate()

    def accept(self) -> None:
        """OK: send the value off the GUI thread; the window stays responsive meanwhile."""
        if self._busy or not self.validate():
            return
        value = self.value()
        submit = self.submit
        self._set_busy(True)
        # The answer is handled on the next turn of the event loop, not inside the worker's relay
        # signal: closing the dialog in there and then deleting it crashes PySide 6.11.
        run_in_background(
            self,
            lambda: submit(value),
            on_done=lambda outcome: QTimer.singleShot(0, self, lambda: self._submitted(outcome)),
            on_error=lambda error: QTimer.singleShot(0, self, lambda: self._refused(error)),
        )

    def reject(self) -> None:
        if self._busy:  # the request may be applied any moment: wait for the answer
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self._busy:
            event.ignore()
            return
        super().closeEvent(event)

    def _submitted(self, outcome: object) -> None:
        self._set_busy(False)
        self.outcome = outcome
        self.succeeded()
        self.settled.emit()

    def _refused(self, error: BaseException) -> None:
        self._set_busy(False)
        self.error_banner.show_error(error)
        self.settled.emit()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        if self._body_widget is not None:
            self._body_widget.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
            self.ok_button.setEnabled(False)
        else:
            self.unsetCursor()
            self.validate()

    @staticmethod
    def field_error_label(parent: QWidget) -> QLabel:
        """A red sentence under (or beside) one input, hidden while that input is fine."""
        label = QLabel(parent)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setStyleSheet(f"color: {order_format.WARNING_COLOUR};")
        label.hide()
        return label

    @staticmethod
    def set_field_error(label: QLabel, message: str | None) -> None:
        label.setText(message or "")
        label.setVisible(bool(message))
