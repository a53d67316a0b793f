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
    # when it passes) until it passes with a margin that covers that. The figures: 6 Dec 2026 03:08-03:09 UTC,
    # 3 alternating runs each of the code before (0f9b98b) and after SQLite's kept connections and the
    # cheaper operation-key encoding, load 0.8-0.9 (docs/performance.md: SQLite keeps its connections).
    ("ship one order line", "sqlite"): "2.47-2.51x (0.64-0.92 ms vs 0.25-0.37 ms); 2.71-2.79x before",
    ("pack-station complete", "sqlite"): "2.60-2.69x (0.95-1.20 ms vs 0.36-0.45 ms); 2.76-2.92x before",
    ("partial ship", "sqlite"): "2.46-2.64x (0.82-0.99 ms vs 0.33-0.39 ms); 2.70-2.81x before",
    ("reserve", "sqlite"): "2.30-2.51x (0.42-0.78 ms vs 0.18-0.31 ms); 2.65-3.03x before",
    ("transfer", "sqlite"): "2.39-2.54x (0.46-0.62 ms vs 0.19-0.24 ms); 2.60-2.86x before",
    ("processing an order", "sqlite"): "2.41-2.63x (0.72-0.97 ms vs 0.30-0.37 ms); 2.86-2.95x before",
    ("backorder allocation", "sqlite"): "2.76-2.91x (0.85-1.16 ms vs 0.31-0.40 ms); 2.89-3.05x before",
    # 5 Dec 22:35 UTC, 3 alternating runs: the waiting items read 16 at a time, against all of them before.
    ("backorder allocation", "postgresql"): "1.35-1.45x (2.67-3.39 ms vs 1.90-2.34 ms); 1.49-1.61x before",
    ("return to the shelf", "sqlite"): "2.59-2.75x (0.46-0.81 ms vs 0.18-0.29 ms); 2.87-3.08x before",
    # 20 statements a batch of 4 orders, the raw side 25: what is left is Python's work per statement.
    ("expiry", "sqlite"): "2.73-2.80x (1.68-2.07 ms vs 0.61-0.75 ms a batch of 4 orders); 2.78-2.99x before",
    ("status to shipped", "sqlite"): "2.42-2.59x (1.11-1.46 ms vs 0.46-0.57 ms); 2.79-2.94x before",
    ("pack-station complete with its operation key", "sqlite"): (
        "2.68-2.88x (1.08-1.76 ms vs 0.40-0.63 ms); 2.95-3.13x before"
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
