"""Who works at this window (issue 14): switch user, change own password, and the idle lock.

Installed by the GUI session on each main window when the database has users. Switching to
another user rebuilds the window for them (``on_switch``, given the ``SignedIn``: with own
PostgreSQL logins it carries the new user's own connection); the idle lock shows the sign-in dialog
over the window after ``idle_minutes`` without keyboard or mouse input. The same user signing in
again just closes it, so nothing on screen (a half-packed box's counts) is lost, and a connection
opened only to check their password is closed again.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog, QLineEdit, QMessageBox

from orion_desktop.domain.errors import OrionError
from orion_desktop.services import user_logins
from orion_desktop.services.sign_in_ways import NO_BADGE_WITH_OWN_LOGIN
from orion_desktop.ui.sign_in_dialog import SignInDialog

if TYPE_CHECKING:
    from orion_desktop.domain.actor import Actor
    from orion_desktop.services.sign_in_ways import SignedIn, SignInWay
    from orion_desktop.ui.main_window import MainWindow

ENV_IDLE_LOCK_MINUTES = "ORION_IDLE_LOCK_MINUTES"
DEFAULT_IDLE_MINUTES = 10.0
_INPUT_EVENTS = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                           QEvent.Type.Wheel})


def idle_minutes() -> float:
    """``ORION_IDLE_LOCK_MINUTES`` (0: never lock), else 10 minutes."""
    try:
        return max(0.0, float(os.environ.get(ENV_IDLE_LOCK_MINUTES, DEFAULT_IDLE_MINUTES)))
    except ValueError:
        return DEFAULT_IDLE_MINUTES


class UserSession(QObject):
    """The user actions and idle lock of one main window."""

    def __init__(self, window: MainWindow, way: SignInWay, actor: Actor,
                 on_switch: Callable[[SignedIn], None], minutes: float | None = None) -> None:
        super().__init__(window)
        self._window = window
        self._way = way
        self.actor = actor
        self._on_switch = on_switch
        self.locked = False
        self.switch_action = QAction("S&witch user…", window)
        if way.offers_badge:
            self.switch_action.setStatusTip("Sign in as someone else (name and password, or badge and PIN)")
        else:
            tip = f"Sign in as someone else, by name and password. {NO_BADGE_WITH_OWN_LOGIN}"
            self.switch_action.setStatusTip(tip)
            self.switch_action.setToolTip(tip)
        self.switch_action.triggered.connect(self.switch_user)
        self.password_action = QAction("Change &password…", window)
        self.password_action.triggered.connect(self.change_password)
        window.file_menu.insertAction(window.quit_action, self.switch_action)
        window.file_menu.insertAction(window.quit_action, self.password_action)
        window.file_menu.insertSeparator(window.quit_action)
        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.timeout.connect(self.lock)
        wait = idle_minutes() if minutes is None else minutes
        if wait > 0:
            self.idle_timer.setInterval(int(wait * 60_000))
            app = QApplication.instance()
            if app is not None:
                app.installEventFilter(self)
            self.idle_timer.start()

    def _window_open(self) -> bool:
        """The window still exists and is shown: a closed (or deleted) window has nothing to lock."""
        return shiboken6.isValid(self._window) and self._window.isVisible()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if (event.type() in _INPUT_EVENTS and not self.locked and self.idle_timer.interval() > 0
                and self._window_open()):
            self.idle_timer.start()  # any input restarts the idle time
        return False

    def _ask(self, title: str) -> SignedIn | None:
        dialog = SignInDialog(self._way, parent=self._window)
        dialog.setWindowTitle(title)
        return dialog.signed_in if dialog.exec() == QDialog.DialogCode.Accepted else None

    def switch_user(self) -> None:
        signed = self._ask("Switch user")
        if signed is None:
            return
        if signed.actor != self.actor:
            self._on_switch(signed)
        else:
            signed.release()  # the same user again: the window keeps its own connection

    def lock(self) -> None:
        """Cover the window until someone signs in; the same user finds it as they left it."""
        if self.locked or not self._window_open():
            return
        self.locked = True
        try:
            while (signed := self._ask(f"Locked — {self.actor.name} was away")) is None:
                if not self._window_open():  # the window closed meanwhile (quit, or the PC shut down)
                    return
                if QMessageBox.question(self._window, "Locked", "Close Orion Desktop?") == (
                        QMessageBox.StandardButton.Yes):
                    self._window.close()
                    return
        finally:
            self.locked = False
        if signed.actor != self.actor:
            self._on_switch(signed)
        else:
            # The same user: the window, its services and what is on screen stay; a connection
            # opened only to check the password (own login) is closed again.
            signed.release()
            self.idle_timer.start()

    def change_password(self) -> None:
        fields = PasswordFields()
        if not fields.ask(self._window):
            return
        services = self._window.services
        try:
            services.users.change_password(self.actor, self.actor.name, fields.new, old_password=fields.old)
        except OrionError as error:
            QMessageBox.warning(self._window, "Password not changed", str(error))
            return
        try:
            # With own logins PostgreSQL checks the password at the next sign-in: its login must follow.
            login = user_logins.login_password(services.pg_logins, self.actor.name, fields.new)
        except OrionError as error:
            QMessageBox.warning(self._window, "Database login not changed", str(error))
            return
        self._window.show_status_message(" ".join(filter(None, ("Your password was changed.", login))))


class PasswordFields:
    """The current password and the new one twice, asked in three masked prompts."""

    def __init__(self) -> None:
        self.old = ""
        self.new = ""

    def ask(self, parent: MainWindow) -> bool:
        answers = []
        for label in ("Current password:", "New password (at least 8 characters):", "New password again:"):
            text, ok = QInputDialog.getText(parent, "Change password", label, QLineEdit.EchoMode.Password)
            if not ok:
                return False
            answers.append(text)
        if answers[1] != answers[2]:
            QMessageBox.warning(parent, "Password not changed", "The two new passwords differ; nothing was changed.")
            return False
        self.old, self.new = answers[0], answers[1]
        return True


__all__ = ["UserSession", "idle_minutes"]
