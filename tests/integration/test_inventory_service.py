"""Inventory service on SQLite and PostgreSQL: the spec's example, refusals, ledger, transfers, keys."""

from __future__ import annotations

import pytest
from helpers import ADMIN, GTIN_A, assert_ledger_consistent, seed_catalog
from sqlalchemy import text

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import TransactionType
from orion_desktop.domain.errors import (
    Conflict,
    InsufficientStock,
    InvalidInput,
    NotFound,
    OrionError,
    PermissionDenied,
)
from orion_desktop.domain.results import UNLIMITED


@pytest.fixture
def stocked(services: Services) -> Services:
    seed_catalog(services)
    return services


def _snapshot(services: Services) -> tuple[object, ...]:
    """Everything a refused operation must leave untouched."""
    rows = services.stock.list_stock()
    ledger = services.stock.ledger(limit=1000)
    locations = services.catalog.list_locations()
    return (rows, tuple(e.id for e in ledger), tuple(loc.code for loc in locations))


def test_seed_example_totals(stocked: Services, manager: Actor) -> None:
    inv = stocked.inventory
    for location, quantity, reserved in (
        ("WAREHOUSE_MAIN", 100, 10),
        ("WAREHOUSE_WEST", 50, 0),
        ("STORE_FRONT", 25, 5),
    ):
        inv.set_quantity(manager, store="MAIN", product="A", location=location, quantity=quantity)
        if reserved:
            inv.reserve(manager, store="MAIN", product="A", location=location, quantity=reserved)
    stock = stocked.stock.product_stock("MAIN", "A")
    assert (stock.total_quantity, stock.total_reserved, stock.total_available) == (175, 15, 160)
    by_location = {
        loc.location: (loc.quantity, loc.reserved_quantity, loc.available_quantity) for loc in stock.locations
    }
    assert by_location == {
        "WAREHOUSE_MAIN": (100, 10, 90),
        "WAREHOUSE_WEST": (50, 0, 50),
        "STORE_FRONT": (25, 5, 20),
    }
    assert_ledger_consistent(stocked)


def test_every_gtin_form_finds_the_product(stocked: Services, manager: Actor) -> None:
    stocked.inventory.set_quantity(manager, store="MAIN", product="A", location="BIN-1", quantity=7)
    for form in (GTIN_A, "0" + GTIN_A, " 4006381333931 "):
        assert stocked.stock.product_stock("MAIN", form).total_quantity == 7
    # UPC-A 036000291452 is EAN-13 0036000291452 and GTIN-14 00036000291452.
    stocked.catalog.add_product(ADMIN, store="MAIN", sku="UPC", title="Pens", gtin="036000291452")
    stocked.inventory.set_quantity(manager, store="MAIN", product="0036000291452", location="BIN-1", quantity=3)
    assert stocked.stock.product_stock(None, "00036000291452").total_quantity == 3


def test_reserving_more_than_available_fails_and_changes_nothing(stocked: Services, manager: Actor) -> None:
    stocked.inventory.set_quantity(manager, store="MAIN", product="A", location="WAREHOUSE_MAIN", quantity=10)
    stocked.inventory.reserve(manager, store="MAIN", product="A", location="WAREHOUSE_MAIN", quantity=4)
    before = _snapshot(stocked)
    with pytest.raises(InsufficientStock) as caught:
        stocked.inventory.reserve(manager, store="MAIN", product="A", location="WAREHOUSE_MAIN", quantity=7)
    message = str(caught.value)
    assert "Widget A" in message and "WAREHOUSE_MAIN" in message
    assert "Available: 6" in message and "Requested: 7" in message
    assert (caught.value.available, caught.value.requested) == (6, 7)
    assert _snapshot(stocked) == before


def test_release_and_fulfill(stocked: Services, manager: Actor) -> None:
    inv = stocked.inventory
    inv.set_quantity(manager, store="MAIN", product="B", location="A-01", quantity=20)
    inv.reserve(manager, store="MAIN", product="B", location="A-01", quantity=8)
    released = inv.release(manager, store="MAIN", product="B", location="A-01", quantity=3)
    assert (released.quantity_after, released.reserved_after) == (20, 5)
    shipped = inv.fulfill(manager, store="MAIN", product="B", location="A-01", quantity=5)
    assert (shipped.quantity_after, shipped.reserved_after) == (15, 0)
    with pytest.raises(InsufficientStock, match="only 0 held manually"):
        inv.fulfill(manager, store="MAIN", product="B", location="A-01", quantity=1)
    with pytest.raises(InsufficientStock, match="only 0 held manually"):
        inv.release(manager, store="MAIN", product="B", location="A-01", quantity=1)
    kinds = [e.transaction_type for e in stocked.stock.ledger(product="B")]
    assert kinds == [TransactionType.FULFILL, TransactionType.RELEASE, TransactionType.RESERVE, TransactionType.SET]
    assert_ledger_consistent(stocked)


