"""Schema migrations: upgrade, current revision, and the check done when a database is opened.

Alembic is imported only when a migration actually runs: opening an up-to-date database
compares one SELECT against SCHEMA_HEAD, which keeps CLI start-up fast.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import Connection, exc, inspect, text

from orion_desktop.db import statistics
from orion_desktop.db.engine import Database, translate_db_error
from orion_desktop.domain.errors import DatabaseUnavailable
from orion_desktop.paths import migrations_dir

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

SCHEMA_HEAD = "0011_leaner_ship_function"
"""The newest migration revision; a test checks it equals Alembic's single head."""

# Arbitrary constant: the key of the PostgreSQL advisory lock that serialises upgrades.
_ADVISORY_LOCK_KEY = 0x0710_DE5C
# How long a second upgrader waits for the first one to finish.
_UPGRADE_LOCK_WAIT = "10min"


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return config


def head_revision() -> str:
    """Alembic's head, read from the migration scripts (slow: for tests and `db current`)."""
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(_alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"Expected one migration head, found {heads}")
    return heads[0]


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {script.revision for script in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


def _read_revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()


def current_revision(database: Database) -> str | None:
    try:
        with database.connection() as conn:
            return _read_revision(conn)
    except exc.DBAPIError as error:
        raise translate_db_error(error) from error


@contextmanager
def _upgrade_lock(conn: Connection) -> Iterator[None]:
    """On PostgreSQL, hold an advisory lock so two PCs upgrading at once take turns.

    The second one waits, then finds the schema already at head and does nothing.
    SQLite needs no lock: its write transaction (BEGIN IMMEDIATE) is exclusive.
    """
    if conn.dialect.name == "postgresql":
        # The connection's lock_timeout (a few seconds, for stuck stock rows) also cuts short
        # waits for advisory locks, so a migration longer than that on another PC would make
        # this one fail. Wait longer for the upgrade lock only; the migration's own DDL keeps
        # the short timeout, so it never freezes behind a workstation holding a table lock.
        conn.execute(text(f"SET LOCAL lock_timeout = '{_UPGRADE_LOCK_WAIT}'"))
        try:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
        except exc.OperationalError as error:
            if getattr(error.orig, "sqlstate", None) != "55P03":  # lock_not_available
                raise
            raise DatabaseUnavailable(
                f"Another workstation has been upgrading the database for more than {_UPGRADE_LOCK_WAIT}. "
                "Wait for it to finish, then try again."
            ) from error
        conn.execute(text("SET LOCAL lock_timeout TO DEFAULT"))
    yield


def upgrade(database: Database, revision: str = "head") -> tuple[str | None, str]:
    """Upgrade to ``revision``; return (revision before, revision after)."""
    from alembic import command

    config = _alembic_config()
    try:
        # A write connection: on SQLite this is BEGIN IMMEDIATE, so two upgraders queue.
        with database.engine.execution_options(orion_write=True).begin() as conn:
            with _upgrade_lock(conn):
                before = _read_revision(conn)
                _refuse_unknown(database, before)
                config.attributes["connection"] = conn
                command.upgrade(config, revision)
                after = _read_revision(conn)
    except exc.DBAPIError as error:
        raise translate_db_error(error) from error
    if before != after:
        log.info("Upgraded %s from %s to %s", database.describe(), before, after)
    return before, after or ""


def downgrade(database: Database, revision: str = "base") -> None:
    from alembic import command

    config = _alembic_config()
    with database.engine.execution_options(orion_write=True).begin() as conn:
        with _upgrade_lock(conn):
            config.attributes["connection"] = conn
            command.downgrade(config, revision)


def _refuse_unknown(database: Database, current: str | None) -> None:
    if current is not None and current not in known_revisions():
        raise DatabaseUnavailable(
            f"The database {database.describe()} was set up by a newer version of Orion Desktop "
            f"(layout {current}). Install the newer version to use it."
        )


def ensure_schema(database: Database) -> None:
    """Called whenever the app or CLI opens a database.

    SQLite (one PC, one user): upgrade silently. PostgreSQL (shared): refuse an out-of-date
    schema with a sentence, because upgrading a shared database is a deliberate act.
    """
    database.ping()
    current = current_revision(database)
    if current == SCHEMA_HEAD:
        statistics.refresh_if_stale(database)
        return
    _refuse_unknown(database, current)
    if database.is_sqlite:
        upgrade(database)
        statistics.refresh_if_stale(database)  # new indexes of a file with data have no statistics yet
        return
    if current is None:
        raise DatabaseUnavailable(
            f"The database {database.describe()} has no Orion Desktop tables yet. "
            "Run `orion-desktop db upgrade` once to create them."
        )
    raise DatabaseUnavailable(
        f"The database {database.describe()} uses an older layout ({current}; this version needs {SCHEMA_HEAD}). "
        "Run `orion-desktop db upgrade` to bring it up to date."
    )
