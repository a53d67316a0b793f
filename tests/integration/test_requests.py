"""A request performed through ``Services.perform`` is the keyword call (SQLite and PostgreSQL).

The operation key proves it: a key stores the kind of call and a digest of its parameters, and the
same key with another call or other parameters is refused as a Conflict. So when a request is
performed with a key and the keyword method, called with that key and the same values, replays the
stored answer, both went to the same service call with the same parameters.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from helpers import ADMIN, assert_ledger_consistent, seed_catalog

from orion_desktop.bootstrap import Services
from orion_desktop.domain import requests as rq
from orion_desktop.domain.errors import Conflict
from orion_desktop.domain.order_results import ExpiryResult, OrderLine, ShipRequest


@pytest.fixture
def shop(services: Services) -> Services:
    seed_catalog(services)
    for sku, quantity in (("A", 100), ("B", 50)):
        services.inventory.set_quantity(ADMIN, store="MAIN", product=sku, location="WAREHOUSE_MAIN", quantity=quantity)
    return services


def _order(services: Services, status: str | None = None, **lines: int) -> str:
    number = services.orders.create_order(
        ADMIN, store="MAIN", lines=[OrderLine(sku, quantity) for sku, quantity in (lines or {"A": 3}).items()]
    )
    if status in ("processing", "shipped"):
        services.orders.change_status(ADMIN, number, "processing")
    if status == "shipped":
        services.orders.change_status(ADMIN, number, "shipped")
    return number


def _parcel(services: Services) -> str:
    number = _order(services, "processing")
    return services.orders.prepare_shipment(ADMIN, number, [ShipRequest("A", 2)]).shipment_number


@dataclass(frozen=True)
class Case:
    """A request, and the keyword call that should be the same (both built on a prepared shop)."""

    request: rq.Request[object]
    keyword: Callable[[str], object]  # the operation key -> the keyword method's answer


def _stock_cases(s: Services) -> dict[str, Case]:
    inv = s.inventory
    inv.set_quantity(ADMIN, store="MAIN", product="C", location="SHELF_9", quantity=4)
    return {
        "set": Case(rq.SetStock("MAIN", "A", "WAREHOUSE_MAIN", "80", "count"),
                    lambda key: inv.set_quantity(ADMIN, store="MAIN", product="A", location="WAREHOUSE_MAIN",
                                                 quantity="80", reason="count", operation_key=key)),
        "adjust": Case(rq.AdjustStock("MAIN", "A", "WAREHOUSE_MAIN", "-5", "damaged"),
                       lambda key: inv.adjust(ADMIN, store="MAIN", product="A", location="WAREHOUSE_MAIN",
                                              delta="-5", reason="damaged", operation_key=key)),
        "reserve": Case(rq.ReserveStock("MAIN", "B", "WAREHOUSE_MAIN", 3),
                        lambda key: inv.reserve(ADMIN, store="MAIN", product="B", location="WAREHOUSE_MAIN",
                                                quantity=3, operation_key=key)),
        "transfer": Case(rq.TransferStock("MAIN", "A", "WAREHOUSE_MAIN", "SHELF_1", 10, "refill"),
                         lambda key: inv.transfer(ADMIN, store="MAIN", product="A", source="WAREHOUSE_MAIN",
                                                  destination="SHELF_1", quantity=10, reason="refill",
                                                  operation_key=key)),
        "delete": Case(rq.DeleteStock("MAIN", "C", "SHELF_9", "gone"),
                       lambda key: inv.delete_entry(ADMIN, store="MAIN", product="C", location="SHELF_9",
                                                    reason="gone", operation_key=key)),
    }


def _order_cases(s: Services) -> dict[str, Case]:
    orders = s.orders
    pending, processing, shipped = _order(s), _order(s, "processing"), _order(s, "shipped")
    to_pack = _order(s, "processing", B=2)
    item = s.order_queries.get_order(to_pack).items[0].id
    return {
        "create": Case(rq.CreateOrder("MAIN", (OrderLine("A", 2),), customer="Ann", number="REQ-1"),
                       lambda key: orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 2)], customer="Ann",
                                                       number="REQ-1", operation_key=key)),
        "status": Case(rq.ChangeOrderStatus(pending, "processing"),
                       lambda key: orders.change_status(ADMIN, pending, "processing", operation_key=key)),
        "ship": Case(rq.ShipOrder(processing, (ShipRequest("A", 1),), tracking="T-1"),
                     lambda key: orders.ship(ADMIN, processing, [ShipRequest("A", 1)], tracking="T-1",
                                             operation_key=key)),
        "return": Case(rq.ReturnItem(shipped, "A", 1, location="RETURNS"),
                       lambda key: orders.return_item(ADMIN, shipped, "A", 1, location="RETURNS", operation_key=key)),
        "pack": Case(rq.CompletePacking(to_pack, ((item, 1),), tracking="T-2"),
                     lambda key: s.packing.complete(ADMIN, to_pack, {item: 1}, tracking="T-2", operation_key=key)),
    }


def _parcel_cases(s: Services) -> dict[str, Case]:
    orders = s.orders
    order, first, second, third = _order(s, "processing"), _parcel(s), _parcel(s), _parcel(s)
    return {
        "prepare": Case(rq.PrepareShipment(order, (ShipRequest("A", 2),), assigned_to="pat"),
                        lambda key: orders.prepare_shipment(ADMIN, order, [ShipRequest("A", 2)], assigned_to="pat",
                                                            operation_key=key)),
        "advance": Case(rq.AdvanceShipment(first, "picking"),
                        lambda key: orders.advance_shipment(ADMIN, first, "picking", operation_key=key)),
        "assign": Case(rq.AssignShipment(second, "sam"),
                       lambda key: orders.assign_shipment(ADMIN, second, "sam", operation_key=key)),
        "cancel": Case(rq.CancelShipment(third, "wrong box"),
                       lambda key: orders.cancel_shipment(ADMIN, third, reason="wrong box", operation_key=key)),
    }


CASES = {
    **dict.fromkeys(("set", "adjust", "reserve", "transfer", "delete"), _stock_cases),
    **dict.fromkeys(("create", "status", "ship", "return", "pack"), _order_cases),
    **dict.fromkeys(("prepare", "advance", "assign", "cancel"), _parcel_cases),
}


@pytest.mark.parametrize("name", CASES)
def test_a_performed_request_is_the_keyword_call(shop: Services, name: str) -> None:
    case = CASES[name](shop)[name]
    key = str(uuid.uuid4())
    performed = shop.perform(ADMIN, case.request, operation_key=key)
    assert case.keyword(key) == performed  # a replay: the same kind of call with the same parameters
    assert_ledger_consistent(shop)


def test_the_replay_proof_tells_other_parameters_apart(shop: Services) -> None:
    key = str(uuid.uuid4())
    shop.perform(ADMIN, rq.AdjustStock("MAIN", "A", "WAREHOUSE_MAIN", 5, "found"), operation_key=key)
    with pytest.raises(Conflict):
        shop.inventory.adjust(ADMIN, store="MAIN", product="A", location="WAREHOUSE_MAIN", delta=6, reason="found",
                              operation_key=key)


def test_requests_without_a_key_answer_as_their_keyword_call(shop: Services) -> None:
    """Notes, expiry and the catalog take no operation key: their answers are compared directly."""
    number = _order(shop)
    note = shop.perform(ADMIN, rq.AddOrderNote(number, "  call first \n", customer_visible=True))
    again = shop.orders.add_note(ADMIN, number, "  call first \n", customer_visible=True)
    assert (note.note, note.is_internal, note.created_by) == (again.note, again.is_internal, again.created_by)

    performed = shop.perform(ADMIN, rq.AddLocation("SHELF_7", "Shelf seven", "70"))
    assert performed == shop.catalog.add_location(ADMIN, "SHELF_7", "Shelf seven", "70")
    assert shop.perform(ADMIN, rq.UpdateLocation("SHELF_7", is_active=False)).is_active is False

    product = shop.perform(ADMIN, rq.AddProduct("MAIN", "D", "Widget D", low_stock_threshold="3"))
    assert product == shop.catalog.get_product("MAIN", "D")
    store = shop.perform(ADMIN, rq.AddStore("WEST", "West Store"))
    assert store in shop.catalog.list_stores()

    expiring = shop.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 2)],
                                        reservation_expires_at=datetime.now(UTC) + timedelta(hours=1))
    shop.orders.change_status(ADMIN, expiring, "processing")
    later = datetime.now(UTC) + timedelta(hours=2)
    assert shop.perform(ADMIN, rq.ExpireReservations(later)) == ExpiryResult((expiring,), 2)
    assert shop.perform(ADMIN, rq.ExpireReservations(later)) == shop.orders.expire_reservations(ADMIN, later)
    assert_ledger_consistent(shop)
