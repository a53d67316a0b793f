"""Stock listing order and paging, searches through the trigram indexes, low stock and stats.

The fast paths of ARCHITECTURE.md: budgets (index-ordered pages, keyset paging, FTS5 candidates on SQLite,
the low-stock bound) must give exactly the results of the plain queries. Every test runs on
SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers import ADMIN

from orion_desktop.bootstrap import Services
from orion_desktop.domain.errors import InvalidInput
from orion_desktop.domain.order_results import OrderLine
from orion_desktop.domain.results import StockRow
from orion_desktop.services import catalog

# Stores created out of code order: ANNEX gets the largest id, so ordering by id is not code order
# (and the stores from MAIN on are in id order, a trap for keyset paging).
STORES = ("MAIN", "OUTLET", "ANNEX")
LOCATIONS = (("B-02", 1), ("A-01", 2), ("C-03", 2), ("SHELF", 0))
TITLES = (
    "Widget A", "Widget B", "100% Cotton shirt", "snake_case mug", 'The "quoted" lamp', "Äpfel Saft",
    "STRASSE map", "Straße atlas", "gadget deluxe", "Gadget mini", "plain bolt", "x",
)


def _stock(services: Services, stores: tuple[str, ...] = STORES) -> None:
    for code, sort_key in LOCATIONS:
        services.catalog.add_location(ADMIN, code, sort_key=sort_key)
    for s, store in enumerate(stores):
        services.catalog.add_store(ADMIN, store, f"Store {store}")
        for t, title in enumerate(TITLES):
            # SKUs out of title order, one product without stock, thresholds 0, 3 and the default.
            sku = f"S{(t * 7) % len(TITLES):02d}-{store[:2]}"
            threshold = {0: 0, 1: 3}.get(t % 4)
            services.catalog.add_product(ADMIN, store=store, sku=sku, title=title, low_stock_threshold=threshold)
            if t == 5 and s == 1:
                continue
            for k, (location, _key) in enumerate(LOCATIONS[: 1 + (t + s) % len(LOCATIONS)]):
                quantity = (t * 5 + k * 3 + s) % 17
                services.inventory.set_quantity(ADMIN, store=store, product=sku, location=location, quantity=quantity)
                if quantity > 4 and k == 0:
                    services.inventory.reserve(ADMIN, store=store, product=sku, location=location, quantity=2)


def _key(row: StockRow) -> tuple[str, str, int, str]:
    sort_key = dict(LOCATIONS)[row.location]
    return (row.store_code, row.sku, sort_key, row.location)


@pytest.fixture
def stocked(services: Services) -> Services:
    _stock(services)
    return services


FILTERS: list[dict[str, Any]] = [
    {},
    {"store": "main"},
    {"location": "a-01"},
    {"low_stock": 4},
    {"low_stock_only": True},
    {"search": "widget"},
    {"search": "get"},
    {"store": "OUTLET", "search": "a"},
]


def test_pages_by_offset_and_by_keyset_give_the_whole_list_in_store_code_order(stocked: Services) -> None:
    for filters in FILTERS:
        whole = stocked.stock.list_stock(**filters)
        assert whole, filters
        assert [_key(r) for r in whole] == sorted(_key(r) for r in whole), filters
        assert len({r.inventory_id for r in whole}) == len(whole), filters
        for size in (1, 4):
            by_offset = [
                row for start in range(0, len(whole) + size, size)
                for row in stocked.stock.list_stock(**filters, limit=size, offset=start)
            ]
            assert tuple(by_offset) == whole, (filters, size)
            by_keyset: list[StockRow] = []
            while True:
                page = stocked.stock.list_stock(**filters, limit=size, after=by_keyset[-1] if by_keyset else None)
                by_keyset += page
                if len(page) < size:
                    break
            assert tuple(by_keyset) == whole, (filters, size)
        for i in range(0, len(whole), 3):  # everything after any row, across the stores that follow
            assert stocked.stock.list_stock(**filters, after=whole[i]) == whole[i + 1 :], (filters, i)


def test_stores_created_in_code_order_list_the_same_way(services: Services) -> None:
    _stock(services, stores=("ANNEX", "MAIN", "OUTLET"))
    whole = services.stock.list_stock()
    assert [_key(r) for r in whole] == sorted(_key(r) for r in whole)
    assert services.stock.list_stock(limit=5, offset=4) == whole[4:9]
    assert services.stock.list_stock(limit=5, after=whole[3]) == whole[4:9]
    assert services.stock.list_stock(store="OUTLET", limit=2, after=whole[-3]) == whole[-2:]


def test_keyset_paging_survives_a_deleted_row_and_location(stocked: Services) -> None:
    whole = stocked.stock.list_stock()
    last = next(r for r in whole[10:] if not r.reserved_quantity)
    at = whole.index(last)
    stocked.inventory.delete_entry(ADMIN, store=last.store_code, product=last.sku, location=last.location)
    assert stocked.stock.list_stock(after=last, limit=3) == whole[at + 1 : at + 4]
    assert stocked.stock.list_stock(after=last, store=last.store_code, limit=2) == tuple(
        r for r in whole[at + 1 :] if r.store_code == last.store_code
    )[:2]
    gone = StockRow(0, last.store_code, 0, last.sku, None, "", "NO-SUCH-PLACE", 0, 0)
    whole = stocked.stock.list_stock()
    after_product = [r for r in whole if (r.store_code, r.sku) > (last.store_code, last.sku)]
    assert list(stocked.stock.list_stock(after=gone, limit=4)) == after_product[:4]
    gone_store = StockRow(0, "NAIN", 0, "", None, "", "A-01", 0, 0)  # between MAIN and OUTLET
    assert stocked.stock.list_stock(after=gone_store) == tuple(r for r in whole if r.store_code > "NAIN")
    assert stocked.stock.list_stock(after=whole[-1]) == ()
    # Sorted by product, a cursor at a gone location goes on with the next product.
    by_product = stocked.stock.list_stock(sort="product")
    mid = by_product[len(by_product) // 2]
    gone_sorted = StockRow(0, mid.store_code, mid.product_id, mid.sku, None, mid.title, "NO-SUCH-PLACE", 0, 0)
    later = [r for r in by_product if (r.title.lower(), r.product_id) > (mid.title.lower(), mid.product_id)]
    assert list(stocked.stock.list_stock(sort="product", after=gone_sorted)) == later


SEARCHES = [
    "widget", "WIDGET b", "100%", "e_c", '"quoted"', "äpfel", "ÄPFEL", "straße", "strasse", "ss", "x", "ge",
    "gadget", "  Gadget  ", "s03-ma", "S11-OU", "zzz", "t A", "lamp",
]


def test_searches_through_the_index_find_exactly_what_the_plain_like_finds(
    stocked: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    indexed = {search: stocked.stock.list_stock(search=search) for search in SEARCHES}
    monkeypatch.setattr(catalog, "FTS_TAIL_CAP", 1)  # never narrow by the last characters alone
    full_phrase = {search: stocked.stock.list_stock(search=search) for search in SEARCHES}
    monkeypatch.setattr(catalog, "search_candidates", lambda *args: None)  # the LIKE alone
    plain = {search: stocked.stock.list_stock(search=search) for search in SEARCHES}
    assert indexed == plain
    assert full_phrase == plain
    assert plain["widget"] and plain["äpfel"] is not None and plain["zzz"] == ()


def test_common_texts_scan_in_order_and_find_the_same(stocked: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = stocked.stock.list_stock(search="widget")
    monkeypatch.setattr(catalog, "FTS_CANDIDATE_CAP", 2)  # "widget": 6 products, so "too common"
    assert stocked.stock.list_stock(search="widget") == expected
    assert len(expected) > 2


def test_low_stock_and_stats_agree_with_the_rows(stocked: Services) -> None:
    rows = stocked.stock.list_stock()
    thresholds = {
        p.sku: (p.low_stock_threshold if p.low_stock_threshold is not None else 10)
        for p in stocked.catalog.list_products()
    }
    low = sorted(
        (r.available_quantity, r.sku, r.location) for r in rows if r.available_quantity <= thresholds[r.sku]
    )
    listed = stocked.stock.low_stock()
    assert [(r.available_quantity, r.sku, r.location) for r in listed] == low
    assert stocked.stock.low_stock(limit=3) == listed[:3]
    only = stocked.stock.list_stock(low_stock_only=True)
    assert {(r.sku, r.location) for r in only} == {(sku, location) for _a, sku, location in low}
    assert {(r.sku, r.location) for r in stocked.stock.low_stock(12)} == {
        (r.sku, r.location) for r in rows if r.available_quantity <= 12
    }
    stats = stocked.stock.stats()
    assert stats.low_stock_count == len(low)
    assert stats.total_entries == len(rows)
    assert stats.total_quantity == sum(r.quantity for r in rows)
    assert stats.total_reserved == sum(r.reserved_quantity for r in rows)
    assert stats.stores_with_inventory == len({r.store_code for r in rows})
    assert stats.unique_locations == len({r.location for r in rows})


def test_a_threshold_above_the_default_counts_through_the_bound(stocked: Services) -> None:
    """The low-stock bound is the highest threshold, not the default of 10."""
    row = max(stocked.stock.list_stock(), key=lambda r: r.available_quantity)
    before = stocked.stock.stats().low_stock_count
    stocked.catalog.add_product(ADMIN, store=row.store_code, sku="BIG", title="Big", low_stock_threshold=500)
    stocked.inventory.set_quantity(ADMIN, store=row.store_code, product="BIG", location="A-01", quantity=400)
    assert stocked.stock.stats().low_stock_count == before + 1
    assert [r.sku for r in stocked.stock.low_stock()][-1] == "BIG"
    assert "BIG" in {r.sku for r in stocked.stock.list_stock(low_stock_only=True)}


# --- orders ---------------------------------------------------------------------------------


@pytest.fixture
def ordered(stocked: Services) -> Services:
    customers = ["Ada Lovelace", "Grace Hopper", "Äda Straße", "100% Percent", None, "snake_case Co"]
    for n, customer in enumerate(customers * 2):
        stocked.orders.create_order(
            ADMIN, store="MAIN", customer=customer, number=f"ORD-{n:04d}" if n % 3 else None,
            lines=[OrderLine(f"S{(n * 7) % 12:02d}-MA", 1 + n % 3), OrderLine(f"S{(n * 5 + 1) % 12:02d}-MA", 2)],
        )
    return stocked


# "zzzu" matches nothing: a generated number's tail never holds a U (ORDER_SUFFIX_ALPHABET).
ORDER_SEARCHES = ["ada", "ÄDA", "straße", "100%", "e_c", "ord-0001", "ORD-0004", "0004", "ss", "zzzu", "hop"]


def test_order_searches_find_exactly_what_the_plain_like_finds(
    ordered: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    import orion_desktop.services.orders.queries as order_queries

    def search_all() -> dict[str, object]:
        return {search: ordered.order_queries.list_orders(search=search) for search in ORDER_SEARCHES}

    indexed = search_all()
    monkeypatch.setattr(catalog, "FTS_TAIL_CAP", 1)
    full_phrase = search_all()
    monkeypatch.setattr(order_queries, "search_candidates", lambda *args: None)
    plain = search_all()
    assert indexed == plain
    assert full_phrase == plain
    assert plain["ada"] and plain["zzzu"] == ()


def test_order_pages_carry_their_item_totals(ordered: Services) -> None:
    orders = ordered.order_queries.list_orders()
    assert [o.id for o in orders] == sorted((o.id for o in orders), reverse=True)
    for summary in orders:
        detail = ordered.order_queries.get_order(summary.order_number)
        assert summary.item_count == len(detail.items)
        assert summary.ordered_units == sum(i.quantity for i in detail.items)
        assert summary.shipped_units == sum(i.shipped_quantity for i in detail.items)
    assert ordered.order_queries.list_orders(limit=3, before_id=orders[2].id) == orders[3:6]
    pending = ordered.order_queries.list_orders(status="pending", limit=4)
    assert pending == tuple(o for o in orders if o.status.value == "pending")[:4]
    assert ordered.order_queries.list_orders(search="zzzu") == ()


def _picking(row: StockRow) -> tuple[int, str]:
    return (dict(LOCATIONS)[row.location], row.location)


# What each sort orders by, ties included (the order is unique per row).
SORT_KEYS = {
    "product": lambda r: (r.title.lower(), r.product_id, _picking(r)),
    "sku": lambda r: (r.sku, r.product_id, _picking(r)),
    "gtin": lambda r: (r.gtin or "", r.product_id, _picking(r)),
    "location": lambda r: (_picking(r), r.inventory_id),
    "quantity": lambda r: (r.quantity, r.inventory_id),
    "reserved": lambda r: (r.reserved_quantity, r.inventory_id),
    "available": lambda r: (r.available_quantity, r.product_id, _picking(r)),
}


@pytest.mark.parametrize("sort", sorted(SORT_KEYS))
def test_sorted_listings_match_a_sort_of_every_row_and_page_by_keyset(stocked: Services, sort: str) -> None:
    # EAN-13, EAN-8 and UPC-A: stored as 14 digits, shown as 13; the order is the same.
    for i, code in enumerate(("4006381333931", "96385074", "036000291452")):
        stocked.catalog.add_product(ADMIN, store="MAIN", sku=f"G{i}", title=f"Coded {i}", gtin=code)
        stocked.inventory.set_quantity(ADMIN, store="MAIN", product=f"G{i}", location="A-01", quantity=i + 1)
    for filters in ({}, {"store": "outlet"}, {"search": "get"}, {"low_stock_only": True}):
        rows = stocked.stock.list_stock(**filters)
        for descending in (False, True):
            expected = tuple(sorted(rows, key=SORT_KEYS[sort], reverse=descending))
            whole = stocked.stock.list_stock(**filters, sort=sort, descending=descending)
            assert whole == expected, (filters, descending)
            for size in (2, 7):  # an even and an odd page size, so pages end on ties and between them
                paged: list[StockRow] = []
                while True:
                    page = stocked.stock.list_stock(
                        **filters, sort=sort, descending=descending, limit=size, after=paged[-1] if paged else None
                    )
                    paged += page
                    if len(page) < size:
                        break
                assert tuple(paged) == whole, (filters, descending, size)


def test_an_unknown_sort_key_is_refused_with_the_keys_there_are(stocked: Services) -> None:
    with pytest.raises(InvalidInput, match="Sort by one of: product, sku"):
        stocked.stock.list_stock(sort="colour")
