"""Pack station service, pick lists and packing slips on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from helpers import ADMIN, GTIN_A, GTIN_B, assert_ledger_consistent, seed_catalog

from orion_desktop.bootstrap import Services
from orion_desktop.domain.errors import InvalidInput, InvalidTransition, NotFound
from orion_desktop.domain.order_results import OrderLine
from orion_desktop.domain.orders import OrderStatus
from orion_desktop.domain.packing import PackSession, ScanVerdict


@pytest.fixture
def shop(services: Services) -> Services:
    seed_catalog(services)
    services.catalog.add_location(ADMIN, "AISLE-1", sort_key=10)
    services.catalog.add_location(ADMIN, "AISLE-2", sort_key=20)
    services.inventory.set_quantity(ADMIN, store="MAIN", product="A", location="AISLE-2", quantity=10)
    services.inventory.set_quantity(ADMIN, store="MAIN", product="B", location="AISLE-1", quantity=2)
    services.inventory.set_quantity(ADMIN, store="MAIN", product="B", location="AISLE-2", quantity=10)
    services.inventory.set_quantity(ADMIN, store="MAIN", product="C", location="AISLE-1", quantity=1)
    return services


def test_scan_then_complete_ships_exactly_the_packed_units(shop: Services) -> None:
    number = shop.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 2), OrderLine("B", 3)])
    shop.orders.change_status(ADMIN, number, "processing")
    order = shop.packing.open_order(number)
    assert (order.order_number, order.status, order.customer_name) == (number, OrderStatus.PROCESSING, None)
    pack = PackSession(order.order_number, order.lines)
    assert pack.scan(GTIN_A, shop.packing.product_name).accepted
    assert pack.scan(GTIN_A, shop.packing.product_name).accepted
    assert pack.scan("4012345678901", shop.packing.product_name).verdict is ScanVerdict.WRONG_ITEM  # Widget C
    assert pack.scan(GTIN_B, shop.packing.product_name).accepted
    results = shop.packing.complete(ADMIN, number, pack.packed, tracking="1Z999").items
    assert sorted((r.fulfilled_quantity, r.remaining_quantity) for r in results) == [(1, 2), (2, 0)]
    status_report = shop.order_queries.shipment_status(number)
    assert (status_report.order_status, status_report.total_shipped_units) == (OrderStatus.PARTIALLY_SHIPPED, 3)
    assert_ledger_consistent(shop)

    slip = shop.packing.packing_slip(number)
    assert [(line.sku, line.quantity) for line in slip.shipped] == [("A", 2), ("B", 1)]
    assert [(line.sku, line.quantity) for line in slip.still_open] == [("B", 2)]
    assert (slip.store_name, slip.tracking_number) == ("Main Store", "1Z999")


def test_open_order_refusals(shop: Services) -> None:
    with pytest.raises(NotFound, match="no order"):
        shop.packing.open_order("ORD-NOPE")
    number = shop.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 1)])
    shop.orders.change_status(ADMIN, number, "cancelled")
    with pytest.raises(InvalidTransition, match="nothing to pack"):
        shop.packing.open_order(number)
    other = shop.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 1)])
    with pytest.raises(InvalidInput, match="Nothing is packed"):
        shop.packing.complete(ADMIN, other, {})


def test_pick_list_walks_the_path_and_lists_every_line_once(shop: Services) -> None:
    first = shop.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 2), OrderLine("B", 5)])
    second = shop.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("C", 3), OrderLine("B", 1)])
    for number in (first, second):
        shop.orders.change_status(ADMIN, number, "processing")
    pick = shop.packing.pick_list([second, first, first])
    assert pick.order_numbers == (second, first)
    rows = [(r.location, r.sku, r.quantity, r.order_number) for r in pick.rows]
    # First order: A only at AISLE-2; B 5 does not fit AISLE-1 (2), so AISLE-2 takes it whole.
    # Second order: B 1 fits AISLE-1, the first on the path; C gets AISLE-1's 1 and 2 stay backordered.
    assert rows == [
        ("AISLE-1", "B", 1, second),
        ("AISLE-1", "C", 1, second),
        ("AISLE-2", "A", 2, first),
        ("AISLE-2", "B", 5, first),
        (None, "C", 2, second),
    ]
    keys = [(r.sort_key, r.location or "", r.sku) for r in pick.rows]
    assert keys == sorted(keys)
