"""Write paths against hand-written raw SQL doing the same effect (issue 12; ARCHITECTURE.md: budgets):
ship, pack-station complete, partial ship, reserve, transfer, status to processing and to shipped.
How they are measured, and the known misses: ``write_pairs``.

The CI size is small (``RUNS`` calls per side); ``ORION_PERF_WRITE_RUNS`` gives more.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from orion_desktop.db.engine import Database
from orion_desktop.domain.order_results import OrderLine

from .raw_writes import raw_process_order, raw_reserve, raw_ship_line, raw_ship_order, raw_transfer
from .write_pairs import (
    MANAGER,
    RUNS,
    WARMUP,
    check_against_raw,
    expect_known_miss,
    orders_in,
    pending_orders,
    processing_orders,
    raw_connection,
    stocked_warehouse,
    time_both_sides,
)

pytestmark = pytest.mark.perf


def item_ids(database: Database) -> dict[str, int]:
    """Order number -> its (one) item id, for the pack station, which names lines by item id."""
    with database.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT o.order_number, i.id FROM orders o JOIN order_items i ON i.order_id = o.id"
        ).all()
    return {number: item_id for number, item_id in rows}


SHIP_PATHS = {
    "ship one order line": "shipline", "pack-station complete": "packcomplete", "partial ship": "shippart",
    "pack-station complete with its operation key": "packkeyed",
}


@pytest.mark.parametrize("path", list(SHIP_PATHS))
def test_shipping_one_order_line_costs_at_most_2x_raw_sql(
    backend: str, path: str, perf_database: Any, perf: Any, request: pytest.FixtureRequest
) -> None:
    """``order ship-item`` and the pack station's F12 (PackingService.complete): the same ship path;
    a partial ship sends 1 of a line's 2 units (the order becomes partially shipped). The window's F12
    sends an operation key, so that path is measured with one too (the raw side then claims the key
    row and stores the result in it, as the service must)."""
    expect_known_miss(request, path, backend)
    database = perf_database(backend, SHIP_PATHS[path])
    services = stocked_warehouse(database, "SVC", "RAW")
    service_orders = processing_orders(services, "SVC", RUNS + WARMUP)
    raw_orders = processing_orders(services, "RAW", RUNS + WARMUP)
    partial = path == "partial ship"
    items = item_ids(database)
    raw = raw_connection(database)

    keyed = path.endswith("with its operation key")  # as the window's F12 sends it: a retry replays

    def service_ship() -> None:
        number = next(service_orders)
        if path.startswith("pack-station complete"):
            services.packing.complete(MANAGER, number, {items[number]: 2},
                                      operation_key=str(uuid.uuid4()) if keyed else None)
        else:
            services.orders.ship_item(MANAGER, number, "SVC", 1 if partial else None)

    def raw_ship() -> None:
        raw_ship_line(raw, next(raw_orders), "RAW", 1 if partial else None, key=str(uuid.uuid4()) if keyed else None)

    service, baseline = time_both_sides(perf, services, raw, service_ship, raw_ship)
    # Every call of both sides shipped its order (or, partly, made it partially shipped).
    assert orders_in(database, "partially_shipped" if partial else "shipped") == 2 * (RUNS + WARMUP)
    check_against_raw(perf, path, backend, f"{RUNS} orders of 1 line", service, baseline)


@pytest.mark.parametrize("path", ["reserve", "transfer"])
def test_reserve_and_transfer_cost_at_most_2x_raw_sql(
    backend: str, path: str, perf_database: Any, perf: Any, request: pytest.FixtureRequest
) -> None:
    """``stock reserve`` (a manual hold) and ``stock transfer`` (there and back, so stock never runs out)."""
    expect_known_miss(request, path, backend)
    database = perf_database(backend, f"write{path}")
    services = stocked_warehouse(database, "SVC", "RAW")
    for sku in ("SVC", "RAW"):
        services.inventory.adjust(MANAGER, store="MAIN", product=sku, location="BULK-1", delta=10**6, reason="stock")
    raw = raw_connection(database)
    flip = {"service": 0, "raw": 0}

    def places(side: str) -> tuple[str, str]:
        flip[side] += 1
        return ("PICK-1", "BULK-1") if flip[side] % 2 else ("BULK-1", "PICK-1")

    def service_call() -> None:
        if path == "reserve":
            services.inventory.reserve(MANAGER, store="MAIN", product="SVC", location="PICK-1", quantity=1)
        else:
            source, destination = places("service")
            services.inventory.transfer(MANAGER, store="MAIN", product="SVC", source=source,
                                        destination=destination, quantity=1)

    def raw_call() -> None:
        if path == "reserve":
            raw_reserve(raw, "RAW", "PICK-1", 1)
        else:
            raw_transfer(raw, "RAW", *places("raw"), 1)

    service, baseline = time_both_sides(perf, services, raw, service_call, raw_call, runs=RUNS * 2)
    check_against_raw(perf, path, backend, "1 stock row" if path == "reserve" else "2 stock rows", service, baseline)


def test_processing_an_order_costs_at_most_2x_raw_sql(
    backend: str, perf_database: Any, perf: Any, request: pytest.FixtureRequest
) -> None:
    """``order status processing`` (reserves the lines): measured; the budget of the ship path applies."""
    expect_known_miss(request, "processing an order", backend)
    database = perf_database(backend, "processing")
    services = stocked_warehouse(database, "SVC", "RAW")
    service_orders = pending_orders(services, "SVC", RUNS + WARMUP)
    raw_orders = pending_orders(services, "RAW", RUNS + WARMUP)
    raw = raw_connection(database)

    def service_call() -> None:
        services.orders.change_status(MANAGER, next(service_orders), "processing")

    def raw_call() -> None:
        raw_process_order(raw, next(raw_orders))

    service, baseline = time_both_sides(perf, services, raw, service_call, raw_call)
    assert orders_in(database, "processing") == 2 * (RUNS + WARMUP)
    check_against_raw(perf, "processing an order", backend, f"{RUNS} orders of 1 line", service, baseline)


def test_shipping_a_whole_order_costs_at_most_2x_raw_sql(
    backend: str, perf_database: Any, perf: Any, request: pytest.FixtureRequest
) -> None:
    """``order status shipped`` of a processing order of 2 lines, each reserved whole at one shelf."""
    expect_known_miss(request, "status to shipped", backend)
    database = perf_database(backend, "shiporder")
    services = stocked_warehouse(database, "SVC", "SVC2", "RAW", "RAW2")
    orders: dict[str, list[str]] = {}
    for side in ("SVC", "RAW"):
        orders[side] = []
        for _ in range(RUNS + WARMUP):
            number = services.orders.create_order(MANAGER, store="MAIN",
                                                  lines=[OrderLine(side, 2), OrderLine(f"{side}2", 1)])
            services.orders.change_status(MANAGER, number, "processing")
            orders[side].append(number)
    service_orders, raw_orders = iter(orders["SVC"]), iter(orders["RAW"])
    raw = raw_connection(database)

    def service_call() -> None:
        services.orders.change_status(MANAGER, next(service_orders), "shipped")

    def raw_call() -> None:
        raw_ship_order(raw, next(raw_orders))

    service, baseline = time_both_sides(perf, services, raw, service_call, raw_call)
    assert orders_in(database, "shipped") == 2 * (RUNS + WARMUP)
    check_against_raw(perf, "status to shipped", backend, f"{RUNS} orders of 2 lines", service, baseline)
