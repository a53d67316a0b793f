"""Location dialogs (admins): add, rename, change the sort key, deactivate or reactivate.

Each is an ``ActionDialog``: inline validation (OK stays disabled while the input cannot be sent,
and a sentence says why); on OK the frozen request the CLI builds too (``AddLocation``,
``UpdateLocation``) goes through ``Services.perform`` off the GUI thread, and the saved
``LocationInfo`` ends up in ``outcome``. A refusal is shown as a sentence inside the dialog, which
stays open; the service call is one transaction, so nothing changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from orion_desktop.domain.errors import InvalidInput
from orion_desktop.domain.requests import AddLocation, UpdateLocation
from orion_desktop.domain.results import LocationInfo, LocationSummary
from orion_desktop.domain.validation import MAX_CODE_LENGTH, MAX_QUANTITY, normalize_location_code
from orion_desktop.ui import formatting
from orion_desktop.ui.dialogs.action_dialog import ActionDialog

if TYPE_CHECKING:
    from orion_desktop.domain.actor import Actor
    from orion_desktop.services.registry import Services

MAX_NAME_LENGTH = 255
SORT_KEY_STEP = 10
"""A new location goes this far after the last one, leaving room to insert others between."""


def _one_line(text: str) -> str:
    """What the service stores of a name: runs of spaces become one, ends trimmed."""
    return " ".join(text.split())


class LocationDialog(ActionDialog):
    """Sends an ``AddLocation`` or an ``UpdateLocation``; ``outcome`` is the saved ``LocationInfo``."""

    def __init__(self, services: Services, actor: Actor, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self._services = services
        self._actor = actor
        self._body = QWidget(self)

    def _finish(self) -> None:
        self._init_frame(self._body)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 34)
        self.validate()

    def value(self) -> AddLocation | UpdateLocation:
        raise NotImplementedError

    def submit(self, value: AddLocation | UpdateLocation) -> LocationInfo:
        return self._services.perform(self._actor, value)


class AddLocationDialog(LocationDialog):
    ok_text = "Add location"

    def __init__(
        self, services: Services, actor: Actor, existing: Sequence[LocationSummary], parent: QWidget | None = None
    ) -> None:
        super().__init__(services, actor, "Add location", parent)
        self.setObjectName("addLocationDialog")
        self._existing = {location.code: location for location in existing}
        next_key = max((location.sort_key for location in existing), default=0) + SORT_KEY_STEP
        self._init_inputs(min(next_key, MAX_QUANTITY))
        self._finish()

    def _init_inputs(self, sort_key: int) -> None:
        body = self._body
        self.code_edit = QLineEdit(body)
        self.code_edit.setObjectName("locationCode")
        self.code_edit.setPlaceholderText("e.g. WAREHOUSE_A or AISLE-3.BAY-2")
        self.code_edit.setMaxLength(MAX_CODE_LENGTH + 8)  # room for spaces that are trimmed
        self.code_edit.setToolTip("Letters, digits, '_', '-' and '.'; saved in capitals")
        self.code_error = self.field_error_label(body)
        self.code_error.setObjectName("locationCodeError")
        self.code_note = QLabel(body)
        self.code_note.setObjectName("locationCodeNote")
        self.code_note.setTextFormat(Qt.TextFormat.PlainText)
        self.code_note.setWordWrap(True)
        self.code_note.setEnabled(False)  # muted: what OK will do
        self.code_note.hide()
        self.name_edit = QLineEdit(body)
        self.name_edit.setObjectName("locationName")
        self.name_edit.setPlaceholderText("optional, e.g. Main warehouse, aisle A")
        self.name_edit.setMaxLength(MAX_NAME_LENGTH)
        self.sort_spin = QSpinBox(body)
        self.sort_spin.setObjectName("locationSortKey")
        self.sort_spin.setRange(0, MAX_QUANTITY)
        self.sort_spin.setValue(sort_key)
        self.sort_spin.setToolTip("Order along the picking path: lower comes first")
        code_column = QVBoxLayout()
        code_column.setSpacing(2)
        code_column.addWidget(self.code_edit)
        code_column.addWidget(self.code_error)
        code_column.addWidget(self.code_note)
        form = QFormLayout(body)
        form.setContentsMargins(0, 0, 0, 0)
        code_label = QLabel("&Code:", body)
        code_label.setBuddy(self.code_edit)  # a layout cannot be a buddy, so Alt+C needs the label
        form.addRow(code_label, code_column)
        form.addRow("&Name:", self.name_edit)
        form.addRow("&Sort key:", self.sort_spin)
        self.code_edit.textChanged.connect(self.input_changed)
        self.name_edit.textChanged.connect(self.input_changed)
        self.sort_spin.valueChanged.connect(self.input_changed)

    def _code_check(self) -> tuple[str | None, str | None, str]:
        """(normalized code, the error to show under the field, a note on what OK will do)."""
        typed = self.code_edit.text()
        if not typed.strip():
            return None, None, ""
        try:
            code = normalize_location_code(typed)
        except InvalidInput as error:
            return None, str(error), ""
        existing = self._existing.get(code)
        if existing is not None and existing.is_active:
            return None, f"There is already a location {code}; rename it or change its sort key instead.", ""
        if existing is not None:
            return code, None, f"{code} exists but is inactive; adding it makes it active again."
        return code, None, f"It will be saved as {code}." if code != typed.strip() else ""

    def problem(self) -> str | None:
        code, error, note = self._code_check()
        self.set_field_error(self.code_error, error)
        self.code_note.setText(note)
        self.code_note.setVisible(bool(note))
        if code is not None:
            return None
        if error is not None:
            return "Correct the location code."
        return "Enter a code for the location, for example WAREHOUSE_A."

    def value(self) -> AddLocation:
        return AddLocation(
            code=normalize_location_code(self.code_edit.text()),
            name=_one_line(self.name_edit.text()) or None,
            sort_key=self.sort_spin.value(),
        )


class RenameLocationDialog(LocationDialog):
    ok_text = "Rename"

    def __init__(
        self, services: Services, actor: Actor, location: LocationSummary, parent: QWidget | None = None
    ) -> None:
        super().__init__(services, actor, f"Rename {location.code}", parent)
        self.setObjectName("renameLocationDialog")
        self.location = location
        self.name_edit = QLineEdit(location.name or "", self._body)
        self.name_edit.setObjectName("locationName")
        self.name_edit.setMaxLength(MAX_NAME_LENGTH)
        self.name_edit.setPlaceholderText("e.g. Main warehouse, aisle A")
        self.name_edit.selectAll()
        code = QLabel(location.code, self._body)
        code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout(self._body)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Code:", code)
        form.addRow("&Name:", self.name_edit)
        self.name_edit.textChanged.connect(self.input_changed)
        self._finish()

    def problem(self) -> str | None:
        name = _one_line(self.name_edit.text())
        if not name:
            return "Enter the new name."
        if name == (self.location.name or ""):
            return "Change the name to rename the location."
        return None

    def value(self) -> UpdateLocation:
        return UpdateLocation(code=self.location.code, name=_one_line(self.name_edit.text()))


class SortKeyDialog(LocationDialog):
    ok_text = "Change sort key"

    def __init__(
        self, services: Services, actor: Actor, location: LocationSummary, parent: QWidget | None = None
    ) -> None:
        super().__init__(services, actor, f"Sort key of {location.code}", parent)
        self.setObjectName("sortKeyDialog")
        self.location = location
        self.sort_spin = QSpinBox(self._body)
        self.sort_spin.setObjectName("locationSortKey")
        self.sort_spin.setRange(0, MAX_QUANTITY)
        self.sort_spin.setValue(location.sort_key)
        explanation = QLabel(
            "Pickers visit locations in ascending sort key order, and orders reserve stock "
            "from the first location along that path.",
            self._body,
        )
        explanation.setWordWrap(True)
        explanation.setEnabled(False)
        form = QFormLayout(self._body)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Location:", QLabel(location.code, self._body))
        form.addRow("&Sort key:", self.sort_spin)
        form.addRow(explanation)
        self.sort_spin.valueChanged.connect(self.input_changed)
        self._finish()

    def problem(self) -> str | None:
        if self.sort_spin.value() == self.location.sort_key:
            return "Choose a different sort key."
        return None

    def value(self) -> UpdateLocation:
        return UpdateLocation(code=self.location.code, sort_key=self.sort_spin.value())


class LocationActiveDialog(LocationDialog):
    """Deactivate an active location, or reactivate an inactive one, after saying what that means."""

    def __init__(
        self, services: Services, actor: Actor, location: LocationSummary, parent: QWidget | None = None
    ) -> None:
        verb = "Deactivate" if location.is_active else "Reactivate"
        super().__init__(services, actor, f"{verb} {location.code}", parent)
        self.setObjectName("locationActiveDialog")
        self.ok_button.setText(verb)
        self.location = location
        self.activate = not location.is_active
        self.message_label = QLabel(self._message(), self._body)
        self.message_label.setObjectName("locationActiveMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self._body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message_label)
        self._finish()
        self.cancel_button.setDefault(True)  # Enter does not deactivate by accident
        self.cancel_button.setFocus()

    def _message(self) -> str:
        location = self.location
        if self.activate:
            return f"Reactivate {location.code}? Orders will reserve stock there again."
        held = ""
        if location.stock_rows:
            held = (
                f" Its {formatting.plural(location.quantity, 'unit')} in "
                f"{formatting.plural(location.stock_rows, 'stock row')} stay where they are and can still be counted, "
                "adjusted or moved."
            )
        return f"Deactivate {location.code}? Orders will no longer reserve stock there.{held}"

    def value(self) -> UpdateLocation:
        return UpdateLocation(code=self.location.code, is_active=self.activate)
