"""No deadlocks on PostgreSQL: every transaction that touches several stock rows locks them in
one ascending-id statement before changing any (issue 9, item 15; ARCHITECTURE.md: stock changes).

A deadlock reaches the user as "another workstation is changing this item" (Conflict), which a
worker cannot tell from an honest lock wait, so the judge is the server itself: the
``deadlocks`` counter of ``pg_stat_database`` for the test's own database must not move during
a run of several processes doing mixed work on a few hot rows. A small separate test provokes
one deadlock on purpose and shows that the counter does move, so the check cannot pass vacuously.
A third test checks the rule itself, call by call, from the SQL each service call sends.

PostgreSQL only: SQLite serialises writers (BEGIN IMMEDIATE), so it cannot deadlock on rows.
The run lasts ``ORION_STRESS_SECONDS`` (default 20) with ``ORION_STRESS_WORKERS`` processes
(default 5); the issue's own measurement was 8 workers x 75 s.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers import ADMIN, assert_ledger_consistent, seed_catalog
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import DBAPIError

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.db.types import utcnow
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.errors import Conflict, OrionError
from orion_desktop.domain.order_results import OrderLine, ShipRequest

STORE = "MAIN"
PRODUCTS = ("P1", "P2", "P3")
HOT = ("A-01", "B-01")  # transfers run both ways between these two
SPARE = "C-01"  # deleted and recreated now and then
SECONDS = float(os.environ.get("ORION_STRESS_SECONDS", "20"))
WORKERS = int(os.environ.get("ORION_STRESS_WORKERS", "5"))

pytestmark = pytest.mark.parametrize("backend", ["postgresql"])


def _sqlstate(error: BaseException) -> str | None:
    cause = error.__cause__
    return getattr(getattr(cause, "orig", None), "sqlstate", None)


# --- worker side (spawned processes, each with its own engine) -------------------------------


class _Worker:
    """One PC doing random warehouse work on the hot rows until its time is up."""

    def __init__(self, url: str, worker: int, seed: int, folder: str) -> None:
        self.rng = random.Random(seed)
        self.database = Database(url)
        self.services = Services.on(self.database)
        self.actor = Actor(name=f"worker-{worker}", role=Role.ADMIN)
        self.worker = worker
        self.folder = Path(folder)
        self.orders: list[str] = []
        self.shipments: list[str] = []
        self.counter = 0

    # the kinds of work, each one service call (or a short sequence of them) ------------------
    def reserve_release(self) -> None:
        common = {"store": STORE, "product": self.rng.choice(PRODUCTS), "location": self.rng.choice(HOT)}
        amount = self.rng.randint(1, 3)
        self.services.inventory.reserve(self.actor, quantity=amount, **common)
        if self.rng.random() < 0.5:
            self.services.inventory.release(self.actor, quantity=amount, **common)
        else:
            self.services.inventory.fulfill(self.actor, quantity=amount, **common)

    def adjust(self) -> None:
        delta = self.rng.choice((-2, -1, 1, 2, 3, 4))
        self.services.inventory.adjust(self.actor, store=STORE, product=self.rng.choice(PRODUCTS),
                                       location=self.rng.choice(HOT), delta=delta, reason="stress")

    def set_level(self) -> None:
        self.services.inventory.set_quantity(self.actor, store=STORE, product=self.rng.choice(PRODUCTS),
                                             location=self.rng.choice(HOT + (SPARE,)),
                                             quantity=self.rng.randint(10, 30))

    def transfer(self) -> None:
        source, destination = self.rng.sample(HOT, 2)
        self.services.inventory.transfer(self.actor, store=STORE, product=self.rng.choice(PRODUCTS), source=source,
                                         destination=destination, quantity=self.rng.randint(1, 3))

    def delete_spare(self) -> None:
        self.services.inventory.delete_entry(self.actor, store=STORE, product=self.rng.choice(PRODUCTS),
                                             location=SPARE)

    def new_order(self, *, expiring: bool = False) -> str:
        self.counter += 1
        number = f"ORD-S{self.worker}-{self.counter}"
        # Multi-line orders whose lines come in opposite product orders.
        products = self.rng.sample(PRODUCTS, self.rng.randint(2, 3))
        lines = [OrderLine(sku, self.rng.randint(1, 3)) for sku in products]
        expires = utcnow() - timedelta(seconds=1) if expiring else None
        self.services.orders.create_order(self.actor, store=STORE, lines=lines, number=number,
                                          reservation_expires_at=expires)
        self.orders.append(number)
        self.services.orders.change_status(self.actor, number, "processing")
        return number

    def some_order(self) -> str:
        """One of this worker's orders, or now and then another worker's (it may not exist)."""
        if self.orders and self.rng.random() < 0.7:
            return self.rng.choice(self.orders)
        other = self.rng.randrange(WORKERS)
        return f"ORD-S{other}-{self.rng.randint(1, max(self.counter, 1))}"

    def process(self) -> None:
        self.new_order(expiring=self.rng.random() < 0.4)

    def ship_line(self) -> None:
        self.services.orders.ship_item(self.actor, self.some_order(), self.rng.choice(PRODUCTS), 1)

    def ship_all(self) -> None:
        self.services.orders.change_status(self.actor, self.some_order(), "shipped")

    def cancel(self) -> None:
        self.services.orders.change_status(self.actor, self.some_order(), "cancelled")

    def reprocess(self) -> None:
        self.services.orders.change_status(self.actor, self.some_order(), "processing")

    def parcel(self) -> None:
        number = self.some_order()
        info = self.services.orders.prepare_shipment(self.actor, number, [ShipRequest(self.rng.choice(PRODUCTS), 1)])
        self.shipments.append(info.shipment_number)
        if self.rng.random() < 0.7:
            self.services.orders.advance_shipment(self.actor, info.shipment_number, "shipped")

    def advance_parcel(self) -> None:
        if self.shipments:
            self.services.orders.advance_shipment(self.actor, self.shipments.pop(), "shipped")

    def return_units(self) -> None:
        """A customer return back onto a shelf: stock up, and waiting orders served first."""
        self.services.orders.return_item(self.actor, self.some_order(), self.rng.choice(PRODUCTS), 1,
                                         location=self.rng.choice(HOT + (SPARE,)))

    def expire(self) -> None:
        self.services.orders.expire_reservations(self.actor)

    def import_stock(self) -> None:
        path = self.folder / f"stock-{self.worker}.csv"
        rows = [(sku, location) for sku in PRODUCTS for location in HOT]
        chosen = self.rng.sample(rows, self.rng.randint(2, 4))
        path.write_text(
            "store,sku,location,quantity\n"
            + "".join(f"{STORE},{sku},{location},{self.rng.randint(15, 35)}\n" for sku, location in chosen),
            encoding="utf-8",
        )
        self.services.importing.import_stock(self.actor, path)

    def run(self, seconds: float) -> dict[str, Any]:
        kinds = {
            self.reserve_release: 6, self.adjust: 4, self.set_level: 2, self.transfer: 5, self.delete_spare: 1,
            self.process: 5, self.ship_line: 3, self.ship_all: 2, self.cancel: 2, self.reprocess: 2,
            self.parcel: 2, self.advance_parcel: 1, self.expire: 2, self.import_stock: 1, self.return_units: 1,
        }
        functions, weights = list(kinds), list(kinds.values())
        outcomes: Counter[str] = Counter()
        unexpected: list[str] = []
        sqlstates: Counter[str] = Counter()
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline:
                function = self.rng.choices(functions, weights)[0]
                name = function.__name__
                try:
                    function()
                    outcomes[f"{name}:ok"] += 1
                except OrionError as error:
                    outcomes[f"{name}:{type(error).__name__}"] += 1
                    if isinstance(error, Conflict) and (state := _sqlstate(error)):
                        sqlstates[state] += 1
                except Exception:  # noqa: BLE001 - anything but a domain error fails the test
                    unexpected.append(f"{name}: {traceback.format_exc()}")
        finally:
            self.database.dispose()  # the backends exit and flush their statistics
        return {"outcomes": dict(outcomes), "unexpected": unexpected, "sqlstates": dict(sqlstates)}


def _work(url: str, worker: int, seed: int, folder: str, seconds: float) -> dict[str, Any]:
    return _Worker(url, worker, seed, folder).run(seconds)


# --- test side -------------------------------------------------------------------------------


def _server_url(url: str) -> str:
    """The plain psycopg URL of the same database, for a connection outside the app's engine."""
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


