"""The performance budgets of ARCHITECTURE.md: budgets, measured as ratios or bounds within one run.

Run with ``pytest tests/perf -m perf`` (PostgreSQL parts need ORION_TEST_POSTGRES_URL).
The measured figures are printed in the terminal summary; RESULTS.md holds a recorded run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, inspect

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.order_results import OrderSummary
from orion_desktop.domain.results import StockRow

from .budgets import BudgetMissed, check_ratio, within_budget

pytestmark = pytest.mark.perf
LONG = pytest.mark.long
"""The budgets over 100k-1M rows (their data takes most of a minute to build) are long as well as perf:
`pytest -m perf` and .ci/run run them; `-m "perf and not long"` leaves them out of a quick check."""

ACTOR = Actor(name="perf", role=Role.MANAGER)
ADMIN = Actor(name="admin", role=Role.ADMIN)


# Budgets the product misses today (details and fixes in tests/perf/RESULTS.md). Not strict:
# timings on a shared machine vary; remove a marker once its fix is in. Only BudgetMissed is
# expected: a wrong result or an error still fails these tests.
MISSES_SKEWED_WORD_SEARCH = pytest.mark.xfail(
    raises=BudgetMissed,
    strict=False,
    reason="a word in 1/8 of the titles that the first store does not have at all: the first page needs "
    "every one of the 6,250 matching products (trigram index) or a walk past the first store's 25,000 "
    "(index order); measured 3.8-6.5x on PostgreSQL and 6.6-9.4x on SQLite on 21 Nov 2026; see RESULTS.md",
)


# --- (a) a reserve through the service costs at most 3x the raw DBAPI statements --------------


def _one(row: tuple[Any, ...] | None) -> tuple[Any, ...]:
    """The row a query that must find one found."""
    assert row is not None
    return row


class RawReserve:
    """The statements a reserve needs, written by hand on a bare psycopg connection.

    The same lookups the service has to make (store by code, product by SKU, location by code,
    the stock row), the conditional UPDATE ... RETURNING, the ledger INSERT from the returned
    values, and, where the schema has reservations, the hold row. One transaction, one commit.
    """

    def __init__(self, url: str, with_reservation: bool) -> None:
        self.connection = psycopg.connect(url)
        self.with_reservation = with_reservation

    def __call__(self, store: str, sku: str, location: str, quantity: int) -> tuple[int, int]:
        now = datetime.now(UTC)
        with self.connection.transaction():
            cursor = self.connection.cursor()
            store_id = _one(cursor.execute("SELECT id, code, name FROM stores WHERE code = %s", (store,)).fetchone())[0]
            product = cursor.execute(
                "SELECT p.id, p.store_id, s.code, p.sku, p.title, p.product_type, p.is_placeholder "
                "FROM products p JOIN stores s ON s.id = p.store_id WHERE p.store_id = %s AND p.sku = %s",
                (store_id, sku),
            ).fetchone()
            assert product is not None
            location_id = _one(cursor.execute("SELECT id FROM locations WHERE code = %s", (location,)).fetchone())[0]
            inventory_id = _one(
                cursor.execute(
                    "SELECT id FROM inventory WHERE product_id = %s AND location_id = %s", (product[0], location_id)
                ).fetchone()
            )[0]
            row = cursor.execute(
                "UPDATE inventory SET reserved_quantity = reserved_quantity + %(n)s, updated_at = %(now)s "
                "WHERE id = %(id)s AND quantity - reserved_quantity >= %(n)s "
                "RETURNING quantity, reserved_quantity",
                {"n": quantity, "now": now, "id": inventory_id},
            ).fetchone()
            assert row is not None, "the raw reserve ran out of stock"
            cursor.execute(
                "INSERT INTO inventory_transactions (store_id, product_id, location_id, transaction_type, "
                "quantity_change, reserved_change, quantity_after, reserved_after, order_id, order_number, reason, "
                "created_by, created_at, operation_key) "
                "VALUES (%s, %s, %s, 'reserve', 0, %s, %s, %s, NULL, NULL, NULL, %s, %s, NULL)",
                (product[1], product[0], location_id, quantity, row[0], row[1], "perf", now),
            )
            if self.with_reservation:
                cursor.execute(
                    "INSERT INTO inventory_reservations (inventory_id, location_id, order_id, order_item_id, "
                    "quantity_reserved, quantity_fulfilled, quantity_released, status, expires_at, notes, "
                    "created_by, reserved_at, updated_at) "
                    "VALUES (%s, %s, NULL, NULL, %s, 0, 0, 'active', NULL, NULL, %s, %s, %s)",
                    (inventory_id, location_id, quantity, "perf", now, now),
                )
        return row

    def close(self) -> None:
        self.connection.close()


class Replay:
    """Exactly the statements one service call sent, re-sent through bare psycopg.

    service / replay is the cost of the Python layers (SQLAlchemy, session, dataclasses);
    replay / raw is the cost of any statements the service sends beyond the necessary ones.
    """

    def __init__(self, url: str, statements: list[tuple[str, Any]]) -> None:
        self.connection = psycopg.connect(url)
        self.statements = statements

    def __call__(self) -> None:
        with self.connection.transaction():
            cursor = self.connection.cursor()
            for statement, parameters in self.statements:
                cursor.execute(statement, parameters)

    def close(self) -> None:
        self.connection.close()


def _cpu_ms(call: Any, runs: int) -> float:
    started = time.process_time()
    for _ in range(runs):
        call()
    return (time.process_time() - started) * 1000 / runs


def _capture(database: Database, call: Any) -> list[tuple[str, Any]]:
    captured: list[tuple[str, Any]] = []

    def listener(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        captured.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", listener)
    try:
        call()
    finally:
        event.remove(database.engine, "before_cursor_execute", listener)
    return captured


def test_a_reserve_through_the_service_costs_at_most_3x_the_raw_statements(perf_database: Any, perf: Any) -> None:
    database = perf_database("postgresql", "reserve")
    services = Services.on(database)
    services.catalog.add_store(ADMIN, "MAIN", "Main")
    services.catalog.add_product(ACTOR, store="MAIN", sku="HOT", title="Hot seller")
    services.catalog.add_product(ACTOR, store="MAIN", sku="RAW", title="Raw seller")
    for sku in ("HOT", "RAW"):
        services.inventory.adjust(ACTOR, store="MAIN", product=sku, location="PICK-1", delta=10**8, reason="stock")
    with database.engine.connect() as conn:
        with_reservation = inspect(conn).has_table("inventory_reservations")

    def service_reserve() -> None:
        services.inventory.reserve(ACTOR, store="MAIN", product="HOT", location="PICK-1", quantity=1)

    url = database.url.set(drivername="postgresql").render_as_string(hide_password=False)
    raw = RawReserve(url, with_reservation)
    replay = Replay(url, _capture(database, service_reserve))
    def raw_reserve() -> None:
        raw("MAIN", "RAW", "PICK-1", 1)

    try:
        service, raw_time = perf.measure_pair(service_reserve, raw_reserve, runs=300, warmup=50)
        _service_again, replayed = perf.measure_pair(service_reserve, replay, runs=150, warmup=10)
        # Client-side CPU per call: unlike wall time, hardly affected by load on the machine.
        cpu = {name: _cpu_ms(call, 100) for name, call in (("service", service_reserve), ("raw", raw_reserve))}
    finally:
        raw.close()
        replay.close()
    ratio = service.median_ms / raw_time.median_ms
    perf.record(
        f"(a) reserve, PostgreSQL: service {service}; raw psycopg {raw_time}; ratio {ratio:.2f}x (budget 3x). "
        f"Replay of the service's own {len(replay.statements)} statements: {replayed} "
        f"(service/replay {service.median_ms / replayed.median_ms:.2f}x, "
        f"replay/raw {replayed.median_ms / raw_time.median_ms:.2f}x). "
        f"Client CPU per call: service {cpu['service']:.2f} ms, raw {cpu['raw']:.2f} ms. "
        f"Load average {os.getloadavg()[0]:.1f}"
    )
    check_ratio("reserve (a)", database="postgresql", size="1 row", service_ms=service.median_ms,
                baseline_ms=raw_time.median_ms, budget=3.0)


# --- (b) stats and low stock over 300k stock rows under 150 ms --------------------------------


@pytest.fixture(scope="module")
def stock_300k(perf_database: Any, perf: Any) -> Any:
    """Built on first use per backend, so a run of one backend does not fill the other."""
    cache: dict[str, Any] = {}

    def get(backend: str) -> Any:
        if backend not in cache:
            cache[backend] = perf.fill_stock(
                perf_database(backend, "stock300k"), products=100_000, locations_per_product=3
            )
        return cache[backend]

    return get


@LONG
@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_stats_over_300k_stock_rows_under_150_ms(backend: str, stock_300k: Any, perf: Any) -> None:
    data = stock_300k(backend)
    queries = Services.on(data.database).stock
    stats = queries.stats()
    assert stats.total_entries == data.stock_rows == 300_000
    assert stats.low_stock_count == data.low_rows
    timing = perf.measure(queries.stats, runs=7)
    perf.record(f"(b) stats(), {backend}, {data.stock_rows} stock rows: {timing} (budget 150 ms)")
    within_budget(timing.median_ms < 150, f"stats() took {timing.median_ms:.0f} ms (budget 150 ms)")


@LONG
@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_low_stock_over_300k_stock_rows_under_150_ms(backend: str, stock_300k: Any, perf: Any) -> None:
    data = stock_300k(backend)
    queries = Services.on(data.database).stock
    assert len(queries.low_stock()) == data.low_rows
    page = perf.measure(lambda: queries.low_stock(limit=200), runs=7)
    everything = perf.measure(queries.low_stock, runs=5)
    perf.record(
        f"(b) low_stock(), {backend}, {data.stock_rows} stock rows: first page of 200 {page}; "
        f"all {data.low_rows} low rows {everything} (budget 150 ms)"
    )
    within_budget(page.median_ms < 150, f"a page of low stock took {page.median_ms:.0f} ms (budget 150 ms)")
    within_budget(everything.median_ms < 150, f"all low stock took {everything.median_ms:.0f} ms (budget 150 ms)")


@LONG
@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_the_low_stock_report_over_300k_stock_rows_under_150_ms(backend: str, stock_300k: Any, perf: Any) -> None:
    """The Low stock page's query: thresholds, reorder points and the backorders waiting."""
    data = stock_300k(backend)
    reports = Services.on(data.database).reports
    rows = reports.low_stock()
    assert sum(not row.at_reorder_point for row in rows) == data.low_rows  # the rest only for their reorder point
    assert any(row.at_reorder_point and not row.below_threshold for row in rows)
    page = perf.measure(lambda: reports.low_stock(limit=200), runs=7)
    deep = perf.measure(lambda: reports.low_stock(limit=200, offset=len(rows) - 200), runs=5)
    perf.record(
        f"(b) the low-stock report, {backend}, {data.stock_rows} stock rows, {len(rows)} listed: "
        f"first page {page}; last page {deep} (budget 150 ms)"
    )
    within_budget(page.median_ms < 150, f"the first page took {page.median_ms:.0f} ms (budget 150 ms)")
    within_budget(deep.median_ms < 150, f"the last page took {deep.median_ms:.0f} ms (budget 150 ms)")


