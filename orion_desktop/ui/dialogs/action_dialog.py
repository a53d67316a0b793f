"""The one base of every dialog that sends something to the services.

A subclass builds its inputs in ``_init_*`` helpers, says in ``problem()`` why the input cannot be
sent yet (OK stays disabled and the reason is shown under the form), returns its frozen value
object from ``value()``, and sends it in ``submit()``, which runs off the GUI thread (it may only
use the value and the services, never widgets). When the service refuses, the sentence is shown
inside the dialog (``failed`` carries the error, so a page can notice a lost database), the dialog
stays open and the user can correct the input; the service call was one transaction, so nothing
changed. ``outcome`` holds what the service returned; ``settled`` fires after either answer.

What the services committed is recorded by the worker and announced by the dialog itself: the page
that opened it never guesses (ARCHITECTURE.md: change sets). A page that shows a message after OK
calls ``announce_changes`` first (the pages reload, then the message stays); otherwise the dialog
announces as it closes, or at once after a refusal. It announces to ``events`` when set, else to
the ``events`` of the nearest parent that has one (the page that opened it).

Each dialog makes one operation key (ARCHITECTURE.md: stock changes) for the user's action and sends it with every
attempt: when an attempt timed out after the database had already applied it, pressing OK again
returns the first result instead of applying the change twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from orion_desktop.domain.changes import NO_CHANGES, Changes
from orion_desktop.domain.errors import DatabaseUnavailable
from orion_desktop.ui import order_format
from orion_desktop.ui.data_events import DataEvents
from orion_desktop.ui.dialogs.dialog_focus import focus_first_input
from orion_desktop.ui.widgets.message_banner import BannerKind, MessageBanner
from orion_desktop.ui.worker import run_in_background

MUTED_STYLE = "color: #5f6368;"  # muted: a hint about what is missing, not an error
ERROR_STYLE = f"color: {order_format.WARNING_COLOUR};"  # red: what was typed is wrong (README: the dialogs)


class ScanLineEdit(QLineEdit):
    """A field a barcode scanner types into: its Enter ends the code and never presses the dialog's OK."""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()  # QLineEdit ignores it, which would let QDialog click the default button


