"""Planner statistics for SQLite files.

SQLite plans queries from the statistics ``ANALYZE`` stores in ``sqlite_stat1`` and never
gathers them by itself. Without them, a 300k-row stock list can pick a plan that reads every
row (measured: the first Inventory page 550 ms instead of 3 ms; tests/perf/RESULTS.md). So when
a SQLite file is opened, its statistics are refreshed if they are missing, if a big table has
grown a lot since they were taken, or if an index has none (a migration has just added it). PostgreSQL's
autovacuum keeps its own statistics; nothing is done there.

The search indexes' FTS5 shadow tables (``orders_search_data`` and the like) are kept out of the
statistics. FTS5 runs its own statements on them, planned like any other; analyzed while nearly
empty (a file with products and no orders yet), ``orders_search_data`` is recorded at 2 rows, and
SQLite then scans the whole table instead of seeking its rowid range in the ``DELETE`` of every
segment merge. Measured: 25,000 orders inserted one statement each took 8.2 s instead of 0.9 s
once 25,000 were already in (docs/performance.md, "Measured last").
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import Connection, exc

from orion_desktop.db.engine import Database

log = logging.getLogger(__name__)

TRACKED_TABLES = ("products", "inventory", "orders", "order_items", "inventory_transactions")
"""The tables whose size decides the plans of the big lists."""

MIN_ROWS = 1_000
"""Below this many rows every plan is fast: a small file is not analyzed (nor frozen at small)."""

GROWTH_FACTOR = 4
"""Statistics taken at N rows are refreshed once the table holds more than this times N."""


def refresh_if_stale(database: Database) -> bool:
    """Run ``ANALYZE`` on a SQLite file whose statistics are missing or stale; True if it ran.

    Stale: a table of ``TRACKED_TABLES`` with at least ``MIN_ROWS`` rows that has grown more than
    ``GROWTH_FACTOR`` times since it was analyzed, or one of its indexes has no statistics (a
    migration added it). A file analyzed whole by an older version loses its shadow tables' rows.
    A failure (a read-only file, another writer holding the file longer than the busy timeout) is
    logged and ignored: the data is fine, only slower to query, and the next start tries again.
    """
    if not database.is_sqlite:
        return False
    try:
        with database.engine.connect() as conn:
            stale = _stale_tables(conn)
            shadows_analyzed = bool(_shadow_statistics(conn))
        if stale:
            analyze(database)
        elif shadows_analyzed:
            _write_statistics(database, _forget_shadow_statistics)
    except exc.DBAPIError as error:
        log.warning("Could not refresh the planner statistics of %s: %s", database.describe(), error.orig)
        return False
    if not stale:
        return False
    log.info("Refreshed the planner statistics of %s (%s)", database.describe(), ", ".join(stale))
    return True


def analyze(database: Database) -> None:
    """``ANALYZE`` a SQLite file now, table by table, its FTS5 shadow tables left out."""
    _write_statistics(database, _analyze_tables)


def _write_statistics(database: Database, work: Callable[[Connection], None]) -> None:
    """``work`` in a writer's transaction, then every idle connection closed.

    A writer's transaction (BEGIN IMMEDIATE) because ``sqlite_stat1`` is written, and a plain BEGIN
    that reads first could not wait for another writer (ARCHITECTURE.md: stock changes). The
    connections are closed because a SQLite connection reads the statistics once, when it opens
    (measured: another connection's ANALYZE leaves its plans as they were), so only connections
    opened after the commit plan with the new ones."""
    with database.engine.execution_options(orion_write=True).begin() as conn:
        work(conn)
    database.close_idle_connections()


def _analyze_tables(conn: Connection) -> None:
    own, _shadows = _tables(conn)
    for table in own:
        conn.exec_driver_sql(f'ANALYZE "{table}"')
    _forget_shadow_statistics(conn)


def _forget_shadow_statistics(conn: Connection) -> None:
    """Delete the shadow tables' rows of ``sqlite_stat1`` (a whole-file ``ANALYZE`` writes them)."""
    shadows = _shadow_statistics(conn)
    if shadows:
        marks = ", ".join("?" for _ in shadows)
        conn.exec_driver_sql(f"DELETE FROM sqlite_stat1 WHERE tbl IN ({marks})", tuple(shadows))


def _tables(conn: Connection) -> tuple[list[str], list[str]]:
    """The file's own tables (neither SQLite's nor virtual), and the real tables behind its virtual
    tables (FTS5 names these shadow tables ``<table>_<part>``)."""
    rows = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all()
    virtual = {name for name, sql in rows if str(sql).startswith("CREATE VIRTUAL TABLE")}
    shadows = [name for name, _sql in rows if any(name.startswith(f"{table}_") for table in virtual)]
    own = [name for name, _sql in rows
           if not name.startswith("sqlite_") and name not in virtual and name not in shadows]
    return own, shadows


def _shadow_statistics(conn: Connection) -> list[str]:
    """The shadow tables that have rows in ``sqlite_stat1``."""
    if not _has_statistics_table(conn):
        return []
    analyzed = {table for (table,) in conn.exec_driver_sql("SELECT DISTINCT tbl FROM sqlite_stat1")}
    _own, shadows = _tables(conn)
    return sorted(table for table in shadows if table in analyzed)


def _stale_tables(conn: Connection) -> list[str]:
    sizes = {table: _size(conn, table) for table in TRACKED_TABLES}
    big = [table for table, rows in sizes.items() if rows >= MIN_ROWS]
    if not big:
        return []
    analyzed = _analyzed_sizes(conn)
    with_statistics = _indexes_with_statistics(conn)
    stale = []
    for table in big:
        indexes = {
            name for (name,) in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", (table,)
            )
        }
        if sizes[table] > GROWTH_FACTOR * analyzed.get(table, 0) or not indexes <= with_statistics:
            stale.append(table)
    return stale


def _indexes_with_statistics(conn: Connection) -> set[str]:
    if not _has_statistics_table(conn):
        return set()
    return {name for (name,) in conn.exec_driver_sql("SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL")}


def _has_statistics_table(conn: Connection) -> bool:
    return conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
    ).first() is not None


def _size(conn: Connection, table: str) -> int:
    """About how many rows ``table`` holds: its highest rowid, read from the end of its b-tree."""
    return int(conn.exec_driver_sql(f"SELECT coalesce(max(rowid), 0) FROM {table}").scalar_one())


def _analyzed_sizes(conn: Connection) -> dict[str, int]:
    """Rows per table when it was last analyzed (the first number of each ``sqlite_stat1`` row)."""
    if not _has_statistics_table(conn):
        return {}
    sizes: dict[str, int] = {}
    for table, stat in conn.exec_driver_sql("SELECT tbl, stat FROM sqlite_stat1").all():
        first = str(stat or "").split(" ", 1)[0]
        if first.isdigit():
            sizes[table] = max(sizes.get(table, 0), int(first))
    return sizes
