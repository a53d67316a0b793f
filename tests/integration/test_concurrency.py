"""Real parallelism on one database (ARCHITECTURE.md: stock changes, tests).

Worker *processes* (multiprocessing, 'spawn') each build their own ``Database(url)`` and
``Services``, like PCs sharing a PostgreSQL server, or several app instances on one SQLite
file (WAL, BEGIN IMMEDIATE). They hammer one product at the same moment; afterwards the
database must show no oversell, a ledger that adds up, and exactly-once keyed operations.

InsufficientStock and Conflict are the expected refusals and are counted; any other
exception in a worker fails the test.
"""

from __future__ import annotations

import multiprocessing
import random
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from helpers import ADMIN, assert_ledger_consistent
from sqlalchemy import text

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.errors import Conflict, InsufficientStock

WORKERS = 8
POOL_TIMEOUT = 120  # seconds; a hang (deadlock, stuck lock) fails instead of freezing the run
STORE, SKU = "MAIN", "HOT"
LOCATIONS = ("PICK-1", "PICK-2")

# --- worker side (runs in the spawned processes) -------------------------------------------

_barriers: dict[int, Any] = {}


def _init_worker(barrier_all: Any, barrier_pair: Any) -> None:
    _barriers[WORKERS] = barrier_all
    _barriers[2] = barrier_pair
    # Pay the import cost before any test starts its clock.
    import orion_desktop.bootstrap  # noqa: F401


def _ready() -> bool:
    _barriers[WORKERS].wait(timeout=60)  # one task per process: all of them are up
    return True


def _open(url: str, worker: int) -> tuple[Database, Services, Actor]:
    database = Database(url)
    database.ping()  # connect before the start line, so workers really start together
    return database, Services.on(database), Actor(name=f"worker-{worker}", role=Role.MANAGER)


def _hammer(url: str, worker: int, operations: int, seed: int) -> dict[str, Any]:
    """Random reserve/release/fulfill/adjust on one hot product; returns what succeeded."""
    rng = random.Random(seed)
    database, services, actor = _open(url, worker)
    moved = {loc: {"quantity": 0, "reserved": 0} for loc in LOCATIONS}
    outcomes: Counter[str] = Counter()
    unexpected: list[str] = []
    conflicts: dict[str, str] = {}
    inventory = services.inventory
    try:
        _barriers[WORKERS].wait(timeout=60)
        for _ in range(operations):
            location = rng.choice(LOCATIONS)
            kind = rng.choices(("reserve", "release", "fulfill", "add", "remove"), weights=(4, 2, 2, 1, 1))[0]
            amount = rng.randint(1, 6)
            common = {"store": STORE, "product": SKU, "location": location}
            try:
                if kind == "reserve":
                    change = inventory.reserve(actor, quantity=amount, **common)
                elif kind == "release":
                    change = inventory.release(actor, quantity=amount, **common)
                elif kind == "fulfill":
                    change = inventory.fulfill(actor, quantity=amount, **common)
                else:
                    delta = amount if kind == "add" else -amount
                    change = inventory.adjust(actor, delta=delta, reason=f"{kind} by worker {worker}", **common)
            except InsufficientStock:
                outcomes[f"{kind}:insufficient"] += 1
                continue
            except Conflict as error:
                outcomes[f"{kind}:conflict"] += 1
                conflicts.setdefault(f"{kind}: {error}", traceback.format_exc())
                continue
            except Exception:  # noqa: BLE001 - every other error is a test failure, reported by the parent
                unexpected.append(traceback.format_exc())
                continue
            outcomes[f"{kind}:ok"] += 1
            moved[location]["quantity"] += change.quantity_change
            moved[location]["reserved"] += change.reserved_change
            if change.reserved_after > change.quantity_after or change.reserved_after < 0:
                unexpected.append(f"{kind} returned an impossible row: {change}")
    finally:
        database.dispose()
    return {"moved": moved, "outcomes": dict(outcomes), "unexpected": unexpected, "conflicts": conflicts}


def _transfer_many(url: str, worker: int, source: str, destination: str, count: int) -> dict[str, Any]:
    database, services, actor = _open(url, worker)
    outcomes: Counter[str] = Counter()
    errors: list[str] = []
    try:
        _barriers[2].wait(timeout=60)
        for _ in range(count):
            try:
                services.inventory.transfer(
                    actor, store=STORE, product=SKU, source=source, destination=destination, quantity=1
                )
                outcomes["ok"] += 1
            except Exception:  # noqa: BLE001 - a deadlock shows up here as Conflict
                errors.append(traceback.format_exc())
    finally:
        database.dispose()
    return {"outcomes": dict(outcomes), "errors": errors}


