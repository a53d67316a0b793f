"""File > Database…: choose a SQLite file on this PC or a shared PostgreSQL database.

The dialog never builds engines itself: it is given ``open_database`` (the composition root's
``open_services``) and calls it off the GUI thread — for the Test button, which opens the
database, checks the connection, says "Connected: …" (or the sentence why not) and closes it
again; and for OK, which keeps the opened ``Services`` for the caller (``services``) together
with the frozen ``selection``. When opening fails the sentence is shown and the dialog stays open
(the busy state, the problem line and the refusal come from ``ActionDialog``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from orion_desktop.services.pg_logins import names_no_login
from orion_desktop.ui.connection_errors import explain
from orion_desktop.ui.dialogs.action_dialog import MUTED_STYLE, ActionDialog
from orion_desktop.ui.widgets.message_banner import BannerKind

if TYPE_CHECKING:
    from orion_desktop.services.registry import Services

_SQLITE_PREFIXES = ("sqlite:///", "sqlite+pysqlite:///")
_POSTGRES_PREFIXES = ("postgresql://", "postgresql+psycopg://")
SQLITE_FILTERS = "SQLite databases (*.db *.sqlite *.sqlite3);;All files (*)"


class OpenDatabase(Protocol):
    """The composition root's ``open_services``: a new SQLite file is created only with ``create``."""

    def __call__(self, url: str, *, create: bool = False) -> Services: ...


class SignInFirst(Protocol):
    """For a PostgreSQL URL without a login: sign in with one's own login (GUI thread); the opened
    Services, or None when the person cancels (``GuiSession.sign_in_to``)."""

    def __call__(self, url: str) -> Services | None: ...


@dataclass(frozen=True, slots=True)
class DatabaseRequest:
    """What OK asks for: open ``url``; ``create`` when the user named a new SQLite file."""

    url: str
    create: bool


@dataclass(frozen=True, slots=True)
class DatabaseSelection:
    """The database the user chose: its URL (to remember) and a password-free description."""

    url: str
    description: str


def sqlite_url(path_text: str) -> str:
    """``sqlite:////abs/path.db`` for what the user typed (``~`` expanded, made absolute)."""
    return "sqlite:///" + Path(path_text.strip()).expanduser().absolute().as_posix()


def sqlite_path_of(url: str) -> str | None:
    """The file path of a SQLite URL, None for any other URL."""
    for prefix in _SQLITE_PREFIXES:
        if url.startswith(prefix):
            return url[len(prefix) :].split("?", 1)[0]
    return None


