"""Every keyed mutating operation: a replay with the same key and parameters returns the first result
and changes nothing; the same key with other parameters is a Conflict and changes nothing (issue 9,
items 11 and 12). On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from helpers import ADMIN, seed_catalog
from sqlalchemy import text

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.db.models import Base
from orion_desktop.domain.errors import Conflict
from orion_desktop.domain.order_results import OrderLine, ShipRequest
from orion_desktop.services.idempotency import decode, encode, params_digest

KEY = "op-key-1"
REFUSAL = f"Operation key {KEY} was already used for a different request; use a new key."


@dataclass
class Case:
    """``setup`` prepares what the call needs and returns a context; ``call(ctx, variant)`` makes the
    keyed call, with variant 0 or 1 differing only in a parameter."""

    setup: Callable[[Services, Path], object]
    call: Callable[[Services, object, int], object]


def _stocked(services: Services, _tmp: Path) -> None:
    seed_catalog(services)
    for sku in ("A", "B"):
        services.inventory.set_quantity(ADMIN, store="MAIN", product=sku, location="A-01", quantity=20)


def _held(services: Services, tmp: Path) -> None:
    _stocked(services, tmp)
    services.inventory.reserve(ADMIN, store="MAIN", product="A", location="A-01", quantity=5)


def _order(services: Services, tmp: Path, status: str | None = None) -> str:
    _stocked(services, tmp)
    number = services.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 3), OrderLine("B", 1)])
    if status:
        services.orders.change_status(ADMIN, number, status)
    return number


def _processing(services: Services, tmp: Path) -> str:
    return _order(services, tmp, "processing")


def _shipped(services: Services, tmp: Path) -> str:
    return _order(services, tmp, "shipped")


def _parcel(services: Services, tmp: Path) -> str:
    number = _processing(services, tmp)
    return services.orders.prepare_shipment(ADMIN, number, [ShipRequest("A", 2)]).shipment_number


def _item_a(services: Services, number: str) -> int:
    return next(i.id for i in services.order_queries.get_order(number).items if i.sku == "A")


def _files(services: Services, tmp: Path) -> tuple[Path, Path]:
    _stocked(services, tmp)
    first, second = tmp / "first.csv", tmp / "second.csv"
    return first, second


def _stock_file(ctx: Any, variant: int) -> Path:
    path: Path = ctx[variant]  # the case's setup made one file per variant
    path.write_text(f"product,location,quantity\nA,A-01,{7 + variant}\n", encoding="utf-8")
    return path


def _product_file(ctx: Any, variant: int) -> Path:
    path: Path = ctx[variant]
    path.write_text(f"sku,title\nNEW,New thing {variant}\n", encoding="utf-8")
    return path


CASES: dict[str, Case] = {
    "stock.set": Case(_stocked, lambda s, _c, v: s.inventory.set_quantity(
        ADMIN, store="MAIN", product="A", location="A-01", quantity=5 + v, operation_key=KEY)),
    "stock.adjust": Case(_stocked, lambda s, _c, v: s.inventory.adjust(
        ADMIN, store="MAIN", product="A", location="A-01", delta=2 + v, reason="found", operation_key=KEY)),
    "stock.reserve": Case(_stocked, lambda s, _c, v: s.inventory.reserve(
        ADMIN, store="MAIN", product="A", location="A-01", quantity=1 + v, operation_key=KEY)),
    "stock.release": Case(_held, lambda s, _c, v: s.inventory.release(
        ADMIN, store="MAIN", product="A", location="A-01", quantity=1 + v, operation_key=KEY)),
    "stock.fulfill": Case(_held, lambda s, _c, v: s.inventory.fulfill(
        ADMIN, store="MAIN", product="A", location="A-01", quantity=1 + v, operation_key=KEY)),
    "stock.transfer": Case(_stocked, lambda s, _c, v: s.inventory.transfer(
        ADMIN, store="MAIN", product="A", source="A-01", destination="B-02", quantity=1 + v, operation_key=KEY)),
    "order.create": Case(_stocked, lambda s, _c, v: s.orders.create_order(
        ADMIN, store="MAIN", lines=[OrderLine("A", 1 + v)], customer="Ada", operation_key=KEY)),
    "order.status": Case(_order, lambda s, c, v: s.orders.change_status(
        ADMIN, str(c), ("processing", "cancelled")[v], operation_key=KEY)),
    "order.ship": Case(_processing, lambda s, c, v: s.orders.ship(
        ADMIN, str(c), [ShipRequest("A", 1 + v)], tracking="TRK-1", operation_key=KEY)),
    "order.ship_item": Case(_processing, lambda s, c, v: s.orders.ship_item(
        ADMIN, str(c), "A", 1, location=None, carrier=("DHL", "UPS")[v], operation_key=KEY)),
    "packing.complete": Case(_processing, lambda s, c, v: s.packing.complete(
        ADMIN, str(c), {_item_a(s, str(c)): 1 + v}, operation_key=KEY)),
    "shipment.advance": Case(_parcel, lambda s, c, v: s.orders.advance_shipment(
        ADMIN, str(c), ("picking", "cancelled")[v], assigned_to="pat", operation_key=KEY)),
    "shipment.advance.shipped": Case(_parcel, lambda s, c, v: s.orders.advance_shipment(
        ADMIN, str(c), "shipped", tracking=f"TRK-{v}", operation_key=KEY)),
    "shipment.prepare": Case(_processing, lambda s, c, v: s.orders.prepare_shipment(
        ADMIN, str(c), [ShipRequest("A", 1 + v)], operation_key=KEY)),
    "stock.delete": Case(_stocked, lambda s, _c, v: s.inventory.delete_entry(
        ADMIN, store="MAIN", product="A", location="A-01", reason=("miscounted", "moved away")[v],
        operation_key=KEY)),
    "shipment.assign": Case(_parcel, lambda s, c, v: s.orders.assign_shipment(
        ADMIN, str(c), ("pat", "sam")[v], operation_key=KEY)),
    "shipment.cancel": Case(_parcel, lambda s, c, v: s.orders.cancel_shipment(
        ADMIN, str(c), reason=("damaged box", "customer asked")[v], operation_key=KEY)),
    "order.return": Case(_shipped, lambda s, c, v: s.orders.return_item(
        ADMIN, str(c), "A", 1 + v, location="A-01", operation_key=KEY)),
    "import.stock": Case(_files, lambda s, c, v: s.importing.import_stock(
        ADMIN, _stock_file(c, v), store="MAIN", operation_key=KEY)),
    "import.products": Case(_files, lambda s, c, v: s.importing.import_products(
        ADMIN, _product_file(c, v), store="MAIN", operation_key=KEY)),
}


def _snapshot(database: Database) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table: a replay or a refusal must leave all of them as they were."""
    with database.engine.connect() as conn:
        return {
            table.name: [tuple(row) for row in conn.execute(text(f"SELECT * FROM {table.name} ORDER BY 1"))]
            for table in Base.metadata.sorted_tables
        }


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_keyed_call_replays_with_the_same_parameters_and_is_refused_with_others(
    services: Services, database: Database, tmp_path: Path, name: str
) -> None:
    case = CASES[name]
    context = case.setup(services, tmp_path)
    before = _snapshot(database)
    first = case.call(services, context, 0)
    after_first = _snapshot(database)
    assert after_first != before, "the first keyed call changed nothing"
    ledger_rows = len(after_first["inventory_transactions"])

    assert case.call(services, context, 0) == first  # a retry: the first result, nothing done twice
    assert _snapshot(database) == after_first

    with pytest.raises(Conflict) as refused:
        case.call(services, context, 1)
    assert str(refused.value) == REFUSAL
    assert _snapshot(database) == after_first
    assert len(_snapshot(database)["inventory_transactions"]) == ledger_rows