# --- (c) verify over 1M ledger rows under 10 s ----------------------------------------------


@LONG
def test_verify_over_1m_ledger_rows_under_10_s(backend: str, perf_database: Any, perf: Any) -> None:
    database = perf_database(backend, "ledger1m")
    ledger_rows = perf.fill_ledger(database, inventory_rows=100_000, steps=10)
    queries = Services.on(database).stock
    timing = perf.measure(queries.verify, runs=1, warmup=0)
    report = queries.verify()
    perf.record(
        f"(c) verify(), {backend}, {ledger_rows} ledger rows over {report.rows_checked} stock rows: "
        f"{timing} (budget 10 s)"
    )
    assert report.ledger_rows == ledger_rows == 1_000_000
    assert report.rows_checked == 100_000
    assert report.ok, report
    within_budget(timing.median_ms < 10_000, f"verify() took {timing.median_ms / 1000:.1f} s (budget 10 s)")


# --- (d) a page of stock at 100k rows costs at most 2x the same page at 1k rows ---------------

SEARCHES = {
    "no search": None,
    "word in 1/8 of titles": "gadget",
    "one SKU": "SKU-0000421",
    "nothing matches": "zzzz",
}


def _stock_listings(perf_database: Any, perf: Any, *, skewed: bool) -> Any:
    """``get(backend, rows)``: ``rows`` stock rows (two per product), built on first use and kept."""
    cache: dict[tuple[str, int], Any] = {}

    def get(backend: str, rows: int) -> Any:
        if (backend, rows) not in cache:
            name = f"{'skewed' if skewed else 'list'}{rows}"
            cache[(backend, rows)] = perf.fill_stock(
                perf_database(backend, name), products=rows // 2, locations_per_product=2, skewed=skewed
            )
        return cache[(backend, rows)]

    return get


