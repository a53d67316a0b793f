"""The window's sign-in (issue 14): user name and password, or a scanned badge and its PIN.

Shown at start when the database has users; the window opens only for a signed-in user. A refusal
(wrong password, disabled, locked) is shown in the dialog as the service's sentence, and the
dialog stays open; the secret fields are cleared and never leave this dialog except to the service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from orion_desktop.domain.errors import OrionError
from orion_desktop.services.users import lower_role

if TYPE_CHECKING:
    from orion_desktop.domain.actor import Actor
    from orion_desktop.services.registry import Services


class SignInDialog(QDialog):
    """Ask who is working; ``actor`` is set when the dialog is accepted."""

    def __init__(self, services: Services, role: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sign in to Orion Desktop"))
        self._services = services
        self._role = role
        self.actor: Actor | None = None

        self.tabs = QTabWidget(self)
        password_page = QWidget(self.tabs)
        form = QFormLayout(password_page)
        self.username_edit = QLineEdit(password_page)
        self.password_edit = QLineEdit(password_page)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("&User name:"), self.username_edit)
        form.addRow(self.tr("&Password:"), self.password_edit)
        self.tabs.addTab(password_page, self.tr("Name and password"))

        badge_page = QWidget(self.tabs)
        badge_form = QFormLayout(badge_page)
        self.badge_edit = QLineEdit(badge_page)
        self.badge_edit.setEchoMode(QLineEdit.EchoMode.Password)  # a badge number is a half-secret
        self.pin_edit = QLineEdit(badge_page)
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        badge_form.addRow(self.tr("Scan &badge:"), self.badge_edit)
        badge_form.addRow(self.tr("P&IN:"), self.pin_edit)
        self.tabs.addTab(badge_page, self.tr("Badge and PIN"))

        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self._try_sign_in)
        self.buttons.rejected.connect(self.reject)
        # Scanning a badge ends with Enter: move on to the PIN rather than submitting.
        self.badge_edit.returnPressed.connect(self.pin_edit.setFocus)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.username_edit.setFocus()

    def _try_sign_in(self) -> None:
        users = self._services.users
        try:
            if self.tabs.currentIndex() == 0:
                actor = users.authenticate(self.username_edit.text(), self.password_edit.text())
            else:
                actor = users.authenticate_badge(self.badge_edit.text(), self.pin_edit.text())
            self.actor = lower_role(actor, self._role)
        except OrionError as error:
            self.message.setText(str(error))
            return
        finally:
            self.password_edit.clear()
            self.pin_edit.clear()
        self.accept()


def sign_in_at_start(services: Services, fallback: Actor, role: str | None) -> Actor | None:
    """The Actor the window opens for: ``fallback`` (the local admin) on a database without users,
    else whoever signs in here; None when the person cancels."""
    if not services.users.has_users():
        return fallback
    dialog = SignInDialog(services, role)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.actor is None:
        return None
    services.scope_reads_to(dialog.actor)
    return dialog.actor
