"""Schema migrations: upgrade, current revision, and the check done when a database is opened."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, exc, text

from orion_desktop.db.engine import Database, translate_db_error
from orion_desktop.domain.errors import DatabaseUnavailable
from orion_desktop.paths import migrations_dir

log = logging.getLogger(__name__)

# Arbitrary constant: the key of the PostgreSQL advisory lock that serialises upgrades.
_ADVISORY_LOCK_KEY = 0x0710_DE5C


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return config


def head_revision() -> str:
    heads = ScriptDirectory.from_config(_alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"Expected one migration head, found {heads}")
    return heads[0]


def current_revision(database: Database) -> str | None:
    try:
        with database.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except exc.DBAPIError as error:
        raise translate_db_error(error) from error


@contextmanager
def _upgrade_lock(conn: Connection) -> Iterator[None]:
    """On PostgreSQL, hold an advisory lock so two PCs upgrading at once take turns.

    The second one waits, then finds the schema already at head and does nothing.
    SQLite needs no lock: its write transaction is exclusive.
    """
    if conn.dialect.name != "postgresql":
        yield
        return
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
    yield


def upgrade(database: Database, revision: str = "head") -> tuple[str | None, str]:
    """Upgrade to ``revision``; return (revision before, revision after)."""
    config = _alembic_config()
    try:
        # A write connection: on SQLite this is BEGIN IMMEDIATE, so two upgraders queue.
        with database.engine.execution_options(orion_write=True).begin() as conn:
            with _upgrade_lock(conn):
                before = MigrationContext.configure(conn).get_current_revision()
                config.attributes["connection"] = conn
                command.upgrade(config, revision)
                after = MigrationContext.configure(conn).get_current_revision()
    except exc.DBAPIError as error:
        raise translate_db_error(error) from error
    if before != after:
        log.info("Upgraded %s from %s to %s", database.describe(), before, after)
    return before, after or ""


def downgrade(database: Database, revision: str = "base") -> None:
    config = _alembic_config()
    with database.engine.execution_options(orion_write=True).begin() as conn:
        with _upgrade_lock(conn):
            config.attributes["connection"] = conn
            command.downgrade(config, revision)


def ensure_schema(database: Database) -> None:
    """Called whenever the app or CLI opens a database.

    SQLite (one PC, one user): upgrade silently. PostgreSQL (shared): refuse an out-of-date
    schema with a sentence, because upgrading a shared database is a deliberate act.
    """
    database.ping()
    if database.is_sqlite:
        upgrade(database)
        return
    current = current_revision(database)
    head = head_revision()
    if current == head:
        return
    if current is None:
        raise DatabaseUnavailable(
            f"The database {database.describe()} has no Orion Desktop tables yet. "
            "Run `orion-desktop db upgrade` once to create them."
        )
    raise DatabaseUnavailable(
        f"The database {database.describe()} uses an older layout ({current}; this version needs {head}). "
        "Run `orion-desktop db upgrade` to bring it up to date."
    )