@pytest.fixture(scope="module")
def listing_data(perf_database: Any, perf: Any) -> Any:
    return _stock_listings(perf_database, perf, skewed=False)


@pytest.fixture(scope="module")
def skewed_listing_data(perf_database: Any, perf: Any) -> Any:
    """Words and stores share a factor: every "gadget" sits in the second store."""
    return _stock_listings(perf_database, perf, skewed=True)


@LONG
@pytest.mark.parametrize("search", list(SEARCHES))
@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_a_page_of_stock_at_100k_rows_costs_at_most_2x_the_page_at_1k_rows(
    backend: str, search: str, listing_data: Any, perf: Any
) -> None:
    _compare_first_pages(backend, listing_data, perf, search=SEARCHES[search])


@LONG
@MISSES_SKEWED_WORD_SEARCH
@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_a_word_the_first_store_lacks_costs_at_most_2x_at_100k_rows(
    backend: str, skewed_listing_data: Any, perf: Any
) -> None:
    """The worst case for the first page: 1/8 of the rows match, none of them in the first store."""
    _compare_first_pages(backend, skewed_listing_data, perf, search="gadget", label="skewed ")


@LONG
@pytest.mark.parametrize("sort", ["quantity", "available", "product", "gtin"])
@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_a_page_sorted_by_a_column_at_100k_rows(backend: str, sort: str, listing_data: Any, perf: Any) -> None:
    """A header click: the first page in another order than the index walk of the default one."""
    _compare_first_pages(backend, listing_data, perf, sort=sort)