def _release_one_by_one(url: str, worker: int, count: int) -> dict[str, Any]:
    database, services, actor = _open(url, worker)
    outcomes: Counter[str] = Counter()
    errors: list[str] = []
    try:
        _barriers[WORKERS].wait(timeout=60)
        for _ in range(count):
            try:
                services.inventory.release(actor, store=STORE, product=SKU, location=LOCATIONS[0], quantity=1)
                outcomes["ok"] += 1
            except Conflict as error:
                outcomes[f"conflict: {error}"] += 1
            except Exception:  # noqa: BLE001
                errors.append(traceback.format_exc())
    finally:
        database.dispose()
    return {"outcomes": dict(outcomes), "errors": errors}


def _replay_keys(url: str, worker: int, keys: list[tuple[str, str]]) -> dict[str, Any]:
    """Send each (kind, key) at the same moment as the other worker; return each result."""
    database, services, actor = _open(url, worker)
    results: dict[str, Any] = {}
    errors: list[str] = []
    try:
        for kind, key in keys:
            _barriers[2].wait(timeout=60)
            common = {"store": STORE, "product": SKU, "location": LOCATIONS[0], "operation_key": key}
            try:
                if kind == "adjust":
                    change = services.inventory.adjust(actor, delta=2, reason="delivery", **common)
                else:
                    change = services.inventory.reserve(actor, quantity=1, **common)
                results[key] = (
                    change.transaction_type.value,
                    change.quantity_change,
                    change.reserved_change,
                    change.quantity_after,
                    change.reserved_after,
                )
            except Exception:  # noqa: BLE001
                errors.append(f"{kind} {key}: {traceback.format_exc()}")
    finally:
        database.dispose()
    return {"results": results, "errors": errors}


# --- test side ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pool() -> Iterator[Any]:
    """Eight warm worker processes for the whole module (spawning is the slow part)."""
    ctx = multiprocessing.get_context("spawn")
    barrier_all = ctx.Barrier(WORKERS)
    barrier_pair = ctx.Barrier(2)
    # A task blocks on its barrier until all its peers have started, so no process can take two
    # tasks of one round: each task of a round really runs in its own process, in parallel.
    process_pool = ctx.Pool(WORKERS, initializer=_init_worker, initargs=(barrier_all, barrier_pair))
    try:
        # Wait until every process has started and imported the app (seconds on a busy machine),
        # so that the tests' own timings measure only their work.
        _run(process_pool, _ready, [() for _ in range(WORKERS)])
        yield process_pool
    finally:
        # Every task has returned (or timed out) by now; close() + join() waits seconds longer.
        process_pool.terminate()
        process_pool.join()


def _run(pool: Any, function: Any, argument_tuples: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    answers: list[dict[str, Any]] = pool.starmap_async(function, argument_tuples, chunksize=1).get(timeout=POOL_TIMEOUT)
    return answers


def _levels(database: Database) -> dict[str, tuple[int, int]]:
    with database.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT l.code, i.quantity, i.reserved_quantity FROM inventory i "
                "JOIN locations l ON l.id = i.location_id JOIN products p ON p.id = i.product_id "
                "WHERE p.sku = :sku"
            ),
            {"sku": SKU},
        ).all()
    return {code: (quantity, reserved) for code, quantity, reserved in rows}


def _scalar(database: Database, sql: str, **params: Any) -> Any:
    with database.engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def _seed(services: Services, stock: dict[str, int]) -> None:
    services.catalog.add_store(ADMIN, STORE, "Main Store")
    services.catalog.add_product(ADMIN, store=STORE, sku=SKU, title="Hot seller")
    for location, quantity in stock.items():
        services.inventory.adjust(ADMIN, store=STORE, product=SKU, location=location, delta=quantity, reason="count")


def test_eight_processes_never_oversell(pool: Any, database: Database, services: Services) -> None:
    initial = {"PICK-1": 100, "PICK-2": 20}  # PICK-2 runs out early: refusals are part of the test
    _seed(services, initial)
    operations = 20
    url = database.url.render_as_string(hide_password=False)
    started = time.monotonic()
    reports = _run(pool, _hammer, [(url, w, operations, 1000 + w) for w in range(WORKERS)])
    elapsed = time.monotonic() - started

    unexpected = [problem for report in reports for problem in report["unexpected"]]
    assert not unexpected, f"{len(unexpected)} unexpected errors in workers; first:\n{unexpected[0]}"
    outcomes: Counter[str] = Counter()
    for report in reports:
        outcomes.update(report["outcomes"])
    print(
        f"\n[{database.dialect}] {WORKERS}x{operations} operations in {elapsed:.1f} s: {dict(sorted(outcomes.items()))}"
    )
    conflicts = {message: trace for report in reports for message, trace in report["conflicts"].items()}
    for message in sorted(conflicts):
        print(f"[{database.dialect}] conflict seen: {message}")
    assert sum(outcomes.values()) == WORKERS * operations
    assert outcomes["reserve:ok"] > 0 and outcomes["reserve:insufficient"] > 0, "the run never hit the stock limit"
    ok = sum(n for name, n in outcomes.items() if name.endswith(":ok"))
    assert ok >= WORKERS * operations // 3, f"too few successes: {dict(outcomes)}"

    levels = _levels(database)
    for location in LOCATIONS:
        quantity, reserved = levels[location]
        moved_quantity = sum(r["moved"][location]["quantity"] for r in reports)
        moved_reserved = sum(r["moved"][location]["reserved"] for r in reports)
        assert 0 <= reserved <= quantity, f"{location}: oversold ({quantity=}, {reserved=})"
        assert quantity == initial[location] + moved_quantity, location
        assert reserved == moved_reserved, f"{location}: successful reserves - releases - fulfills != reserved"

    # Not only at the end: every state the rows ever passed through was valid.
    assert _scalar(
        database,
        "SELECT count(*) FROM inventory_transactions WHERE reserved_after > quantity_after OR reserved_after < 0",
    ) == 0
    # One ledger row per successful change, plus the seeding adjustments.
    assert _scalar(database, "SELECT count(*) FROM inventory_transactions") == ok + len(initial)
    assert_ledger_consistent(services)


