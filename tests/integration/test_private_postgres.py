"""The private PostgreSQL server the restart tests use (tests/private_postgres.py)."""

from __future__ import annotations

import re

import psycopg
import pytest
from helpers import ADMIN
from private_postgres import PrivatePostgres, private_postgres_server
from sqlalchemy import text

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.db.migrate import upgrade
from orion_desktop.domain.errors import DatabaseUnavailable, InvalidInput, OrionError
from orion_desktop.domain.requests import AddStore


def test_private_server_starts_answers_restarts_and_stops(private_postgres: PrivatePostgres) -> None:
    assert private_postgres.port != 5432  # never the shared server
    url = private_postgres.create_database("restart_check")
    assert url.startswith("postgresql+psycopg://")
    plain = private_postgres.url("restart_check")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (n integer)")
        conn.execute("INSERT INTO kept VALUES (7)")
    conn = psycopg.connect(plain, autocommit=True)
    private_postgres.stop()
    assert not private_postgres.answers()
    with pytest.raises(psycopg.OperationalError):
        conn.execute("SELECT 1")  # the old connection died with the server
    conn.close()
    private_postgres.start()
    assert private_postgres.answers()
    with psycopg.connect(plain) as again:
        assert again.execute("SELECT n FROM kept").fetchone() == (7,)  # committed data survived
    seconds = private_postgres.restart()
    assert private_postgres.answers() and seconds > 0


def test_private_server_is_torn_down() -> None:
    with private_postgres_server() as server:
        folder, port = server.folder, server.port
        assert server.answers()
    assert not folder.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(f"postgresql://{server.login}@127.0.0.1:{port}/postgres", connect_timeout=2)


def test_a_stopped_server_is_told_as_a_sentence(private_postgres: PrivatePostgres) -> None:
    """What a user sees while the shared server is down, then the same Services working again."""
    url = private_postgres.create_database("unavailable")
    database = Database(url)
    upgrade(database)
    services = Services.on(database)
    services.perform(ADMIN, AddStore(code="MAIN", name="Main"))
    private_postgres.stop()
    with pytest.raises(DatabaseUnavailable) as raised:
        services.perform(ADMIN, AddStore(code="SECOND", name="Second"))
    assert re.fullmatch(r"The database cannot be reached: [^\n]+\. Try again in a moment; [^\n]+\.", str(raised.value))
    private_postgres.start()
    services.perform(ADMIN, AddStore(code="SECOND", name="Second"))
    assert [s.code for s in services.catalog.list_stores()] == ["MAIN", "SECOND"]
    database.dispose()


def test_a_refusal_while_the_server_goes_away_is_still_the_refusal(private_postgres: PrivatePostgres) -> None:
    """Found by the restart stress test: a call refused (a domain error) just as the server stopped
    failed again in its rollback, and the driver's error escaped instead of the sentence."""
    database = Database(private_postgres.create_database("rollback"))
    with pytest.raises(OrionError) as raised, database.write() as session:
        session.execute(text("SELECT 1"))
        private_postgres.stop()
        raise InvalidInput("P4 is already fully shipped.")
    assert type(raised.value) is InvalidInput  # nothing was written: the refusal is still true
    private_postgres.start()
    database.ping()
    database.dispose()


def test_a_statement_failing_as_the_server_goes_away_is_unavailable(private_postgres: PrivatePostgres) -> None:
    database = Database(private_postgres.create_database("rollback"))
    with pytest.raises(DatabaseUnavailable), database.write() as session:
        session.execute(text("SELECT 1"))
        private_postgres.stop()
        session.execute(text("SELECT 2"))
    private_postgres.start()
    database.ping()
    database.dispose()