def _compare_first_pages(
    backend: str, data: Any, perf: Any, *, search: str | None = None, sort: str | None = None, label: str = ""
) -> None:
    small = data(backend, 1_000)
    large = data(backend, 100_000)

    def page(of: Any) -> Callable[[], Sequence[StockRow]]:
        queries = Services.on(of.database).stock
        return lambda: queries.list_stock(limit=200, search=search, sort=sort)

    if search is None:
        assert len(page(large)()) == 200 and len(page(small)()) == 200
    else:
        assert all(search.lower() in row.title.lower() or search.lower() in row.sku.lower() for row in page(large)())
    small_time, large_time = perf.measure_pair(page(small), page(large), runs=11, warmup=3)
    ratio = large_time.median_ms / small_time.median_ms
    perf.record(
        f"(d) {label}list_stock(limit=200, search={search!r}, sort={sort!r}), {backend}: 1k rows {small_time}; "
        f"100k rows {large_time}; ratio {ratio:.1f}x (budget 2x)"
    )
    within_budget(ratio <= 2.0, f"a page at 100k rows costs {ratio:.1f}x the page at 1k rows (budget 2x)")


# Deep pages where the sort's first term has long runs of equal values, which no index range
# can skip into (the run is walked from its start, or sorted): the measured worst cases.
_ONE_RUN_OF_NO_GTIN = (
    "every product of the test data lacks a GTIN, so the GTIN order is one run of 50,000 equal values tied by "
    "product id; neither database starts an index range inside it (PostgreSQL misestimates the row comparison "
    "and sorts): 41 ms PostgreSQL, 23 ms SQLite at row 75,000 (14.7-18.9x) on 21 Nov 2026"
)
_CROWDED_LOCATIONS = (
    "the test data holds 2,500 stock rows per location (40 locations), which are sorted by id within the "
    "cursor's location: 10 ms PostgreSQL, 7 ms SQLite at row 75,000 (3.6-5.0x) on 21 Nov 2026"
)
DEEP_PAGE_MISSES: dict[tuple[str, str | None], str] = {
    ("postgresql", "gtin"): _ONE_RUN_OF_NO_GTIN,
    ("sqlite", "gtin"): _ONE_RUN_OF_NO_GTIN,
    ("postgresql", "location"): _CROWDED_LOCATIONS,
    ("sqlite", "location"): _CROWDED_LOCATIONS,
    ("sqlite", "reserved"): "reserved is 0-4 in the test data, runs of 20,000 equal values, and SQLite 3.40 starts "
    "the range at (reserved > ?) rather than at (reserved, id): 2.6 ms against 1.1 ms (2.3-2.4x) at row 75,000 "
    "(PostgreSQL 1.1x) on 21 Nov 2026",
}


