"""Tools ▸ Users… (issue 14): an admin adds, disables and edits users in the window, on both databases."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.services.registry import Services
from orion_desktop.services.sign_in_ways import OnThisConnection
from orion_desktop.services.users import UserInfo
from orion_desktop.ui.dialogs.action_dialog import ActionDialog
from orion_desktop.ui.dialogs.user_forms import UserFormDialog
from orion_desktop.ui.dialogs.users_dialog import UsersDialog, UsersModel
from orion_desktop.ui.main_window import MainWindow
from orion_desktop.ui.sign_in_dialog import SignInDialog

from .window_support import open_window, press_sign_in

ADMIN_PASSWORD = "Admin-window-5512"
PACKER_PASSWORD = "Packer-window-7734"
LOCAL = Actor(name="local", role=Role.ADMIN)


def _admin(services: Services) -> Actor:
    services.catalog.add_store(LOCAL, "NORTH", "North")
    services.users.create(LOCAL, username="alice", password=ADMIN_PASSWORD, role="admin")
    return services.users.authenticate("alice", ADMIN_PASSWORD)


def _open_users(qtbot: QtBot, window: MainWindow) -> UsersDialog:
    assert window.users_action.isVisible() and window.tools_menu.menuAction().isVisible()
    window.users_action.trigger()
    dialog = window.users_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowModality() == Qt.WindowModality.WindowModal
    qtbot.waitUntil(lambda: not dialog.loading, timeout=10_000)
    return dialog


def _submit(qtbot: QtBot, form: ActionDialog) -> None:
    """Press OK and wait for the services' answer (off the GUI thread)."""
    with qtbot.waitSignal(form.settled, timeout=10_000):
        qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)


def _wait_listed(qtbot: QtBot, dialog: UsersDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.loading and dialog.form is None, timeout=10_000)


def _row(dialog: UsersDialog, username: str) -> UserInfo:
    return next(u for u in dialog.model.users if u.username == username)


def _sign_in_as_pat(qtbot: QtBot, services: Services) -> SignInDialog:
    """The sign-in dialog, answered with pat's name and password (accepted or refused)."""
    sign_in = SignInDialog(OnThisConnection(services))
    qtbot.addWidget(sign_in)
    sign_in.username_edit.setText("pat")
    sign_in.password_edit.setText(PACKER_PASSWORD)
    press_sign_in(sign_in)
    return sign_in


def _add_packer(qtbot: QtBot, dialog: UsersDialog) -> None:
    """Type a packer of store MAIN into the Add form, as a person would."""
    dialog.add_button.click()
    form = dialog.form
    assert isinstance(form, UserFormDialog) and form.isVisible()
    qtbot.keyClicks(form.username_edit, "Pat")
    qtbot.keyClicks(form.display_name_edit, "Pat Quinn")
    qtbot.keyClicks(form.password_edit, PACKER_PASSWORD)
    qtbot.keyClicks(form.password_again_edit, PACKER_PASSWORD + "x")
    assert not form.ok_button.isEnabled() and form.problem_label.text() == "The two passwords differ."
    qtbot.keyClick(form.password_again_edit, Qt.Key.Key_Backspace)
    assert form.role_combo.currentData() == Role.PACKER.value
    main = form.stores_list.findItems("MAIN", Qt.MatchFlag.MatchExactly)[0]
    main.setCheckState(Qt.CheckState.Checked)
    assert form.ok_button.isEnabled()
    _submit(qtbot, form)
    _wait_listed(qtbot, dialog)


def test_an_admin_adds_a_packer_who_signs_in_and_sees_no_admin_entry(
    qtbot: QtBot, stocked: Services, window_settings: QSettings
) -> None:
    alice = _admin(stocked)
    window = open_window(qtbot, stocked, alice, window_settings)
    dialog = _open_users(qtbot, window)
    assert [u.username for u in dialog.model.users] == ["alice"]
    _add_packer(qtbot, dialog)
    pat = _row(dialog, "pat")
    assert (pat.display_name, pat.role, pat.stores, pat.active) == ("Pat Quinn", Role.PACKER, ("MAIN",), True)
    assert dialog.banner.text.startswith("User pat added.")
    if stocked.is_shared_database:  # the owner's connection makes the packer's own login too
        assert "Database login" in dialog.banner.text and "_pat created." in dialog.banner.text

    sign_in = _sign_in_as_pat(qtbot, stocked)
    assert sign_in.actor == Actor(name="pat", role=Role.PACKER, store_codes=frozenset({"MAIN"}))
    packer_window = open_window(qtbot, stocked, sign_in.actor, window_settings)
    assert not packer_window.users_action.isVisible()
    assert not packer_window.tools_menu.menuAction().isVisible()