def test_set_and_adjust_cannot_go_below_reserved(stocked: Services, manager: Actor) -> None:
    inv = stocked.inventory
    inv.set_quantity(manager, store="MAIN", product="A", location="A-01", quantity=10)
    inv.reserve(manager, store="MAIN", product="A", location="A-01", quantity=6)
    before = _snapshot(stocked)
    with pytest.raises(InsufficientStock, match="6 units are reserved"):
        inv.set_quantity(manager, store="MAIN", product="A", location="A-01", quantity=5)
    with pytest.raises(InsufficientStock, match="6 reserved"):
        inv.adjust(manager, store="MAIN", product="A", location="A-01", delta=-5, reason="damaged")
    assert _snapshot(stocked) == before
    assert inv.adjust(
        manager, store="MAIN", product="A", location="A-01", delta=-4, reason="damaged"
    ).quantity_after == 6
    assert inv.set_quantity(manager, store="MAIN", product="A", location="A-01", quantity=6).quantity_change == 0
    assert_ledger_consistent(stocked)


def test_set_to_zero_is_fine(stocked: Services, manager: Actor) -> None:
    stocked.inventory.set_quantity(manager, store="MAIN", product="A", location="A-01", quantity=3)
    change = stocked.inventory.set_quantity(manager, store="MAIN", product="A", location="A-01", quantity=0)
    assert (change.quantity_change, change.quantity_after) == (-3, 0)


def test_ledger_records_user_reason_and_after_values(stocked: Services, manager: Actor) -> None:
    stocked.inventory.adjust(
        manager, store="MAIN", product="A", location="A-01", delta=25, reason="Restocking from supplier"
    )
    [entry] = stocked.stock.ledger(product="A")
    assert entry.transaction_type is TransactionType.ADJUST
    assert (entry.quantity_change, entry.reserved_change, entry.quantity_after, entry.reserved_after) == (25, 0, 25, 0)
    assert entry.reason == "Restocking from supplier"
    assert entry.created_by == "maria"
    assert entry.location == "A-01"


def test_transfer_moves_units_atomically(stocked: Services, manager: Actor) -> None:
    inv = stocked.inventory
    inv.set_quantity(manager, store="MAIN", product="C", location="WAREHOUSE_MAIN", quantity=30)
    inv.reserve(manager, store="MAIN", product="C", location="WAREHOUSE_MAIN", quantity=25)
    result = inv.transfer(
        manager, store="MAIN", product="C", source="warehouse_main", destination="store_front", quantity=5
    )
    assert (result.source.location, result.source.quantity_after) == ("WAREHOUSE_MAIN", 25)
    assert (result.destination.location, result.destination.quantity_after) == ("STORE_FRONT", 5)
    before = _snapshot(stocked)
    with pytest.raises(InsufficientStock, match="Available: 0, Requested: 1"):
        inv.transfer(manager, store="MAIN", product="C", source="WAREHOUSE_MAIN", destination="NEW_SHELF", quantity=1)
    # Neither ledger row, nor the destination row or location, survives a refused transfer.
    assert _snapshot(stocked) == before
    with pytest.raises(InvalidInput, match="same"):
        inv.transfer(manager, store="MAIN", product="C", source="STORE_FRONT", destination=" store_front ", quantity=1)
    assert stocked.stock.product_stock("MAIN", "C").total_quantity == 30
    assert_ledger_consistent(stocked)


