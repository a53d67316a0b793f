"""Composition root without Qt: config -> Database -> services. The CLI and the GUI both start here."""

from __future__ import annotations

from dataclasses import dataclass

from orion_desktop.config import choose_database
from orion_desktop.db import migrate
from orion_desktop.db.engine import Database
from orion_desktop.services.registry import Services

__all__ = ["DatabaseStatus", "Services", "database_status", "open_database", "open_services", "upgrade_database"]


def open_database(url: str | None = None, *, check_schema: bool = True, create: bool = False) -> Database:
    """Open the chosen database; bring SQLite up to date, refuse an outdated PostgreSQL schema.

    A SQLite file that does not exist is created only when a new database is clearly meant:
    ``create`` (``db upgrade``, ``demo``, the GUI's new-file choice) or the default file on first
    start. Otherwise it is refused with a sentence (a typo must not open an empty warehouse).
    """
    choice = choose_database(url)
    database = Database(choice.url, create=create or choice.source == "default")
    if check_schema:
        try:
            migrate.ensure_schema(database)
        except BaseException:
            database.dispose()
            raise
    return database


def open_services(url: str | None = None, *, create: bool = False) -> Services:
    """Services on the chosen database; ``create`` as for :func:`open_database`."""
    return Services.on(open_database(url, create=create))


@dataclass(frozen=True, slots=True)
class DatabaseStatus:
    description: str
    current: str | None
    head: str
    up_to_date: bool


def upgrade_database(url: str | None = None) -> tuple[str | None, str]:
    """`db upgrade`: bring the chosen database's schema to the latest revision (creating it if new)."""
    database = open_database(url, check_schema=False, create=True)
    try:
        database.ping()
        return migrate.upgrade(database)
    finally:
        database.dispose()


def database_status(url: str | None = None) -> DatabaseStatus:
    """`db current`: which revision the chosen database is at."""
    database = open_database(url, check_schema=False)
    try:
        current = migrate.current_revision(database)
        head = migrate.head_revision()
        return DatabaseStatus(database.describe(), current, head, current == head)
    finally:
        database.dispose()
