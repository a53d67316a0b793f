"""The ledger and the order history are append-only in the database itself (issue 9, item 4).

Triggers of migration 0005 refuse UPDATE and DELETE of their rows on SQLite and PostgreSQL (and
TRUNCATE on PostgreSQL), whoever sends the SQL; the services' own paths never need to.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import ADMIN, assert_ledger_consistent, seed_catalog
from sqlalchemy import exc, text

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.db.migrate import downgrade, upgrade
from orion_desktop.domain.errors import Conflict
from orion_desktop.domain.order_results import OrderLine

MESSAGES = {
    "inventory_transactions": "The stock ledger is append-only: its entries are never changed or deleted.",
    "order_history": "The order history is append-only: its entries are never changed or deleted.",
}
STATEMENTS = {
    "inventory_transactions": (
        "UPDATE inventory_transactions SET quantity_change = 0",
        "UPDATE inventory_transactions SET reason = 'rewritten'"
        " WHERE id = (SELECT max(id) FROM inventory_transactions)",
        "DELETE FROM inventory_transactions",
        "DELETE FROM inventory_transactions WHERE id = (SELECT min(id) FROM inventory_transactions)",
    ),
    "order_history": (
        "UPDATE order_history SET description = 'nothing happened'",
        "DELETE FROM order_history",
    ),
}
CASES = [(table, statement) for table, statements in STATEMENTS.items() for statement in statements]


@pytest.fixture
def busy(services: Services) -> Services:
    """Ledger rows and order history to tamper with."""
    seed_catalog(services)
    services.inventory.set_quantity(ADMIN, store="MAIN", product="A", location="A-01", quantity=10)
    number = services.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 2)])
    services.orders.change_status(ADMIN, number, "processing")
    return services


def _rows(database: Database, table: str) -> list[tuple[object, ...]]:
    with database.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(f"SELECT * FROM {table} ORDER BY id"))]


@pytest.mark.parametrize(("table", "statement"), CASES)
def test_raw_sql_cannot_change_or_delete_history(
    busy: Services, database: Database, table: str, statement: str
) -> None:
    before = _rows(database, table)
    assert before, f"nothing in {table} to tamper with"
    with pytest.raises(exc.IntegrityError) as refused:
        with database.engine.begin() as conn:
            conn.execute(text(statement))
    assert MESSAGES[table] in str(refused.value.orig)
    assert _rows(database, table) == before
    assert_ledger_consistent(busy)


@pytest.mark.parametrize("table", sorted(STATEMENTS))
def test_inside_a_unit_of_work_the_refusal_is_a_sentence(busy: Services, database: Database, table: str) -> None:
    before = _rows(database, table)
    with pytest.raises(Conflict) as refused:
        with database.write() as session:
            session.execute(text(f"DELETE FROM {table}"))
    message = str(refused.value)
    assert "append-only" in message and "\n" not in message
    assert _rows(database, table) == before


@pytest.mark.parametrize("table", sorted(STATEMENTS))
def test_emptying_the_whole_table_is_refused(busy: Services, database: Database, table: str) -> None:
    """PostgreSQL's TRUNCATE skips row triggers, so it has its own; SQLite's form is a bare DELETE
    (its truncate optimisation is off while a table has triggers)."""
    before = _rows(database, table)
    statement = f"DELETE FROM {table}" if database.is_sqlite else f"TRUNCATE {table} CASCADE"
    with pytest.raises(exc.IntegrityError, match="append-only"):
        with database.engine.begin() as conn:
            conn.execute(text(statement))
    assert _rows(database, table) == before


def test_appending_and_the_service_paths_that_remove_rows_still_work(busy: Services, database: Database) -> None:
    """Deleting a stock entry writes a ledger row to zero and keeps the old rows: nothing to refuse."""
    ledger = _rows(database, "inventory_transactions")
    busy.inventory.set_quantity(ADMIN, store="MAIN", product="B", location="B-01", quantity=4)
    busy.inventory.delete_entry(ADMIN, store="MAIN", product="B", location="B-01")
    after = _rows(database, "inventory_transactions")
    assert after[: len(ledger)] == ledger and len(after) == len(ledger) + 2
    assert_ledger_consistent(busy)


def test_an_order_with_history_cannot_be_deleted_behind_the_services_back(busy: Services, database: Database) -> None:
    """order_history's ON DELETE CASCADE would delete its rows: the trigger refuses, the order stays."""
    orders = _rows(database, "orders")
    with pytest.raises(exc.IntegrityError, match="append-only"):
        with database.engine.begin() as conn:
            conn.execute(text("DELETE FROM inventory_reservations"))
            conn.execute(text("DELETE FROM order_items"))
            conn.execute(text("DELETE FROM orders"))
    assert _rows(database, "orders") == orders


@pytest.fixture
def own_database(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database of this test alone (it migrates down and up; the shared one must stay at head)."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'own.db'}"
    else:
        url = request.getfixturevalue("pg_database_factory")("orion_append_only")
    database = Database(url)
    upgrade(database)
    yield database
    database.dispose()


def test_the_triggers_come_and_go_with_migration_0005(own_database: Database) -> None:
    database = own_database

    def triggers() -> set[str]:
        with database.engine.connect() as conn:
            if database.is_sqlite:
                query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            else:
                query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
            return {name for (name,) in conn.exec_driver_sql(query)} - {
                f"{t}_{e}" for t in ("products_search", "orders_search") for e in ("insert", "update", "delete")
            }

    expected = (
        {f"{t}_no_{e}" for t in STATEMENTS for e in ("update", "delete")}
        if database.is_sqlite
        else {f"{t}_{s}" for t in STATEMENTS for s in ("append_only", "no_truncate")}
    )
    assert triggers() == expected
    downgrade(database, "0004_sort_indexes")
    assert triggers() == set()
    with database.engine.begin() as conn:  # history can be rewritten again without them
        conn.execute(text("DELETE FROM order_history"))
    upgrade(database)
    assert triggers() == expected