def test_a_transfer_between_two_existing_rows_finds_both_by_gtin_or_sku(stocked: Services, manager: Actor) -> None:
    """Both rows found by one query (the fast path), by GTIN or by SKU; a SKU that is another product's
    GTIN still means the product with that SKU."""
    inv = stocked.inventory
    for location in ("A-01", "B-02"):
        inv.set_quantity(manager, store="MAIN", product="A", location=location, quantity=10)
    result = inv.transfer(manager, store="MAIN", product=GTIN_A, source="a-01", destination="B-02", quantity=4)
    assert (result.source.quantity_after, result.destination.quantity_after) == (6, 14)
    result = inv.transfer(manager, store="MAIN", product="a", source="B-02", destination="A-01", quantity=1)
    assert (result.source.quantity_after, result.destination.quantity_after) == (13, 7)
    stocked.catalog.add_product(ADMIN, store="MAIN", sku=GTIN_A, title="SKU that looks like A's GTIN")
    for location in ("A-01", "B-02"):
        inv.set_quantity(manager, store="MAIN", product=GTIN_A, location=location, quantity=3)
    result = inv.transfer(manager, store="MAIN", product=GTIN_A, source="A-01", destination="B-02", quantity=3)
    assert (result.source.sku, result.source.quantity_after, result.destination.quantity_after) == (GTIN_A, 0, 6)
    assert stocked.stock.product_stock("MAIN", "A").total_quantity == 20
    assert_ledger_consistent(stocked)


def test_delete_entry_refused_while_reserved(stocked: Services, manager: Actor) -> None:
    inv = stocked.inventory
    inv.set_quantity(manager, store="MAIN", product="A", location="A-01", quantity=5)
    inv.reserve(manager, store="MAIN", product="A", location="A-01", quantity=1)
    with pytest.raises(Conflict, match="reserved"):
        inv.delete_entry(manager, store="MAIN", product="A", location="A-01")
    inv.release(manager, store="MAIN", product="A", location="A-01", quantity=1)
    change = inv.delete_entry(manager, store="MAIN", product="A", location="A-01")
    assert change is not None and change.quantity_change == -5
    assert stocked.stock.product_stock("MAIN", "A").locations == ()
    assert_ledger_consistent(stocked)
    # A new entry at the same place starts from zero and the ledger still adds up.
    inv.set_quantity(manager, store="MAIN", product="A", location="A-01", quantity=2)
    assert_ledger_consistent(stocked)


def test_non_physical_and_placeholder_products(stocked: Services, manager: Actor) -> None:
    ebook = stocked.stock.product_stock("MAIN", "EBOOK")
    assert ebook.product.unlimited and ebook.total_available == UNLIMITED and ebook.locations == ()
    with pytest.raises(InvalidInput, match="unlimited stock"):
        stocked.inventory.reserve(manager, store="MAIN", product="EBOOK", location="A-01", quantity=1)
    with pytest.raises(InvalidInput, match="placeholder"):
        stocked.inventory.set_quantity(manager, store="MAIN", product="UNMATCHED", location="A-01", quantity=1)
    assert stocked.catalog.get_product("MAIN", "UNMATCHED").gtin == "0000000000000"
    with pytest.raises(InvalidInput, match="placeholder code"):
        stocked.stock.product_stock("MAIN", "0000000000000")


def test_location_is_normalized_and_created_on_first_use(stocked: Services, manager: Actor, admin: Actor) -> None:
    change = stocked.inventory.set_quantity(manager, store="MAIN", product="A", location=" warehouse_a ", quantity=1)
    assert change.location == "WAREHOUSE_A"
    codes = [loc.code for loc in stocked.catalog.list_locations()]
    assert codes == ["WAREHOUSE_A"]
    named = stocked.catalog.add_location(admin, "warehouse_a", name="Warehouse A", sort_key=10)
    assert (named.code, named.name, named.sort_key) == ("WAREHOUSE_A", "Warehouse A", 10)
    [summary] = stocked.catalog.list_locations()
    assert (summary.stock_rows, summary.quantity) == (1, 1)


BAD_INPUTS = [
    ("reserve", {"quantity": -1}, InvalidInput, "at least 1"),
    ("reserve", {"quantity": 0}, InvalidInput, "at least 1"),
    ("release", {"quantity": 0}, InvalidInput, "at least 1"),
    ("fulfill", {"quantity": 0}, InvalidInput, "at least 1"),
    ("reserve", {"quantity": 10**12}, InvalidInput, "too large"),
    ("set_quantity", {"quantity": -1}, InvalidInput, "cannot be negative"),
    ("set_quantity", {"quantity": 10**12}, InvalidInput, "too large"),
    ("set_quantity", {"quantity": "ten"}, InvalidInput, "whole number"),
    ("adjust", {"delta": 0, "reason": "x"}, InvalidInput, "must not be zero"),
    ("adjust", {"delta": 10**12, "reason": "x"}, InvalidInput, "too large"),
    ("adjust", {"delta": 5, "reason": "  "}, InvalidInput, "reason"),
    ("set_quantity", {"quantity": 1, "location": "AISLE 3"}, InvalidInput, "' '"),
    ("set_quantity", {"quantity": 1, "location": "Bin#4"}, InvalidInput, "'#'"),
    ("set_quantity", {"quantity": 1, "product": "NOPE"}, NotFound, "No product"),
    ("set_quantity", {"quantity": 1, "product": "4006381333932"}, InvalidInput, "check digit"),
    ("set_quantity", {"quantity": 1, "store": "NOWHERE"}, NotFound, "no store"),
    ("reserve", {"quantity": 1, "location": "EMPTY_SHELF"}, NotFound, "no stock"),
]


