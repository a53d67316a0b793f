"""The window's sign-in (issue 14): user name and password, or a scanned badge and its PIN.

Shown at start when the database has users; the window opens only for a signed-in user. A refusal
(wrong password, disabled, locked) is shown in the dialog as the service's sentence, and the
dialog stays open; the secret fields are cleared and never leave this dialog except to the service.

The dialog does not know how the check is made: it is given a ``SignInWay``
(``services/sign_in_ways.py``), on the app's own connection or with the user's own PostgreSQL
login. With an own login the badge tab is hidden: PostgreSQL must be given the password itself.

The check runs off the GUI thread (``ui/worker.py``): argon2 takes a tenth of a second or more by
design, and an own login connects to the server, which takes up to its 5 s connect timeout when the
server is away. Meanwhile the dialog says so and cannot be closed, so the answer always finds it (an
own login's connection opened for a dialog that was gone would stay open).
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

from orion_desktop.services.sign_in_ways import NO_BADGE_WITH_OWN_LOGIN, OnThisConnection, WithOwnLogin
from orion_desktop.ui.connection_errors import explain
from orion_desktop.ui.worker import run_in_background

if TYPE_CHECKING:
    from orion_desktop.domain.actor import Actor
    from orion_desktop.services.registry import Services
    from orion_desktop.services.sign_in_ways import SignedIn, SignInWay


class SignInDialog(QDialog):
    """Ask who is working; ``signed_in`` (and ``actor``) are set when the dialog is accepted."""

    def __init__(self, way: SignInWay, parent: QWidget | None = None, *, username: str = "") -> None:
        """``username``: filled in (``--user`` or ORION_USER at start), so only the password is typed."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sign in to Orion Desktop"))
        self._way = way
        self.signed_in: SignedIn | None = None
        self._signing_in = False

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
        if not way.offers_badge:
            self.tabs.setTabVisible(1, False)
            self.tabs.setToolTip(NO_BADGE_WITH_OWN_LOGIN)

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
        self.username_edit.setText(username.strip())
        (self.password_edit if self.username_edit.text() else self.username_edit).setFocus()

    @property
    def actor(self) -> Actor | None:
        """Who signed in (None until the dialog is accepted)."""
        return self.signed_in.actor if self.signed_in is not None else None

    @property
    def signing_in(self) -> bool:
        """True while the name and password (or badge and PIN) are being checked."""
        return self._signing_in

    def _try_sign_in(self) -> None:
        if self._signing_in:
            return
        way = self._way
        if self.tabs.currentIndex() == 0 or not way.offers_badge:
            username, password = self.username_edit.text(), self.password_edit.text()

            def check() -> SignedIn:
                return way.by_password(username, password)
        else:
            badge, pin = self.badge_edit.text(), self.pin_edit.text()

            def check() -> SignedIn:
                return way.by_badge(badge, pin)
        # The typed secrets leave the fields at once; only the check holds them, until it ends.
        self.password_edit.clear()
        self.pin_edit.clear()
        self._set_signing_in(True)
        run_in_background(self, check, on_done=self._signed_in, on_error=self._refused)

    def _set_signing_in(self, busy: bool) -> None:
        self._signing_in = busy
        self.buttons.setEnabled(not busy)
        self.tabs.setEnabled(not busy)
        if busy:
            self.message.setText(self.tr("Signing in…"))

    def _signed_in(self, signed: SignedIn) -> None:
        self._set_signing_in(False)
        self.signed_in = signed
        self.accept()

    def _refused(self, error: BaseException) -> None:
        self._set_signing_in(False)
        # A refusal is the service's sentence; an unreachable server gets explain's plain one.
        self.message.setText(explain(error)[0])
        (self.password_edit if self.tabs.currentIndex() == 0 else self.pin_edit).setFocus()

    def reject(self) -> None:
        """Cancel and Escape close the dialog, except while a check runs: its answer needs the dialog."""
        if not self._signing_in:
            super().reject()


def sign_in_at_start(services: Services, fallback: Actor, role: str | None, username: str = "") -> Actor | None:
    """The Actor the window opens for: ``fallback`` (the local admin) on a database without users,
    else whoever signs in here; None when the person cancels."""
    if not services.users.has_users():
        return fallback
    dialog = SignInDialog(OnThisConnection(services, role), username=username)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.actor is None:
        return None
    services.scope_reads_to(dialog.actor)
    return dialog.actor


def sign_in_with_own_login(
    url: str, role: str | None, parent: QWidget | None = None, username: str = ""
) -> SignedIn | None:
    """Before any connection to ``url`` (PostgreSQL, no login in it): the person signs in with their
    own login, and the Services opened for them come back, reads scoped to their stores; None when
    they cancel (then nothing stays connected)."""
    dialog = SignInDialog(WithOwnLogin(url, role), parent, username=username)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.signed_in is None:
        return None
    signed = dialog.signed_in
    signed.services.scope_reads_to(signed.actor)
    return signed
