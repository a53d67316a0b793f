"""PostgreSQL: a write that is one call of a server function, sent without BEGIN and COMMIT when it
has no operation key (``Database.one_statement``); with a key, inside the transaction that writes the
key row. Both leave the same rows (test_held_by_hand.py, test_shipped_on_server.py); these tests
check how the statement travels, and that the connection comes back as it was."""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pytest
from helpers import ADMIN, assert_ledger_consistent, seed_catalog
from sqlalchemy import Integer, event, text

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.db.prepared import Prepared, session_connection
from orion_desktop.domain.change_notice import CHANNEL
from orion_desktop.domain.changes import Changes
from orion_desktop.domain.errors import DatabaseUnavailable, OrionError
from orion_desktop.domain.order_results import OrderLine

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)

WH = "WAREHOUSE_MAIN"
_IDLE = psycopg.pq.TransactionStatus.IDLE
_IN_TRANSACTION = psycopg.pq.TransactionStatus.INTRANS


@pytest.fixture
def shop(services: Services) -> Services:
    seed_catalog(services)
    services.inventory.set_quantity(ADMIN, store="MAIN", product="A", location=WH, quantity=10)
    return services


def _functions_sent(database: Database, call: Any) -> list[tuple[str, bool, Any]]:
    """(function, autocommit, transaction status) of each server-function call ``call()`` sends."""
    seen: list[tuple[str, bool, Any]] = []

    def capture(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM orion_" in statement:
            driver = conn.connection.driver_connection
            name = statement.split("FROM ")[1].split("(")[0]
            seen.append((name, driver.autocommit, driver.info.transaction_status))

    event.listen(database.engine, "before_cursor_execute", capture)
    try:
        call()
    finally:
        event.remove(database.engine, "before_cursor_execute", capture)
    return seen


def test_without_a_key_the_call_is_a_statement_of_its_own(shop: Services, database: Database) -> None:
    number = shop.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 2)])
    shop.orders.change_status(ADMIN, number, "processing")

    def moves() -> None:
        shop.inventory.reserve(ADMIN, store="MAIN", product="A", location=WH, quantity=2)
        shop.inventory.release(ADMIN, store="MAIN", product="A", location=WH, quantity=1)
        shop.orders.ship_item(ADMIN, number, "A", 1)
        shop.orders.change_status(ADMIN, number, "shipped")

    sent = _functions_sent(database, moves)
    assert sent == [
        ("orion_hold_by_hand", True, _IDLE), ("orion_settle_by_hand", True, _IDLE),
        ("orion_ship_lines", True, _IDLE), ("orion_ship_lines", True, _IDLE),
    ]
    assert_ledger_consistent(shop)


def test_with_a_key_the_call_runs_in_the_transaction_of_the_key_row(shop: Services, database: Database) -> None:
    number = shop.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 2)])
    shop.orders.change_status(ADMIN, number, "processing")

    def moves() -> None:
        shop.inventory.reserve(ADMIN, store="MAIN", product="A", location=WH, quantity=2, operation_key="k-hold")
        shop.orders.ship_item(ADMIN, number, "A", 1, operation_key="k-ship")
        shop.orders.change_status(ADMIN, number, "shipped", operation_key="k-status")

    sent = _functions_sent(database, moves)
    assert sent == [
        ("orion_hold_by_hand", False, _IN_TRANSACTION), ("orion_ship_lines", False, _IN_TRANSACTION),
        ("orion_ship_lines", False, _IN_TRANSACTION),
    ]
    with database.engine.connect() as conn:
        keys = conn.execute(text("SELECT key FROM operations ORDER BY key")).scalars().all()
    assert keys == ["k-hold", "k-ship", "k-status"]
    assert_ledger_consistent(shop)