@pytest.mark.parametrize(("method", "overrides", "error", "fragment"), BAD_INPUTS)
def test_bad_input_is_refused_with_a_sentence_and_changes_nothing(
    stocked: Services, manager: Actor, method: str, overrides: dict[str, object], error: type[OrionError], fragment: str
) -> None:
    stocked.inventory.set_quantity(manager, store="MAIN", product="A", location="A-01", quantity=10)
    before = _snapshot(stocked)
    arguments: dict[str, object] = {"store": "MAIN", "product": "A", "location": "A-01", **overrides}
    with pytest.raises(error) as caught:
        getattr(stocked.inventory, method)(manager, **arguments)
    assert fragment.lower() in str(caught.value).lower()
    assert "Traceback" not in str(caught.value)
    assert _snapshot(stocked) == before


def test_transfer_with_zero_quantity_is_refused(stocked: Services, manager: Actor) -> None:
    stocked.inventory.set_quantity(manager, store="MAIN", product="A", location="A-01", quantity=10)
    with pytest.raises(InvalidInput, match="at least 1"):
        stocked.inventory.transfer(manager, store="MAIN", product="A", source="A-01", destination="A-02", quantity=0)


def test_packer_may_reserve_but_not_adjust(stocked: Services, manager: Actor, packer: Actor) -> None:
    stocked.inventory.set_quantity(manager, store="MAIN", product="A", location="A-01", quantity=10)
    stocked.inventory.reserve(packer, store="MAIN", product="A", location="A-01", quantity=1)
    with pytest.raises(PermissionDenied, match="pat"):
        stocked.inventory.adjust(packer, store="MAIN", product="A", location="A-01", delta=5, reason="found")


def test_operation_key_replays_the_first_result(stocked: Services, manager: Actor) -> None:
    inv = stocked.inventory
    inv.set_quantity(manager, store="MAIN", product="A", location="A-01", quantity=10)
    first = inv.reserve(manager, store="MAIN", product="A", location="A-01", quantity=3, operation_key="scan-42")
    again = inv.reserve(manager, store="MAIN", product="A", location="A-01", quantity=3, operation_key="scan-42")
    assert first == again
    assert stocked.stock.product_stock("MAIN", "A").total_reserved == 3
    with pytest.raises(Conflict, match="already used for a different request; use a new key"):
        inv.release(manager, store="MAIN", product="A", location="A-01", quantity=3, operation_key="scan-42")
    # A refused call does not burn its key: the retry really runs once stock allows it.
    with pytest.raises(InsufficientStock):
        inv.reserve(manager, store="MAIN", product="A", location="A-01", quantity=8, operation_key="retry-1")
    inv.adjust(manager, store="MAIN", product="A", location="A-01", delta=1, reason="found one")
    assert inv.reserve(
        manager, store="MAIN", product="A", location="A-01", quantity=8, operation_key="retry-1"
    ).reserved_after == 11


def test_check_constraints_refuse_bypassing_sql(stocked: Services, manager: Actor, database: Database) -> None:
    stocked.inventory.set_quantity(manager, store="MAIN", product="A", location="A-01", quantity=5)
    from sqlalchemy.exc import IntegrityError

    for statement in (
        "UPDATE inventory SET quantity = -1, reserved_quantity = 0",
        "UPDATE inventory SET reserved_quantity = quantity + 1",
        "UPDATE inventory SET reserved_quantity = -1",
    ):
        with pytest.raises(IntegrityError), database.engine.begin() as conn:
            conn.execute(text(statement))
    assert stocked.stock.product_stock("MAIN", "A").locations[0].quantity == 5


