"""A stock change racing a `stock delete` of the same row ends with the missing-row sentence
(issue 9, item 14), never with an internal error.

PostgreSQL: a call finds its stock row, then waits for the row's lock while another PC deletes
the row; when the lock comes free the row is gone. The race is made deterministic with a held
lock: a raw connection locks the row, the real ``delete_entry`` starts in a thread and queues for
the lock, then the change under test starts and queues behind it. PostgreSQL grants a row to its
waiters first come, first served (the first waiter holds the tuple lock), so when the raw
connection lets go the delete runs first and the change finds the row gone.

SQLite cannot interleave like this: every write transaction starts with BEGIN IMMEDIATE, which
takes the database's write lock before the call looks up its row, so a delete is either wholly
before or wholly after it. The SQLite test holds that write lock the same way, deletes the row
while the call waits for it, and checks that the call then gives the same sentence as on
PostgreSQL (the calls that create missing rows - set, a positive adjust, a transfer's destination -
create the row again there, as they would after any finished delete).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from helpers import ADMIN, assert_ledger_consistent, seed_catalog
from sqlalchemy import create_engine, text

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.domain.errors import NotFound

MISSING = "There is no stock of Widget A (A) at L1."

Call = Callable[[Services], Any]

# Every stock change on the row of A at L1 (the row that is deleted), by name.
CHANGES: dict[str, Call] = {
    "set": lambda s: s.inventory.set_quantity(ADMIN, store="MAIN", product="A", location="L1", quantity=7),
    "adjust up": lambda s: s.inventory.adjust(ADMIN, store="MAIN", product="A", location="L1", delta=2,
                                              reason="found"),
    "adjust down": lambda s: s.inventory.adjust(ADMIN, store="MAIN", product="A", location="L1", delta=-2,
                                                reason="broken"),
    "reserve": lambda s: s.inventory.reserve(ADMIN, store="MAIN", product="A", location="L1", quantity=2),
    "release": lambda s: s.inventory.release(ADMIN, store="MAIN", product="A", location="L1", quantity=1),
    "fulfil": lambda s: s.inventory.fulfill(ADMIN, store="MAIN", product="A", location="L1", quantity=1),
    "transfer from": lambda s: s.inventory.transfer(ADMIN, store="MAIN", product="A", source="L1",
                                                    destination="L2", quantity=3),
    "transfer to": lambda s: s.inventory.transfer(ADMIN, store="MAIN", product="A", source="L2",
                                                  destination="L1", quantity=3),
    "delete": lambda s: s.inventory.delete_entry(ADMIN, store="MAIN", product="A", location="L1"),
}
# The calls that create a missing row: run after a finished delete (SQLite) they create it again.
CREATING = {"set", "adjust up", "transfer to"}


def _delete(services: Services) -> Any:
    return services.inventory.delete_entry(ADMIN, store="MAIN", product="A", location="L1", reason="shelf removed")


@pytest.fixture
def seeded(services: Services) -> Services:
    seed_catalog(services)
    for location in ("L1", "L2"):
        services.inventory.set_quantity(ADMIN, store="MAIN", product="A", location=location, quantity=10)
    return services


@pytest.fixture
def threads() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=2) as executor:
        yield executor


def _snapshot(database: Database) -> tuple[int, list[tuple[str, int, int]]]:
    """Ledger size and every stock row, to show that the refused call changed nothing."""
    with database.engine.connect() as conn:
        ledger = conn.execute(text("SELECT count(*) FROM inventory_transactions")).scalar_one()
        rows = conn.execute(text(
            "SELECT l.code, i.quantity, i.reserved_quantity FROM inventory i JOIN locations l ON l.id = i.location_id "
            "ORDER BY l.code, i.product_id"
        )).all()
    return ledger, [tuple(row) for row in rows]


def _lock_waiters(monitor: Any) -> int:
    return int(monitor.execute(text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )).scalar_one())


def _wait_until(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.02)


@pytest.mark.parametrize("backend", ["postgresql"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_that_waited_for_a_deleted_row_gets_the_missing_row_sentence(
    change: str, database: Database, seeded: Services, threads: ThreadPoolExecutor
) -> None:
    url = database.url.render_as_string(hide_password=False)
    raw = create_engine(url)
    monitor = create_engine(url, isolation_level="AUTOCOMMIT")
    expected_after_delete = None
    try:
        with monitor.connect() as watch, raw.connect() as holder:
            holder.begin()
            holder.execute(text(
                "SELECT i.id FROM inventory i JOIN locations l ON l.id = i.location_id "
                "JOIN products p ON p.id = i.product_id WHERE p.sku = 'A' AND l.code = 'L1' FOR UPDATE"
            ))
            deleting: Future[Any] = threads.submit(_delete, seeded)
            _wait_until(lambda: _lock_waiters(watch) == 1, "the delete waits for the row")
            racing: Future[Any] = threads.submit(CHANGES[change], seeded)
            _wait_until(lambda: _lock_waiters(watch) == 2, f"the {change} waits behind the delete")
            holder.rollback()  # the row comes free: the delete first, then the change
            deleted = deleting.result(timeout=30)
            assert deleted is not None and deleted.quantity_after == 0, "the delete wrote its units off"
            expected_after_delete = _snapshot(database)
            with pytest.raises(NotFound) as refused:
                racing.result(timeout=30)
    finally:
        raw.dispose()
        monitor.dispose()
    assert str(refused.value) == MISSING
    assert _snapshot(database) == expected_after_delete, "the refused change changed something"
    assert_ledger_consistent(seeded)


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_on_sqlite_a_change_queued_behind_a_delete_sees_it_whole(
    change: str, database: Database, seeded: Services, threads: ThreadPoolExecutor
) -> None:
    """The SQLite form of the race: the delete holds the write lock while the change waits for it."""
    assert database.url.database is not None
    holder = sqlite3.connect(database.url.database, isolation_level=None, timeout=10)
    try:
        holder.execute("BEGIN IMMEDIATE")
        racing: Future[Any] = threads.submit(CHANGES[change], seeded)
        time.sleep(0.3)  # the change is now waiting for the write lock (busy_timeout is 10 s)
        assert not racing.done()
        # What `stock delete` writes: the units written off with a `set` ledger row, then the row gone.
        holder.execute(
            "INSERT INTO inventory_transactions (store_id, product_id, location_id, transaction_type, "
            "quantity_change, reserved_change, quantity_after, reserved_after, reason, created_by, created_at) "
            "SELECT i.store_id, i.product_id, i.location_id, 'set', -i.quantity, 0, 0, 0, 'shelf removed', 'admin', "
            "datetime('now') FROM inventory i JOIN locations l ON l.id = i.location_id WHERE l.code = 'L1'"
        )
        holder.execute("DELETE FROM inventory WHERE location_id = (SELECT id FROM locations WHERE code = 'L1')")
        holder.execute("COMMIT")
        expected_after_delete = _snapshot(database)
        if change in CREATING:
            racing.result(timeout=30)  # the row is created again, as after any finished delete
        else:
            with pytest.raises(NotFound) as refused:
                racing.result(timeout=30)
            assert str(refused.value) == MISSING
            assert _snapshot(database) == expected_after_delete
    finally:
        holder.close()
    assert_ledger_consistent(seeded)


@pytest.mark.parametrize("change", sorted(set(CHANGES) - CREATING))
def test_after_a_finished_delete_every_change_gets_the_same_sentence(change: str, seeded: Services) -> None:
    """The sentence a racing change gets is the one a later change gets, on both databases."""
    _delete(seeded)
    with pytest.raises(NotFound) as refused:
        CHANGES[change](seeded)
    assert str(refused.value) == MISSING
