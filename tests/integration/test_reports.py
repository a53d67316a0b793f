"""ReportService on SQLite and PostgreSQL: low stock with backorders, CSV export, backorder totals,
the filtered ledger."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from helpers import ADMIN, GTIN_A, seed_catalog

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.db.types import utcnow
from orion_desktop.domain.enums import TransactionType
from orion_desktop.domain.errors import InvalidInput, NotFound
from orion_desktop.domain.order_results import OrderLine
from orion_desktop.domain.report_results import LowStockReportRow
from orion_desktop.domain.results import LedgerEntry
from orion_desktop.services.reports import LOW_STOCK_COLUMNS, ReportService


@pytest.fixture
def reports(database: Database) -> ReportService:
    return ReportService(database)


@pytest.fixture
def shop(services: Services) -> dict[str, str]:
    """MAIN (the helpers' catalog) and WEB (its own A); three processing orders, two of them short of stock."""
    seed_catalog(services)
    services.catalog.add_store(ADMIN, "WEB", "Web Shop")
    services.catalog.add_product(ADMIN, store="WEB", sku="A", title="Web widget A")
    inventory = services.inventory
    inventory.set_quantity(ADMIN, store="MAIN", product="A", location="WH1", quantity=20)
    inventory.set_quantity(ADMIN, store="MAIN", product="B", location="WH1", quantity=3)
    inventory.set_quantity(ADMIN, store="MAIN", product="C", location="WH2", quantity=4)
    inventory.set_quantity(ADMIN, store="WEB", product="A", location="WH1", quantity=2)
    orders = services.orders
    first = orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 5), OrderLine("B", 8)])
    second = orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("B", 2), OrderLine("EBOOK", 1)])
    web = orders.create_order(ADMIN, store="WEB", lines=[OrderLine("A", 4)])
    for number in (first, second, web):
        orders.change_status(ADMIN, number, "processing")
    return {"first": first, "second": second, "web": web}


def _low(rows: Sequence[LowStockReportRow]) -> list[tuple[str, str, str, int, int, int, int]]:
    return [
        (r.store_code, r.sku, r.location, r.available_quantity, r.threshold, r.backordered_units, r.backordered_orders)
        for r in rows
    ]


def test_low_stock_lists_what_stock_low_stock_lists_with_the_backorders(
    services: Services, shop: dict[str, str], reports: ReportService
) -> None:
    rows = reports.low_stock()
    assert _low(rows) == [
        ("MAIN", "B", "WH1", 0, 10, 7, 2),  # 5 of the first order and 2 of the second wait
        ("WEB", "A", "WH1", 0, 10, 2, 1),  # WEB's A, not MAIN's
        ("MAIN", "C", "WH2", 4, 5, 0, 0),  # C's own threshold is 5
    ]
    plain = services.stock.low_stock()
    assert {(r.store_code, r.sku, r.location, r.available_quantity, r.threshold) for r in plain} == {
        (s, sku, loc, avail, thr) for s, sku, loc, avail, thr, _units, _orders in _low(rows)
    }
    assert len(rows) == services.stock.stats().low_stock_count
    assert rows[0].gtin == "5901234123457" and rows[0].product_title == "Widget B" and rows[0].quantity == 3


def test_backorders_per_product_agree_with_the_backorder_list(
    services: Services, shop: dict[str, str], reports: ReportService
) -> None:
    units: dict[str, int] = defaultdict(int)
    orders: dict[str, set[str]] = defaultdict(set)
    for row in services.order_queries.backorders():
        key = row.order_number.split("-")[1] + ":" + row.sku  # the store id is part of the order number
        units[key] += row.quantity
        orders[key].add(row.order_number)
    low = {(r.store_code, r.sku): (r.backordered_units, r.backordered_orders) for r in reports.low_stock()}
    assert sorted(units.values()) == sorted(u for u, _o in low.values() if u)
    summary = reports.backorder_summary()
    assert summary.units == sum(units.values()) == 9
    assert summary.orders == len({n for numbers in orders.values() for n in numbers}) == 3
    assert summary.items == len(services.order_queries.backorders()) == 3
    assert summary.products == 2