@LONG
@pytest.mark.parametrize(
    ("backend", "sort"),
    [
        pytest.param(
            backend,
            sort,
            marks=[pytest.mark.xfail(raises=BudgetMissed, strict=False, reason=DEEP_PAGE_MISSES[(backend, sort)])]
            if (backend, sort) in DEEP_PAGE_MISSES
            else [],
        )
        for backend in ("postgresql", "sqlite")
        for sort in (None, "product", "sku", "gtin", "location", "quantity", "reserved", "available")
    ],
)
def test_a_deep_page_of_stock_by_keyset_costs_at_most_2x_the_first_page_at_1k_rows(
    backend: str, sort: str | None, listing_data: Any, perf: Any
) -> None:
    """Row 75,000 of 100k: ``after`` (keyset) stays as cheap as the first page, in every sort
    order the table offers; OFFSET does not."""
    small = Services.on(listing_data(backend, 1_000).database).stock
    large = Services.on(listing_data(backend, 100_000).database).stock
    depth = 75_000
    cursor = large.list_stock(limit=1, offset=depth - 1, sort=sort)[0]
    by_offset = large.list_stock(limit=200, offset=depth, sort=sort)
    assert large.list_stock(limit=200, after=cursor, sort=sort) == by_offset and len(by_offset) == 200
    first, keyset = perf.measure_pair(
        lambda: small.list_stock(limit=200, sort=sort),
        lambda: large.list_stock(limit=200, after=cursor, sort=sort),
        runs=9,
        warmup=2,
    )
    offset = perf.measure(lambda: large.list_stock(limit=200, offset=depth, sort=sort), runs=3, warmup=1)
    ratio = keyset.median_ms / first.median_ms
    perf.record(
        f"(d) list_stock(limit=200, sort={sort!r}) at row {depth} of 100k, {backend}: after= {keyset}; "
        f"offset= {offset}; first page at 1k rows {first}; keyset ratio {ratio:.1f}x (budget 2x)"
    )
    within_budget(ratio <= 2.0, f"a keyset page at row {depth} costs {ratio:.1f}x the first page at 1k rows")


# --- (d) a page of orders at 100k orders costs at most 2x the same page at 1k orders ----------

ORDER_FILTERS: dict[str, dict[str, Any]] = {
    "no filter": {},
    "status (1/6 of orders)": {"status": "shipped"},
    "order number": {"search": "ORD-0000421"},
    "part of an order number": {"search": "0000421"},
    "surname (1/8 of customers)": {"search": "garcia"},
    "one customer's name": {"search": "Femi Nakamura 421"},
    "nothing matches": {"search": "zzzz"},
    # Header clicks: sorted in SQL, walked through migration 0004's indexes where one exists.
    "sorted by customer": {"sort": "customer"},
    "sorted by creation, oldest first": {"sort": "created"},
    "sorted by number, descending": {"sort": "number", "descending": True},
    "sorted by status": {"sort": "status"},
}


@pytest.fixture(scope="module")
def order_data(perf_database: Any, perf: Any) -> Any:
    cache: dict[tuple[str, int], Any] = {}

    def get(backend: str, orders: int) -> Any:
        if (backend, orders) not in cache:
            cache[(backend, orders)] = perf.fill_orders(perf_database(backend, f"orders{orders}"), orders=orders)
        return cache[(backend, orders)]

    return get


