"""Tools ▸ Users… (issue 14): an admin lists, adds, disables, enables and edits users in the window.

The list and every change go through ``UserService`` off the GUI thread (ui/worker.py); the forms
are ``ActionDialog``s (ui/dialogs/user_forms.py) opened window-modal without a blocking ``exec()``.
A refusal (the last admin, a name taken, a lost database) is the service's sentence on the
dialog's banner, and the list shows what the database holds afterwards.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from orion_desktop.domain.actor import Actor
from orion_desktop.services import user_logins
from orion_desktop.services.registry import Services
from orion_desktop.services.users import UserInfo
from orion_desktop.ui.dialogs.action_dialog import ActionDialog
from orion_desktop.ui.dialogs.user_forms import BadgeDialog, ResetPasswordDialog, UserFormDialog
from orion_desktop.ui.widgets.message_banner import BannerKind, MessageBanner
from orion_desktop.ui.worker import run_in_background

_ModelIndex = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    USER = 0
    NAME = 1
    ROLE = 2
    STORES = 3
    ACTIVE = 4
    LOCKED = 5


_HEADERS = ("User", "Display name", "Role", "Stores", "Active", "Locked until (UTC)")


class UsersModel(QAbstractTableModel):
    """The users as the service listed them; nothing is queried in ``data()``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.users: tuple[UserInfo, ...] = ()

    def set_users(self, users: tuple[UserInfo, ...]) -> None:
        self.beginResetModel()
        self.users = users
        self.endResetModel()

    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.users)

    def columnCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(
                _HEADERS):
            return _HEADERS[section]
        return None

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole or not 0 <= index.row() < len(self.users):
            return None
        user = self.users[index.row()]
        column = Column(index.column())
        if column is Column.USER:
            return user.username
        if column is Column.NAME:
            return user.display_name
        if column is Column.ROLE:
            return user.role.value
        if column is Column.STORES:
            return ", ".join(user.stores) or "every store"
        if column is Column.ACTIVE:
            return "yes" if user.active else "no (disabled)"
        return user.locked_until.strftime("%Y-%m-%d %H:%M") if user.locked_until else ""


def is_locked(user: UserInfo) -> bool:
    """Locked out now (a lockout that has run out no longer counts)."""
    until = user.locked_until
    if until is None:
        return False
    now = datetime.now(UTC)
    return until > (now if until.tzinfo is not None else now.replace(tzinfo=None))


