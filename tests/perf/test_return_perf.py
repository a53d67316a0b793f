"""A customer return onto the shelf (issue 12, item 2): ``order return ... --location PICK-1`` of 1
shipped unit, against hand-written raw SQL doing the same (``raw_writes.raw_return``). Measured as
the other write paths are (interleaved medians, ``stock verify`` afterwards); budget 2x raw on
PostgreSQL, 3x on SQLite."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from .raw_writes import raw_return
from .write_pairs import (
    MANAGER,
    RUNS,
    WARMUP,
    check_against_raw,
    expect_known_miss,
    processing_orders,
    raw_connection,
    stocked_warehouse,
    time_both_sides,
)

pytestmark = pytest.mark.perf


def test_a_return_to_the_shelf_costs_at_most_2x_raw_sql(
    backend: str, perf_database: Any, perf: Any, request: pytest.FixtureRequest
) -> None:
    expect_known_miss(request, "return to the shelf", backend)
    database = perf_database(backend, "returns")
    services = stocked_warehouse(database, "SVC", "RAW")
    shipped: dict[str, list[str]] = {}
    for sku in ("SVC", "RAW"):
        shipped[sku] = list(processing_orders(services, sku, RUNS + WARMUP))
        for number in shipped[sku]:
            services.orders.ship_item(MANAGER, number, sku)
    service_orders, raw_orders = iter(shipped["SVC"]), iter(shipped["RAW"])
    raw = raw_connection(database)

    def service_call() -> None:
        services.orders.return_item(MANAGER, next(service_orders), "SVC", 1, location="PICK-1")

    def raw_call() -> None:
        raw_return(raw, next(raw_orders), "PICK-1", 1)

    service, baseline = time_both_sides(perf, services, raw, service_call, raw_call)
    with database.engine.connect() as conn:  # every call of both sides took one unit back
        returned = conn.execute(text("SELECT sum(returned_quantity) FROM order_items")).scalar_one()
    assert returned == 2 * (RUNS + WARMUP)
    check_against_raw(perf, "return to the shelf", backend, f"{RUNS} shipped orders of 1 line", service, baseline)
