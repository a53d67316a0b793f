"""SQLite files get planner statistics when opened: missing, stale or after a migration; never on small files."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from orion_desktop.db import statistics
from orion_desktop.db.engine import Database
from orion_desktop.db.migrate import ensure_schema, upgrade


def _add_products(database: Database, count: int) -> None:
    """``count`` products of one store, by bulk SQL."""
    with database.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO stores (code, name, created_at) SELECT 'S' || (coalesce(max(id), 0) + 1), 'Store', "
            "'2026-01-01 00:00:00.000000' FROM stores"
        )
        store = conn.exec_driver_sql("SELECT max(id) FROM stores").scalar_one()
        start = conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM products").scalar_one()
        conn.exec_driver_sql(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO products (store_id, sku, title, product_type, is_placeholder, created_at) "
            "SELECT ?, 'SKU-' || (? + i), 'Product ' || i, 'physical', 0, '2026-01-01 00:00:00.000000' FROM n",
            (count, store, start),
        )


def _analyzed_products(database: Database) -> int | None:
    with database.engine.connect() as conn:
        return statistics._analyzed_sizes(conn).get("products")


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'stats.db'}")
    ensure_schema(database)
    yield database
    database.dispose()


def test_a_small_file_is_left_alone(sqlite_db: Database) -> None:
    _add_products(sqlite_db, 50)
    assert statistics.refresh_if_stale(sqlite_db) is False
    assert _analyzed_products(sqlite_db) is None


def test_a_big_file_is_analyzed_once_and_again_when_it_has_grown(sqlite_db: Database) -> None:
    _add_products(sqlite_db, 2_000)
    ensure_schema(sqlite_db)  # what every start does
    assert _analyzed_products(sqlite_db) == 2_000
    assert statistics.refresh_if_stale(sqlite_db) is False  # fresh: nothing to do

    _add_products(sqlite_db, 5_000)  # 7,000 rows: not yet 4x the 2,000 analyzed
    assert statistics.refresh_if_stale(sqlite_db) is False
    _add_products(sqlite_db, 2_000)  # 9,000 > 4 x 2,000
    ensure_schema(sqlite_db)
    assert _analyzed_products(sqlite_db) == 9_000


def test_an_index_without_statistics_is_analyzed_even_when_a_first_try_failed(sqlite_db: Database) -> None:
    _add_products(sqlite_db, 1_500)
    with sqlite_db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.exec_driver_sql("CREATE INDEX ix_products_scratch ON products (title)")  # as a migration would
    assert statistics.refresh_if_stale(sqlite_db) is True
    with sqlite_db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1 FROM sqlite_stat1 WHERE idx = 'ix_products_scratch'").first()
    assert statistics.refresh_if_stale(sqlite_db) is False


def test_another_writer_is_waited_for_not_failed_on(sqlite_db: Database) -> None:
    """ANALYZE runs as a writer (BEGIN IMMEDIATE), so it waits out another PC's short write."""
    _add_products(sqlite_db, 1_500)
    other = Database(str(sqlite_db.url))
    try:
        holder = other.engine.raw_connection()
        holder.cursor().execute("BEGIN IMMEDIATE")
        release = threading.Timer(0.5, holder.commit)
        release.start()
        try:
            assert statistics.refresh_if_stale(sqlite_db) is True
        finally:
            release.join()
            holder.close()
    finally:
        other.dispose()
    assert _analyzed_products(sqlite_db) == 1_500


def test_a_migrated_file_gets_statistics_for_its_new_indexes(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        upgrade(database, "0003_search_indexes")
        _add_products(database, 1_500)
        with database.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")  # statistics from before the upgrade
        ensure_schema(database)  # upgrades to the head, then analyzes
        with database.engine.connect() as conn:
            indexes = {row[0] for row in conn.exec_driver_sql("SELECT idx FROM sqlite_stat1 WHERE tbl = 'products'")}
        assert {"ix_products_sku_id", "ix_products_title_lower"} <= indexes
    finally:
        database.dispose()


# FTS5's own statement when it merges index segments: it must seek the rowid range, not scan.
_FTS5_MERGE_DELETE = "EXPLAIN QUERY PLAN DELETE FROM 'main'.'orders_search_data' WHERE id>=? AND id<=?"


def _fts5_merge_plan(database: Database) -> str:
    """How a connection opened now plans FTS5's merge delete on the orders' search index."""
    with database.engine.connect() as conn:
        return str(conn.exec_driver_sql(_FTS5_MERGE_DELETE, (1, 2)).all()[0][3])


def _shadow_rows(database: Database) -> list[str]:
    with database.engine.connect() as conn:
        return [table for (table,) in conn.exec_driver_sql(
            "SELECT DISTINCT tbl FROM sqlite_stat1 WHERE tbl LIKE '%search_%' ORDER BY tbl")]


def test_the_search_indexes_shadow_tables_get_no_statistics(sqlite_db: Database) -> None:
    """Analyzed with products and no orders yet, the orders' search data would be recorded at 2 rows,
    and FTS5 would then scan all of it at every merge (25,000 orders later: 8 s instead of 0.9 s)."""
    _add_products(sqlite_db, 1_500)
    assert statistics.refresh_if_stale(sqlite_db) is True
    assert _shadow_rows(sqlite_db) == []
    assert _analyzed_products(sqlite_db) == 1_500
    sqlite_db.dispose()  # connections opened from here on
    assert "SEARCH" in _fts5_merge_plan(sqlite_db)


def test_a_file_analyzed_whole_loses_its_shadow_tables_statistics_when_opened(sqlite_db: Database) -> None:
    _add_products(sqlite_db, 1_500)
    with sqlite_db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")  # as versions before 6 Dec 2026 did
    assert "orders_search_data" in _shadow_rows(sqlite_db)
    sqlite_db.dispose()
    assert _fts5_merge_plan(sqlite_db).startswith("SCAN")  # the plan this prevents

    ensure_schema(sqlite_db)  # what every start does: nothing is stale, the shadow rows go
    assert _shadow_rows(sqlite_db) == []
    assert _analyzed_products(sqlite_db) == 1_500
    assert "SEARCH" in _fts5_merge_plan(sqlite_db)  # the connection that read the old rows does not serve


_STORES_RANGE = "EXPLAIN QUERY PLAN SELECT * FROM stores WHERE id >= 1 AND id <= 2"


def _stores_range_plans(database: Database) -> list[str]:
    """How two connections of the app, open at once, plan a range of store ids: a seek without
    statistics, a scan once they say the table holds one row (so the plan tells whether the
    connection read them)."""
    with database.connection() as first, database.connection() as second:
        return [str(conn.exec_driver_sql(_STORES_RANGE).all()[0][3]) for conn in (first, second)]


def test_the_connections_opened_before_the_statistics_are_not_used_after_them(sqlite_db: Database) -> None:
    """A SQLite connection reads the statistics when it opens and never again (another connection's
    ANALYZE leaves its plans as they were), so none opened before they were written serves after."""
    _add_products(sqlite_db, 1_500)
    sqlite_db.dispose()
    assert [plan.split()[0] for plan in _stores_range_plans(sqlite_db)] == ["SEARCH", "SEARCH"]
    assert statistics.refresh_if_stale(sqlite_db) is True
    assert [plan.split()[0] for plan in _stores_range_plans(sqlite_db)] == ["SCAN", "SCAN"]


def test_postgresql_is_left_to_autovacuum(pg_migrated_url: str) -> None:
    database = Database(pg_migrated_url)
    try:
        assert statistics.refresh_if_stale(database) is False
    finally:
        database.dispose()
