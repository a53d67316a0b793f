"""What every write-path budget shares (issue 12): the sizes, the warehouse both sides work in, the
raw connection, the known misses with their figures, and the measuring itself.

Each test times the service call and ``raw_writes`` alternately (interleaved, so load from the
other helpers on the machine hits both alike), takes the medians, and checks afterwards that the
raw side left a database ``stock verify`` accepts: the raw SQL must be a fair baseline, not a
shortcut that breaks the ledger. Budgets: at most 2x raw on PostgreSQL, 3x on SQLite.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import text

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.order_results import OrderLine

from .budgets import BudgetMissed, check_ratio, load_average
from .raw_writes import RawConnection

RUNS = int(os.environ.get("ORION_PERF_WRITE_RUNS", "40"))
WARMUP = 5
BUDGET = {"postgresql": 2.0, "sqlite": 3.0}
MANAGER = Actor(name="perf", role=Role.MANAGER)
ADMIN = Actor(name="admin", role=Role.ADMIN)


def raw_connection(database: Database) -> RawConnection:
    if database.is_sqlite:
        path = database.url.database
        assert path is not None
        return RawConnection("", path)
    return RawConnection(database.url.set(drivername="postgresql").render_as_string(hide_password=False), None)


def stocked_warehouse(database: Database, *skus: str) -> Services:
    """One store, the products, each with a million units at PICK-1 (no run ever runs out)."""
    services = Services.on(database)
    services.catalog.add_store(ADMIN, "MAIN", "Main")
    for sku in skus:
        services.catalog.add_product(MANAGER, store="MAIN", sku=sku, title=f"Product {sku}")
        services.inventory.adjust(MANAGER, store="MAIN", product=sku, location="PICK-1", delta=10**6, reason="stock")
    return services


def processing_orders(services: Services, sku: str, count: int, quantity: int = 2) -> Iterator[str]:
    """``count`` one-line orders of ``sku``, each in processing (the line reserved at PICK-1)."""
    numbers = []
    for _ in range(count):
        number = services.orders.create_order(MANAGER, store="MAIN", lines=[OrderLine(sku, quantity)])
        services.orders.change_status(MANAGER, number, "processing")
        numbers.append(number)
    return iter(numbers)


def orders_in(database: Database, status: str) -> int:
    """How many orders are in ``status``."""
    with database.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM orders WHERE status = :status"),
                                {"status": status}).scalar_one())


def assert_verified(services: Services) -> None:
    report = services.stock.verify()
    assert report.ok, report.problems()


# Budgets missed after the rebuild (issue 12), with the figures measured: visible, never hidden.
# Only BudgetMissed is expected; a wrong result still fails. Not strict: the machine is shared.
MISSES = {
    # SQLite's ratios on this machine move by a third between runs of the same code (5 Dec: 2.43-2.86x at 11:35
    # UTC, 3.26-3.67x at 13:35), so a SQLite write path stays an expected miss (not strict: it shows as XPASS
    # when it passes) until it passes with a margin that covers that. The figures: 5 Dec 2026 16:20-16:37 UTC,
    # side by side, 2 alternating runs each of the code before the transaction frame of 6b67353 (d1f1a2d) and
    # after it and the shared timestamp conversion, load 1.0-1.5 (tests/perf/RESULTS.md has every row).
    ("ship one order line", "sqlite"): "2.62-2.68x (0.85-0.91 ms vs 0.32-0.34 ms); 2.81-2.97x before the frame",
    ("pack-station complete", "sqlite"): "2.67-2.74x (0.86-0.91 ms vs 0.32-0.33 ms); 2.91-2.95x before",
    ("partial ship", "sqlite"): "2.51-2.56x (0.82-1.28 ms vs 0.33-0.50 ms); 2.82-2.84x before",
    ("reserve", "sqlite"): "2.49-2.54x (0.46-0.47 ms vs 0.19 ms); 2.84-2.87x before",
    ("transfer", "sqlite"): "2.45-2.48x (0.53-0.54 ms vs 0.22 ms); 2.78-2.85x before",
    ("processing an order", "sqlite"): "2.39-2.59x (0.70-0.84 ms vs 0.29-0.32 ms); 2.85-2.98x before",
    # 5 Dec 22:35 UTC, 3 alternating runs: the waiting items read 16 at a time, against all of them before.
    ("backorder allocation", "sqlite"): "2.93-3.00x (0.85-0.90 ms vs 0.29-0.30 ms); 2.97-3.02x before",
    ("backorder allocation", "postgresql"): "1.35-1.45x (2.67-3.39 ms vs 1.90-2.34 ms); 1.49-1.61x before",
    ("return to the shelf", "sqlite"): "2.72-2.77x (0.60-0.65 ms vs 0.22-0.24 ms); 3.00-3.10x before",
    # 20 statements a batch of 4 orders, the raw side 25: what is left is Python's work per statement.
    ("expiry", "sqlite"): "2.90-3.13x (1.58-1.76 ms vs 0.54-0.56 ms a batch of 4 orders); 3.33-3.36x before",
    ("status to shipped", "sqlite"): "2.76-2.86x (1.07-1.08 ms vs 0.38-0.39 ms); 3.00-3.08x before",
    # 6 Dec 00:30 UTC, 2 alternating runs: the key row's claim and result Prepared, against built per call before.
    ("pack-station complete with its operation key", "sqlite"): (
        "2.94-3.00x (1.26 ms vs 0.42-0.43 ms); 4.66-4.90x before (1.67-2.39 ms vs 0.35-0.49 ms)"
    ),
}


def expect_known_miss(request: pytest.FixtureRequest, name: str, backend: str) -> None:
    reason = MISSES.get((name, backend))
    if reason is not None:
        request.applymarker(pytest.mark.xfail(raises=BudgetMissed, strict=False, reason=reason))


def pending_orders(services: Services, sku: str, count: int, quantity: int = 2) -> Iterator[str]:
    return iter([services.orders.create_order(MANAGER, store="MAIN", lines=[OrderLine(sku, quantity)])
                 for _ in range(count)])


def time_both_sides(
    perf: Any, services: Services, raw: RawConnection, service_call: Callable[[], object],
    raw_call: Callable[[], object], *, runs: int = RUNS,
) -> tuple[Any, Any]:
    """Time the service and the raw side alternately (service, raw); then the raw connection is
    closed and the database must pass ``stock verify``: the raw side was a fair baseline."""
    try:
        timings: tuple[Any, Any] = perf.measure_pair(service_call, raw_call, runs=runs, warmup=WARMUP)
    finally:
        raw.close()
    assert_verified(services)
    return timings


def check_against_raw(perf: Any, name: str, backend: str, size: str, service: Any, baseline: Any) -> None:
    """Print the pair's figures, then hold the ratio to the budget of ``backend``."""
    perf.record(f"{name}, {backend}: service {service}; raw {baseline}; "
                f"ratio {service.median_ms / baseline.median_ms:.2f}x; {load_average()}")
    check_ratio(name, database=backend, size=size, service_ms=service.median_ms, baseline_ms=baseline.median_ms,
                budget=BUDGET[backend])
