"""SKUs ignore case (issue 9, item 9), on SQLite and PostgreSQL.

``hp-1`` finds ``HP-1`` wherever a SKU is looked up; importing ``aud-hp-blk`` updates ``AUD-HP-BLK``;
a second spelling of a SKU in the same store is refused; the stored spelling is kept as first
entered. Migration 0005 enforces it with a unique index on ``(lower(sku), store_id)`` and stops,
with a sentence, where existing data already has two spellings.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import ADMIN, assert_ledger_consistent
from sqlalchemy import exc, select, text
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.db.migrate import SCHEMA_HEAD, current_revision, upgrade
from orion_desktop.db.models import Product, Store
from orion_desktop.domain.errors import Conflict
from orion_desktop.domain.order_results import OrderLine
from orion_desktop.domain.packing import PackSession, ScanVerdict
from orion_desktop.services import lookup

SKU = "AUD-HP-BLK"
GTIN = "4006381333931"


@pytest.fixture
def shop(services: Services) -> Services:
    services.catalog.add_store(ADMIN, "MAIN", "Main")
    services.catalog.add_store(ADMIN, "TWO", "Second")
    services.catalog.add_product(ADMIN, store="MAIN", sku=SKU, title="Headphones, black", gtin=GTIN)
    services.catalog.add_product(ADMIN, store="MAIN", sku="HP-1", title="Cable")
    services.inventory.set_quantity(ADMIN, store="MAIN", product=SKU, location="A-01", quantity=10)
    return services


def _skus(database: Database) -> list[tuple[str, str]]:
    with database.engine.connect() as conn:
        return [(r[0], r[1]) for r in conn.execute(
            select(Store.code, Product.sku).join(Store, Store.id == Product.store_id).order_by(Product.id))]


def test_every_lookup_finds_the_product_whatever_the_case(shop: Services, tmp_path: Path) -> None:
    lower = SKU.lower()
    assert shop.catalog.get_product("MAIN", lower).sku == SKU
    assert shop.catalog.get_product("MAIN", "Aud-Hp-Blk").sku == SKU
    # The one-query stock slot (an existing row) and the careful path (a new row) both find it.
    assert shop.inventory.adjust(ADMIN, store="MAIN", product=lower, location="A-01", delta=2,
                                 reason="found").quantity_after == 12
    assert shop.inventory.set_quantity(ADMIN, store="MAIN", product="aUD-hP-bLK", location="B-01",
                                       quantity=1).quantity_after == 1
    assert shop.inventory.reserve(ADMIN, store="MAIN", product=lower, location="a-01", quantity=1).reserved_after == 1
    assert shop.stock.product_stock("MAIN", lower).total_quantity == 13
    assert {entry.sku for entry in shop.stock.ledger(store="MAIN", product=lower)} == {SKU}
    assert {entry.sku for entry in shop.stock.ledger(product=lower)} == {SKU}  # every store
    number = shop.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine(lower, 2), OrderLine("hp-1", 1)])
    detail = shop.order_queries.get_order(number)
    assert sorted(item.sku for item in detail.items) == sorted([SKU, "HP-1"])
    shop.orders.change_status(ADMIN, number, "processing")
    assert shop.orders.ship_item(ADMIN, number, lower, 1).shipped_quantity == 1
    assert_ledger_consistent(shop)


def test_the_pack_station_counts_a_sku_typed_in_any_case(shop: Services) -> None:
    number = shop.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine(SKU, 2)])
    shop.orders.change_status(ADMIN, number, "processing")
    order = shop.packing.open_order(number)
    session = PackSession(order.order_number, order.lines)
    assert session.scan("aud-hp-blk", shop.packing.product_name).verdict is ScanVerdict.COUNTED
    assert session.scan("2*Aud-Hp-Blk", shop.packing.product_name).verdict is not ScanVerdict.UNKNOWN
    # A product that is not on the order is still recognised as a wrong item, in any case.
    assert shop.packing.product_name("hp-1") == "Cable"
    assert session.scan("hp-1", shop.packing.product_name).verdict is ScanVerdict.WRONG_ITEM


def test_a_second_spelling_of_a_sku_in_one_store_is_refused(shop: Services, database: Database) -> None:
    before = _skus(database)
    with pytest.raises(Conflict) as refused:
        shop.catalog.add_product(ADMIN, store="MAIN", sku="hp-1", title="Another cable")
    assert str(refused.value) == (
        "Store MAIN already has a product with SKU HP-1; SKUs ignore upper and lower case, "
        "so hp-1 would be the same product."
    )
    with pytest.raises(Conflict, match="already has a product with SKU HP-1"):
        shop.catalog.add_product(ADMIN, store="MAIN", sku="HP-1", title="Same cable")
    assert _skus(database) == before
    # Another store may have its own hp-1.
    shop.catalog.add_product(ADMIN, store="TWO", sku="hp-1", title="Cable of store TWO")
    assert shop.catalog.get_product("TWO", "HP-1").title == "Cable of store TWO"
    assert shop.catalog.get_product("MAIN", "hp-1").title == "Cable"


def test_the_database_itself_refuses_a_second_spelling(shop: Services, database: Database) -> None:
    with pytest.raises(exc.IntegrityError, match="uq_products_lower_sku_store_id|UNIQUE constraint failed"):
        with database.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO products (store_id, sku, title, product_type, is_placeholder, created_at) "
                "SELECT store_id, 'hp-1', 'x', product_type, is_placeholder, created_at FROM products"
                " WHERE sku = 'HP-1'"
            ))


def test_importing_another_spelling_updates_the_product_and_keeps_its_spelling(
    shop: Services, database: Database, tmp_path: Path
) -> None:
    products = tmp_path / "products.csv"
    products.write_text("store,sku,title\nMAIN,aud-hp-blk,Headphones (black)\nMAIN,hp-1,Cable 1 m\n", encoding="utf-8")
    result = shop.importing.import_products(ADMIN, products)
    assert (result.created, result.updated) == (0, 2)
    assert _skus(database) == [("MAIN", SKU), ("MAIN", "HP-1")]
    assert shop.catalog.get_product("MAIN", SKU).title == "Headphones (black)"

    stock = tmp_path / "stock.csv"
    stock.write_text("store,product,location,quantity\nMAIN,aud-hp-blk,A-01,7\nMAIN,Hp-1,A-02,3\n", encoding="utf-8")
    assert shop.importing.import_stock(ADMIN, stock).rows == 2
    assert shop.stock.product_stock("MAIN", SKU).total_quantity == 7
    assert shop.stock.product_stock("MAIN", "HP-1").total_quantity == 3

    orders = tmp_path / "orders.csv"
    orders.write_text("order_number,product,quantity\nWEB-1,aud-hp-blk,2\nWEB-1,HP-1,1\n", encoding="utf-8")
    assert shop.importing.import_orders(ADMIN, orders, store="MAIN").created == 1
    assert_ledger_consistent(shop)


def test_one_file_naming_a_sku_twice_in_two_cases_is_refused(
    shop: Services, database: Database, tmp_path: Path
) -> None:
    before = _skus(database)
    products = tmp_path / "products.csv"
    products.write_text("sku,title\nNEW-1,New\nnew-1,New again\n", encoding="utf-8")
    with pytest.raises(Exception, match="line 3: SKU new-1 is already on line 2"):
        shop.importing.import_products(ADMIN, products, store="MAIN")
    assert _skus(database) == before


def _plan(database: Database, statement: ClauseElement) -> str:
    """The query plan of a statement, as text."""
    with database.engine.begin() as conn:
        compiled = statement.compile(dialect=conn.dialect)
        assert isinstance(compiled, SQLCompiler)  # a statement compiles to SQL (not DDL)
        values = compiled.construct_params()
        if database.is_sqlite:
            assert compiled.positiontup is not None  # SQLite's parameters are positional
            args = tuple(values[name] for name in compiled.positiontup)
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), args).all()
            return "\n".join(str(row[-1]) for row in rows)
        # A tiny test table is cheaper to scan; forbid that to see whether the index applies at all.
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        return "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + str(compiled), values).all())


def test_sku_lookups_use_the_case_insensitive_index(shop: Services, database: Database) -> None:
    """The scan path's catalog lookup (no store) and the store's lookup both probe the index."""
    for statement in (
        select(Product.title).where(lookup.sku_matches("hp-1")).limit(1),
        select(Product.id).where(Product.store_id == 1, lookup.sku_matches("hp-1")),
    ):
        plan = _plan(database, statement)
        assert "uq_products_lower_sku_store_id" in plan, plan


# --- the migration on data that already has two spellings ------------------------------------


@pytest.fixture
def old_database(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database at revision 0004 (SKUs still case-sensitive)."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        url = request.getfixturevalue("pg_database_factory")("orion_sku_case")
    database = Database(url)
    upgrade(database, "0004_sort_indexes")
    yield database
    database.dispose()


def _insert_products(database: Database, rows: list[tuple[str, str]]) -> None:
    with database.engine.begin() as conn:
        for code in sorted({store for store, _ in rows}):
            conn.execute(
                text("INSERT INTO stores (code, name, created_at) VALUES (:c, :c, CURRENT_TIMESTAMP)"), {"c": code}
            )
        for store, sku in rows:
            conn.execute(text(
                "INSERT INTO products (store_id, sku, title, product_type, is_placeholder, created_at) "
                "SELECT id, :sku, 'x', 'physical', false, CURRENT_TIMESTAMP FROM stores WHERE code = :store"
            ), {"store": store, "sku": sku})


def test_the_upgrade_stops_and_lists_skus_that_differ_only_in_case(old_database: Database) -> None:
    _insert_products(old_database, [
        ("MAIN", "HP-1"), ("MAIN", "hp-1"), ("MAIN", "Hp-1"), ("MAIN", "OK-1"),
        ("TWO", "cable"), ("TWO", "CABLE"), ("TWO", "ok-1"),
    ])
    before = _skus(old_database)
    with pytest.raises(Conflict) as refused:
        upgrade(old_database)
    assert str(refused.value) == (
        "Cannot make SKUs case-insensitive: store MAIN has HP-1 and Hp-1 and hp-1; store TWO has CABLE and cable; "
        "rename one of each so they differ by more than upper and lower case, "
        "then run `orion-desktop db upgrade` again."
    )
    assert current_revision(old_database) == "0004_sort_indexes"
    assert _skus(old_database) == before
    with old_database.engine.begin() as conn:
        conn.execute(text("UPDATE products SET sku = 'HP-1-OLD' WHERE sku = 'hp-1'"))
        conn.execute(text("UPDATE products SET sku = 'HP-1-B' WHERE sku = 'Hp-1'"))
        conn.execute(text("UPDATE products SET sku = 'cable-2' WHERE sku = 'cable'"))
    upgrade(old_database)
    assert current_revision(old_database) == SCHEMA_HEAD
    assert _skus(old_database) == [
        ("MAIN", "HP-1"), ("MAIN", "HP-1-OLD"), ("MAIN", "HP-1-B"), ("MAIN", "OK-1"),
        ("TWO", "cable-2"), ("TWO", "CABLE"), ("TWO", "ok-1"),
    ]


def test_many_collisions_are_listed_ten_at_a_time(old_database: Database) -> None:
    _insert_products(old_database, [("MAIN", f"{prefix}{n:02d}") for n in range(12) for prefix in ("SKU-", "sku-")])
    with pytest.raises(
        Conflict, match=r"store MAIN has SKU-00 and sku-00; .* store MAIN has SKU-09 and sku-09 \(and 2 more\); "
    ):
        upgrade(old_database)
    assert current_revision(old_database) == "0004_sort_indexes"