def test_nothing_waiting_is_all_zeros(services: Services, reports: ReportService) -> None:
    seed_catalog(services)
    summary = reports.backorder_summary()
    assert (summary.units, summary.orders, summary.items, summary.products) == (0, 0, 0, 0)
    assert reports.low_stock() == ()


def test_a_threshold_a_store_and_paging(services: Services, shop: dict[str, str], reports: ReportService) -> None:
    assert [(r.store_code, r.sku) for r in reports.low_stock(0)] == [("MAIN", "B"), ("WEB", "A")]
    assert [r.threshold for r in reports.low_stock("15")] == [15, 15, 15, 15]  # A at 15 available now counts
    assert [(r.store_code, r.sku) for r in reports.low_stock(store="web")] == [("WEB", "A")]
    whole = reports.low_stock(15)
    pages = [reports.low_stock(15, limit=1, offset=offset) for offset in range(len(whole) + 1)]
    assert [row for page in pages for row in page] == list(whole) and pages[-1] == ()
    with pytest.raises(InvalidInput, match=r"The threshold cannot be negative \(got -1\)\."):
        reports.low_stock(-1)
    with pytest.raises(NotFound, match="There is no store with code NOPE."):
        reports.low_stock(store="NOPE")


def test_export_low_stock_writes_a_csv_a_spreadsheet_reads(
    shop: dict[str, str], reports: ReportService, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "low.csv"
    assert reports.export_low_stock(target) == 3
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: spreadsheet programs read accents right
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == LOW_STOCK_COLUMNS
    assert rows[1] == ["MAIN", "B", "5901234123457", "Widget B", "WH1", "3", "3", "0", "10", "", "7", "2", "0"]
    assert [row[1] for row in rows[1:]] == ["B", "A", "C"]
    with pytest.raises(InvalidInput, match="already exists"):  # issue 9: replaced only when the user agreed
        reports.export_low_stock(target, 0)
    assert len(target.read_text(encoding="utf-8-sig").splitlines()) == 4
    assert reports.export_low_stock(target, 0, overwrite=True) == 2  # replaces the file
    assert len(target.read_text(encoding="utf-8-sig").splitlines()) == 3
    assert list(folder.iterdir()) == [target]  # no temporary file left behind


def test_a_product_down_to_its_reorder_point_is_listed_with_every_location(
    services: Services, reports: ReportService
) -> None:
    """Thresholds look at one row; a reorder point at the product's available units, all locations together."""
    seed_catalog(services)
    services.catalog.add_product(
        ADMIN, store="MAIN", sku="R", title="Reordered", low_stock_threshold=2, reorder_point=30
    )
    services.catalog.add_product(ADMIN, store="MAIN", sku="S", title="Stocked", low_stock_threshold=2, reorder_point=10)
    for sku, location, quantity in (("R", "WH1", 20), ("R", "WH2", 9), ("S", "WH1", 20), ("S", "WH2", 9)):
        services.inventory.set_quantity(ADMIN, store="MAIN", product=sku, location=location, quantity=quantity)
    services.inventory.reserve(ADMIN, store="MAIN", product="R", location="WH1", quantity=1)

    rows = reports.low_stock()
    listed = [
        (r.sku, r.location, r.available_quantity, r.product_available, r.at_reorder_point, r.below_threshold)
        for r in rows
    ]
    # R: 19 + 9 = 28 available <= 30, so both rows; S: 29 > 10 and no row at or below 2.
    assert listed == [("R", "WH2", 9, 28, True, False), ("R", "WH1", 19, 28, True, False)]
    assert reports.low_stock(reorder_points=False) == ()
    assert services.stock.stats().low_stock_count == 0  # the spec's count is by threshold only
    # Threshold 9: both WH2 rows (R first by SKU), then R at WH1 by its reorder point.
    assert [(r.sku, r.location) for r in reports.low_stock(9)] == [("R", "WH2"), ("S", "WH2"), ("R", "WH1")]
    assert [r.sku for r in reports.low_stock(9, store="MAIN", limit=1, offset=2)] == ["R"]


def test_an_export_that_cannot_be_written_is_a_sentence(
    shop: dict[str, str], reports: ReportService, tmp_path: Path
) -> None:
    target = tmp_path / "no such folder" / "low.csv"
    with pytest.raises(InvalidInput, match=r"^Cannot write .*low\.csv: No such file or directory\.$"):
        reports.export_low_stock(target)
    assert not target.parent.exists()


def test_the_ledger_filters_by_order_and_kind(services: Services, shop: dict[str, str], reports: ReportService) -> None:
    first = services.stock.ledger(order_number=shop["first"])
    assert {(e.sku, e.transaction_type, e.reserved_change) for e in first} == {
        ("A", TransactionType.RESERVE, 5),
        ("B", TransactionType.RESERVE, 3),
    }
    assert services.stock.ledger(order_number=shop["first"].lower()) == first  # typed in lower case
    reserves = services.stock.ledger(transaction_type="reserve")
    assert reserves and {e.transaction_type for e in reserves} == {TransactionType.RESERVE}
    assert len(reserves) == len([e for e in services.stock.ledger(limit=1000) if e.transaction_type == "reserve"])
    assert {
        e.order_number for e in services.stock.ledger(order_number=shop["web"], transaction_type=TransactionType.SET)
    } == set()
    with pytest.raises(InvalidInput, match="'restock' is not a kind of stock change; use one of reserve, release"):
        services.stock.ledger(transaction_type="restock")
    with pytest.raises(NotFound, match="There is no order ORD-X."):
        services.stock.ledger(order_number="ORD-X")


def test_the_ledger_filters_by_product_in_one_store_or_all(
    services: Services, shop: dict[str, str], reports: ReportService
) -> None:
    everywhere = services.stock.ledger(product="A")
    assert {e.store_code for e in everywhere} == {"MAIN", "WEB"} and {e.sku for e in everywhere} == {"A"}
    assert {e.store_code for e in services.stock.ledger(product="A", store="WEB")} == {"WEB"}
    by_gtin = services.stock.ledger(product="0" + GTIN_A)  # the GTIN-14 form of MAIN's A
    assert (
        by_gtin == services.stock.ledger(product="A", store="MAIN") == services.stock.ledger(store="MAIN", product="A")
    )
    assert {e.location for e in services.stock.ledger(location="wh2")} == {"WH2"}
    with pytest.raises(NotFound, match="No product has the SKU or GTIN 'NOPE'."):
        services.stock.ledger(product="NOPE")
    with pytest.raises(InvalidInput, match="wrong check digit"):
        services.stock.ledger(product=GTIN_A[:-1] + "2")
    with pytest.raises(InvalidInput, match="placeholder code"):
        services.stock.ledger(product="0000000000000")


def test_the_ledger_filters_by_dates_and_pages_back_by_id(
    services: Services, shop: dict[str, str], reports: ReportService
) -> None:
    now = utcnow()
    everything = services.stock.ledger(limit=1000)
    assert everything == services.stock.ledger(limit=1000)
    assert (
        services.stock.ledger(since=now - timedelta(hours=1), until=now + timedelta(hours=1), limit=1000) == everything
    )
    assert services.stock.ledger(since=now + timedelta(hours=1)) == ()
    assert services.stock.ledger(until=now - timedelta(days=1)) == ()
    naive = now.replace(tzinfo=None) - timedelta(hours=1)  # naive datetimes are taken as UTC
    assert services.stock.ledger(since=naive, limit=1000) == everything
    with pytest.raises(InvalidInput, match="The date range is empty: it ends before it starts."):
        services.stock.ledger(since=now, until=now)
    pages: list[LedgerEntry] = []
    before: int | None = None
    while True:
        page = services.stock.ledger(limit=3, before_id=before)
        if not page:
            break
        pages.extend(page)
        before = page[-1].id
    assert pages == list(everything)
