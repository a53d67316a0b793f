"""The forms of the users dialog (issue 14): add or edit a user, reset a password, set a badge and PIN.

Each is an ``ActionDialog``: inputs as attributes, OK disabled while the input is incomplete or
wrong (the reason under the form), the service call off the GUI thread, a refusal shown in the
dialog as the service's sentence. A change to a user that has a PostgreSQL login of its own also
changes that login (``services/user_logins.py``), and ``outcome`` is the sentence to show.
Secrets stay in the masked fields and the frozen value sent; they are never shown or logged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QListWidget, QListWidgetItem, QWidget

from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.services import user_logins
from orion_desktop.services.registry import Services
from orion_desktop.services.users import MIN_PASSWORD_LENGTH, PIN_LENGTHS, UserInfo
from orion_desktop.ui.dialogs.action_dialog import ActionDialog, ScanLineEdit


def _sentences(*parts: str | None) -> str:
    return " ".join(part for part in parts if part)


def _password_problem(first: str, second: str) -> str | None:
    if not first:
        return "Type the new password twice."
    if len(first) < MIN_PASSWORD_LENGTH:
        return f"A password needs at least {MIN_PASSWORD_LENGTH} characters."
    if first != second:
        return "The two passwords differ."
    return None


def _masked(parent: QWidget) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


@dataclass(frozen=True, slots=True)
class UserForm:
    username: str
    display_name: str
    role: Role
    stores: tuple[str, ...]
    password: str = field(default="", repr=False)  # add only; repr=False keeps it out of any log line


class UserFormDialog(ActionDialog):
    """Add a user (``user`` None) or edit one: display name, role and stores."""

    def __init__(self, services: Services, actor: Actor, stores: tuple[str, ...], user: UserInfo | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__("Edit user" if user is not None else "Add user", parent)
        self._services = services
        self._actor = actor
        self.user = user
        self.ok_button.setText("Save" if user is not None else "Add")
        form_widget = QWidget(self)
        form = QFormLayout(form_widget)
        self.username_edit = QLineEdit(form_widget)
        self.username_edit.setMaxLength(64)
        self.display_name_edit = QLineEdit(form_widget)
        self.role_combo = QComboBox(form_widget)
        for role in Role:
            self.role_combo.addItem(role.value, role.value)  # Qt gives a str enum back as str
        self.stores_list = QListWidget(form_widget)
        for code in stores:
            item = QListWidgetItem(code, self.stores_list)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.password_edit = _masked(form_widget)
        self.password_again_edit = _masked(form_widget)
        form.addRow("&User name:", self.username_edit)
        form.addRow("&Display name:", self.display_name_edit)
        form.addRow("&Role:", self.role_combo)
        form.addRow("&Stores (none ticked: every store):", self.stores_list)
        if user is None:
            form.addRow("&Password:", self.password_edit)
            form.addRow("Password &again:", self.password_again_edit)
            self.role_combo.setCurrentIndex(self.role_combo.findData(Role.PACKER.value))
        else:
            self.username_edit.setText(user.username)
            self.username_edit.setReadOnly(True)  # the name is the login's name too: it never changes
            self.display_name_edit.setText(user.display_name)
            self.role_combo.setCurrentIndex(self.role_combo.findData(user.role.value))
            for row in range(self.stores_list.count()):
                item = self.stores_list.item(row)
                if item.text() in user.stores:
                    item.setCheckState(Qt.CheckState.Checked)
            self.password_edit.hide()
            self.password_again_edit.hide()
        for edit in (self.username_edit, self.display_name_edit, self.password_edit, self.password_again_edit):
            edit.textChanged.connect(self.input_changed)
        self.role_combo.currentIndexChanged.connect(self.input_changed)
        self.stores_list.itemChanged.connect(self.input_changed)
        self._init_frame(form_widget)
        self.validate()

    def checked_stores(self) -> tuple[str, ...]:
        items = (self.stores_list.item(row) for row in range(self.stores_list.count()))
        return tuple(item.text() for item in items if item.checkState() == Qt.CheckState.Checked)

    def problem(self) -> str | None:
        name = self.username_edit.text().strip()
        if not name:
            return "Type the user name."
        if any(c.isspace() for c in name):
            return "A user name has no spaces."
        if self.user is None:
            return _password_problem(self.password_edit.text(), self.password_again_edit.text())
        return None

    def hint(self) -> str | None:
        if self.user is not None and Role(self.role_combo.currentData()) is not self.user.role:
            return "The new role holds from the user's next sign-in."
        return None

    def value(self) -> UserForm:
        return UserForm(self.username_edit.text().strip(), self.display_name_edit.text().strip(),
                        Role(self.role_combo.currentData()), self.checked_stores(),
                        self.password_edit.text() if self.user is None else "")

    def submit(self, value: UserForm) -> str:
        users, logins = self._services.users, self._services.pg_logins
        if self.user is None:
            info = users.create(self._actor, username=value.username, password=value.password, role=value.role,
                                display_name=value.display_name or None, stores=value.stores)
            return _sentences(f"User {info.username} added.",
                              user_logins.login_added(logins, info.username, value.password, info.role))
        before = self.user
        info = users.update(self._actor, value.username, display_name=value.display_name or None,
                            role=value.role, stores=value.stores)
        moved = user_logins.login_role(logins, info.username, info.role) if info.role != before.role else None
        return _sentences(f"User {info.username} saved.", moved)


@dataclass(frozen=True, slots=True)
class NewPassword:
    username: str
    password: str = field(repr=False)


class ResetPasswordDialog(ActionDialog):
    """An admin gives a user a new password (no old one needed); their login follows."""

    def __init__(self, services: Services, actor: Actor, username: str, parent: QWidget | None = None) -> None:
        super().__init__(f"New password for {username}", parent)
        self._services = services
        self._actor = actor
        self.username = username
        self.ok_button.setText("Set password")
        form_widget = QWidget(self)
        form = QFormLayout(form_widget)
        self.password_edit = _masked(form_widget)
        self.password_again_edit = _masked(form_widget)
        form.addRow("New &password:", self.password_edit)
        form.addRow("Password &again:", self.password_again_edit)
        for edit in (self.password_edit, self.password_again_edit):
            edit.textChanged.connect(self.input_changed)
        self._init_frame(form_widget)
        self.validate()

    def problem(self) -> str | None:
        return _password_problem(self.password_edit.text(), self.password_again_edit.text())

    def value(self) -> NewPassword:
        return NewPassword(self.username, self.password_edit.text())

    def submit(self, value: NewPassword) -> str:
        self._services.users.change_password(self._actor, value.username, value.password)
        return _sentences(f"{value.username} has a new password.",
                          user_logins.login_password(self._services.pg_logins, value.username, value.password))


@dataclass(frozen=True, slots=True)
class BadgeAndPin:
    username: str
    badge_code: str
    pin: str = field(repr=False)


class BadgeDialog(ActionDialog):
    """Set a user's badge code and PIN for quick switching (both empty: remove them)."""

    def __init__(self, services: Services, actor: Actor, user: UserInfo, parent: QWidget | None = None) -> None:
        super().__init__(f"Badge and PIN of {user.username}", parent)
        self._services = services
        self._actor = actor
        self.username = user.username
        self.ok_button.setText("Save")
        form_widget = QWidget(self)
        form = QFormLayout(form_widget)
        self.badge_edit = ScanLineEdit(form_widget)  # a scanner's Enter ends the code, never presses OK
        self.badge_edit.setText(user.badge_code or "")
        self.pin_edit = _masked(form_widget)
        self.pin_again_edit = _masked(form_widget)
        form.addRow("&Badge code:", self.badge_edit)
        form.addRow("P&IN:", self.pin_edit)
        form.addRow("PIN &again:", self.pin_again_edit)
        for edit in (self.badge_edit, self.pin_edit, self.pin_again_edit):
            edit.textChanged.connect(self.input_changed)
        self._init_frame(form_widget)
        self.validate()

    def problem(self) -> str | None:
        badge, pin = self.badge_edit.text().strip(), self.pin_edit.text()
        if not badge and not pin:
            return None  # both empty: remove the badge and PIN
        if not badge:
            return "Scan or type the badge code."
        if not pin.isdigit() or len(pin) not in PIN_LENGTHS:
            return f"A PIN is {PIN_LENGTHS.start} to {PIN_LENGTHS.stop - 1} digits."
        if pin != self.pin_again_edit.text():
            return "The two PINs differ."
        return None

    def hint(self) -> str | None:
        if not self.badge_edit.text().strip() and not self.pin_edit.text():
            return "With both empty, the user's badge and PIN are removed."
        return None

    def value(self) -> BadgeAndPin:
        return BadgeAndPin(self.username, self.badge_edit.text().strip(), self.pin_edit.text())

    def submit(self, value: BadgeAndPin) -> str:
        info = self._services.users.set_pin(self._actor, value.username, pin=value.pin or None,
                                            badge_code=value.badge_code or None)
        if info.badge_code:
            return f"Badge {info.badge_code} and a PIN set for {info.username}."
        return f"{info.username} has no badge or PIN now."
