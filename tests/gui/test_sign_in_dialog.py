"""The window's sign-in dialog (issue 14): password, badge+PIN, refusals, and what a packer sees."""

from __future__ import annotations

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.services.registry import Services
from orion_desktop.ui.sign_in_dialog import SignInDialog, sign_in_at_start

from .window_support import open_window

PASSWORD = "Window-pass-4410"
PIN = "2468"
LOCAL = Actor(name="local", role=Role.ADMIN)


def _users(services: Services) -> None:
    services.users.create(LOCAL, username="alice", password=PASSWORD, role="admin")
    admin = services.users.authenticate("alice", PASSWORD)
    services.users.create(admin, username="pat", password=PASSWORD, role="packer", pin=PIN, badge_code="B-9")


def _ok(dialog: SignInDialog) -> None:
    button = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert button is not None
    button.click()


def test_a_database_without_users_opens_for_the_local_admin(qtbot: QtBot, stocked: Services) -> None:
    assert sign_in_at_start(stocked, LOCAL, None) is LOCAL


def test_a_wrong_password_is_a_sentence_and_the_dialog_stays(qtbot: QtBot, stocked: Services) -> None:
    _users(stocked)
    dialog = SignInDialog(stocked)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username_edit.setText("pat")
    dialog.password_edit.setText("not-it-at-all")
    _ok(dialog)
    assert dialog.isVisible() and dialog.actor is None
    assert dialog.message.text() == "The user name or password is wrong."
    assert dialog.password_edit.text() == ""  # the typed secret does not linger
    dialog.password_edit.setText(PASSWORD)
    _ok(dialog)
    assert dialog.actor == Actor(name="pat", role=Role.PACKER)


def test_badge_and_pin_and_role_lowering(qtbot: QtBot, stocked: Services) -> None:
    _users(stocked)
    dialog = SignInDialog(stocked, role="packer")
    qtbot.addWidget(dialog)
    dialog.tabs.setCurrentIndex(1)
    dialog.badge_edit.setText("B-9")
    dialog.pin_edit.setText(PIN)
    _ok(dialog)
    assert dialog.actor is not None and dialog.actor.name == "pat"
    admin_dialog = SignInDialog(stocked, role="admin")
    qtbot.addWidget(admin_dialog)
    admin_dialog.tabs.setCurrentIndex(1)
    admin_dialog.badge_edit.setText("B-9")
    admin_dialog.pin_edit.setText(PIN)
    _ok(admin_dialog)
    assert admin_dialog.actor is None
    assert "pat is a packer and cannot act as admin" in admin_dialog.message.text()


def test_a_packer_signs_in_and_sees_no_stock_adjustment(
    qtbot: QtBot, stocked: Services, window_settings: QSettings
) -> None:
    _users(stocked)

    def sign_in() -> None:
        from PySide6.QtWidgets import QApplication

        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, SignInDialog) and w.isVisible())
        dialog.username_edit.setText("pat")
        dialog.password_edit.setText(PASSWORD)
        _ok(dialog)

    QTimer.singleShot(50, sign_in)
    actor = sign_in_at_start(stocked, LOCAL, None)
    assert actor == Actor(name="pat", role=Role.PACKER)
    window = open_window(qtbot, stocked, actor, window_settings)
    assert "pat (packer)" in window.user_label.text()
    page = window.inventory_page
    assert not page.adjust_action.isEnabled()
    assert "needs a manager; you are signed in as packer" in page.adjust_action.toolTip() + page.adjust_action.text()