def test_a_key_is_refused_for_another_kind_of_call(services: Services) -> None:
    _stocked(services, Path())
    services.inventory.reserve(ADMIN, store="MAIN", product="A", location="A-01", quantity=3, operation_key=KEY)
    with pytest.raises(Conflict, match="different request"):
        services.inventory.release(ADMIN, store="MAIN", product="A", location="A-01", quantity=3, operation_key=KEY)


def test_a_key_stored_before_digests_existed_still_replays(services: Services, database: Database) -> None:
    """Keys written by revision 0004 have no digest: they replay as before (by kind only)."""
    _stocked(services, Path())
    first = services.inventory.reserve(ADMIN, store="MAIN", product="A", location="A-01", quantity=3,
                                       operation_key=KEY)
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE operations SET params_digest = NULL"))
    again = services.inventory.reserve(ADMIN, store="MAIN", product="A", location="A-01", quantity=4,
                                       operation_key=KEY)
    assert again == first


def test_the_digest_is_canonical() -> None:
    one = params_digest("k", {"b": 1, "a": [ShipRequest("A", 2)], "when": datetime(2026, 1, 2, tzinfo=UTC)})
    two = params_digest("k", {"when": datetime(2026, 1, 2, tzinfo=UTC), "a": (ShipRequest("A", 2),), "b": 1})
    assert one == two and len(one) == 64
    assert params_digest("other", {"b": 1}) != params_digest("k", {"b": 1})
    assert params_digest("k", {"b": 1}) != params_digest("k", {"b": 2})


@dataclass(frozen=True)
class _Everything:
    moment: datetime
    naive: datetime | None
    day: date
    amount: Decimal
    parts: tuple[int, ...]


def test_results_with_datetimes_dates_and_decimals_survive_the_round_trip() -> None:
    import json

    value = _Everything(datetime(2026, 12, 4, 8, 30, 1, 123456, tzinfo=UTC), datetime(2026, 1, 1), date(2026, 2, 3),
                        Decimal("12.30"), (1, 2))
    assert decode(_Everything, json.loads(json.dumps(encode(value)))) == value


@pytest.mark.parametrize("call", ["ship", "complete"])
def test_a_ship_replays_as_a_named_result_even_when_stored_as_a_pair(
    services: Services, database: Database, tmp_path: Path, call: str
) -> None:
    """``ship`` and ``complete`` answer a ShipmentResult. A key stored while they answered a
    ``(shipment id, items)`` pair replays to the same ShipmentResult, and ships nothing again."""
    import json

    from orion_desktop.domain.order_results import ShipmentResult

    number = _processing(services, tmp_path)

    def ship() -> ShipmentResult:
        if call == "ship":
            return services.orders.ship(ADMIN, number, [ShipRequest("A", 2)], operation_key=KEY)
        return services.packing.complete(ADMIN, number, {_item_a(services, number): 2}, operation_key=KEY)

    first = ship()
    assert isinstance(first, ShipmentResult) and first.units == 2
    assert [(i.fulfilled_quantity, i.shipped_quantity, i.remaining_quantity) for i in first.items] == [(2, 2, 1)]
    assert ship() == first
    old_shape = [first.shipment_id, [encode(item) for item in first.items]]
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE operations SET result_json = :old WHERE key = :key"),
                     {"old": json.dumps(old_shape), "key": KEY})
    after_first = _snapshot(database)
    assert ship() == first
    assert _snapshot(database) == after_first
    assert services.order_queries.get_order(number).items[0].shipped_quantity == 2
