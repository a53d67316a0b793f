"""Low stock and the ledger each have one owner: every entry point that asks the same question
gets the same rows, on both databases."""

from __future__ import annotations

import json

import pytest
from helpers import ADMIN

from orion_desktop.__main__ import main
from orion_desktop.bootstrap import Services


@pytest.fixture
def shop(services: Services) -> Services:
    """Two stores. R: 28 available over two rows, reorder point 30 (listed for it, no row low);
    S: 1 + 9 available, threshold 2 (one row low); W (WEB): 4 available, default threshold 10."""
    services.catalog.add_store(ADMIN, "MAIN", "Main store")
    services.catalog.add_store(ADMIN, "WEB", "Web shop")
    for code in ("WH1", "WH2"):
        services.catalog.add_location(ADMIN, code)
    services.catalog.add_product(
        ADMIN, store="MAIN", sku="R", title="Reordered", low_stock_threshold=2, reorder_point=30
    )
    services.catalog.add_product(ADMIN, store="MAIN", sku="S", title="Stocked", low_stock_threshold=2, reorder_point=5)
    services.catalog.add_product(ADMIN, store="WEB", sku="W", title="Web only")
    services.catalog.add_product(ADMIN, store="WEB", sku="R", title="Web R", reorder_point=1)
    for store, sku, location, quantity in (
        ("MAIN", "R", "WH1", 19),
        ("MAIN", "R", "WH2", 9),
        ("MAIN", "S", "WH1", 1),
        ("MAIN", "S", "WH2", 9),
        ("WEB", "W", "WH1", 4),
        ("WEB", "R", "WH2", 50),
    ):
        services.inventory.set_quantity(ADMIN, store=store, product=sku, location=location, quantity=quantity)
    return services


@pytest.mark.parametrize("threshold", [None, 0, 4, 9, 30])
@pytest.mark.parametrize("reorder_points", [False, True])
def test_every_low_stock_entry_point_lists_the_same_rows(
    shop: Services, threshold: int | None, reorder_points: bool
) -> None:
    plain = {(r.store_code, r.sku, r.location) for r in shop.stock.low_stock(threshold, reorder_points=reorder_points)}
    report = shop.reports.low_stock(threshold, reorder_points=reorder_points)
    assert {(r.store_code, r.sku, r.location) for r in report} == plain
    assert shop.reports.low_stock_count(threshold, reorder_points=reorder_points) == len(report) == len(plain)
    for store in ("MAIN", "web"):
        in_store = shop.reports.low_stock(threshold, store=store, reorder_points=reorder_points)
        assert shop.reports.low_stock_count(threshold, store=store, reorder_points=reorder_points) == len(in_store)
        assert {r.store_code for r in in_store} <= {store.upper()}


def test_the_seed_count_is_thresholds_only_and_the_screens_add_reorder_points(shop: Services) -> None:
    thresholds = [(r.store_code, r.sku, r.location) for r in shop.stock.low_stock()]
    assert thresholds == [("MAIN", "S", "WH1"), ("WEB", "W", "WH1")]  # fewest available first
    assert shop.stock.stats().low_stock_count == 2
    screens = {(r.store_code, r.sku, r.location) for r in shop.reports.low_stock()}
    assert screens == {*thresholds, ("MAIN", "R", "WH1"), ("MAIN", "R", "WH2")}  # R: 28 <= 30; WEB's R: 50 > 1
    assert shop.reports.low_stock_count() == 4  # the Dashboard's tile


def test_stock_low_reorder_points_lists_what_the_screens_list(
    shop: Services, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    def cli(*argv: str) -> list[dict[str, object]]:
        assert main(["--db", database_url, *argv, "--json"]) == 0
        rows: list[dict[str, object]] = json.loads(capsys.readouterr().out)
        return rows

    seed_keys = {
        "product_id",
        "store_name",
        "store",
        "sku",
        "product_title",
        "location",
        "quantity",
        "available_quantity",
        "threshold",
    }
    plain, both = cli("stock", "low"), cli("stock", "low", "--reorder-points")
    assert [set(row) for row in plain + both] == [seed_keys] * (len(plain) + len(both))  # the spec's shape
    assert [(r["sku"], r["location"]) for r in plain] == [("S", "WH1"), ("W", "WH1")]
    assert {(r["store"], r["sku"], r["location"]) for r in both} == {
        (r.store_code, r.sku, r.location) for r in shop.reports.low_stock()
    }


def test_stock_ledger_is_the_ledger_pages_query(
    shop: Services, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --store a SKU matches in every store (as on the Ledger page), instead of asking for one."""
    assert main(["--db", database_url, "stock", "ledger", "--product", "r", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert [(e["store_code"], e["sku"], e["location"]) for e in entries] == [
        ("WEB", "R", "WH2"),
        ("MAIN", "R", "WH2"),
        ("MAIN", "R", "WH1"),
    ]
    assert [e["id"] for e in entries] == [e.id for e in shop.stock.ledger(product="R")]
    assert main(["--db", database_url, "stock", "ledger", "--store", "web", "--location", "wh1", "--json"]) == 0
    assert [e["sku"] for e in json.loads(capsys.readouterr().out)] == ["W"]
