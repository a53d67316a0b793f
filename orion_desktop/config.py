"""Where the database is: --db URL > ORION_DATABASE_URL > saved setting > default SQLite file.

The saved setting lives in a small JSON file in the user's config directory so that the CLI
(which never loads Qt) and the GUI (whose Database dialog writes it) agree on it.
"""

from __future__ import annotations

import getpass
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

from orion_desktop import url_secrets
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.errors import InvalidInput
from orion_desktop.domain.text_rules import clean_text

APP_DIR_NAME = "orion-desktop"
ENV_DATABASE_URL = "ORION_DATABASE_URL"
ENV_USER = "ORION_USER"
ENV_ROLE = "ORION_ROLE"
ENV_CONFIG_DIR = "ORION_CONFIG_DIR"  # lets tests and portable installs keep settings elsewhere
ENV_DATA_DIR = "ORION_DATA_DIR"


def data_dir() -> Path:
    return Path(os.environ.get(ENV_DATA_DIR) or user_data_dir(APP_DIR_NAME, appauthor=False))


def config_dir() -> Path:
    return Path(os.environ.get(ENV_CONFIG_DIR) or user_config_dir(APP_DIR_NAME, appauthor=False))


def default_sqlite_url() -> str:
    return f"sqlite:///{data_dir() / 'orion.db'}"


def _settings_file() -> Path:
    return config_dir() / "settings.json"


def saved_database_url() -> str | None:
    try:
        data = json.loads(_settings_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    url = data.get("database_url") if isinstance(data, dict) else None
    # The file holds no password (url_secrets.py); the keyring's, if any, is put back in memory.
    return url_secrets.restore_password(url) if isinstance(url, str) and url.strip() else None


def save_database_url(url: str | None) -> None:
    """Remember (or with None, forget) the database URL for the next start."""
    path = _settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    if url:
        data["database_url"] = url_secrets.store_password(url)  # never the password in plain text
    else:
        data.pop("database_url", None)
    _write_private(path, json.dumps(data, indent=2))


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` readable by this user only (a saved URL may hold a password), replacing
    the file in one step so a crash never leaves half a settings file."""
    # mkstemp: a new file of its own name, created with mode 0600 (never a leftover's mode).
    descriptor, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


@dataclass(frozen=True, slots=True)
class DatabaseChoice:
    url: str
    source: str  # "--db", "ORION_DATABASE_URL", "saved setting" or "default"


def choose_database(cli_url: str | None = None) -> DatabaseChoice:
    if cli_url and cli_url.strip():
        return DatabaseChoice(cli_url.strip(), "--db")
    env = os.environ.get(ENV_DATABASE_URL, "").strip()
    if env:
        return DatabaseChoice(env, ENV_DATABASE_URL)
    saved = saved_database_url()
    if saved:
        return DatabaseChoice(saved, "saved setting")
    return DatabaseChoice(default_sqlite_url(), "default")


def current_actor(user: str | None = None, role: str | None = None) -> Actor:
    """The acting user: --user/ORION_USER else the OS login; --role/ORION_ROLE else admin.

    There are no user accounts yet: on a shared database, PostgreSQL's own roles are what
    keep people out (see README). The role here decides which actions the services allow.
    """
    name = (user or os.environ.get(ENV_USER) or _login_name()).strip()
    role_text = (role or os.environ.get(ENV_ROLE) or Role.ADMIN.value).strip().lower()
    try:
        parsed = Role(role_text)
    except ValueError:
        options = ", ".join(r.value for r in Role)
        raise InvalidInput(f"{role_text!r} is not a role; use one of {options}.") from None
    if not name:
        raise InvalidInput("The user name must not be empty.")
    # The name goes into every ledger row: the text rules apply (no hidden characters, at most 128).
    clean = clean_text(name, "user name", max_length=128)
    assert clean is not None
    return Actor(name=clean, role=parsed)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"
