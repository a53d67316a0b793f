"""The demo warehouse: filled through the ledger, deterministic, and only into an empty database."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import ADMIN, assert_ledger_consistent

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.demo import DemoSummary, fill_demo
from orion_desktop.domain import gtin as gtin_rules
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import ProductType, Role, TransactionType
from orion_desktop.domain.errors import InvalidInput, PermissionDenied
from orion_desktop.services.imports.service import ImportService


@pytest.fixture
def demo(database: Database, services: Services) -> DemoSummary:
    return fill_demo(database, ADMIN)


def fingerprint(services: Services) -> tuple[object, ...]:
    products = tuple(
        (p.store_code, p.sku, p.gtin, p.title, p.product_type, p.low_stock_threshold, p.reorder_point)
        for p in services.catalog.list_products()
    )
    stock = tuple(
        (r.store_code, r.sku, r.location, r.quantity, r.reserved_quantity) for r in services.stock.list_stock()
    )
    return products, stock, services.catalog.list_locations()


@pytest.fixture
def sqlite_copy(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    target = tmp_path / "second.db"
    shutil.copyfile(sqlite_template, target)
    database = Database(f"sqlite:///{target}")
    yield database
    database.dispose()


def test_demo_fills_a_realistic_warehouse(demo: DemoSummary, services: Services) -> None:
    assert_ledger_consistent(services)
    stores = services.catalog.list_stores()
    assert [s.code for s in stores] == ["MAIN", "OUTLET", "WEB"]
    assert demo.stores == 3 and demo.orders > 0

    locations = services.catalog.list_locations()
    assert demo.locations == len(locations) == 8
    stock_rows = services.stock.list_stock()
    for location in locations:  # the totals agree with the stock rows
        here = [r for r in stock_rows if r.location == location.code]
        assert (location.stock_rows, location.quantity, location.reserved_quantity) == (
            len(here), sum(r.quantity for r in here), sum(r.reserved_quantity for r in here))
    choices = services.catalog.location_choices()  # the same locations, in the same order, without totals
    assert [(c.code, c.name, c.sort_key, c.is_active) for c in choices] == [
        (loc.code, loc.name, loc.sort_key, loc.is_active) for loc in locations]
    assert [loc.sort_key for loc in locations] == sorted(loc.sort_key for loc in locations)
    assert {"WAREHOUSE_WEST", "STORE_FRONT", "RETURNS"} <= {loc.code for loc in locations}
    assert all(loc.name for loc in locations)

    products = services.catalog.list_products()
    assert demo.products == len(products) == 300
    assert len({(p.store_code, p.sku) for p in products}) == len(products)
    for product in products:
        if product.gtin is not None and not product.is_placeholder:
            assert gtin_rules.display_gtin(gtin_rules.normalize_gtin(product.gtin)) == product.gtin
    assert [p.sku for p in products if p.is_placeholder] == ["UNMATCHED"]
    unlimited = [p for p in products if p.product_type is not ProductType.PHYSICAL]
    assert {p.product_type for p in unlimited} == {ProductType.DIGITAL, ProductType.SERVICE, ProductType.SUBSCRIPTION}
    assert any(p.low_stock_threshold is not None for p in products)
    assert any("USB-C Cable" in p.title for p in products)

    stock = services.stock.list_stock()
    assert demo.stock_rows == len(stock) > 300
    assert demo.units_on_hand == sum(r.quantity for r in stock)
    assert demo.units_reserved == sum(r.reserved_quantity for r in stock) > 0
    physical_skus = {(p.store_code, p.sku) for p in products if not p.unlimited and not p.is_placeholder}
    assert {(r.store_code, r.sku) for r in stock} <= physical_skus
    per_product: dict[tuple[str, str], int] = {}
    for row in stock:
        per_product[(row.store_code, row.sku)] = per_product.get((row.store_code, row.sku), 0) + 1
    assert set(per_product.values()) == {1, 2, 3}
    assert any(r.quantity == 0 for r in stock)
    assert any(r.reserved_quantity and r.available_quantity == 0 for r in stock)
    assert 0 < len(services.stock.low_stock()) < len(stock) // 2

    report = services.stock.verify()
    assert report.ledger_rows == demo.ledger_rows
    kinds = {e.transaction_type for e in services.stock.ledger(limit=5000)}
    # Stock set-up (import, adjust, reserve), then the demo orders (reserve, fulfil, release).
    assert kinds == {TransactionType.IMPORT, TransactionType.ADJUST, TransactionType.RESERVE,
                     TransactionType.FULFILL, TransactionType.RELEASE}
    # The ledger reads like real use: the newer the row (higher id), the later its time.
    newest_first = services.stock.ledger(limit=5000)
    times = [entry.created_at for entry in newest_first]
    assert times == sorted(times, reverse=True)


def test_demo_fills_only_an_empty_database(demo: DemoSummary, database: Database, services: Services) -> None:
    before = fingerprint(services), services.stock.verify().ledger_rows
    with pytest.raises(InvalidInput, match="^This database already has data; the demo fills only an empty database.$"):
        fill_demo(database, ADMIN)
    assert (fingerprint(services), services.stock.verify().ledger_rows) == before


def test_one_store_is_enough_to_refuse(database: Database, services: Services) -> None:
    services.catalog.add_store(ADMIN, "SHOP", "My shop")
    with pytest.raises(InvalidInput, match="already has data"):
        fill_demo(database, ADMIN)
    assert [s.code for s in services.catalog.list_stores()] == ["SHOP"]


def test_demo_needs_an_admin(database: Database, services: Services) -> None:
    with pytest.raises(PermissionDenied):
        fill_demo(database, Actor(name="maria", role=Role.MANAGER))
    assert services.catalog.list_stores() == ()


def test_the_same_seed_gives_the_same_warehouse_on_every_backend(
    demo: DemoSummary, services: Services, sqlite_copy: Database
) -> None:
    second = fill_demo(sqlite_copy, ADMIN, seed=7)
    assert second == demo
    assert fingerprint(Services.on(sqlite_copy)) == fingerprint(services)


def test_another_seed_gives_another_warehouse(demo: DemoSummary, services: Services, sqlite_copy: Database) -> None:
    fill_demo(sqlite_copy, ADMIN, seed=8)
    assert fingerprint(Services.on(sqlite_copy)) != fingerprint(services)
    assert_ledger_consistent(Services.on(sqlite_copy))


def test_demo_stock_round_trips_through_export_and_import(
    demo: DemoSummary, database: Database, services: Services, tmp_path: Path
) -> None:
    importer = ImportService(database)
    path = tmp_path / "demo-stock.csv"
    assert importer.export_stock(path) == demo.stock_rows
    result = importer.import_stock(Actor(name="maria", role=Role.MANAGER), path)
    assert (result.rows, result.created, result.updated) == (demo.stock_rows, 0, 0)
    assert services.stock.verify().ledger_rows == demo.ledger_rows
    assert_ledger_consistent(services)


def test_demo_holds_can_be_released_through_the_inventory_service(demo: DemoSummary, services: Services) -> None:
    held = next(r for r in services.stock.list_stock() if r.reserved_quantity)
    change = services.inventory.release(
        Actor(name="pat", role=Role.PACKER), store=held.store_code, product=held.sku, location=held.location, quantity=1
    )
    assert (change.quantity_after, change.reserved_after) == (held.quantity, held.reserved_quantity - 1)
    assert_ledger_consistent(services)


def test_demo_has_orders_in_every_status_with_partial_shipments_and_backorders(
    demo: DemoSummary, services: Services
) -> None:
    from orion_desktop.domain.orders import OrderStatus

    counts = services.order_queries.status_counts()
    assert all(counts[status] > 0 for status in OrderStatus), counts
    assert sum(counts.values()) == demo.orders
    assert services.order_queries.backorders(), "some processing orders wait for stock"
    assert services.order_queries.open_shipments(), "some parcels sit in the picking/packing workflow"
    partial = services.order_queries.list_orders(status="partially_shipped", limit=1)[0]
    status = services.order_queries.shipment_status(partial.order_number)
    assert 0 < status.total_shipped_units < status.total_ordered_units
    assert services.stock.verify().ok