def test_opposite_transfers_at_the_same_time_do_not_deadlock(pool: Any, database: Database, services: Services) -> None:
    """Two PCs moving stock A->B and B->A at once. Locks taken in opposite orders would deadlock
    (PostgreSQL aborts one: a Conflict here); the services lock rows in one global order."""
    _seed(services, {"PICK-1": 500, "PICK-2": 500})
    count = 50
    url = database.url.render_as_string(hide_password=False)
    reports = _run(
        pool,
        _transfer_many,
        [(url, 0, "PICK-1", "PICK-2", count), (url, 1, "PICK-2", "PICK-1", count)],
    )
    errors = [error for report in reports for error in report["errors"]]
    assert not errors, f"{len(errors)} transfers failed (a deadlock or lock timeout?); first:\n{errors[0]}"
    assert [r["outcomes"]["ok"] for r in reports] == [count, count]
    levels = _levels(database)
    assert levels == {"PICK-1": (500, 0), "PICK-2": (500, 0)}, "units were created or lost"
    assert _scalar(database, "SELECT count(*) FROM inventory_transactions") == 2 + 4 * count
    assert_ledger_consistent(services)


def test_the_same_operation_key_from_two_processes_applies_once(
    pool: Any, database: Database, services: Services
) -> None:
    _seed(services, {LOCATIONS[0]: 50})
    keys = [("adjust" if i % 2 else "reserve", str(uuid.uuid4())) for i in range(24)]
    url = database.url.render_as_string(hide_password=False)
    reports = _run(pool, _replay_keys, [(url, 0, keys), (url, 1, keys)])
    errors = [error for report in reports for error in report["errors"]]
    assert not errors, f"{len(errors)} keyed calls failed; first:\n{errors[0]}"

    adjusts = sum(1 for kind, _key in keys if kind == "adjust")
    reserves = len(keys) - adjusts
    assert _levels(database)[LOCATIONS[0]] == (50 + 2 * adjusts, reserves), "a keyed change was applied twice"
    for _kind, key in keys:
        assert reports[0]["results"][key] == reports[1]["results"][key], "the replay returned a different result"
        assert _scalar(database, "SELECT count(*) FROM inventory_transactions WHERE operation_key = :k", k=key) == 1
    assert _scalar(database, "SELECT count(*) FROM operations") == len(keys)
    assert_ledger_consistent(services)


# PostgreSQL only: on SQLite, BEGIN IMMEDIATE serialises whole write transactions, so the race cannot happen.
# (It failed before InventoryService locked the stock row ahead of reading its holds.)
@pytest.mark.parametrize("backend", ["postgresql"])
def test_concurrent_releases_of_held_units_are_not_refused(pool: Any, database: Database, services: Services) -> None:
    """Eight packers releasing held units of one product at once: all of them succeed.

    Exactly as many units are held (one unit per hold, as a packer sets them aside one by one)
    as the workers release in total, so every release has units to take; a Conflict here is a
    false "try again" shown to a user.
    """
    per_worker = 8
    _seed(services, {LOCATIONS[0]: 500})
    for _ in range(WORKERS * per_worker):
        services.inventory.reserve(ADMIN, store=STORE, product=SKU, location=LOCATIONS[0], quantity=1)
    url = database.url.render_as_string(hide_password=False)
    reports = _run(pool, _release_one_by_one, [(url, w, per_worker) for w in range(WORKERS)])
    errors = [error for report in reports for error in report["errors"]]
    assert not errors, f"{len(errors)} releases failed unexpectedly; first:\n{errors[0]}"
    outcomes: Counter[str] = Counter()
    for report in reports:
        outcomes.update(report["outcomes"])
    assert_ledger_consistent(services)
    refused = {name: n for name, n in outcomes.items() if name != "ok"}
    assert not refused, f"{sum(refused.values())} of {WORKERS * per_worker} releases were refused: {refused}"
    assert _levels(database)[LOCATIONS[0]] == (500, 0)
