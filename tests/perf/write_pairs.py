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
    # SQLite's ratios move with the machine (5 Dec: 2.43-2.86x at 11:35 UTC, 3.26-3.67x at 13:35; on 6 Dec the
    # machine of the morning gave 2.30-2.91x and the slower one of 04:35 UTC 2.8-3.4x for the same code), so a
    # SQLite write path stays an expected miss (not strict: it shows as XPASS when it passes) until it passes
    # with a margin that covers that. The figures: 6 Dec 2026 05:31-05:39 UTC on the slower machine, 3
    # alternating runs each of the code before (a9248b8) and after the correlated item sums, the statements'
    # route and the one-read backorder allocation, load 1.0-1.3 (docs/performance.md: where a SQLite ship's
    # time goes).
    ("ship one order line", "sqlite"): "2.49-2.87x (1.52-1.88 ms vs 0.61-0.65 ms); 2.72-2.96x before",
    ("pack-station complete", "sqlite"): "2.61-2.94x (1.58-1.87 ms vs 0.60-0.64 ms); 2.70-3.11x before",
    ("partial ship", "sqlite"): "2.42-2.93x (1.22-1.98 ms vs 0.51-0.67 ms); 2.66-3.05x before",
    ("reserve", "sqlite"): "2.41-2.50x (0.81-0.82 ms vs 0.32-0.34 ms); 2.43-2.67x before",
    ("transfer", "sqlite"): "2.36-2.60x (0.87-1.03 ms vs 0.37-0.40 ms); 2.53-2.74x before",
    ("processing an order", "sqlite"): (
        "2.50-2.88x (1.12-1.52 ms vs 0.45-0.57 ms; 5 runs, 2 with the history rows in one call); 2.85-3.35x before"
    ),
    ("backorder allocation", "sqlite"): "2.73-2.83x (1.60-1.81 ms vs 0.59-0.64 ms); 3.12-3.31x before",
    ("return to the shelf", "sqlite"): "2.25-2.96x (0.82-1.37 ms vs 0.36-0.46 ms); 3.07-3.22x before",
    ("expiry", "sqlite"): "2.72-2.80x (2.77-3.20 ms vs 1.01-1.14 ms a batch of 4 orders); 2.98-3.22x before",
    ("status to shipped", "sqlite"): "2.63-2.94x (1.95-2.13 ms vs 0.72-0.75 ms); 2.92-3.18x before",
    ("pack-station complete with its operation key", "sqlite"): (
        "2.71-3.10x (1.82-2.61 ms vs 0.67-0.84 ms); 2.91-3.29x before"
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