def deadlock_count(url: str, *, expect_change_from: int | None = None, wait: float = 3.0) -> int:
    """The server's deadlock counter of this database, read after the backends' statistics arrive.

    Backends send their counters at the end of a transaction at most once a second and when they
    exit, so the count is polled for ``wait`` seconds: until it differs from
    ``expect_change_from`` (when given), or for the whole time otherwise.
    """
    engine = create_engine(_server_url(url), isolation_level="AUTOCOMMIT")
    try:
        deadline = time.monotonic() + wait
        with engine.connect() as conn:
            while True:
                conn.execute(text("SELECT pg_stat_clear_snapshot()"))
                count = int(conn.execute(
                    text("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
                ).scalar_one())
                if expect_change_from is not None and count != expect_change_from:
                    return count
                if time.monotonic() >= deadline:
                    return count
                time.sleep(0.25)
    finally:
        engine.dispose()


def _seed(services: Services) -> None:
    services.catalog.add_store(ADMIN, STORE, "Main Store")
    for sku in PRODUCTS:
        services.catalog.add_product(ADMIN, store=STORE, sku=sku, title=f"Hot item {sku}")
        for location in HOT + (SPARE,):
            services.inventory.set_quantity(ADMIN, store=STORE, product=sku, location=location, quantity=25)


def test_a_deliberate_deadlock_moves_the_counter(database: Database) -> None:
    """Two raw connections lock two rows in opposite orders: PostgreSQL aborts one with 40P01,
    and the counter the stress test reads goes up. Without this, an unchanged count would prove nothing."""
    url = database.url.render_as_string(hide_password=False)
    with database.engine.begin() as conn:
        conn.execute(text("CREATE TABLE deadlock_probe (id integer PRIMARY KEY)"))
        conn.execute(text("INSERT INTO deadlock_probe VALUES (1), (2)"))
    before = deadlock_count(url, wait=0)
    engine = create_engine(_server_url(url))
    failures: list[str] = []

    def lock_in_order(first: int, second: int, barrier: threading.Barrier) -> None:
        try:
            with engine.begin() as conn:
                conn.execute(text("SELECT id FROM deadlock_probe WHERE id = :id FOR UPDATE"), {"id": first})
                barrier.wait(timeout=10)
                conn.execute(text("SELECT id FROM deadlock_probe WHERE id = :id FOR UPDATE"), {"id": second})
        except DBAPIError as error:
            failures.append(getattr(error.orig, "sqlstate", "?"))

    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=lock_in_order, args=pair + (barrier,)) for pair in ((1, 2), (2, 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    engine.dispose()
    assert failures == ["40P01"], failures
    after = deadlock_count(url, expect_change_from=before, wait=10)
    assert after == before + 1


@pytest.mark.slow
@pytest.mark.long  # a 20 s stress run: in the default run, left out of the quick one
def test_mixed_work_on_hot_rows_never_deadlocks(database: Database, services: Services, tmp_path: Path) -> None:
    _seed(services)
    url = database.url.render_as_string(hide_password=False)
    before = deadlock_count(url, wait=0)
    context = multiprocessing.get_context("spawn")
    with context.Pool(WORKERS) as pool:
        reports = pool.starmap_async(
            _work, [(url, worker, 4000 + worker, str(tmp_path), SECONDS) for worker in range(WORKERS)], chunksize=1
        ).get(timeout=SECONDS + 180)
    after = deadlock_count(url, expect_change_from=before, wait=3)

    outcomes: Counter[str] = Counter()
    sqlstates: Counter[str] = Counter()
    for report in reports:
        outcomes.update(report["outcomes"])
        sqlstates.update(report["sqlstates"])
    print(f"\n{WORKERS} workers x {SECONDS:.0f} s: deadlocks {before} -> {after}; conflicts by SQLSTATE "
          f"{dict(sqlstates)}\n{dict(sorted(outcomes.items()))}")
    unexpected = [problem for report in reports for problem in report["unexpected"]]
    assert not unexpected, f"{len(unexpected)} errors that are not domain errors; first:\n{unexpected[0]}"
    assert after == before, f"PostgreSQL detected {after - before} deadlocks ({dict(sqlstates)})"
    assert sqlstates.get("40P01", 0) == 0
    # The run did the work it is meant to: every kind ran and succeeded at least once.
    for kind in ("reserve_release", "adjust", "transfer", "process", "ship_line", "cancel", "parcel", "expire",
                 "import_stock"):
        assert outcomes[f"{kind}:ok"] > 0, f"{kind} never succeeded: {dict(outcomes)}"

    assert_ledger_consistent(services)  # invariants L and R, as `stock verify` checks them
    with database.engine.connect() as conn:
        assert conn.execute(text(
            "SELECT count(*) FROM inventory_transactions WHERE reserved_after > quantity_after OR reserved_after < 0"
        )).scalar_one() == 0
        overcommitted = conn.execute(text(
            "SELECT count(*) FROM order_items i LEFT JOIN ("
            "  SELECT order_item_id, sum(quantity_reserved - quantity_fulfilled - quantity_released) AS open"
            "  FROM inventory_reservations WHERE status = 'active' GROUP BY order_item_id) r"
            " ON r.order_item_id = i.id WHERE coalesce(r.open, 0) + i.shipped_quantity > i.quantity"
        )).scalar_one()
    assert overcommitted == 0, "an order item holds more than it still needs"


# --- every multi-row transaction takes its locks in one ordered statement --------------------
#
# The stress test above shows the absence of deadlocks statistically; this one checks the rule
# behind it call by call, from the SQL each service call sends: its stock rows are locked by one
# statement (repeating the very same statement is harmless) before any stock row is created or
# changed; order rows are locked before stock rows; and PostgreSQL's plan of each locking
# statement sorts by id before it locks (LockRows above the Sort, or an index scan by id).

_INVENTORY_LOCK = re.compile(r"\bFROM inventory\b.*\bFOR (NO KEY )?UPDATE\b", re.S)
_ORDERS_LOCK = re.compile(r"\bFROM orders\b.*\bFOR (NO KEY )?UPDATE\b", re.S)
_ONE_ROW = re.compile(r"WHERE (inventory\.id|orders\.order_number) = %\(\w+\)s(::\w+)?\s*FOR ")
# On PostgreSQL a stock change and its ledger row are one statement: WITH changed AS (UPDATE inventory ...) INSERT ...
_INVENTORY_CHANGE = re.compile(
    r"^\s*(WITH \w+ AS\s*\(\s*)?(UPDATE inventory|INSERT INTO inventory|DELETE FROM inventory)\b"
)


def _order(services: Services, lines: list[tuple[str, int]], *, process: bool = True, expired: bool = False) -> str:
    number = services.orders.create_order(
        ADMIN, store=STORE, lines=[OrderLine(sku, quantity) for sku, quantity in lines],
        reservation_expires_at=utcnow() - timedelta(minutes=1) if expired else None,
    )
    if process:
        services.orders.change_status(ADMIN, number, "processing")
    return number


def _expiring_orders(services: Services) -> None:
    # Overlapping products in opposite orders: locked one order after another, they could cycle.
    for lines in ([("A", 1), ("B", 1)], [("B", 1), ("C", 1)], [("C", 1), ("A", 1)]):
        _order(services, lines, expired=True)


def _stock_file(path: Path) -> Path:
    path.write_text("store,sku,location,quantity\nMAIN,C,L1,14\nMAIN,A,L9,4\nMAIN,B,L2,11\n", encoding="utf-8")
    return path

# PostgreSQL: a call of a server-side function (migrations 0009, 0010) stands for the statements in
# its body, which the engine's events cannot see; they are checked by the same rules, read from pg_proc.
_SERVER_CALL = re.compile(r"\bFROM (orion_\w+)\(")
_IN_SERVER_FUNCTION: Any = object()
# A PL/pgSQL statement cannot be EXPLAINed with its variables: it may lock the one row it names by a
# unique key, or many rows in ascending id, written out.
_LOCK_IN_FUNCTION = re.compile(
    r"\bFROM inventory WHERE id = \w+\.inventory_id FOR NO KEY UPDATE\b"
    r"|\bFROM orders \w+ WHERE order_number = p_\w+ FOR NO KEY UPDATE\b"
    r"|\bORDER BY id FOR NO KEY UPDATE\b"
)
# A loop's statement is not the first of its part of the body: found anywhere in it.
_INVENTORY_CHANGE_IN_FUNCTION = re.compile(r"(^|\s)(UPDATE inventory|INSERT INTO inventory|DELETE FROM inventory)\s")


def _with_server_statements(database: Database, sent: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """``sent`` with each server function's call followed by the statements of its body."""
    expanded: list[tuple[str, Any]] = []
    for sql, params in sent:
        expanded.append((sql, params))
        called = _SERVER_CALL.search(sql)
        if called is None:
            continue
        with database.engine.connect() as conn:
            body = conn.exec_driver_sql("SELECT prosrc FROM pg_proc WHERE proname = %(name)s",
                                        {"name": called[1]}).scalar_one()
        expanded += [(part.strip(), _IN_SERVER_FUNCTION) for part in body.split(";") if part.strip()]
    return expanded


LOCK_CASES: dict[str, tuple[Callable[[Services, Path], Any], Callable[[Services, Any], Any]]] = {
    "set": (lambda s, d: None, lambda s, _: s.inventory.set_quantity(ADMIN, store=STORE, product="A", location="L1",
                                                                       quantity=12)),
    "set at a new location": (lambda s, d: None, lambda s, _: s.inventory.set_quantity(
        ADMIN, store=STORE, product="A", location="L9", quantity=3)),
    "adjust up, serving a backorder": (lambda s, d: _order(s, [("B", 40), ("A", 30)]), lambda s, _: s.inventory.adjust(
        ADMIN, store=STORE, product="A", location="L2", delta=5, reason="delivery")),
    "adjust up at a new location": (lambda s, d: None, lambda s, _: s.inventory.adjust(
        ADMIN, store=STORE, product="A", location="L9", delta=5, reason="delivery")),
    "transfer": (lambda s, d: None, lambda s, _: s.inventory.transfer(
        ADMIN, store=STORE, product="A", source="L2", destination="L1", quantity=2)),
    "transfer to a new location": (lambda s, d: None, lambda s, _: s.inventory.transfer(
        ADMIN, store=STORE, product="A", source="L1", destination="L9", quantity=2)),
    "release held units": (lambda s, d: s.inventory.reserve(ADMIN, store=STORE, product="A", location="L1", quantity=2),
                           lambda s, _: s.inventory.release(ADMIN, store=STORE, product="A", location="L1",
                                                            quantity=2)),
    "delete": (lambda s, d: None, lambda s, _: s.inventory.delete_entry(ADMIN, store=STORE, product="B",
                                                                          location="L2")),
    "process an order": (lambda s, d: _order(s, [("C", 3), ("A", 12), ("B", 2)], process=False),
                         lambda s, number: s.orders.change_status(ADMIN, number, "processing")),
    "ship an order": (lambda s, d: _order(s, [("B", 2), ("A", 13)]),
                      lambda s, number: s.orders.change_status(ADMIN, number, "shipped")),
    "ship one line": (lambda s, d: _order(s, [("B", 2), ("A", 3)]),
                      lambda s, number: s.orders.ship_item(ADMIN, number, "A", 2, location="L2")),
    "ship lines from their reservations": (lambda s, d: _order(s, [("B", 2), ("A", 13)]),
                                           lambda s, number: s.orders.ship(ADMIN, number, [ShipRequest("A", 12),
                                                                                          ShipRequest("B")])),
    "cancel": (lambda s, d: _order(s, [("C", 2), ("A", 12)]),
               lambda s, number: s.orders.change_status(ADMIN, number, "cancelled")),
    "ship a parcel": (lambda s, d: s.orders.prepare_shipment(ADMIN, _order(s, [("B", 1), ("A", 2)]),
                                                             [ShipRequest("A", 2), ShipRequest("B", 1)]),
                      lambda s, parcel: s.orders.advance_shipment(ADMIN, parcel.shipment_number, "shipped")),
    "return to a new location": (
        lambda s, d: s.orders.change_status(ADMIN, _order(s, [("A", 2), ("B", 1)]), "shipped").order_number,
        lambda s, number: s.orders.return_item(ADMIN, number, "A", 1, location="L9")),
    "expire reservations": (lambda s, d: _expiring_orders(s), lambda s, _: s.orders.expire_reservations(ADMIN)),
    "import stock, serving a backorder": (lambda s, d: (_order(s, [("C", 30)]), _stock_file(d / "stock.csv"))[1],
                                         lambda s, path: s.importing.import_stock(ADMIN, path)),
}


@pytest.mark.parametrize("case", list(LOCK_CASES))
def test_each_call_locks_its_rows_in_one_ordered_statement_first(
    case: str, database: Database, services: Services, tmp_path: Path
) -> None:
    seed_catalog(services)
    for sku in ("A", "B", "C"):
        for location in ("L1", "L2"):
            services.inventory.set_quantity(ADMIN, store=STORE, product=sku, location=location, quantity=10)
    prepare, action = LOCK_CASES[case]
    prepared = prepare(services, tmp_path)
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        sent.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", capture)
    try:
        action(services, prepared)
    finally:
        event.remove(database.engine, "before_cursor_execute", capture)

    sent = _with_server_statements(database, sent)
    first_change = next((i for i, (sql, params) in enumerate(sent) if _INVENTORY_CHANGE.match(sql) or (
        params is _IN_SERVER_FUNCTION and _INVENTORY_CHANGE_IN_FUNCTION.search(sql))), len(sent))
    stock_locks = [(i, sql, repr(params)) for i, (sql, params) in enumerate(sent) if _INVENTORY_LOCK.search(sql)]
    order_locks = [(i, sql, repr(params)) for i, (sql, params) in enumerate(sent) if _ORDERS_LOCK.search(sql)]
    assert first_change < len(sent), "the call changed no stock row: the case tests nothing"
    late = [sql for i, sql, _ in stock_locks if i > first_change]
    assert not late, f"stock rows locked after a stock row was created or changed:\n{late[0]}"
    assert len({(sql, params) for _, sql, params in stock_locks}) <= 1, "stock rows locked by several statements"
    assert len({(sql, params) for _, sql, params in order_locks}) <= 1, "order rows locked by several statements"
    if stock_locks and order_locks:
        assert max(i for i, _, _ in order_locks) < min(i for i, _, _ in stock_locks), "an order locked after stock"
    with database.engine.connect() as conn:
        for _, sql, _ in stock_locks + order_locks:
            params = next(p for s, p in sent if s == sql)
            if params is _IN_SERVER_FUNCTION:
                assert _LOCK_IN_FUNCTION.search(sql), sql
                continue
            plan = [row[0] for row in conn.exec_driver_sql("EXPLAIN " + sql, params)]
            assert plan[0].startswith("LockRows"), "\n".join(plan)
            if _ONE_ROW.search(sql):
                continue  # one row by a unique key: no order to keep
            # Rows are locked as the node below LockRows hands them over: in ORDER BY order,
            # whether a Sort produces it or an index scan the planner chose because it does.
            assert re.search(r"ORDER BY (\w+\.)?id\b(?! DESC)", sql), sql
    assert_ledger_consistent(services)


def test_a_stock_import_of_several_chunks_locks_every_product_of_the_file_first(
    database: Database, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunk by chunk alone, a later chunk would lock a lower id after a higher one: the import
    first locks the stock rows of every product the file names, in one ascending-id statement."""
    from orion_desktop.services.imports import csv_files

    monkeypatch.setattr(csv_files, "CHUNK_LINES", 1)
    seed_catalog(services)
    for sku in ("A", "B", "C"):
        for location in ("L1", "L2"):
            services.inventory.set_quantity(ADMIN, store=STORE, product=sku, location=location, quantity=10)
    ids = {p.sku: p.id for p in services.catalog.list_products()}
    path = tmp_path / "stock.csv"
    path.write_text("store,sku,location,quantity\nMAIN,C,L1,14\nMAIN,A,L9,4\nMAIN,B,L2,11\n", encoding="utf-8")
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        sent.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", capture)
    try:
        services.importing.import_stock(ADMIN, path)
    finally:
        event.remove(database.engine, "before_cursor_execute", capture)

    first_change = next(i for i, (sql, _) in enumerate(sent) if _INVENTORY_CHANGE.match(sql))
    locks = [(i, sql, params) for i, (sql, params) in enumerate(sent) if _INVENTORY_LOCK.search(sql)]
    assert locks and locks[0][0] < first_change
    _, sql, params = locks[0]
    assert re.search(r"ORDER BY (\w+\.)?id\b(?! DESC)", sql), sql
    assert sorted(ids[sku] for sku in ("A", "B", "C")) in list(params.values()), params
    assert_ledger_consistent(services)
