"""Stock arriving for a waiting order (issue 12, item 2): ``stock adjust +2`` on a product whose oldest
processing order misses 2 units, against hand-written raw SQL doing the same (the units arrive with
their ledger row, then are reserved for that order's line with theirs and a history row). Measured as
the other write paths are (interleaved medians, ``stock verify`` afterwards); budget 2x raw on
PostgreSQL, 3x on SQLite."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from orion_desktop.domain.order_results import OrderLine

from .raw_writes import raw_restock_for_backorder
from .write_pairs import (
    MANAGER,
    RUNS,
    WARMUP,
    check_against_raw,
    expect_known_miss,
    raw_connection,
    stocked_warehouse,
    time_both_sides,
)

pytestmark = pytest.mark.perf


def test_stock_arriving_for_a_waiting_order_costs_at_most_2x_raw_sql(
    backend: str, perf_database: Any, perf: Any, request: pytest.FixtureRequest
) -> None:
    expect_known_miss(request, "backorder allocation", backend)
    database = perf_database(backend, "backorder")
    services = stocked_warehouse(database)
    waiting = RUNS + WARMUP
    for sku in ("SVC", "RAW"):  # no stock yet: every order's line waits
        services.catalog.add_product(MANAGER, store="MAIN", sku=sku, title=f"Product {sku}")
        services.inventory.set_quantity(MANAGER, store="MAIN", product=sku, location="PICK-1", quantity=0)
        for _ in range(waiting):
            number = services.orders.create_order(MANAGER, store="MAIN", lines=[OrderLine(sku, 2)])
            services.orders.change_status(MANAGER, number, "processing")
    raw = raw_connection(database)

    def service_call() -> None:
        services.inventory.adjust(MANAGER, store="MAIN", product="SVC", location="PICK-1", delta=2, reason="arrived")

    def raw_call() -> None:
        raw_restock_for_backorder(raw, "RAW", "PICK-1", 2)

    service, baseline = time_both_sides(perf, services, raw, service_call, raw_call)
    with database.engine.connect() as conn:  # every call of both sides filled exactly one waiting line
        reserved = conn.execute(text("SELECT count(*) FROM inventory_reservations WHERE status = 'active' "
                                     "AND order_item_id IS NOT NULL AND quantity_reserved = 2")).scalar_one()
    assert reserved == 2 * waiting
    check_against_raw(perf, "backorder allocation", backend, f"{RUNS} waiting orders of 1 line", service, baseline)