class ActionDialog(QDialog):
    """Base of every service dialog. Subclasses call ``_init_frame`` (or lay out themselves) last."""

    ok_text = "OK"
    busy_text: str | None = None  # shown in the problem line while the request is out, e.g. "Saving…"
    settled = Signal()  # after OK: the services answered (``outcome`` is set, or the error is shown)
    failed = Signal(object)  # a refusal shown in the dialog (the page reports a lost database)

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.operation_key = str(uuid.uuid4())  # one per request: a retry of the same input sends the same key
        self._sent: tuple[Any] | None = None  # the value last sent, to tell a retry from a new request
        self.outcome: Any = None
        self.events: DataEvents | None = None  # where what OK changed is announced (default: the parent's)
        self.changes: Changes = NO_CHANGES  # what OK committed, not announced yet
        self._busy = False
        self._touched = False  # the user changed an input: a problem now says what is wrong, in red
        self._unreachable_shown = False  # the banner says the database cannot be reached
        self._watching_events = False
        self._body_widget: QWidget | None = None
        self.error_banner = MessageBanner(self)
        self.problem_label = QLabel(self)
        self.problem_label.setObjectName("dialogProblem")
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextFormat(Qt.TextFormat.PlainText)
        self.problem_label.setStyleSheet(MUTED_STYLE)
        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button: QPushButton = self.button_box.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.ok_text)
        self.cancel_button: QPushButton = self.button_box.button(QDialogButtonBox.StandardButton.Cancel)
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)

    def _init_frame(self, body: QWidget | QLayout | None = None) -> QVBoxLayout:
        """Lay out: error banner, ``body``, problem line, buttons.

        A body widget takes the spare height and is disabled while a request is under way.
        """
        layout = QVBoxLayout(self)
        layout.addWidget(self.error_banner)
        if isinstance(body, QLayout):
            layout.addLayout(body)
        elif body is not None:
            self._body_widget = body
            layout.addWidget(body, 1)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.button_box)
        return layout

    # --- to override ----------------------------------------------------------------------
    def problem(self) -> str | None:
        """Why the input cannot be sent yet, as a sentence; None when it can."""
        return None

    def hint(self) -> str | None:
        """A note for the problem line when the input is fine (what OK will do); None for none."""
        return None

    def value(self) -> Any:
        """The frozen value object the input describes (only meaningful without a problem)."""
        raise NotImplementedError

    def submit(self, value: Any) -> Any:
        """Send ``value`` to the services; return what they returned (kept as ``outcome``)."""
        raise NotImplementedError

    def succeeded(self) -> None:
        """After a successful submit: close (subclasses may first show what happened)."""
        QDialog.accept(self)

    def _freeze_inputs(self, busy: bool) -> None:
        """While a request is out the input must not change: by default the body is disabled."""
        if self._body_widget is not None:
            self._body_widget.setEnabled(not busy)

    # --- validation and sending -----------------------------------------------------------
    @property
    def busy(self) -> bool:
        """True while the request is with the services (off the GUI thread)."""
        return self._busy

    is_busy = busy

    def validate(self) -> bool:
        """Enable OK only for input that can be sent; say why not (or what OK will do) under the form."""
        problem = None if self._busy else self.problem()
        self.ok_button.setEnabled(problem is None and not self._busy)
        if self._busy:
            text = self.busy_text or ""
        else:
            text = problem if problem is not None else self.hint() or ""
        self.problem_label.setText(text)
        self.problem_label.setVisible(bool(text))
        # Grey while it only says what is still missing; red once what the user typed is wrong.
        wrong = problem is not None and self._touched and not self._busy
        self.problem_label.setStyleSheet(ERROR_STYLE if wrong else MUTED_STYLE)
        self.problem_label.setProperty("wrong", wrong)
        return problem is None

    def input_changed(self, *_args: object) -> None:
        """Connected to every input: the last refusal no longer applies to what is shown now."""
        self._touched = self._touched or self.isVisible()  # filling the form in code is not the user typing
        self._unreachable_shown = False
        self.error_banner.clear()
        self.validate()

    def accept(self) -> None:
        """OK: send the value off the GUI thread; the window stays responsive meanwhile."""
        if self._busy or not self.validate():
            return
        value = self.value()
        if self._sent is not None and self._sent[0] != value:
            # A key belongs to one request: the same key with other input is refused as a Conflict.
            self.operation_key = str(uuid.uuid4())
            value = self.value()  # some requests carry the key inside them
        self._sent = (value,)
        submit = self.submit
        self._send(lambda: submit(value), self._submitted)

    def _send(self, work: Callable[[], Any], on_done: Callable[[Any], None]) -> None:
        """Run ``work`` off the GUI thread with the dialog busy; then ``on_done(result)``, or the
        refusal is shown in the dialog."""

        def done(result: Any) -> None:
            self._set_busy(False)
            on_done(result)

        self._set_busy(True)
        run_in_background(self, work, on_done=done, on_error=self._refused, on_changes=self._recorded)

    def _recorded(self, changes: Changes) -> None:
        self.changes = self.changes | changes

    def announce_changes(self) -> None:
        """Tell the pages what OK committed (once; nothing when nothing changed)."""
        changes, self.changes = self.changes, NO_CHANGES
        events = self.data_events()
        if events is not None:
            events.announce_changes(changes)

    def done(self, result: int) -> None:
        super().done(result)  # ``finished``: the page may announce first, before its message
        self.announce_changes()

    def data_events(self) -> DataEvents | None:
        """``events``, else the ``events`` of the nearest parent (a page) that has a DataEvents."""
        if self.events is not None:
            return self.events
        parent = self.parent()
        while parent is not None:
            found = getattr(parent, "events", None)
            if isinstance(found, DataEvents):
                return found
            parent = parent.parent()
        return None

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._touched:  # opening: the keyboard goes to the first input, never to a button
            focus_first_input(self)
        parent = self.parentWidget()
        monitor = getattr(parent.window(), "connection_monitor", None) if parent is not None else None
        restored = getattr(monitor, "restored", None)
        if restored is not None and not self._watching_events:
            self._watching_events = True
            restored.connect(self._database_answered)  # the main window's ConnectionMonitor

    def _database_answered(self) -> None:
        """The window found the database reachable again: an outage sentence here is stale now."""
        if self._unreachable_shown and not self._busy:
            self._unreachable_shown = False
            self.error_banner.show_message("The database is reachable again. Press OK to try again.",
                                           BannerKind.INFO)

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
        self.outcome = outcome
        self.succeeded()
        self.settled.emit()

    def _refused(self, error: BaseException) -> None:
        self._set_busy(False)
        self.show_refusal(error)
        self._unreachable_shown = isinstance(error, DatabaseUnavailable)
        self.announce_changes()  # a refused call changed nothing, but an earlier call of the job may have
        self.failed.emit(error)
        self.settled.emit()

    def show_refusal(self, error: BaseException) -> None:
        """Say why the services refused, in the dialog's banner (a subclass may say it otherwise)."""
        self.error_banner.show_error(error)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._freeze_inputs(busy)
        self.cancel_button.setEnabled(not busy)
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
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
