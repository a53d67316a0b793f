"""Fixtures shared by every test: a fresh database on SQLite and on PostgreSQL.

PostgreSQL is used when ORION_TEST_POSTGRES_URL is set (e.g. postgresql://root@127.0.0.1/test).
The run creates its own uniquely named database from that server and drops it at the end.
Under CI (CI=true) a missing variable is a failure, never a silent skip.
"""

from __future__ import annotations

import faulthandler
import gc
import os
import re
import shutil
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from private_postgres import PrivatePostgres, private_postgres_server
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.db.migrate import upgrade
from orion_desktop.db.models import Base
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.ui.garbage_collection import DueCollections

PG_ENV = "ORION_TEST_POSTGRES_URL"
BACKENDS = ("sqlite", "postgresql")
TEST_WORKERS = 2
"""Processes of the default run (pytest-xdist, ``-n auto`` in pyproject.toml): the functional tests
take about half the time in two, on a 2-core machine with PostgreSQL on it too."""


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: two worker processes, or none when the run may select a performance budget.

    The budgets time two sides of a pair in one process (tests/perf) and their tables are kept in
    that process: a second worker running other tests beside them would skew the ratios, and the
    tables would be lost in the workers. So only a mark expression that leaves them out (the
    default, ``not perf``) runs in parallel; ``-m perf``, ``-m long`` or ``-m ""`` run in one process.
    """
    if re.search(r"\bnot\s+perf\b", config.option.markexpr or "") is None:
        return 0
    workers = min(TEST_WORKERS, os.cpu_count() or 1)
    return workers if workers > 1 else 0


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """A crash prints the crashing thread only: CI keeps the head and tail of a long log, and with
    every thread's stack the one that crashed fell in the part it left out. Runs after pytest's
    own faulthandler set-up, while output is not captured, so stderr here is the terminal's."""
    if sys.__stderr__ is not None:
        faulthandler.enable(file=os.dup(sys.__stderr__.fileno()), all_threads=False)


_QT_FIXTURES = frozenset({"qtbot", "qapp"})
_due_collections = DueCollections()
_qt_garbage_may_remain = False


@pytest.fixture(autouse=True)
def _cycles_freed_on_the_main_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """The window's rule (ui/garbage_collection.py) in the tests: Qt garbage is freed on the main thread.

    Automatic collection runs on whichever thread allocates past a threshold. In a test with Qt
    objects that can be a pool thread loading a page, and a widget of this or an earlier test
    destroyed there crashes Qt (a CI run died of a segfault in a worker thread). So it is off for a
    Qt test, which collects on the main thread when it ends (first in, so torn down after qtbot);
    before the next test without Qt switches it back on, one full collection frees every Qt cycle.
    """
    global _qt_garbage_may_remain
    if _QT_FIXTURES.isdisjoint(request.fixturenames):
        if _qt_garbage_may_remain:
            gc.collect()
            _qt_garbage_may_remain = False
        gc.enable()
        yield
        return
    gc.disable()
    _qt_garbage_may_remain = True
    yield
    _due_collections.collect_if_due()


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never read or write the developer's real settings or default database."""
    home = tmp_path_factory.mktemp("userdirs")
    monkeypatch.setenv("ORION_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("ORION_DATA_DIR", str(home / "data"))
    monkeypatch.delenv("ORION_DATABASE_URL", raising=False)
    monkeypatch.delenv("ORION_USER", raising=False)
    monkeypatch.delenv("ORION_ROLE", raising=False)


def postgres_server_url() -> str | None:
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{PG_ENV} is not set under CI; PostgreSQL tests must run, not skip.")
        return None
    return url


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    url = postgres_server_url()
    if url is None:
        pytest.skip(f"PostgreSQL tests need {PG_ENV}")
    return url


def _pg_url(server_url: str, database: str) -> str:
    return make_url(server_url).set(drivername="postgresql+psycopg", database=database).render_as_string(
        hide_password=False
    )


@pytest.fixture(scope="session")
def pg_database_factory(pg_admin_url: str) -> Iterator[Callable[..., str]]:
    """Creates uniquely named databases on the test server; drops them all at the end."""
    admin = create_engine(
        _pg_url(pg_admin_url, make_url(pg_admin_url).database or "postgres"), isolation_level="AUTOCOMMIT"
    )
    created: list[str] = []

    def create(prefix: str = "orion_test") -> str:
        name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            # Byte-order collation, as SQLite compares text: tests compare the databases' sorts
            # with Python's sorted(), which a locale collation (en_US: case and accents folded) would not match.
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0 LC_COLLATE \'C\''))
        created.append(name)
        return _pg_url(pg_admin_url, name)

    yield create
    with admin.connect() as conn:
        for name in created:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            drop_user_logins(conn, name)
    admin.dispose()


