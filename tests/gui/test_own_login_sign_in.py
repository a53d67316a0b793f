"""The window signs in with the user's own PostgreSQL login (issue 14): at start, switch user, idle lock.

Real PostgreSQL (tests/pg_warehouse.py: stores A and B, a packer of each and a manager, each with
their own login) and real widgets. The test server trusts 127.0.0.1, so it never asks for a
password: a refusal is shown here with a disabled login (NOLOGIN), which the server refuses whatever
the password; test_pg_authority.py checks the stored SCRAM verifiers against the passwords.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pg_warehouse import (
    MANAGER_PASSWORD,
    PACKER_PASSWORD,
    Warehouse,
    pg_warehouse,
    stored_password,
    verifier_matches,
)
from PySide6.QtCore import QSettings, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from orion_desktop.bootstrap import open_services
from orion_desktop.domain import requests as rq
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.services.pg_logins import PgLogins
from orion_desktop.services.registry import Services
from orion_desktop.services.sign_in_ways import NO_BADGE_WITH_OWN_LOGIN, WithOwnLogin
from orion_desktop.services.users import WRONG_CREDENTIALS
from orion_desktop.ui.main_window import MainWindow
from orion_desktop.ui.sign_in_dialog import SignInDialog, sign_in_with_own_login

from .window_support import press_sign_in

if TYPE_CHECKING:
    from orion_desktop.app import GuiSession


@pytest.fixture
def warehouse(pg_database_factory: Callable[..., str]) -> Iterator[Warehouse]:
    with pg_warehouse(pg_database_factory) as made:
        yield made
    QThreadPool.globalInstance().waitForDone(10_000)  # no window load still running on a dropped login


def _session_user(services: Services) -> str:
    with services.database.connection() as conn:  # the app's own connection, as the services use
        return str(conn.execute(text("SELECT session_user")).scalar_one())


def _backends(warehouse: Warehouse, username: str) -> int:
    """How many server connections the login of ``username`` has open now (seen by the owner)."""
    return len(_queries(warehouse, username))


def _queries(warehouse: Warehouse, username: str) -> set[int]:
    """The server processes of the login's query connections: the change feed's LISTEN connection,
    which a window opens when it gets to it, is left out."""
    login = PgLogins(warehouse.owner).login(username)
    with warehouse.owner.engine.connect() as conn:
        query = text("SELECT pid FROM pg_stat_activity WHERE usename = :login "
                     "AND application_name <> 'orion-desktop feed'")
        return set(conn.execute(query, {"login": login}).scalars())



def _visible_sign_in() -> SignInDialog | None:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, SignInDialog) and w.isVisible()]
    return found[0] if found else None


def _when_dialog(act: Callable[[SignInDialog], None]) -> None:
    """Run ``act`` on the next sign-in dialog shown (modal, so from a timer)."""

    def attempt() -> None:
        dialog = _visible_sign_in()
        if dialog is None:
            QTimer.singleShot(20, attempt)
            return
        act(dialog)

    QTimer.singleShot(20, attempt)


def _answer(username: str, password: str, answered: list[str] | None = None) -> None:
    def fill(dialog: SignInDialog) -> None:
        dialog.username_edit.setText(username)
        dialog.password_edit.setText(password)
        if answered is not None:
            answered.append(dialog.windowTitle())
        press_sign_in(dialog)
        if dialog.isVisible():  # refused: say so and give up, rather than leave a modal dialog waiting
            if answered is not None:
                answered.append(f"refused: {dialog.message.text()}")
            dialog.reject()

    _when_dialog(fill)


def _launch_args(url: str) -> argparse.Namespace:
    return argparse.Namespace(db=url, demo=False, user=None, role=None)


def test_the_window_starts_with_the_packers_own_login_and_lists_only_store_a(
    qtbot: QtBot, warehouse: Warehouse
) -> None:
    from orion_desktop.gui_launch import launch

    seen: dict[str, object] = {}

    def look_then_close() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if not windows or windows[0].inventory_page.model.rowCount() == 0:
            QTimer.singleShot(50, look_then_close)  # the stock page loads in the background
            return
        window = windows[0]
        qtbot.addWidget(window)
        seen["actor"] = (window.actor.name, window.actor.role)
        seen["session_user"] = _session_user(window.services)
        seen["listed"] = {row.store_code for row in window.inventory_page.model.rows()}
        seen["stores"] = [store.code for store in window.services.catalog.list_stores()]
        seen["badge_tab"] = window.user_session.switch_action.statusTip()  # type: ignore[attr-defined]
        window.close()  # the last window: the event loop ends and launch returns

    _answer(warehouse.packer, PACKER_PASSWORD)
    QTimer.singleShot(100, look_then_close)
    assert launch(_launch_args(warehouse.url_without_login)) == 0
    assert seen["actor"] == (warehouse.packer, Role.PACKER)
    assert seen["session_user"] == PgLogins(warehouse.owner).login(warehouse.packer)
    assert seen["listed"] == {"A"} and seen["stores"] == ["A"]
    assert NO_BADGE_WITH_OWN_LOGIN in str(seen["badge_tab"])  # switch user says why there is no badge


def test_a_refused_own_login_keeps_the_dialog_open_and_opens_no_window(
    qtbot: QtBot, warehouse: Warehouse
) -> None:
    from orion_desktop.gui_launch import launch

    PgLogins(warehouse.owner).set_active(warehouse.packer, False)  # NOLOGIN: refused by the server itself
    seen: dict[str, object] = {}

    def try_then_cancel(dialog: SignInDialog) -> None:
        seen["badge_tab_visible"] = dialog.tabs.isTabVisible(1)
        dialog.username_edit.setText(warehouse.packer)
        dialog.password_edit.setText(PACKER_PASSWORD)
        press_sign_in(dialog)
        seen["message"] = dialog.message.text()
        seen["still_open"] = dialog.isVisible()
        seen["password_left"] = dialog.password_edit.text()
        seen["windows"] = sum(isinstance(w, MainWindow) and w.isVisible() for w in QApplication.topLevelWidgets())
        dialog.reject()

    _when_dialog(try_then_cancel)
    assert launch(_launch_args(warehouse.url_without_login)) == 1  # cancelled: exit code 1 as before
    assert seen == {"badge_tab_visible": False, "message": WRONG_CREDENTIALS, "still_open": True,
                    "password_left": "", "windows": 0}
    assert _backends(warehouse, warehouse.packer) == 0


def test_a_server_that_cannot_be_reached_is_a_sentence_in_the_dialog(qtbot: QtBot) -> None:
    # Port 1 of this PC: nothing listens there, so the connection is refused at once.
    dialog = SignInDialog(WithOwnLogin("postgresql+psycopg://127.0.0.1:1/orion"))
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.tabs.isTabVisible(1) and dialog.tabs.toolTip() == NO_BADGE_WITH_OWN_LOGIN
    dialog.username_edit.setText("anna")
    dialog.password_edit.setText("anna-secret-31")
    press_sign_in(dialog)
    assert dialog.isVisible() and dialog.signed_in is None
    assert dialog.message.text() == (
        "The server did not accept the connection: PostgreSQL may not be running there, or the port is wrong."
    )
    assert dialog.password_edit.text() == ""


def _packer_session(warehouse: Warehouse, settings: QSettings) -> GuiSession:
    """The packer signed in with their own login (through the dialog) and a GUI session on it."""
    from orion_desktop.app import GuiSession

    _answer(warehouse.packer, PACKER_PASSWORD)
    packer = sign_in_with_own_login(warehouse.url_without_login, None)
    assert packer is not None
    return GuiSession(packer.services, packer.actor, database_url=warehouse.url_without_login,
                      settings=settings, owns_services=True)


def test_switching_from_the_packer_to_a_manager_takes_the_managers_own_connection(
    qtbot: QtBot, warehouse: Warehouse, window_settings: QSettings
) -> None:
    session = _packer_session(warehouse, window_settings)
    packer = session.services
    try:
        first_window = session.window
        qtbot.addWidget(first_window)
        _answer(warehouse.manager, MANAGER_PASSWORD)
        first_window.user_session.switch_user()  # type: ignore[attr-defined]
        qtbot.addWidget(session.window)
        assert session.actor.name == warehouse.manager and session.actor.role is Role.MANAGER
        assert session.window is not first_window and session.services is not packer
        assert f"{warehouse.manager} (manager)" in session.window.user_label.text()
        assert _session_user(session.services) == PgLogins(warehouse.owner).login(warehouse.manager)
        # The packer's connection was closed with their window: the server sees none left.
        QThreadPool.globalInstance().waitForDone(10_000)
        qtbot.waitUntil(lambda: _backends(warehouse, warehouse.packer) == 0, timeout=10_000)
        # The manager sees every store, and the next ledger row is theirs.
        assert {s.code for s in session.services.catalog.list_stores()} == {"A", "B"}
        session.services.perform(session.actor, rq.ReserveStock("B", "SKU-B", "L-1", 1))
        assert session.services.stock.ledger(limit=1)[0].created_by == warehouse.manager
    finally:
        QThreadPool.globalInstance().waitForDone(10_000)
        session.close()


def test_the_idle_lock_by_the_same_user_keeps_the_window_its_connection_and_counts(
    qtbot: QtBot, warehouse: Warehouse, window_settings: QSettings
) -> None:
    from orion_desktop.ui.user_session import UserSession

    session = _packer_session(warehouse, window_settings)
    packer = session.services
    try:
        window = session.window
        qtbot.addWidget(window)
        window.show()  # only a window on screen locks itself
        qtbot.waitExposed(window)
        QThreadPool.globalInstance().waitForDone(10_000)
        before = _queries(warehouse, warehouse.packer)
        assert before  # the window's own pooled connection(s)
        station = window.pack_station_page
        marker = object()
        station.__dict__["_test_marker"] = marker  # stands for the scanned counts: the same page object survives
        lock = UserSession(window, WithOwnLogin(warehouse.url_without_login), session.actor, session.switch_user,
                           minutes=0.001)  # about 60 ms
        answered: list[str] = []
        _answer(warehouse.packer, PACKER_PASSWORD, answered)
        qtbot.waitUntil(lambda: bool(answered) and not lock.locked, timeout=5000)
        lock.idle_timer.stop()
        assert answered == [f"Locked — {warehouse.packer} was away"]
        assert session.window is window and window.pack_station_page is station
        assert station.__dict__["_test_marker"] is marker
        assert session.services is packer and window.services is packer
        assert _session_user(window.services) == PgLogins(warehouse.owner).login(warehouse.packer)
        # The connection opened to check the password is closed again.
        qtbot.waitUntil(lambda: _queries(warehouse, warehouse.packer) == before, timeout=10_000)
    finally:
        QThreadPool.globalInstance().waitForDone(10_000)
        session.close()


def test_file_database_with_an_address_naming_no_login_signs_in_first(
    qtbot: QtBot, warehouse: Warehouse, tmp_path: Path, window_settings: QSettings
) -> None:
    from orion_desktop.app import SIGN_IN_FIRST, GuiSession

    start_url = f"sqlite:///{tmp_path / 'start.db'}"
    start = open_services(start_url, create=True)
    session = GuiSession(start, Actor("local", Role.ADMIN), database_url=start_url, settings=window_settings)
    try:
        old = session.window
        qtbot.addWidget(old)
        old.show()
        qtbot.waitExposed(old)
        old.database_action.trigger()  # File > Database…
        dialog = old.database_dialog
        assert dialog is not None
        dialog.postgres_radio.click()
        dialog.url_edit.setText(warehouse.url_without_login)
        dialog.test_button.click()  # Test does not connect as this PC's user: it says to sign in
        qtbot.waitUntil(lambda: not dialog.busy, timeout=15_000)
        assert dialog.result_banner.text == SIGN_IN_FIRST
        _when_dialog(lambda sign_in: sign_in.reject())  # nobody signs in: nothing opens, nothing switches
        dialog.ok_button.click()
        assert dialog.isVisible() and session.window is old and session.services is start
        assert dialog.result_banner.text == "Nobody signed in, so that database was not opened."
        _answer(warehouse.packer, PACKER_PASSWORD)
        dialog.ok_button.click()
        qtbot.waitUntil(lambda: session.window is not old, timeout=15_000)
        qtbot.addWidget(session.window)
        assert session.actor.name == warehouse.packer and session.current_url == warehouse.url_without_login
        assert _session_user(session.services) == PgLogins(warehouse.owner).login(warehouse.packer)
        assert [s.code for s in session.services.catalog.list_stores()] == ["A"]
        # The next switch of user on this window signs in with an own login too (no badge tab).
        tip = session.window.user_session.switch_action.statusTip()  # type: ignore[attr-defined]
        assert NO_BADGE_WITH_OWN_LOGIN in tip
    finally:
        window_to_stop = session.window
        window_to_stop.connection_monitor.stop()
        qtbot.waitUntil(lambda: not window_to_stop.connection_monitor.checking, timeout=10_000)
        QThreadPool.globalInstance().waitForDone(10_000)
        session.close()
        start.close()


def test_role_only_lowers_with_an_own_login_and_a_refusal_closes_its_connection(
    qtbot: QtBot, warehouse: Warehouse
) -> None:
    manager = WithOwnLogin(warehouse.url_without_login, role="packer").by_password(warehouse.manager,
                                                                                   MANAGER_PASSWORD)
    try:
        assert manager.actor.role is Role.PACKER and manager.opened
    finally:
        manager.release()
    answered: list[str] = []
    _answer(warehouse.packer, PACKER_PASSWORD, answered)
    assert sign_in_with_own_login(warehouse.url_without_login, "admin") is None
    refusal = f"{warehouse.packer} is a packer and cannot act as admin; --role only lowers a role."
    assert answered[-1] == f"refused: {refusal}"
    # The login connected before the role was refused: that connection is closed again.
    qtbot.waitUntil(lambda: _backends(warehouse, warehouse.packer) == 0, timeout=10_000)


def _answer_prompts(answers: list[str]) -> None:
    """Type each answer into the next text prompt (QInputDialog) shown, in order."""

    def attempt() -> None:
        prompts = [w for w in QApplication.topLevelWidgets() if isinstance(w, QInputDialog) and w.isVisible()]
        if not prompts:
            QTimer.singleShot(20, attempt)
            return
        prompts[0].setTextValue(answers.pop(0))
        prompts[0].accept()
        if answers:
            QTimer.singleShot(20, attempt)

    QTimer.singleShot(20, attempt)


def test_changing_ones_password_with_an_own_login_changes_the_login_too(
    qtbot: QtBot, warehouse: Warehouse, window_settings: QSettings
) -> None:
    session = _packer_session(warehouse, window_settings)
    try:
        qtbot.addWidget(session.window)
        new = "packer-renewed-5520"
        _answer_prompts([PACKER_PASSWORD, new, new])
        session.window.user_session.change_password()  # type: ignore[attr-defined]
        login = PgLogins(warehouse.owner).login(warehouse.packer)
        assert session.window.statusBar().currentMessage() == (
            f"Your password was changed. The database login {login} has the new password.")
        # What PostgreSQL checks at the next sign-in is the new password, not the old one.
        stored = stored_password(warehouse, warehouse.packer)
        assert verifier_matches(stored, new) and not verifier_matches(stored, PACKER_PASSWORD)
    finally:
        QThreadPool.globalInstance().waitForDone(10_000)
        session.close()


def test_a_database_chosen_at_start_with_no_login_in_it_signs_in_with_the_own_login(
    qtbot: QtBot, warehouse: Warehouse, tmp_path: Path
) -> None:
    """The saved database cannot be opened, so start-up offers the Database dialog; choosing an
    address that names no login signs in first (never connecting as this PC's user) and the window
    opens as that user's own login."""
    from orion_desktop.gui_launch import launch
    from orion_desktop.ui.dialogs.database_dialog import DatabaseDialog

    seen: dict[str, object] = {}

    def choose_the_shared_database() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, DatabaseDialog):
            QTimer.singleShot(20, choose_the_shared_database)
            return
        dialog.postgres_radio.click()
        dialog.url_edit.setText(warehouse.url_without_login)
        _answer(warehouse.packer, PACKER_PASSWORD)
        dialog.ok_button.click()

    def look_then_close() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if not windows or windows[0].inventory_page.model.rowCount() == 0:
            QTimer.singleShot(50, look_then_close)
            return
        window = windows[0]
        qtbot.addWidget(window)
        seen["actor"] = window.actor.name
        seen["session_user"] = _session_user(window.services)
        seen["listed"] = {row.store_code for row in window.inventory_page.model.rows()}
        window.close()

    QTimer.singleShot(20, choose_the_shared_database)
    QTimer.singleShot(100, look_then_close)
    assert launch(_launch_args(f"sqlite:///{tmp_path / 'moved-away.db'}")) == 0
    assert seen == {"actor": warehouse.packer, "session_user": PgLogins(warehouse.owner).login(warehouse.packer),
                    "listed": {"A"}}
    qtbot.waitUntil(lambda: _backends(warehouse, warehouse.packer) == 0, timeout=10_000)  # closed with the window