def test_stats_low_stock_list_and_search(stocked: Services, manager: Actor) -> None:
    inv = stocked.inventory
    inv.set_quantity(manager, store="MAIN", product="A", location="WAREHOUSE_MAIN", quantity=100)
    inv.reserve(manager, store="MAIN", product="A", location="WAREHOUSE_MAIN", quantity=10)
    inv.set_quantity(manager, store="MAIN", product="B", location="WAREHOUSE_MAIN", quantity=3)
    inv.reserve(manager, store="MAIN", product="B", location="WAREHOUSE_MAIN", quantity=1)
    inv.set_quantity(manager, store="MAIN", product="C", location="STORE_FRONT", quantity=6)  # own threshold 5
    stats = stocked.stock.stats()
    assert (stats.total_entries, stats.total_quantity, stats.total_reserved, stats.total_available) == (3, 109, 11, 98)
    assert (stats.low_stock_count, stats.stores_with_inventory, stats.unique_locations) == (1, 1, 2)
    [low] = stocked.stock.low_stock()
    assert (low.sku, low.quantity, low.available_quantity, low.store_name) == ("B", 3, 2, "Main Store")
    assert {r.sku for r in stocked.stock.low_stock(threshold=10)} == {"B", "C"}
    assert {r.sku for r in stocked.stock.list_stock(low_stock=6)} == {"B", "C"}
    assert [r.sku for r in stocked.stock.list_stock(location="store_front")] == ["C"]
    assert [r.sku for r in stocked.stock.list_stock(search="widget b")] == ["B"]
    assert [r.sku for r in stocked.stock.list_stock(search="0" + GTIN_A)] == ["A"]


def test_verify_reports_a_row_changed_behind_the_ledgers_back(
    stocked: Services, manager: Actor, database: Database
) -> None:
    stocked.inventory.set_quantity(manager, store="MAIN", product="A", location="A-01", quantity=5)
    assert stocked.stock.verify().ok
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE inventory SET quantity = 7"))
    report = stocked.stock.verify()
    [mismatch] = report.mismatches
    assert (mismatch.sku, mismatch.quantity, mismatch.ledger_quantity) == ("A", 7, 5)


def test_store_and_product_catalog_rules(services: Services, admin: Actor, manager: Actor) -> None:
    with pytest.raises(NotFound, match="no stores yet"):
        services.stock.product_stock(None, "A")
    services.catalog.add_store(admin, " main ", "Main")
    with pytest.raises(Conflict, match="already exists"):
        services.catalog.add_store(admin, "MAIN", "Again")
    with pytest.raises(PermissionDenied):
        services.catalog.add_store(manager, "OTHER", "Other")
    services.catalog.add_product(manager, store=None, sku="A", title="Widget", gtin="96385074")  # EAN-8
    with pytest.raises(Conflict, match="SKU A"):
        services.catalog.add_product(manager, store=None, sku="A", title="Again")
    with pytest.raises(Conflict, match="already belongs"):
        services.catalog.add_product(manager, store=None, sku="B", title="Again", gtin="00000096385074")
    with pytest.raises(InvalidInput, match="product type"):
        services.catalog.add_product(manager, store=None, sku="C", title="Bad", product_type="gadget")
    services.catalog.add_store(admin, "SECOND", "Second")
    with pytest.raises(InvalidInput, match="more than one store"):
        services.stock.product_stock(None, "A")
    assert services.catalog.get_product("MAIN", "96385074").gtin == "0000096385074"


def test_search_takes_wildcards_literally_and_low_stock_uses_own_thresholds(stocked: Services, manager: Actor) -> None:
    stocked.catalog.add_product(ADMIN, store="MAIN", sku="SKU_1", title="100% cotton")
    stocked.catalog.add_product(ADMIN, store="MAIN", sku="SKUX1", title="Wool", low_stock_threshold=50)
    for sku in ("SKU_1", "SKUX1"):
        stocked.inventory.set_quantity(manager, store="MAIN", product=sku, location="A-01", quantity=30)
    assert [r.sku for r in stocked.stock.list_stock(search="sku_1")] == ["SKU_1"]
    assert [r.sku for r in stocked.stock.list_stock(search="100%")] == ["SKU_1"]
    # Wool's own threshold (50) flags its 30 units; cotton's default (10) does not.
    assert [r.sku for r in stocked.stock.list_stock(low_stock_only=True)] == ["SKUX1"]
