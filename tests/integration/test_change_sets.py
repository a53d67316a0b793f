"""Every committed write reports what it changed (ARCHITECTURE.md: change sets), on SQLite and PostgreSQL.

Each main write call runs inside ``Services.recording()``; the recorded ``Changes`` must name the
right kinds and ids: exactly the products and orders the call touched, bulk writes as "all".
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import ADMIN, seed_catalog

from orion_desktop.bootstrap import Services
from orion_desktop.domain.changes import Changes
from orion_desktop.domain.errors import InsufficientStock
from orion_desktop.domain.order_results import OrderLine, ShipRequest

WH = "WAREHOUSE_MAIN"


@pytest.fixture
def shop(services: Services) -> Services:
    seed_catalog(services)
    for sku, quantity in (("A", 100), ("B", 50)):
        services.inventory.set_quantity(ADMIN, store="MAIN", product=sku, location=WH, quantity=quantity)
    return services


def _product(s: Services, sku: str) -> int:
    return s.catalog.get_product("MAIN", sku).id


def _order(s: Services, status: str | None = None, **lines: int) -> str:
    number = s.orders.create_order(
        ADMIN, store="MAIN", lines=[OrderLine(sku, n) for sku, n in (lines or {"A": 3}).items()]
    )
    if status in ("processing", "shipped"):
        s.orders.change_status(ADMIN, number, "processing")
    if status == "shipped":
        s.orders.change_status(ADMIN, number, "shipped")
    return number


def _order_id(s: Services, number: str) -> int:
    return s.order_queries.get_order(number).id


def _recorded(s: Services, call: Callable[[], object]) -> Changes:
    with s.recording() as recorded:
        call()
    return recorded.changes


def test_an_adjustment_that_fills_a_backorder_names_the_product_and_the_order(shop: Services) -> None:
    waiting = _order(shop, "processing", C=4)  # no stock of C: 4 backordered
    changes = _recorded(shop, lambda: shop.inventory.adjust(
        ADMIN, store="MAIN", product="C", location=WH, delta=10, reason="delivery"))
    assert changes == Changes.of(products={_product(shop, "C")}, orders={_order_id(shop, waiting)})


def test_stock_writes_name_their_products_only(shop: Services) -> None:
    a, b = _product(shop, "A"), _product(shop, "B")
    inv = shop.inventory
    assert _recorded(shop, lambda: inv.adjust(ADMIN, store="MAIN", product="A", location=WH, delta=-2, reason="x")) \
        == Changes.of(products={a})
    # A transfer to a new location creates the location and the stock row.
    assert _recorded(shop, lambda: inv.transfer(ADMIN, store="MAIN", product="A", source=WH,
                                                destination="SHELF_NEW", quantity=5)) \
        == Changes.of(products={a}, locations=True)
    assert _recorded(shop, lambda: inv.reserve(ADMIN, store="MAIN", product="B", location=WH, quantity=3)) \
        == Changes.of(products={b})
    assert _recorded(shop, lambda: inv.release(ADMIN, store="MAIN", product="B", location=WH, quantity=3)) \
        == Changes.of(products={b})
    assert _recorded(shop, lambda: inv.delete_entry(ADMIN, store="MAIN", product="A", location="SHELF_NEW")) \
        == Changes.of(products={a})


def test_order_writes_name_the_order_and_the_stock_they_moved(shop: Services) -> None:
    a, b = _product(shop, "A"), _product(shop, "B")
    orders = shop.orders
    with shop.recording() as recorded:
        number = _order(shop, B=2)
    order = _order_id(shop, number)
    assert recorded.changes == Changes.of(orders={order})  # a pending order reserves nothing
    assert _recorded(shop, lambda: orders.change_status(ADMIN, number, "processing")) \
        == Changes.of(products={b}, orders={order})
    assert _recorded(shop, lambda: orders.add_note(ADMIN, number, "call first")) == Changes.of(orders={order})
    assert _recorded(shop, lambda: orders.ship(ADMIN, number, [ShipRequest("B", 1)])) \
        == Changes.of(products={b}, orders={order})

    parcel_order = _order(shop, "processing", A=4)
    parcel_id = _order_id(shop, parcel_order)
    with shop.recording() as recorded:
        parcel = orders.prepare_shipment(ADMIN, parcel_order, [ShipRequest("A", 2)]).shipment_number
    assert recorded.changes == Changes.of(orders={parcel_id})
    assert _recorded(shop, lambda: orders.advance_shipment(ADMIN, parcel, "picking")) == Changes.of(orders={parcel_id})
    assert _recorded(shop, lambda: orders.advance_shipment(ADMIN, parcel, "shipped")) \
        == Changes.of(products={a}, orders={parcel_id})

    other = orders.prepare_shipment(ADMIN, parcel_order, [ShipRequest("A", 2)]).shipment_number
    assert _recorded(shop, lambda: orders.assign_shipment(ADMIN, other, "sam")) == Changes.of(orders={parcel_id})
    assert _recorded(shop, lambda: orders.cancel_shipment(ADMIN, other, reason="wrong box")) \
        == Changes.of(orders={parcel_id})

    to_pack = _order(shop, "processing", B=2)
    item = shop.order_queries.get_order(to_pack).items[0].id
    assert _recorded(shop, lambda: shop.packing.complete(ADMIN, to_pack, {item: 2})) \
        == Changes.of(products={b}, orders={_order_id(shop, to_pack)})

    shipped = _order(shop, "shipped", A=2)
    assert _recorded(shop, lambda: orders.return_item(ADMIN, shipped, "A", 1, location=WH)) \
        == Changes.of(products={a}, orders={_order_id(shop, shipped)})


def test_expiry_names_the_expired_orders_and_their_stock(shop: Services) -> None:
    number = shop.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 2)],
                                      reservation_expires_at=datetime.now(UTC) + timedelta(hours=1))
    shop.orders.change_status(ADMIN, number, "processing")
    later = datetime.now(UTC) + timedelta(hours=2)
    assert _recorded(shop, lambda: shop.orders.expire_reservations(ADMIN, later)) \
        == Changes.of(products={_product(shop, "A")}, orders={_order_id(shop, number)})


def test_catalog_writes_name_the_catalog_or_the_locations(shop: Services) -> None:
    catalog = shop.catalog
    assert _recorded(shop, lambda: catalog.add_location(ADMIN, "SHELF_7", "Shelf seven")) == Changes.of(locations=True)
    assert _recorded(shop, lambda: catalog.update_location(ADMIN, "SHELF_7", is_active=False)) \
        == Changes.of(locations=True)
    assert _recorded(shop, lambda: catalog.add_store(ADMIN, "WEST", "West")) == Changes.of(catalog=True)
    assert _recorded(shop, lambda: catalog.add_product(ADMIN, store="MAIN", sku="D", title="D")) \
        == Changes.of(catalog=True)


def test_imports_name_their_kinds_as_a_whole(shop: Services, tmp_path: Path) -> None:
    products = tmp_path / "p.csv"
    products.write_text("store,sku,title\nMAIN,NEW1,New one\n", encoding="utf-8")
    stock = tmp_path / "s.csv"
    stock.write_text("store,sku,location,quantity\nMAIN,A,L9,4\n", encoding="utf-8")
    orders = tmp_path / "o.csv"
    orders.write_text("order_number,customer,channel,product,quantity\nO-1,Ann,,A,1\n", encoding="utf-8")
    importing = shop.importing
    assert _recorded(shop, lambda: importing.import_products(ADMIN, products)).catalog
    changes = _recorded(shop, lambda: importing.import_stock(ADMIN, stock))
    assert changes.all_stock and changes.locations and not changes.catalog
    changes = _recorded(shop, lambda: importing.import_orders(ADMIN, orders, store="MAIN"))
    assert changes.all_orders


def test_a_refused_call_and_a_replayed_key_report_nothing(shop: Services) -> None:
    def too_much() -> None:
        with pytest.raises(InsufficientStock):
            shop.inventory.adjust(ADMIN, store="MAIN", product="A", location=WH, delta=-1000, reason="x")

    assert _recorded(shop, too_much).is_empty
    key = str(uuid.uuid4())

    def adjust() -> object:
        return shop.inventory.adjust(ADMIN, store="MAIN", product="A", location=WH, delta=1, reason="x",
                                     operation_key=key)

    assert not _recorded(shop, adjust).is_empty
    assert _recorded(shop, adjust).is_empty  # the replay answers the first result and changes nothing


def test_commit_listeners_hear_each_commit(shop: Services) -> None:
    heard: list[Changes] = []
    shop.database.commit_listeners.append(heard.append)
    shop.inventory.adjust(ADMIN, store="MAIN", product="A", location=WH, delta=1, reason="x")
    assert heard == [Changes.of(products={_product(shop, "A")})]


def test_the_safety_net_reports_a_kind_no_chokepoint_named(shop: Services) -> None:
    """A write behind the chokepoints' back (here: raw SQL) still reports its kind, as "all"."""
    with shop.recording() as recorded, shop.database.write() as session:
        session.connection().exec_driver_sql("UPDATE orders SET carrier = carrier WHERE 1 = 0")
        session.connection().exec_driver_sql("UPDATE locations SET name = name WHERE 1 = 0")
    assert recorded.changes == Changes.of(all_orders=True, locations=True)
