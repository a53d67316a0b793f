"""The window's sign-in dialog (issue 14): password, badge+PIN, refusals, and what a packer sees."""

from __future__ import annotations

import threading

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox
from pytestqt.qtbot import QtBot

from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.services.registry import Services
from orion_desktop.services.sign_in_ways import OnThisConnection, SignedIn
from orion_desktop.ui.sign_in_dialog import SignInDialog, sign_in_at_start

from .window_support import open_window, press_sign_in

PASSWORD = "Window-pass-4410"
PIN = "2468"
LOCAL = Actor(name="local", role=Role.ADMIN)


def _users(services: Services) -> None:
    services.users.create(LOCAL, username="alice", password=PASSWORD, role="admin")
    admin = services.users.authenticate("alice", PASSWORD)
    services.users.create(admin, username="pat", password=PASSWORD, role="packer", pin=PIN, badge_code="B-9")



def test_a_database_without_users_opens_for_the_local_admin(qtbot: QtBot, stocked: Services) -> None:
    assert sign_in_at_start(stocked, LOCAL, None) is LOCAL


def test_a_wrong_password_is_a_sentence_and_the_dialog_stays(qtbot: QtBot, stocked: Services) -> None:
    _users(stocked)
    dialog = SignInDialog(OnThisConnection(stocked))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username_edit.setText("pat")
    dialog.password_edit.setText("not-it-at-all")
    press_sign_in(dialog)
    assert dialog.isVisible() and dialog.actor is None
    assert dialog.message.text() == "The user name or password is wrong."
    assert dialog.password_edit.text() == ""  # the typed secret does not linger
    dialog.password_edit.setText(PASSWORD)
    press_sign_in(dialog)
    assert dialog.actor == Actor(name="pat", role=Role.PACKER)


def test_a_user_name_given_at_start_is_filled_in_and_only_the_password_is_typed(
    qtbot: QtBot, stocked: Services
) -> None:
    _users(stocked)

    def type_the_password() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, SignInDialog) and w.isVisible())
        seen["name"] = dialog.username_edit.text()
        seen["focus"] = dialog.focusWidget() is dialog.password_edit
        dialog.password_edit.setText(PASSWORD)
        press_sign_in(dialog)

    seen: dict[str, object] = {}
    QTimer.singleShot(50, type_the_password)
    assert sign_in_at_start(stocked, LOCAL, None, username=" pat ") == Actor(name="pat", role=Role.PACKER)
    assert seen == {"name": "pat", "focus": True}


def test_badge_and_pin_and_role_lowering(qtbot: QtBot, stocked: Services) -> None:
    _users(stocked)
    dialog = SignInDialog(OnThisConnection(stocked, role="packer"))
    qtbot.addWidget(dialog)
    dialog.tabs.setCurrentIndex(1)
    dialog.badge_edit.setText("B-9")
    dialog.pin_edit.setText(PIN)
    press_sign_in(dialog)
    assert dialog.actor is not None and dialog.actor.name == "pat"
    admin_dialog = SignInDialog(OnThisConnection(stocked, role="admin"))
    qtbot.addWidget(admin_dialog)
    admin_dialog.tabs.setCurrentIndex(1)
    admin_dialog.badge_edit.setText("B-9")
    admin_dialog.pin_edit.setText(PIN)
    press_sign_in(admin_dialog)
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
        press_sign_in(dialog)

    QTimer.singleShot(50, sign_in)
    actor = sign_in_at_start(stocked, LOCAL, None)
    assert actor == Actor(name="pat", role=Role.PACKER)
    window = open_window(qtbot, stocked, actor, window_settings)
    assert "pat (packer)" in window.user_label.text()
    page = window.inventory_page
    assert not page.adjust_action.isEnabled()
    assert "needs a manager; you are signed in as packer" in page.adjust_action.toolTip() + page.adjust_action.text()