def test_disabling_a_user_makes_sign_in_refuse_with_a_sentence(
    qtbot: QtBot, stocked: Services, window_settings: QSettings
) -> None:
    alice = _admin(stocked)
    window = open_window(qtbot, stocked, alice, window_settings)
    dialog = _open_users(qtbot, window)
    _add_packer(qtbot, dialog)
    dialog.select("pat")
    assert dialog.active_button.text() == "&Disable"
    dialog.active_button.click()
    _wait_listed(qtbot, dialog)
    assert not _row(dialog, "pat").active
    assert dialog.banner.text.startswith("User pat disabled: they can no longer sign in.")
    assert dialog.active_button.text() == "&Enable"

    sign_in = _sign_in_as_pat(qtbot, stocked)
    assert sign_in.actor is None
    assert sign_in.message.text() == "User pat is disabled; ask an admin to enable it."

    # The last active admin cannot disable herself: a sentence, and she stays active.
    dialog.select("alice")
    dialog.active_button.click()
    qtbot.waitUntil(lambda: "last active admin" in dialog.banner.text, timeout=10_000)
    _wait_listed(qtbot, dialog)
    assert _row(dialog, "alice").active
    assert dialog.banner.text == "alice is the last active admin and cannot be disabled."


def test_a_role_change_takes_effect_at_the_next_sign_in(
    qtbot: QtBot, stocked: Services, window_settings: QSettings
) -> None:
    alice = _admin(stocked)
    window = open_window(qtbot, stocked, alice, window_settings)
    dialog = _open_users(qtbot, window)
    _add_packer(qtbot, dialog)
    signed_in_before = stocked.users.authenticate("pat", PACKER_PASSWORD)
    dialog.select("pat")
    form = dialog.edit_user()
    assert form is not None and form.username_edit.isReadOnly()
    form.role_combo.setCurrentIndex(form.role_combo.findData(Role.MANAGER.value))
    assert form.problem_label.text() == "The new role holds from the user's next sign-in."
    form.stores_list.findItems("NORTH", Qt.MatchFlag.MatchExactly)[0].setCheckState(Qt.CheckState.Checked)
    form.display_name_edit.clear()
    qtbot.keyClicks(form.display_name_edit, "Pat Q.")
    _submit(qtbot, form)
    _wait_listed(qtbot, dialog)
    pat = _row(dialog, "pat")
    assert (pat.display_name, pat.role, pat.stores) == ("Pat Q.", Role.MANAGER, ("MAIN", "NORTH"))
    assert signed_in_before.role is Role.PACKER  # whoever is signed in keeps their role until they sign in again
    assert stocked.users.authenticate("pat", PACKER_PASSWORD).role is Role.MANAGER

    # Demoting the last admin is refused in the form, which stays open, and nothing changes.
    dialog.select("alice")
    form = dialog.edit_user()
    assert form is not None
    form.role_combo.setCurrentIndex(form.role_combo.findData(Role.MANAGER.value))
    form.display_name_edit.setText("Alice renamed")
    _submit(qtbot, form)
    assert form.isVisible() and form.error_banner.text == "alice is the last active admin and stays an admin."
    form.reject()
    _wait_listed(qtbot, dialog)
    assert stocked.users.list_users(alice)[0] == _row(dialog, "alice")
    assert (_row(dialog, "alice").role, _row(dialog, "alice").display_name) == (Role.ADMIN, "alice")


def test_reset_password_and_badge(qtbot: QtBot, stocked: Services, window_settings: QSettings) -> None:
    alice = _admin(stocked)
    window = open_window(qtbot, stocked, alice, window_settings)
    dialog = _open_users(qtbot, window)
    _add_packer(qtbot, dialog)
    dialog.select("pat")
    reset = dialog.reset_password()
    assert reset is not None and not reset.ok_button.isEnabled()
    qtbot.keyClicks(reset.password_edit, "short")
    assert reset.problem_label.text() == "A password needs at least 8 characters."
    reset.password_edit.setText("Packer-reset-9921")
    reset.password_again_edit.setText("Packer-reset-9921")
    _submit(qtbot, reset)
    _wait_listed(qtbot, dialog)
    assert stocked.users.authenticate("pat", "Packer-reset-9921").name == "pat"

    dialog.select("pat")
    badge = dialog.set_badge()
    assert badge is not None
    qtbot.keyClicks(badge.badge_edit, "B-77")
    qtbot.keyClicks(badge.pin_edit, "12")
    assert not badge.ok_button.isEnabled() and badge.problem_label.text() == "A PIN is 4 to 8 digits."
    qtbot.keyClicks(badge.pin_edit, "34")
    qtbot.keyClicks(badge.pin_again_edit, "1234")
    _submit(qtbot, badge)
    _wait_listed(qtbot, dialog)
    assert _row(dialog, "pat").badge_code == "B-77" and _row(dialog, "pat").has_pin
    assert stocked.users.authenticate_badge("B-77", "1234").name == "pat"
    assert dialog.banner.text == "Badge B-77 and a PIN set for pat."


def test_the_users_model_passes_qt_model_tester(qtmodeltester: ModelTester, stocked: Services) -> None:
    alice = _admin(stocked)
    model = UsersModel()
    qtmodeltester.check(model)
    model.set_users(stocked.users.list_users(alice))
    assert model.rowCount() == 1 and model.columnCount() == 6
    assert model.data(model.index(0, 3)) == "every store"
    qtmodeltester.check(model)