class UsersDialog(QDialog):
    """The admin's list of users with the buttons that change them."""

    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Users")
        self._services = services
        self._actor = actor
        self.stores: tuple[str, ...] = ()
        self.form: ActionDialog | None = None  # the form open now, if any
        self.loading = False
        self.banner = MessageBanner(self)
        self.model = UsersModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(self.edit_user)
        self._init_buttons()
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.active_button, self.password_button,
                       self.badge_button):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.close_box)
        self.resize(760, 420)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self._selection_changed()
        self.reload()

    def _init_buttons(self) -> None:
        self.add_button = QPushButton("&Add user…", self)
        self.add_button.clicked.connect(self.add_user)
        self.edit_button = QPushButton("&Edit…", self)
        self.edit_button.setToolTip("Display name, role and stores")
        self.edit_button.clicked.connect(self.edit_user)
        self.active_button = QPushButton("&Disable", self)
        self.active_button.clicked.connect(self.toggle_active)
        self.password_button = QPushButton("Reset &password…", self)
        self.password_button.clicked.connect(self.reset_password)
        self.badge_button = QPushButton("Badge and P&IN…", self)
        self.badge_button.clicked.connect(self.set_badge)
        self.close_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.close_box.rejected.connect(self.reject)
        for button in (self.add_button, self.edit_button, self.active_button, self.password_button,
                       self.badge_button):
            button.setAutoDefault(False)  # Enter in the table never disables a user

    # --- the list ---------------------------------------------------------------------------
    def selected_user(self) -> UserInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.users[rows[0].row()] if rows else None

    def select(self, username: str) -> None:
        for row, user in enumerate(self.model.users):
            if user.username == username:
                self.table.selectRow(row)
                return

    def _selection_changed(self, *_args: object) -> None:
        user = self.selected_user()
        busy = self.loading
        for button in (self.edit_button, self.active_button, self.password_button, self.badge_button):
            button.setEnabled(user is not None and not busy)
        self.add_button.setEnabled(not busy)
        if user is not None and not user.active:
            self.active_button.setText("&Enable")
        else:
            self.active_button.setText("Un&lock" if user is not None and is_locked(user) else "&Disable")

    def reload(self, then_select: str | None = None) -> None:
        """List the users (and the stores a form offers) off the GUI thread."""
        services, actor = self._services, self._actor
        keep = then_select or (user.username if (user := self.selected_user()) else None)
        self.loading = True
        self._selection_changed()

        def work() -> tuple[tuple[UserInfo, ...], tuple[str, ...]]:
            return services.users.list_users(actor), tuple(s.code for s in services.catalog.list_stores())

        def done(answer: tuple[tuple[UserInfo, ...], tuple[str, ...]]) -> None:
            self.loading = False
            self.model.set_users(answer[0])
            self.stores = answer[1]
            if keep:
                self.select(keep)
            self._selection_changed()

        run_in_background(self, work, on_done=done, on_error=self._failed)

    def _failed(self, error: BaseException) -> None:
        self.loading = False
        self._selection_changed()
        self.banner.show_error(error)

    def say(self, sentence: str) -> None:
        self.banner.show_message(sentence, BannerKind.INFO)

    # --- the actions ------------------------------------------------------------------------
    def _open_form(self, form: ActionDialog, username: str | None) -> None:
        """Window-modal, never a blocking exec(); after OK say what happened and list again."""
        self.form = form
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.setWindowModality(Qt.WindowModality.WindowModal)

        def finished(result: int) -> None:
            self.form = None
            if result == QDialog.DialogCode.Accepted and isinstance(form.outcome, str):
                self.say(form.outcome)
                self.reload(then_select=username or self._added_name(form))

        form.finished.connect(finished)
        form.open()

    @staticmethod
    def _added_name(form: ActionDialog) -> str | None:
        return form.value().username.strip().lower() if isinstance(form, UserFormDialog) else None

    def add_user(self) -> UserFormDialog:
        form = UserFormDialog(self._services, self._actor, self.stores, parent=self)
        self._open_form(form, None)
        return form

    def edit_user(self, *_args: object) -> UserFormDialog | None:
        user = self.selected_user()
        if user is None:
            return None
        form = UserFormDialog(self._services, self._actor, self.stores, user, parent=self)
        self._open_form(form, user.username)
        return form

    def reset_password(self) -> ResetPasswordDialog | None:
        user = self.selected_user()
        if user is None:
            return None
        form = ResetPasswordDialog(self._services, self._actor, user.username, parent=self)
        self._open_form(form, user.username)
        return form

    def set_badge(self) -> BadgeDialog | None:
        user = self.selected_user()
        if user is None:
            return None
        form = BadgeDialog(self._services, self._actor, user, parent=self)
        self._open_form(form, user.username)
        return form

    def toggle_active(self) -> None:
        """Disable an active user; enable a disabled one, or unlock a locked one (enabling lifts a lockout)."""
        user = self.selected_user()
        if user is None:
            return
        services, actor = self._services, self._actor
        active = not user.active or is_locked(user)
        username = user.username

        def work() -> str:
            info = services.users.set_active(actor, username, active)
            login = user_logins.login_active(services.pg_logins, username, active)
            verb = "enabled" if info.active else "disabled: they can no longer sign in"
            return " ".join(part for part in (f"User {username} {verb}.", login) if part)

        def done(sentence: str) -> None:
            self.say(sentence)
            self.reload(then_select=username)

        self.loading = True
        self._selection_changed()
        run_in_background(self, work, on_done=done, on_error=self._refused_then_reload)

    def _refused_then_reload(self, error: BaseException) -> None:
        self._failed(error)
        self.reload()
