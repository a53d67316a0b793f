"""A pooled PostgreSQL connection is checked before use only after it sat idle (db/idle_ping.py)."""

from __future__ import annotations

import time
from typing import Any

import psycopg
import pytest
from sqlalchemy import text

from orion_desktop.db import idle_ping
from orion_desktop.db.engine import Database

# PostgreSQL only: SQLite has no server to lose (the suite's own database fixture, on PostgreSQL).
pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


@pytest.fixture
def pings(database: Database, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The pings sent (the dialect's own ping, counted as it runs)."""
    sent: list[object] = []
    real = database.engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        sent.append(dbapi_connection)
        return bool(real(dbapi_connection))

    monkeypatch.setattr(database.engine.dialect, "do_ping", counted)
    return sent


def _backend_pid(database: Database) -> int:
    with database.read() as session:
        return int(session.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_used_moments_ago_is_not_pinged(database: Database, pings: list[object]) -> None:
    first = _backend_pid(database)
    for _ in range(20):
        assert _backend_pid(database) == first  # the same pooled connection every time
    assert pings == []  # twenty transactions, no round trip of ping among them


def test_an_idle_connection_is_pinged_and_a_dead_one_replaced_before_use(
    database: Database, pings: list[object], pg_admin_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(idle_ping, "IDLE_SECONDS", 0.2)
    dead = _backend_pid(database)
    with psycopg.connect(pg_admin_url, autocommit=True) as admin:  # the server ends that session
        admin.execute("SELECT pg_terminate_backend(%s)", (dead,))
    time.sleep(0.3)
    alive = _backend_pid(database)  # no error reaches the caller: the pool replaced the connection first
    assert alive != dead
    assert len(pings) == 1
    assert _backend_pid(database) == alive and len(pings) == 1  # used moments ago: not pinged again