def _answer_sign_in(qtbot: QtBot, *, username: str = "", password: str = "", badge: str = "", pin: str = "",
                    answered: list[str] | None = None) -> None:
    """Fill the next sign-in dialog that opens (modal, so from a timer) and press OK."""

    def fill() -> None:
        from PySide6.QtWidgets import QApplication

        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, SignInDialog) and w.isVisible()]
        if not dialogs:
            QTimer.singleShot(20, fill)
            return
        dialog = dialogs[0]
        if badge:
            dialog.tabs.setCurrentIndex(1)
            dialog.badge_edit.setText(badge)
            dialog.pin_edit.setText(pin)
        else:
            dialog.username_edit.setText(username)
            dialog.password_edit.setText(password)
        if answered is not None:
            answered.append(dialog.windowTitle())
        press_sign_in(dialog)

    QTimer.singleShot(20, fill)


def test_switching_user_by_badge_changes_the_by_of_the_next_ledger_row(
    qtbot: QtBot, stocked: Services, window_settings: QSettings
) -> None:
    from orion_desktop.app import GuiSession
    from orion_desktop.domain import requests as rq

    _users(stocked)
    alice = stocked.users.authenticate("alice", PASSWORD)
    session = GuiSession(stocked, alice, settings=window_settings)
    qtbot.addWidget(session.window)
    first_window = session.window
    _answer_sign_in(qtbot, badge="B-9", pin=PIN)
    first_window.user_session.switch_user()  # type: ignore[attr-defined]
    assert session.actor.name == "pat" and session.window is not first_window
    qtbot.addWidget(session.window)
    assert "pat (packer)" in session.window.user_label.text()
    row = stocked.stock.list_stock()[0]
    stocked.perform(session.actor, rq.ReserveStock(row.store_code, row.sku, row.location, 1))
    assert stocked.stock.ledger(limit=1)[0].created_by == "pat"
    session.close()


def test_the_idle_lock_keeps_the_window_and_its_counts_for_the_same_user(
    qtbot: QtBot, stocked: Services, window_settings: QSettings
) -> None:
    from orion_desktop.app import GuiSession
    from orion_desktop.ui.user_session import UserSession

    _users(stocked)
    pat = stocked.users.authenticate("pat", PASSWORD)
    session = GuiSession(stocked, pat, settings=window_settings)
    window = session.window
    qtbot.addWidget(window)
    window.show()  # only a window on screen locks itself
    qtbot.waitExposed(window)
    station = window.pack_station_page
    marker = object()
    station.__dict__["_test_marker"] = marker  # stands for the scanned counts: the same page object survives
    lock = UserSession(window, OnThisConnection(stocked), pat, session.switch_user, minutes=0.001)  # about 60 ms
    answered: list[str] = []
    _answer_sign_in(qtbot, username="pat", password=PASSWORD, answered=answered)
    qtbot.waitUntil(lambda: bool(answered) and not lock.locked, timeout=5000)
    assert answered == ["Locked — pat was away"]
    assert session.window is window and window.pack_station_page is station
    assert station.__dict__["_test_marker"] is marker
    lock.idle_timer.stop()
    session.close()


class _HeldCheck(OnThisConnection):
    """The real check on the real database, held back until the test lets it go (a slow server)."""

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.go = threading.Event()

    def by_password(self, username: str, password: str) -> SignedIn:
        assert self.go.wait(10), "the test never let the check go"
        return super().by_password(username, password)


def test_the_check_runs_off_the_window_and_the_dialog_waits_for_it(qtbot: QtBot, stocked: Services) -> None:
    """argon2, or an own login's connection to a server that is away, must not freeze the screen."""
    _users(stocked)
    way = _HeldCheck(stocked)
    dialog = SignInDialog(way)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username_edit.setText("pat")
    dialog.password_edit.setText(PASSWORD)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok is not None
    ok.click()
    ticks: list[int] = []
    QTimer.singleShot(0, lambda: ticks.append(1))
    qtbot.waitUntil(lambda: ticks == [1])  # the GUI thread answers while the check is still running
    assert dialog.signing_in and dialog.message.text() == "Signing in…"
    assert not ok.isEnabled() and dialog.password_edit.text() == ""
    dialog.reject()  # Escape or Cancel while it runs: the answer still needs the dialog
    assert dialog.isVisible()
    way.go.set()
    qtbot.waitUntil(lambda: not dialog.signing_in)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.actor == Actor(name="pat", role=Role.PACKER)
