"""Write paths against hand-written raw SQL doing the same effect (issue 12; ARCHITECTURE.md: budgets).

Each test times the service call and ``raw_writes`` alternately (interleaved, so load from the
other helpers on the machine hits both alike), takes the medians, and checks afterwards that the
raw side left a database ``stock verify`` accepts: the raw SQL must be a fair baseline, not a
shortcut that breaks the ledger. Budgets: at most 2x raw on PostgreSQL, 3x on SQLite.

The CI size is small (``RUNS`` calls per side); ``ORION_PERF_WRITE_RUNS`` gives more.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.order_results import OrderLine

from .budgets import check_ratio, load_average
from .raw_writes import RawConnection, raw_ship_line

pytestmark = pytest.mark.perf

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


def shipped_orders(database: Database) -> int:
    with database.engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM orders WHERE status = 'shipped'").scalar_one())


def assert_verified(services: Services) -> None:
    report = services.stock.verify()
    assert report.ok, report.problems()


def test_shipping_one_order_line_costs_at_most_2x_raw_sql(backend: str, perf_database: Any, perf: Any) -> None:
    database = perf_database(backend, "shipline")
    services = stocked_warehouse(database, "SVC", "RAW")
    service_orders = processing_orders(services, "SVC", RUNS + WARMUP)
    raw_orders = processing_orders(services, "RAW", RUNS + WARMUP)
    raw = raw_connection(database)

    def service_ship() -> None:
        services.orders.ship_item(MANAGER, next(service_orders), "SVC")

    def raw_ship() -> None:
        raw_ship_line(raw, next(raw_orders), "RAW")

    try:
        service, baseline = perf.measure_pair(service_ship, raw_ship, runs=RUNS, warmup=WARMUP)
    finally:
        raw.close()
    assert_verified(services)  # the raw side is a fair baseline: the ledger and invariant R still hold
    assert shipped_orders(database) == 2 * (RUNS + WARMUP)  # every call of both sides shipped its order
    perf.record(f"ship one order line, {backend}: service {service}; raw {baseline}; "
                f"ratio {service.median_ms / baseline.median_ms:.2f}x; {load_average()}")
    check_ratio("ship one order line", database=backend, size=f"{RUNS} orders of 1 line",
                service_ms=service.median_ms, baseline_ms=baseline.median_ms, budget=BUDGET[backend])
