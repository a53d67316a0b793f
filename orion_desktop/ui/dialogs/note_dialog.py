"""Add a note to an order: internal (staff only) or visible to the customer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from orion_desktop.domain.order_results import NoteInfo
from orion_desktop.domain.requests import AddOrderNote
from orion_desktop.ui import formatting
from orion_desktop.ui.dialogs.action_dialog import ActionDialog

if TYPE_CHECKING:
    from orion_desktop.domain.actor import Actor
    from orion_desktop.services.registry import Services

MAX_NOTE_LENGTH = 4000


class NoteDialog(ActionDialog):
    ok_text = "Add note"

    def __init__(self, services: Services, actor: Actor, order_number: str, parent: QWidget | None = None) -> None:
        super().__init__(f"Note on {order_number}", parent)
        self.setObjectName("noteDialog")
        self._services = services
        self._actor = actor
        self.order_number = order_number
        self._init_inputs()
        self._init_frame(self._body)
        self.resize(self.fontMetrics().horizontalAdvance("M") * 38, self.sizeHint().height())
        self.validate()

    def _init_inputs(self) -> None:
        self._body = QWidget(self)
        caption = QLabel(f"Note on order {self.order_number}:", self._body)
        self.text_edit = QPlainTextEdit(self._body)
        self.text_edit.setObjectName("noteText")
        self.text_edit.setTabChangesFocus(True)  # Tab moves on, as in every other field
        self.text_edit.setPlaceholderText("What happened, what was agreed, what to watch out for")
        self.text_edit.setMinimumHeight(self.fontMetrics().height() * 5)
        caption.setBuddy(self.text_edit)
        self.customer_visible_check = QCheckBox("Visible to the customer", self._body)
        self.customer_visible_check.setObjectName("noteCustomerVisible")
        self.customer_visible_check.setToolTip("Unticked, the note is internal: only staff see it")
        layout = QVBoxLayout(self._body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(caption)
        layout.addWidget(self.text_edit, 1)
        layout.addWidget(self.customer_visible_check)
        self.text_edit.textChanged.connect(self.input_changed)

    def problem(self) -> str | None:
        text = self.text_edit.toPlainText().strip()
        if not text:
            return "Write the note."
        if len(text) > MAX_NOTE_LENGTH:
            return (f"The note is too long ({formatting.number(len(text))} characters; "
                    f"at most {formatting.number(MAX_NOTE_LENGTH)}).")
        return None

    def value(self) -> AddOrderNote:
        return AddOrderNote(self.order_number, self.text_edit.toPlainText().strip(),
                            self.customer_visible_check.isChecked())

    def submit(self, value: AddOrderNote) -> NoteInfo:
        return self._services.perform(self._actor, value, operation_key=self.operation_key)
