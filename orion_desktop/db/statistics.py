"""Planner statistics for SQLite files.

SQLite plans queries from the statistics ``ANALYZE`` stores in ``sqlite_stat1`` and never
gathers them by itself. Without them, a 300k-row stock list can pick a plan that reads every
row (measured: the first Inventory page 550 ms instead of 3 ms; tests/perf/RESULTS.md). So when
a SQLite file is opened, its statistics are refreshed if they are missing, if a big table has
grown a lot since they were taken, or if a migration has just added indexes. PostgreSQL's
autovacuum keeps its own statistics; nothing is done there.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, exc

from orion_desktop.db.engine import Database

log = logging.getLogger(__name__)

TRACKED_TABLES = ("products", "inventory", "orders", "order_items", "inventory_transactions")
"""The tables whose size decides the plans of the big lists."""

MIN_ROWS = 1_000
"""Below this many rows every plan is fast: a small file is not analyzed (nor frozen at small)."""

GROWTH_FACTOR = 4
"""Statistics taken at N rows are refreshed once the table holds more than this times N."""


def refresh_if_stale(database: Database, *, force: bool = False) -> bool:
    """Run ``ANALYZE`` on a SQLite file whose statistics are missing or stale; True if it ran.

    ``force`` analyzes any file that holds data (after a migration added indexes, whose
    statistics would otherwise be missing). A failure (a read-only file, a busy writer) is
    logged and ignored: the data is fine, only slower to query.
    """
    if not database.is_sqlite:
        return False
    try:
        with database.engine.connect() as conn:
            sizes = {table: _size(conn, table) for table in TRACKED_TABLES}
            if max(sizes.values()) < MIN_ROWS:
                return False
            analyzed = _analyzed_sizes(conn)
            stale = [t for t, rows in sizes.items() if rows >= MIN_ROWS and rows > GROWTH_FACTOR * analyzed.get(t, 0)]
            if not (force or stale):
                return False
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    except exc.DBAPIError as error:
        log.warning("Could not refresh the planner statistics of %s: %s", database.describe(), error.orig)
        return False
    log.info("Refreshed the planner statistics of %s (%s)", database.describe(), ", ".join(stale) or "new indexes")
    return True


def _size(conn: Connection, table: str) -> int:
    """About how many rows ``table`` holds: its highest rowid, read from the end of its b-tree."""
    return int(conn.exec_driver_sql(f"SELECT coalesce(max(rowid), 0) FROM {table}").scalar_one())


def _analyzed_sizes(conn: Connection) -> dict[str, int]:
    """Rows per table when it was last analyzed (the first number of each ``sqlite_stat1`` row)."""
    exists = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
    ).first()
    if not exists:
        return {}
    sizes: dict[str, int] = {}
    for table, stat in conn.exec_driver_sql("SELECT tbl, stat FROM sqlite_stat1").all():
        first = str(stat or "").split(" ", 1)[0]
        if first.isdigit():
            sizes[table] = max(sizes.get(table, 0), int(first))
    return sizes