def test_a_refusal_after_the_statement_takes_the_careful_path_in_a_transaction(
    shop: Services, database: Database
) -> None:
    """The function changes nothing when units are short; the careful path then words it."""
    sent = _functions_sent(database, lambda: pytest.raises(
        OrionError, shop.inventory.release, ADMIN, store="MAIN", product="A", location=WH, quantity=1))
    assert sent == [("orion_settle_by_hand", True, _IDLE)]  # tried once, not again in the transaction
    with database.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM inventory_reservations")).scalar_one() == 0


_ONE = Prepared(text("SELECT 1 AS one").columns(one=Integer()))
_FAILS = Prepared(text("SELECT 1 / 0 AS never").columns(never=Integer()))


def test_a_second_statement_is_refused_and_the_connection_comes_back_as_it_was(database: Database) -> None:
    with pytest.raises(RuntimeError, match="second statement"), database.one_statement() as session:
        assert _ONE.first(session, {}).one == 1
        _ONE.first(session, {})
    with pytest.raises(OrionError), database.one_statement() as session:
        _FAILS.first(session, {})  # the server's error, told as a sentence
    with database.write() as session:  # the kept connection is in a transaction again, and usable
        driver: Any = session.connection().connection.driver_connection
        assert _ONE.first(session, {}).one == 1
        assert (driver.autocommit, driver.info.transaction_status) == (False, _IN_TRANSACTION)


def test_the_change_is_told_to_this_app_and_to_the_other_pcs(shop: Services, database: Database) -> None:
    heard: list[Changes] = []
    database.commit_listeners.append(heard.append)
    url = database.url.set(drivername="postgresql").render_as_string(hide_password=False)
    database.flush_announcements()  # the set-up's own, before listening
    with psycopg.connect(url, autocommit=True) as other_pc:
        other_pc.execute(f"LISTEN {CHANNEL}")
        shop.inventory.reserve(ADMIN, store="MAIN", product="A", location=WH, quantity=1)
        database.flush_announcements()
        notices = [json.loads(notice.payload) for notice in other_pc.notifies(timeout=5, stop_after=1)]
    with database.engine.connect() as conn:
        product = conn.execute(text("SELECT id FROM products WHERE sku = 'A'")).scalar_one()
    assert [changes.products for changes in heard] == [frozenset({product})]
    assert [(notice["changes"]["stock"], notice["user"]) for notice in notices] == [([product], ADMIN.name)]


_BACKEND = Prepared(text("SELECT pg_backend_pid() AS pid").columns(pid=Integer()))


def test_a_link_lost_under_the_statement_is_told_and_the_next_write_reconnects(
    shop: Services, database: Database
) -> None:
    database.flush_announcements()  # the announcer's thread takes kept connections too: quiet first
    with database.one_statement() as session:  # the connection the next write takes (the last kept)
        pid = _BACKEND.first(session, {}).pid
    url = database.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with pytest.raises(DatabaseUnavailable, match="cannot be reached"):
        shop.inventory.reserve(ADMIN, store="MAIN", product="A", location=WH, quantity=1)
    held = shop.inventory.reserve(ADMIN, store="MAIN", product="A", location=WH, quantity=1)
    assert (held.quantity_after, held.reserved_after) == (10, 1)  # the lost one changed nothing
    assert_ledger_consistent(shop)


def test_a_kept_connection_found_closed_is_told_and_the_next_write_reconnects(
    shop: Services, database: Database
) -> None:
    database.flush_announcements()  # the announcer's thread takes kept connections too: quiet first
    with database.one_statement() as session:  # the connection the next write takes (the last kept)
        driver: Any = session_connection(session).connection.driver_connection
    driver.close()  # broken while kept: switching it to autocommit is the first thing to fail
    with pytest.raises(DatabaseUnavailable, match="cannot be reached"):
        shop.inventory.reserve(ADMIN, store="MAIN", product="A", location=WH, quantity=1)
    held = shop.inventory.reserve(ADMIN, store="MAIN", product="A", location=WH, quantity=1)
    assert (held.quantity_after, held.reserved_after) == (10, 1)
