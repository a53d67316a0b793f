"""Migrations on SQLite and PostgreSQL (ARCHITECTURE.md: stock changes, tests).

Every test here starts from a fresh, *empty* database: a new SQLite file, or a new
PostgreSQL database made for the test by the session's ``pg_database_factory``.
"""

from __future__ import annotations

import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from helpers import ADMIN, seed_catalog
from sqlalchemy import CheckConstraint, Connection, create_engine, exc, inspect, text
from sqlalchemy.engine import make_url

from orion_desktop.bootstrap import Services
from orion_desktop.db import engine as engine_module
from orion_desktop.db import migrate
from orion_desktop.db.engine import Database
from orion_desktop.db.migrate import current_revision, downgrade, ensure_schema, head_revision, upgrade
from orion_desktop.db.models import SEARCH_FTS_TABLES, SEARCH_TRIGRAM_INDEXES, Base, include_object
from orion_desktop.domain.errors import Conflict, DatabaseUnavailable

SQLITE_STAMP = "2026-01-01 00:00:00.000000"


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(migrate._alembic_config())


def _revisions_oldest_first() -> list[str]:
    return [script.revision for script in reversed(list(_script().walk_revisions()))]


@pytest.fixture
def empty_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of a database with no tables at all."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    factory: Callable[..., str] = request.getfixturevalue("pg_database_factory")
    return factory("orion_migrations")


@pytest.fixture
def empty_db(empty_url: str) -> Iterator[Database]:
    database = Database(empty_url)
    yield database
    database.dispose()


@pytest.fixture
def migrated_db(empty_db: Database) -> Database:
    upgrade(empty_db)
    return empty_db


def _tables(database: Database) -> set[str]:
    with database.engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def _schema_diff(database: Database) -> list[Any]:
    """What autogenerate would change, configured as migrations/env.py configures it."""
    with database.engine.connect() as conn, warnings.catch_warnings():
        # SQLite cannot reflect expression indexes (ix_inventory_available): SQLAlchemy and Alembic
        # say so and skip comparing them; test_named_check_constraints_exist_in_the_migrated_database checks them.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index")
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
        diff: list[Any] = compare_metadata(context, Base.metadata)
        return diff


def _index_names(conn: Connection, table: str) -> set[str]:
    """Every index of ``table`` by name, expression indexes included (SQLite's reflection skips them)."""
    if conn.dialect.name == "sqlite":
        return {row[1] for row in conn.exec_driver_sql(f"PRAGMA index_list('{table}')")}
    return {str(i["name"]) for i in inspect(conn).get_indexes(table)}


# --- the revision graph --------------------------------------------------------------------


def test_exactly_one_head_and_a_linear_history() -> None:
    script = _script()
    assert len(script.get_heads()) == 1, f"several migration heads: {script.get_heads()}"
    assert len(script.get_bases()) == 1, f"several migration bases: {script.get_bases()}"
    for revision in script.walk_revisions():
        assert not revision.is_merge_point or revision.revision == script.get_current_head()
    assert head_revision() == script.get_current_head()
    # ensure_schema compares against this constant (to avoid importing Alembic at start-up).
    assert migrate.SCHEMA_HEAD == script.get_current_head(), "update SCHEMA_HEAD in orion_desktop/db/migrate.py"


# --- up, down, up --------------------------------------------------------------------------


def test_empty_to_head_to_base_to_head(empty_db: Database) -> None:
    model_tables = set(Base.metadata.tables)
    head = head_revision()

    assert upgrade(empty_db) == (None, head)
    assert current_revision(empty_db) == head
    assert model_tables <= _tables(empty_db)

    downgrade(empty_db, "base")
    assert current_revision(empty_db) is None
    assert _tables(empty_db) - {"alembic_version"} == set(), "downgrade to base left tables behind"

    assert upgrade(empty_db) == (None, head)
    assert model_tables <= _tables(empty_db)
    assert _schema_diff(empty_db) == []


