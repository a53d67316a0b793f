"""Keeping a database password out of the saved settings (issue 14, secrets).

``settings.json`` keeps the database URL without its password. The password goes to the
operating system's keyring when the optional ``keyring`` package has a working backend, else to
PostgreSQL's own password file (``PGPASSFILE``, else ``~/.pgpass`` or ``%APPDATA%\\postgresql\\pgpass.conf``,
written 0600), which libpq reads by itself when it connects. With neither, nothing is saved and
the password is asked for at start (the database dialog) or given in ORION_DATABASE_URL.
``ORION_NO_KEYRING=1`` skips the keyring (headless machines, tests).
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

log = logging.getLogger(__name__)

KEYRING_SERVICE = "orion-desktop"
ENV_NO_KEYRING = "ORION_NO_KEYRING"
DEFAULT_PORT = "5432"


def split_password(url: str) -> tuple[str, str | None]:
    """``url`` without its password, and the password (None if it had none)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url, None
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    bare = urlunsplit(parts._replace(netloc=f"{quote(unquote(user), safe='')}@{host}" if user else host))
    return bare, unquote(parts.password)


def with_password(url: str, password: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    user = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    return urlunsplit(parts._replace(netloc=f"{user}:{quote(password, safe='')}@{host}"))


def _account(url: str) -> str:
    """The keyring entry's name: user@host:port/database (no secret in it)."""
    parts = urlsplit(url)
    return f"{parts.username or ''}@{parts.hostname or 'localhost'}:{parts.port or DEFAULT_PORT}{parts.path}"


def _keyring() -> Any | None:
    """The keyring module if it has a usable backend, else None."""
    if os.environ.get(ENV_NO_KEYRING, "").strip() not in ("", "0"):
        return None
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 1) <= 0:
            return None
    except Exception:  # a broken backend is "no keyring"; its message could name the service only
        return None
    return keyring


def pgpass_file() -> Path:
    if os.environ.get("PGPASSFILE"):
        return Path(os.environ["PGPASSFILE"])
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", "~")).expanduser() / "postgresql" / "pgpass.conf"
    return Path.home() / ".pgpass"


def _pgpass_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(":", "\\:")


def _pgpass_key(url: str) -> str:
    parts = urlsplit(url)
    fields = [parts.hostname or "localhost", str(parts.port or DEFAULT_PORT), parts.path.lstrip("/") or "*",
              unquote(parts.username or "")]
    return ":".join(_pgpass_escape(f) for f in fields)


def _write_pgpass(url: str, password: str) -> None:
    path = pgpass_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = _pgpass_key(url)
    try:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith(key + ":")]
    except OSError:
        lines = []
    lines.insert(0, f"{key}:{_pgpass_escape(password)}")  # libpq uses the first matching line
    descriptor, partial = tempfile.mkstemp(prefix=".pgpass.", dir=path.parent)  # 0600 from the start
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def store_password(url: str) -> str:
    """Put the password of ``url`` (if any) in the keyring or the pgpass file; answer the URL to save."""
    bare, password = split_password(url)
    if password is None or not bare.startswith("postgresql"):
        return bare
    keyring = _keyring()
    if keyring is not None:
        try:
            keyring.set_password(KEYRING_SERVICE, _account(bare), password)
            return bare
        except Exception:
            log.warning("The keyring refused the database password; using PostgreSQL's password file.")
    try:
        _write_pgpass(bare, password)
    except OSError:
        log.warning("Could not write PostgreSQL's password file; the password will be asked for at start.")
    return bare


def restore_password(url: str) -> str:
    """``url`` with the password from the keyring, if one is kept there (pgpass: libpq reads it)."""
    if split_password(url)[1] is not None or not url.startswith("postgresql"):
        return url
    keyring = _keyring()
    if keyring is None:
        return url
    try:
        password = keyring.get_password(KEYRING_SERVICE, _account(url))
    except Exception:
        return url
    return with_password(url, password) if password else url
