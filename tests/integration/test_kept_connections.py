"""Transactions reuse kept connections (db/kept_connections.py). PostgreSQL: a dead one never reaches
a user twice. SQLite: reads and writes keep theirs apart, and one left inside a transaction, or opened
on a file that is no longer the one at the path, is not used again (tests/gui/test_database_loss.py
moves and replaces the file under a running app)."""

from __future__ import annotations

import multiprocessing
import sqlite3
from typing import Any

import pytest
from helpers import ADMIN, seed_catalog
from sqlalchemy import text

from orion_desktop.bootstrap import Services
from orion_desktop.db import idle_ping
from orion_desktop.db.engine import Database
from orion_desktop.db.prepared import CONNECTION_KEY
from orion_desktop.domain.errors import DatabaseUnavailable

POSTGRES_ONLY = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
WH = "WAREHOUSE_MAIN"


def _backend_pid(database: Database) -> int:
    with database.read() as session:
        return int(session.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(database_url: str, pids: set[int]) -> None:
    """Cut these server sessions, as a restart of the server would."""
    other = Database(database_url)
    try:
        with other.engine.connect() as conn:
            for pid in pids:
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        other.dispose()


def _adjust(services: Services) -> None:
    services.inventory.adjust(ADMIN, store="MAIN", product="A", location=WH, delta=1, reason="count")


@POSTGRES_ONLY
def test_one_transaction_after_another_uses_the_same_connection(database: Database, services: Services) -> None:
    seed_catalog(services)
    database.flush_announcements()  # the announcer's thread takes a kept connection too when it sends
    first = _backend_pid(database)
    _adjust(services)
    database.flush_announcements()
    assert _backend_pid(database) == first


@POSTGRES_ONLY
def test_a_connection_cut_while_idle_is_replaced_without_an_error(
    database: Database, services: Services, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_catalog(services)
    database.flush_announcements()
    first = _backend_pid(database)
    _terminate(database_url, {first})
    monkeypatch.setattr(idle_ping, "IDLE_SECONDS", 0.0)  # idle "long enough": pinged before use
    _adjust(services)
    assert _backend_pid(database) != first


@POSTGRES_ONLY
def test_connections_cut_in_use_fail_one_call_with_a_sentence_then_the_next_call_works(
    database: Database, services: Services, database_url: str
) -> None:
    seed_catalog(services)
    database.flush_announcements()  # the announcer's thread would meet the cut connections first
    kept: Any = database._kept
    held = [kept.take() for _ in range(3)]  # three kept connections, as three busy threads leave behind
    pids = {int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one()) for conn in held}
    for conn in held:
        conn.rollback()
        kept.give_back(conn)
    _terminate(database_url, pids)
    with pytest.raises(DatabaseUnavailable) as lost:
        _adjust(services)
    assert str(lost.value).endswith(".") and "\n" not in str(lost.value)
    _adjust(services)  # every connection opened before the failure was given up: this one is new
    assert _backend_pid(database) not in pids


def _pid_in_child(database: Database, results: Any) -> None:
    results.put(_backend_pid(database))


@POSTGRES_ONLY
def test_a_forked_child_never_uses_its_parents_connection(database: Database, services: Services) -> None:
    seed_catalog(services)
    database.flush_announcements()
    parent = _backend_pid(database)
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_pid_in_child, args=(database, results))
    child.start()
    child_pid = results.get(timeout=30)
    child.join(30)
    assert child_pid != parent
    assert _backend_pid(database) == parent  # and the parent's own is still sound


@POSTGRES_ONLY
def test_dispose_gives_every_kept_connection_back(database_url: str) -> None:
    database = Database(database_url)
    services = Services.on(database)
    seed_catalog(services)
    pid = _backend_pid(database)
    database.dispose()
    watcher = Database(database_url)
    try:
        with watcher.engine.connect() as conn:
            alive = conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid})
            assert alive.scalar_one() == 0
    finally:
        watcher.dispose()


def _driver(database: Database, *, write: bool) -> Any:
    """The sqlite3 connection a read or a write transaction ran on."""
    with (database.write() if write else database.read()) as session:
        session.execute(text("SELECT 1"))
        return session.info[CONNECTION_KEY].connection.driver_connection


@SQLITE_ONLY
def test_sqlite_reads_and_writes_each_keep_their_connection(database: Database, services: Services) -> None:
    seed_catalog(services)
    writer, reader = _driver(database, write=True), _driver(database, write=False)
    _adjust(services)
    assert _driver(database, write=True) is writer and _driver(database, write=False) is reader
    assert writer is not reader  # a write begins IMMEDIATE, a read does not: never the same connection


@SQLITE_ONLY
def test_a_sqlite_connection_left_inside_a_transaction_is_not_used_again(
    database: Database, services: Services
) -> None:
    seed_catalog(services)
    before = services.stock.product_stock("MAIN", "A").total_quantity
    writer = _driver(database, write=True)
    writer.execute("BEGIN")  # left open behind the app's back: it would hold the next write's BEGIN
    _adjust(services)
    assert _driver(database, write=True) is not writer
    assert services.stock.product_stock("MAIN", "A").total_quantity == before + 1  # written, once


@SQLITE_ONLY
def test_sqlite_dispose_closes_the_kept_connections(database_url: str) -> None:
    database = Database(database_url)
    seed_catalog(Services.on(database))
    writer, reader = _driver(database, write=True), _driver(database, write=False)
    database.dispose()
    for closed in (writer, reader):
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            closed.execute("SELECT 1")