def test_every_revision_steps_up_and_down_one_at_a_time(empty_db: Database) -> None:
    revisions = _revisions_oldest_first()
    for revision in revisions:
        upgrade(empty_db, revision)
        assert current_revision(empty_db) == revision
    for expected in [*reversed(revisions[:-1]), None]:
        downgrade(empty_db, "-1")
        assert current_revision(empty_db) == expected
    upgrade(empty_db)
    assert current_revision(empty_db) == head_revision()


def test_upgrading_twice_is_a_no_op(migrated_db: Database) -> None:
    head = head_revision()
    assert upgrade(migrated_db) == (head, head)


# --- models versus migrations --------------------------------------------------------------


def test_models_match_migrations(migrated_db: Database) -> None:
    """Alembic autogenerate finds nothing to add, drop or alter."""
    assert _schema_diff(migrated_db) == []


def test_every_constraint_and_index_in_the_models_is_named() -> None:
    unnamed = []
    for table in Base.metadata.sorted_tables:
        for constraint in table.constraints:
            if not isinstance(constraint.name, str) or not constraint.name:
                unnamed.append(f"{table.name}: {type(constraint).__name__} {constraint!r}")
        for index in table.indexes:
            if not isinstance(index.name, str) or not index.name:
                unnamed.append(f"{table.name}: index {index!r}")
    assert not unnamed, "unnamed constraints (Alembic batch mode on SQLite drops them):\n" + "\n".join(unnamed)


def test_named_check_constraints_exist_in_the_migrated_database(migrated_db: Database) -> None:
    with migrated_db.engine.connect() as conn:
        inspector = inspect(conn)
        for table in Base.metadata.sorted_tables:
            expected = {c.name for c in table.constraints if isinstance(c, CheckConstraint)}
            found = {c["name"] for c in inspector.get_check_constraints(table.name)}
            assert expected <= found, f"{table.name}: CHECKs missing in the database: {expected - found}"
            expected_fks = {c.name for c in table.foreign_key_constraints}
            found_fks = {fk["name"] for fk in inspector.get_foreign_keys(table.name)}
            assert expected_fks <= found_fks, f"{table.name}: foreign keys missing: {expected_fks - found_fks}"
            expected_indexes = {i.name for i in table.indexes}
            found_indexes = _index_names(conn, table.name)
            missing = expected_indexes - found_indexes
            assert expected_indexes <= found_indexes, f"{table.name}: indexes missing: {missing}"
    # The inventory CHECKs of ARCHITECTURE.md: invariants by name.
    assert {
        "ck_inventory_quantity_not_negative",
        "ck_inventory_reserved_not_negative",
        "ck_inventory_reserved_within_quantity",
    } <= {c.name for c in Base.metadata.tables["inventory"].constraints if isinstance(c, CheckConstraint)}


# --- the dialect-specific search indexes (migration 0003) ----------------------------------

FTS_TRIGGERS = {f"{table}_{event}" for table in SEARCH_FTS_TABLES for event in ("insert", "update", "delete")}