def drop_user_logins(conn: Connection, database_name: str) -> None:
    """Drop the per-user PostgreSQL logins made for one database (named ``<database>_<user>``,
    db/pg_security.py): roles belong to the whole server and would outlive the test."""
    names = conn.execute(
        text("SELECT rolname FROM pg_roles WHERE starts_with(rolname, :prefix)"), {"prefix": f"{database_name}_"}
    ).scalars().all()
    for role in names:
        conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))


@pytest.fixture(scope="session")
def pg_migrated_url(pg_database_factory: Callable[..., str]) -> str:
    url = pg_database_factory()
    database = Database(url)
    upgrade(database)
    database.dispose()
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per run; each test gets a copy (much faster than migrating)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = Database(f"sqlite:///{path}")
    upgrade(database)
    with database.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


def _empty_all_tables(database: Database) -> None:
    """Every table empty and every id sequence back at 1, as a fresh migration leaves them.

    DELETE rather than TRUNCATE: a test leaves a handful of rows, and TRUNCATE of the 16 tables
    costs about 150 ms (new files for every table and index) against about 15 ms here; the
    PostgreSQL tests run this about a thousand times per run. Sequences are reset so ids start
    at 1 again, as TRUNCATE ... RESTART IDENTITY did.
    """
    deletes = "".join(f'DELETE FROM "{t.name}";' for t in Base.metadata.sorted_tables)
    raw = database.engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert driver is not None  # an open pooled connection has its psycopg connection
        with driver.cursor() as cursor:
            # The ledger and order history refuse DELETE (migration 0005); the test role is a
            # superuser, which may switch user triggers (and the foreign-key checks) off for
            # this one transaction. One round trip: psycopg sends a query without parameters
            # as one simple query, several statements included.
            cursor.execute(
                "SET LOCAL session_replication_role = replica;"
                + deletes
                + "SELECT setval(format('%I.%I', schemaname, sequencename), 1, false) FROM pg_sequences "
                "WHERE schemaname = current_schema() AND last_value IS NOT NULL;"
            )
        raw.commit()
    finally:
        raw.close()
    with database.engine.begin() as conn:
        drop_user_logins(conn, database.url.database or "")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty, migrated database for this test only."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "orion.db"
        shutil.copyfile(template, target)
        return f"sqlite:///{target}"
    url: str = request.getfixturevalue("pg_migrated_url")
    database = Database(url)
    _empty_all_tables(database)
    database.dispose()
    return url


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def services(database: Database) -> Services:
    return Services.on(database)


@pytest.fixture
def manager() -> Actor:
    return Actor(name="maria", role=Role.MANAGER)


@pytest.fixture
def admin() -> Actor:
    return Actor(name="admin", role=Role.ADMIN)


@pytest.fixture
def packer() -> Actor:
    return Actor(name="pat", role=Role.PACKER)


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    """A started PostgreSQL server of this test's own (tests/private_postgres.py), for stopping and restarting."""
    with private_postgres_server() as server:
        yield server