@LONG
@pytest.mark.parametrize("filters", list(ORDER_FILTERS))
@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_a_page_of_orders_at_100k_orders_costs_at_most_2x_the_page_at_1k_orders(
    backend: str, filters: str, order_data: Any, perf: Any
) -> None:
    small = order_data(backend, 1_000)
    large = order_data(backend, 100_000)
    arguments = ORDER_FILTERS[filters]

    def page(data: Any) -> Callable[[], Sequence[OrderSummary]]:
        queries = Services.on(data.database).order_queries
        return lambda: queries.list_orders(limit=200, **arguments)

    first = page(large)()
    if "search" not in arguments or arguments.get("search") == "garcia":
        assert len(first) == 200
        assert all(o.item_count == 2 for o in first)
    if arguments.get("search") in ("ORD-0000421", "0000421"):
        assert [o.order_number for o in first] == ["ORD-0000421"]
    small_time, large_time = perf.measure_pair(page(small), page(large), runs=11, warmup=3)
    ratio = large_time.median_ms / small_time.median_ms
    perf.record(
        f"(d) list_orders(limit=200, {arguments}), {backend}: 1k orders {small_time}; "
        f"100k orders {large_time}; ratio {ratio:.1f}x (budget 2x)"
    )
    within_budget(ratio <= 2.0, f"a page at 100k orders costs {ratio:.1f}x the page at 1k orders (budget 2x)")


@LONG
@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_order_status_counts_over_100k_orders_under_150_ms(backend: str, order_data: Any, perf: Any) -> None:
    """The dashboard's counts: an aggregate over every order, held to the stats budget."""
    data = order_data(backend, 100_000)
    queries = Services.on(data.database).order_queries
    counts = queries.status_counts()
    assert sum(counts.values()) == data.orders
    timing = perf.measure(queries.status_counts, runs=7)
    perf.record(f"(b) status_counts(), {backend}, {data.orders} orders: {timing} (budget 150 ms)")
    within_budget(timing.median_ms < 150, f"status_counts() took {timing.median_ms:.0f} ms (budget 150 ms)")


# Store scoping (issue 14): the reads of a user of one of the two stores. The scope is an IN on
# the store (a semi-join in SQL), so their page must cost about what everyone's page costs.
SCOPED_READS: dict[str, Callable[[Services], Sequence[Any]]] = {
    "stock page": lambda s: s.stock.list_stock(limit=200),
    "stock page sorted by quantity": lambda s: s.stock.list_stock(limit=200, sort="quantity"),
    "stock search": lambda s: s.stock.list_stock(limit=200, search="gadget"),
    "order page": lambda s: s.order_queries.list_orders(limit=200),
    "low-stock report page": lambda s: s.reports.low_stock(limit=200),
}


@pytest.mark.parametrize("read", list(SCOPED_READS))
@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_a_page_scoped_to_one_store_costs_at_most_2x_the_page_of_every_store(
    backend: str, read: str, listing_data: Any, order_data: Any, perf: Any
) -> None:
    data = order_data(backend, 100_000) if read == "order page" else listing_data(backend, 100_000)
    everyone = Services.on(data.database)
    own = Database(data.database.url)  # its own scope: the shared data's Database stays unscoped
    try:
        mine = Services.on(own)
        store = everyone.catalog.list_stores()[0].code
        mine.scope_reads_to(Actor(name="perf", role=Role.MANAGER, store_codes=frozenset({store})))
        call = SCOPED_READS[read]
        page = call(mine)
        assert len(page) > 0 and {row.store_code for row in page} == {store}
        all_time, own_time = perf.measure_pair(lambda: call(everyone), lambda: call(mine), runs=11, warmup=3)
    finally:
        own.dispose()
    ratio = own_time.median_ms / all_time.median_ms
    perf.record(
        f"(d) {read} scoped to one of two stores, {backend}, 100k rows: every store {all_time}; "
        f"one store {own_time}; ratio {ratio:.1f}x (budget 2x)"
    )
    within_budget(ratio <= 2.0, f"the page of one store costs {ratio:.1f}x the page of every store (budget 2x)")