class DatabaseDialog(ActionDialog):
    """OK opens the database and keeps it (``services``); Test opens it only to say whether it works."""

    ok_text = "&Use this database"
    busy_text = "Opening the database…"

    def __init__(
        self,
        open_database: OpenDatabase,
        *,
        initial_url: str | None = None,
        current_description: str | None = None,
        intro: str | None = None,
        sign_in: SignInFirst | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Database", parent)
        self.setObjectName("databaseDialog")
        self.setModal(True)
        self._open_database = open_database
        self._sign_in = sign_in
        self.selection: DatabaseSelection | None = None
        self.services: Services | None = None  # opened on OK; the caller owns it afterwards
        self.file_dialog: QFileDialog | None = None
        self._init_widgets(current_description, intro)
        self._init_layout()
        self._connect()
        self._fill(initial_url)
        self.validate()

    # --- construction ---------------------------------------------------------------------
    def _init_widgets(self, current_description: str | None, intro: str | None) -> None:
        self.result_banner = self.error_banner  # also says "Connected: …" after Test
        self.intro_label = QLabel(intro or "", self)
        self.intro_label.setWordWrap(True)
        self.intro_label.setTextFormat(Qt.TextFormat.PlainText)
        self.intro_label.setVisible(bool(intro))
        self.current_label = QLabel(f"Now using: {current_description}" if current_description else "", self)
        self.current_label.setObjectName("currentDatabase")
        self.current_label.setStyleSheet(MUTED_STYLE)
        self.current_label.setTextFormat(Qt.TextFormat.PlainText)
        self.current_label.setWordWrap(True)
        self.current_label.setVisible(bool(current_description))

        self.sqlite_radio = QRadioButton("&SQLite file on this PC", self)
        self.sqlite_radio.setToolTip("One PC: the database is a single file, no server needed")
        self.postgres_radio = QRadioButton("Shared &PostgreSQL database", self)
        self.postgres_radio.setToolTip("Several PCs working on the same stock at once")
        self.kind_group = QButtonGroup(self)
        self.kind_group.addButton(self.sqlite_radio)
        self.kind_group.addButton(self.postgres_radio)

        self.path_edit = QLineEdit(self)
        self.path_edit.setObjectName("sqlitePath")
        self.path_edit.setPlaceholderText("Path of the database file, for example C:\\Orion\\orion.db")
        self.path_edit.setToolTip("An existing Orion database file, or a new file name to start an empty database")
        self.path_edit.setAccessibleName("SQLite file")
        self.path_edit.setClearButtonEnabled(True)
        self.browse_button = QPushButton("&Browse…", self)
        self.browse_button.setToolTip("Choose the database file")
        self.url_edit = QLineEdit(self)
        self.url_edit.setObjectName("postgresUrl")
        self.url_edit.setPlaceholderText("postgresql://user@server/orion")
        self.url_edit.setToolTip(
            "The address of the shared database: postgresql://user:password@server:5432/database"
        )
        self.url_edit.setAccessibleName("PostgreSQL address")
        self.url_edit.setClearButtonEnabled(True)

        self.hint_label = self.problem_label  # why not yet, what OK will do, or that it is opening
        self.hint_label.setObjectName("databaseHint")

        self.ok_button.setToolTip("Open this database now and use it from now on")
        self.test_button = self.button_box.addButton("&Test connection", QDialogButtonBox.ButtonRole.ActionRole)
        self.test_button.setToolTip("Try to open the database without switching to it")
        self.test_button.setAutoDefault(False)

    def _init_layout(self) -> None:
        sqlite_row = QHBoxLayout()
        sqlite_row.addWidget(self.path_edit, 1)
        sqlite_row.addWidget(self.browse_button)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.sqlite_radio)
        form.addRow("File:", sqlite_row)
        form.addRow(self.postgres_radio)
        form.addRow("Address:", self.url_edit)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addWidget(self.current_label)
        layout.addLayout(form)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.result_banner)
        layout.addStretch(1)
        layout.addWidget(self.button_box)
        # Wide enough for a whole server address and a sentence about it on two lines at most.
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 58)

        chain = [
            self.sqlite_radio,
            self.path_edit,
            self.browse_button,
            self.postgres_radio,
            self.url_edit,
            self.test_button,
            self.ok_button,
            self.cancel_button,
        ]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _connect(self) -> None:
        self.sqlite_radio.toggled.connect(self._kind_changed)
        self.path_edit.textChanged.connect(self.input_changed)
        self.url_edit.textChanged.connect(self.input_changed)
        self.browse_button.clicked.connect(self.browse)
        self.test_button.clicked.connect(self.test_connection)

    def _fill(self, url: str | None) -> None:
        path = sqlite_path_of(url) if url else None
        if url and path is None:
            self.url_edit.setText(url)
            self.postgres_radio.setChecked(True)
        else:
            self.path_edit.setText(path or "")
            self.sqlite_radio.setChecked(True)
        self._kind_changed()

    # --- input ----------------------------------------------------------------------------
    @property
    def uses_sqlite(self) -> bool:
        return self.sqlite_radio.isChecked()

    def url(self) -> str:
        """The URL the input describes (only meaningful without a ``problem``)."""
        return sqlite_url(self.path_edit.text()) if self.uses_sqlite else self.url_edit.text().strip()

    def _kind_changed(self, *_args: object) -> None:
        sqlite = self.uses_sqlite
        self.path_edit.setEnabled(sqlite)
        self.browse_button.setEnabled(sqlite)
        self.url_edit.setEnabled(not sqlite)
        (self.path_edit if sqlite else self.url_edit).setFocus(Qt.FocusReason.OtherFocusReason)
        self.input_changed()

    def problem(self) -> str | None:
        """Why the input cannot be tried yet, as a sentence; None when it can."""
        if self.uses_sqlite:
            text = self.path_edit.text().strip()
            if not text:
                return "Choose the database file with Browse…, or type its path."
            path = Path(text).expanduser()
            if path.is_dir():
                return f"{text} is a folder; choose a file in it, for example {path / 'orion.db'}."
            if not path.absolute().parent.is_dir():
                return f"The folder {path.absolute().parent} does not exist."
            return None
        text = self.url_edit.text().strip()
        if not text:
            return "Type the address of the shared database, for example postgresql://orion@server/orion."
        if not text.startswith(_POSTGRES_PREFIXES):
            return "A PostgreSQL address starts with postgresql://, for example postgresql://orion@server/orion."
        return None

    def _sqlite_file_is_new(self) -> bool:
        return self.uses_sqlite and not Path(self.path_edit.text().strip()).expanduser().exists()

    def hint(self) -> str | None:
        if self._sqlite_file_is_new():
            return "There is no database in this file yet: a new, empty one will be created there."
        return None

    def validate(self) -> bool:
        valid = super().validate()
        self.test_button.setEnabled(self.ok_button.isEnabled())
        return valid

    def browse(self) -> None:
        """Let the user pick an existing file or name a new one."""
        if self.file_dialog is None:
            self.file_dialog = QFileDialog(self, "Choose the database file")
            self.file_dialog.setObjectName("databaseFileDialog")
            self.file_dialog.setFileMode(QFileDialog.FileMode.AnyFile)  # a new name starts a new database
            self.file_dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
            self.file_dialog.setNameFilter(SQLITE_FILTERS)
            self.file_dialog.fileSelected.connect(self.path_edit.setText)
        current = Path(self.path_edit.text().strip()).expanduser()
        if self.path_edit.text().strip() and current.parent.is_dir():
            self.file_dialog.setDirectory(str(current.parent))
            self.file_dialog.selectFile(current.name)
        self.file_dialog.open()

    # --- trying the database --------------------------------------------------------------
    def test_connection(self) -> None:
        if self.busy or not self.validate():
            return
        url = self.url()
        if self._sqlite_file_is_new():
            self.result_banner.show_message(
                "There is no database in this file yet. Choose “Use this database” to create a new, empty one there.",
                BannerKind.INFO,
            )
            return
        open_database = self._open_database

        def probe() -> str:
            services = open_database(url)
            try:
                services.check_connection()
                return services.database_description
            finally:
                services.close()

        self._send(probe, self._tested)

    def show_refusal(self, error: BaseException) -> None:
        """A sentence about what is wrong; the driver's own words behind the Details button."""
        sentence, details = explain(error)
        self.result_banner.show_message(sentence, BannerKind.ERROR, details=details)

    def _tested(self, description: str) -> None:
        self.result_banner.show_message(f"Connected: {description}", BannerKind.INFO)

    def value(self) -> DatabaseRequest:
        # Decided on the GUI thread, from what the user saw: a file name that does not exist yet
        # (the hint said "a new, empty one will be created") is the one case that creates a file.
        return DatabaseRequest(self.url(), create=self._sqlite_file_is_new())

    def accept(self) -> None:
        """OK. A PostgreSQL URL naming no login means per-user logins: nothing connects before the
        person signs in as themselves, so the sign-in dialog comes first and opens the database."""
        if self._sign_in is None or self.busy or not self.validate() or not names_no_login(self.url()):
            super().accept()
            return
        services = self._sign_in(self.url())
        if services is None:
            self.result_banner.show_message("Nobody signed in, so that database was not opened.", BannerKind.INFO)
            return
        self.outcome = services
        self.succeeded()

    def submit(self, value: DatabaseRequest) -> Services:
        """Open the database ``value`` names (off the GUI thread) and make sure it answers."""
        services = self._open_database(value.url, create=value.create)
        try:
            services.check_connection()
        except BaseException:
            services.close()
            raise
        return services

    def succeeded(self) -> None:
        services: Services = self.outcome
        self.services = services
        self.selection = DatabaseSelection(url=self.url(), description=services.database_description)
        super().succeeded()

    def _freeze_inputs(self, busy: bool) -> None:
        for widget in (self.sqlite_radio, self.postgres_radio, self.browse_button):
            widget.setEnabled(not busy)
        if not busy:
            self.browse_button.setEnabled(self.uses_sqlite)
        self.path_edit.setReadOnly(busy)
        self.url_edit.setReadOnly(busy)