def _search_objects(database: Database) -> set[str]:
    """The search structures present: trigram indexes on PostgreSQL, FTS5 tables and triggers on SQLite."""
    with database.engine.connect() as conn:
        if database.is_sqlite:
            rows = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
            return {name for (name,) in rows} & (SEARCH_FTS_TABLES | FTS_TRIGGERS)
        rows = conn.exec_driver_sql("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
        return {name for (name,) in rows} & SEARCH_TRIGRAM_INDEXES


def test_the_search_indexes_exist_at_head_and_go_with_a_downgrade(migrated_db: Database) -> None:
    expected = SEARCH_FTS_TABLES | FTS_TRIGGERS if migrated_db.is_sqlite else SEARCH_TRIGRAM_INDEXES
    # A batch-mode migration of products or orders on SQLite would drop the triggers: this catches it.
    assert _search_objects(migrated_db) == expected
    downgrade(migrated_db, "0002_orders")
    assert _search_objects(migrated_db) == set()
    upgrade(migrated_db)
    assert _search_objects(migrated_db) == expected
    assert _schema_diff(migrated_db) == []


def test_the_database_owner_of_the_least_privilege_recipe_gets_the_trigram_indexes(pg_admin_url: str) -> None:
    """pg_trgm is a trusted extension: the owner role that runs `db upgrade` (README) may create it."""
    suffix = uuid.uuid4().hex[:8]
    owner, name = f"orion_owner_{suffix}", f"orion_owned_{suffix}"
    server = make_url(pg_admin_url).set(drivername="postgresql+psycopg")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {owner} LOGIN PASSWORD 'owner-pw'"))
        conn.execute(text(f"CREATE DATABASE {name} OWNER {owner}"))
    url = server.set(username=owner, password="owner-pw", database=name).render_as_string(hide_password=False)
    database = Database(url)
    try:
        upgrade(database)
        assert _search_objects(database) == SEARCH_TRIGRAM_INDEXES
    finally:
        database.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            conn.execute(text(f"DROP ROLE IF EXISTS {owner}"))
        admin.dispose()


def _fts_rowids(conn: Connection, table: str, text_: str) -> set[int]:
    phrase = '"' + text_.replace('"', '""') + '"'
    return {row[0] for row in conn.exec_driver_sql(f"SELECT rowid FROM {table} WHERE {table} MATCH ?", (phrase,))}


def test_the_sqlite_search_tables_follow_inserts_updates_and_deletes(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'search.db'}")
    try:
        upgrade(database)
        services = Services.on(database)
        seed_catalog(services)  # titles "Widget A", "Widget B", ...
        with database.engine.begin() as conn:
            assert len(_fts_rowids(conn, "products_search", "widget")) == 3
            b = conn.exec_driver_sql("SELECT id FROM products WHERE sku = 'B'").scalar_one()
            assert _fts_rowids(conn, "products_search", "WIDGET b") == {b}  # case-insensitive substrings
            conn.exec_driver_sql("UPDATE products SET title = 'Sprocket' WHERE sku = 'A'")
            conn.exec_driver_sql("UPDATE products SET low_stock_threshold = 3 WHERE sku = 'B'")  # not a searched column
            assert len(_fts_rowids(conn, "products_search", "widget")) == 2
            assert len(_fts_rowids(conn, "products_search", "rocke")) == 1
            conn.exec_driver_sql("DELETE FROM products WHERE sku = 'EBOOK'")
            assert _fts_rowids(conn, "products_search", "manual") == set()
            store_id = conn.exec_driver_sql("SELECT id FROM stores").scalar_one()
            conn.exec_driver_sql(
                "INSERT INTO orders (store_id, order_number, status, customer_name, channel, created_at, updated_at) "
                f"VALUES ({store_id}, 'ORD-77', 'pending', 'Ada Lovelace', 'manual', "
                f"'{SQLITE_STAMP}', '{SQLITE_STAMP}')"
            )
            assert len(_fts_rowids(conn, "orders_search", "lovel")) == 1
            assert len(_fts_rowids(conn, "orders_search", "ord-7")) == 1
            conn.exec_driver_sql("UPDATE orders SET customer_name = 'Grace Hopper'")
            assert _fts_rowids(conn, "orders_search", "lovel") == set()
            conn.exec_driver_sql("DELETE FROM orders")
            assert _fts_rowids(conn, "orders_search", "hopper") == set()
            for table in sorted(SEARCH_FTS_TABLES):  # the index matches its content table exactly
                conn.exec_driver_sql(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
    finally:
        database.dispose()


# --- the database itself refuses bad rows -------------------------------------------------

_LEDGER_COPY = (
    "INSERT INTO inventory_transactions (store_id, product_id, location_id, transaction_type, quantity_change, "
    "reserved_change, quantity_after, reserved_after, created_at) SELECT store_id, product_id, location_id, "
    "{type_}, 0, 0, {after}, reserved_after, created_at FROM inventory_transactions"
)

BAD_UPDATES = {
    "ck_inventory_quantity_not_negative": "UPDATE inventory SET quantity = -1, reserved_quantity = 0",
    "ck_inventory_reserved_within_quantity": "UPDATE inventory SET reserved_quantity = quantity + 1",
    "ck_inventory_reserved_not_negative": "UPDATE inventory SET reserved_quantity = -1",
    # The ledger refuses every UPDATE (append-only trigger, migration 0005): its CHECKs guard inserts.
    "ck_inventory_transactions_after_not_negative": _LEDGER_COPY.format(type_="transaction_type", after="-1"),
    "ck_inventory_transactions_transaction_type_known": _LEDGER_COPY.format(type_="'steal'", after="quantity_after"),
    "ck_products_product_type_known": "UPDATE products SET product_type = 'vapour'",
}


@pytest.fixture
def stocked_db(migrated_db: Database) -> Database:
    services = Services.on(migrated_db)
    seed_catalog(services)
    services.inventory.adjust(ADMIN, store="MAIN", product="A", location="SHELF-1", delta=10, reason="count")
    services.inventory.reserve(ADMIN, store="MAIN", product="A", location="SHELF-1", quantity=4)
    return migrated_db


@pytest.mark.parametrize("constraint", sorted(BAD_UPDATES))
def test_check_constraints_refuse_raw_sql_that_bypasses_the_services(stocked_db: Database, constraint: str) -> None:
    statement = BAD_UPDATES[constraint]
    with pytest.raises(exc.IntegrityError) as raised:
        with stocked_db.engine.begin() as conn:
            conn.exec_driver_sql(statement)
    assert constraint in str(raised.value.orig)
    # Nothing changed.
    with stocked_db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT quantity, reserved_quantity FROM inventory").one() == (10, 4)


def test_a_refused_row_inside_a_unit_of_work_is_a_conflict_naming_the_rule(stocked_db: Database) -> None:
    with pytest.raises(Conflict, match="ck_inventory_reserved_within_quantity"):
        with stocked_db.write() as session:
            session.execute(text("UPDATE inventory SET reserved_quantity = quantity + 5"))


def test_unique_stock_row_per_product_and_location(stocked_db: Database) -> None:
    with pytest.raises(exc.IntegrityError, match="uq_inventory_product_id_location_id|UNIQUE constraint failed"):
        with stocked_db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO inventory (store_id, product_id, location_id, quantity, reserved_quantity, "
                "created_at, updated_at) SELECT store_id, product_id, location_id, 1, 0, created_at, updated_at "
                "FROM inventory"
            )


# --- ensure_schema: what happens when the app opens a database -----------------------------


def _force_revision(database: Database, revision: str) -> None:
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": revision})


def test_ensure_schema_upgrades_an_empty_sqlite_file_silently(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        ensure_schema(database)
        assert current_revision(database) == head_revision()
        assert _schema_diff(database) == []
        ensure_schema(database)  # a second start changes nothing
        assert current_revision(database) == head_revision()
    finally:
        database.dispose()


def test_ensure_schema_upgrades_an_old_sqlite_file(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        revisions = _revisions_oldest_first()
        if len(revisions) > 1:
            upgrade(database, revisions[-2])
        else:
            upgrade(database)
            downgrade(database, "base")  # the oldest "old" there is: alembic_version exists but is empty
        ensure_schema(database)
        assert current_revision(database) == head_revision()
    finally:
        database.dispose()


@pytest.fixture
def pg_empty_db(pg_database_factory: Callable[..., str]) -> Iterator[Database]:
    database = Database(pg_database_factory("orion_migrations"))
    yield database
    database.dispose()


def test_ensure_schema_refuses_an_empty_postgresql_database(pg_empty_db: Database) -> None:
    with pytest.raises(DatabaseUnavailable) as raised:
        ensure_schema(pg_empty_db)
    message = str(raised.value)
    assert "orion-desktop db upgrade" in message
    assert "no Orion Desktop tables" in message
    assert _tables(pg_empty_db) == set(), "ensure_schema must not create anything on a shared database"


def test_ensure_schema_refuses_an_old_postgresql_schema(
    pg_empty_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    revisions = _revisions_oldest_first()
    if len(revisions) > 1:
        upgrade(pg_empty_db, revisions[-2])
        old, needed = revisions[-2], revisions[-1]
    else:
        # Only one revision exists yet: pretend this build ships a newer one.
        upgrade(pg_empty_db)
        old, needed = revisions[-1], "0099_pretend_newer"
        monkeypatch.setattr(migrate, "SCHEMA_HEAD", needed)
        monkeypatch.setattr(migrate, "head_revision", lambda: needed)
    with pytest.raises(DatabaseUnavailable) as raised:
        ensure_schema(pg_empty_db)
    message = str(raised.value)
    assert "orion-desktop db upgrade" in message
    assert old in message and needed in message
    assert current_revision(pg_empty_db) == old, "ensure_schema must not upgrade a shared database"


def test_ensure_schema_accepts_a_current_postgresql_schema(pg_empty_db: Database) -> None:
    upgrade(pg_empty_db)
    ensure_schema(pg_empty_db)


FUTURE_REVISION = "0999_from_a_newer_app"


def test_a_schema_from_a_newer_app_version_is_a_clear_sentence(migrated_db: Database) -> None:
    """An older Orion Desktop opening a database that a newer one upgraded: no traceback, no changes."""
    _force_revision(migrated_db, FUTURE_REVISION)
    with pytest.raises(DatabaseUnavailable) as raised:
        ensure_schema(migrated_db)
    message = str(raised.value)
    assert FUTURE_REVISION in message
    assert "newer version of Orion Desktop" in message
    assert current_revision(migrated_db) == FUTURE_REVISION


def test_db_upgrade_on_a_schema_from_a_newer_app_version_is_a_clear_sentence(migrated_db: Database) -> None:
    """`orion-desktop db upgrade` must not show Alembic's "Can't locate revision" traceback."""
    _force_revision(migrated_db, FUTURE_REVISION)
    with pytest.raises(DatabaseUnavailable, match="newer version of Orion Desktop"):
        upgrade(migrated_db)
    assert current_revision(migrated_db) == FUTURE_REVISION


# --- two PCs upgrading one PostgreSQL database at the same moment --------------------------


def _upgrade_in_threads(url: str, workers: int) -> list[object]:
    barrier = threading.Barrier(workers)
    results: list[object] = [None] * workers

    def run(slot: int) -> None:
        database = Database(url)  # its own engine, like a second PC
        try:
            database.ping()
            barrier.wait(timeout=30)
            results[slot] = upgrade(database)
        except BaseException as error:  # noqa: BLE001 - reported below
            results[slot] = error
        finally:
            database.dispose()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.parametrize("round_", range(2))
def test_concurrent_upgrades_of_one_postgresql_database_run_the_migrations_once(
    pg_database_factory: Callable[..., str], round_: int
) -> None:
    url = pg_database_factory("orion_concurrent_upgrade")
    head = head_revision()
    results = _upgrade_in_threads(url, workers=2)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, f"an upgrader failed: {errors!r}"
    assert sorted(results, key=repr) == sorted([(None, head), (head, head)], key=repr), results
    database = Database(url)
    try:
        with database.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all() == [head]
        assert _schema_diff(database) == []
    finally:
        database.dispose()


def test_an_upgrader_waits_for_the_other_one_longer_than_the_row_lock_timeout(
    pg_database_factory: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow migration on one PC must not make the second PC's upgrade fail with a lock timeout.

    The engine's lock_timeout (5 s, for stuck stock rows) is shortened here so the test is quick;
    another connection holds the upgrade lock longer than that.
    """
    url = pg_database_factory("orion_upgrade_wait")
    monkeypatch.setattr(engine_module, "POSTGRES_LOCK_TIMEOUT", "200ms")
    database = Database(url)
    holder = create_engine(url)
    try:
        with holder.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": migrate._ADVISORY_LOCK_KEY})
            release = threading.Timer(
                1.0,
                lambda: conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": migrate._ADVISORY_LOCK_KEY}),
            )
            started = time.monotonic()
            release.start()
            try:
                assert upgrade(database) == (None, head_revision())
            finally:
                release.join()
            assert time.monotonic() - started >= 0.9, "the upgrade did not wait for the lock"
    finally:
        holder.dispose()
        database.dispose()
