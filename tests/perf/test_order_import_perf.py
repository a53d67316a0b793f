"""Issue 12: an order CSV import costs at most 3x a raw ``executemany`` of the same rows.

The service imports a file of LINES lines (two lines per order, so LINES / 2 pending orders)
through ``Services.importing``; alternately in the same run, a bare DBAPI ``executemany``
writes the same rows with the least work the change needs: the orders, their items and one
``created`` history row per order, in one transaction, with every id already known (the orders
get explicit ids). The ratio is what the service adds: reading and checking the file, resolving
SKUs, the checks against orders already in the database, SQLAlchemy.

LINES defaults to a CI-friendly 10,000; the budget in the issue is at 50,000
(``ORION_PERF_ORDER_LINES=50000``). Files and raw rows are prepared before the clock starts; the
service and the raw writer use different order numbers, fresh in every round.

After the warm-up import both tests run ``VACUUM ANALYZE``, as autovacuum would within a minute on a
real database. Without it PostgreSQL kept plans made while the order tables held a hundred rows (its
statistics said empty) and both sides slowed with every round: service 3.9, 13.6 s and raw 8.5,
18.1 s at 10k lines, against 1.4 and 0.8 s with fresh statistics (5 Dec 2026). Every figure of
this test before that date measured that state, not the import.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role

from .budgets import within_budget

# Long (big datasets, minutes): run by `pytest -m perf` (and .ci/run), in one process, as every budget.
pytestmark = [pytest.mark.perf, pytest.mark.long]

LINES = int(os.environ.get("ORION_PERF_ORDER_LINES", "10000"))
PRODUCTS = 1_000
BUDGET = 3.0
RUNS = 2
MANAGER = Actor(name="perf", role=Role.MANAGER)
SQLITE_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DateTime in SQLite
_ATTEMPTS = itertools.count(1)
HEADER = "order_number,store,customer,email,channel,product,quantity"
STOCK_PER_PRODUCT = 1_000_000_000


@dataclass(frozen=True)
class Shop:
    """One database with store MAIN and PRODUCTS products SKU-0000001.. (ids ascending with the SKU)."""

    database: Database
    services: Services
    store_id: int
    products: dict[int, tuple[int, str, str]]  # n -> (id, title, sku)
    folder: Path
    stock: dict[int, tuple[int, int]]  # product id -> (its stock row at PICK-1, the location's id)


def _run(database: Database, *statements: str) -> None:
    """Statements in one transaction on a bare DBAPI connection (SQLite runs it in autocommit mode)."""
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if database.is_sqlite:
            cursor.execute("BEGIN IMMEDIATE")
        for statement in statements:
            cursor.execute(statement)
        if database.is_sqlite:
            cursor.execute("COMMIT")
        else:
            raw.commit()
    finally:
        raw.close()


def _rows(database: Database, sql: str) -> list[tuple[Any, ...]]:
    with database.engine.connect() as conn:
        return [tuple(row) for row in conn.exec_driver_sql(sql).all()]


@pytest.fixture(scope="module")
def shop(perf_database: Any, perf: Any, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Shop]:
    """``shop(backend)``: built on first use per backend, so a run of one backend skips the other."""
    built: dict[str, Shop] = {}

    def get(backend: str) -> Shop:
        if backend not in built:
            database = perf_database(backend, "orderimport")
            stamp = "'2026-01-01 00:00:00.000000'" if database.is_sqlite else "now()"
            false = "0" if database.is_sqlite else "false"
            _run(database, f"INSERT INTO stores (code, name, created_at) VALUES ('MAIN', 'MAIN', {stamp})")
            store_id = int(_rows(database, "SELECT id FROM stores WHERE code = 'MAIN'")[0][0])
            series = (
                f"WITH RECURSIVE series(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM series WHERE n < {PRODUCTS}) "
                if database.is_sqlite else f"WITH series(n) AS (SELECT generate_series(1, {PRODUCTS})) "
            )
            pad = "printf('%07d', n)" if database.is_sqlite else "lpad(n::text, 7, '0')"
            _run(
                database,
                "INSERT INTO products (store_id, sku, gtin, title, product_type, is_placeholder, low_stock_threshold, "
                f"reorder_point, created_at) {series}SELECT {store_id}, 'SKU-' || {pad}, NULL, 'Product ' || n, "
                f"'physical', {false}, NULL, NULL, {stamp} FROM series",
            )
            rows = _rows(database, f"SELECT id, title, sku FROM products WHERE store_id = {store_id} ORDER BY sku")
            products = {n: (int(pid), str(title), str(sku)) for n, (pid, title, sku) in enumerate(rows, start=1)}
            services = Services.on(database)
            folder = tmp_path_factory.mktemp(backend)
            stock_file = folder / "stock.csv"  # for the processing orders: more than any run reserves
            stock_file.write_text("store,product,location,quantity\n" + "".join(
                f"MAIN,{sku},PICK-1,{STOCK_PER_PRODUCT}\n" for _pid, _title, sku in products.values()))
            services.importing.import_stock(MANAGER, stock_file)
            stock = {int(pid): (int(row), int(location))
                     for pid, row, location in _rows(database, "SELECT product_id, id, location_id FROM inventory")}
            perf.analyze(database)
            built[backend] = Shop(database, services, store_id, products, folder, stock)
        return built[backend]

    return get


def _line_products(k: int) -> tuple[int, int]:
    """The two products (numbers 1..PRODUCTS) of order k: always two different ones."""
    first = 1 + (k * 7) % PRODUCTS
    return first, 1 + first % PRODUCTS


def _quantity(k: int, line: int) -> int:
    return 1 + (k + line) % 3


def _order_file(shop: Shop, name: str, prefix: str, lines: int = LINES, status: str | None = None) -> Path:
    """Two lines per order; ``status``: a `status` column naming it on every line."""
    path = shop.folder / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER + (",status\n" if status else "\n"))
        for k in range(1, lines // 2 + 1):
            for line, n in enumerate(_line_products(k)):
                handle.write(f"{prefix}-{k:07d},MAIN,Customer {k},c{k}@example.com,web,"
                             f"{shop.products[n][2]},{_quantity(k, line)}" + (f",{status}\n" if status else "\n"))
    return path


def _raw_work(shop: Shop, prefix: str, first_id: int) -> Work:
    """The same orders, items and history rows as the file makes, with the order ids chosen up front."""
    now: Any = datetime.now(UTC)
    if shop.database.is_sqlite:
        now = now.strftime(SQLITE_TIME_FORMAT)
    orders, items, history = [], [], []
    for k in range(1, LINES // 2 + 1):
        order_id = first_id + k
        orders.append((order_id, shop.store_id, f"{prefix}-{k:07d}", f"Customer {k}", f"c{k}@example.com", now, now))
        units = 0
        for line, n in enumerate(_line_products(k)):
            product_id, title, sku = shop.products[n]
            items.append((order_id, product_id, title, sku, _quantity(k, line)))
            units += _quantity(k, line)
        history.append((order_id, f"Order created with 2 lines, {units} units (channel web).", now))
    return [
        ("INSERT INTO orders (id, store_id, order_number, status, customer_name, customer_email, channel, created_at, "
         "updated_at, created_by) VALUES (?, ?, ?, 'pending', ?, ?, 'web', ?, ?, 'perf')", orders),
        ("INSERT INTO order_items (order_id, product_id, product_name, sku, gtin, quantity, shipped_quantity, "
         "returned_quantity) VALUES (?, ?, ?, ?, NULL, ?, 0, 0)", items),
        ("INSERT INTO order_history (order_id, action, old_status, new_status, description, created_by, created_at) "
         "VALUES (?, 'created', NULL, 'pending', ?, 'perf', ?)", history),
    ]


Work = list[tuple[str, list[tuple[Any, ...]]]]
"""Statements, each with the rows to ``executemany`` it with."""


def _raw_executemany(database: Database, work: Work, then: Callable[[Any], Work] | None = None) -> None:
    """``executemany`` of each statement, all in one transaction, on the engine's bare DBAPI connection;
    ``then(cursor)``: more work, made inside that transaction after the first (it may read)."""
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if database.is_sqlite:
            cursor.execute("BEGIN IMMEDIATE")  # the connection is in autocommit mode (see db/engine.py)
        for sql, rows in work + (then(cursor) if then is not None else []):
            cursor.executemany(sql if database.is_sqlite else sql.replace("?", "%s"), rows)
        if database.is_sqlite:
            cursor.execute("COMMIT")
        else:
            raw.commit()
    finally:
        raw.close()


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_importing_orders_costs_at_most_3x_raw_executemany(backend: str, shop: Any, perf: Any) -> None:
    """Every two lines make a pending order with two items and its history row."""
    place = shop(backend)
    # A missed budget is measured again (see conftest.py) on the same database: fresh numbers each time.
    attempt = next(_ATTEMPTS)
    warm = _order_file(place, "warm.csv", f"W{attempt}", 200)  # warm-up: module imports, statement compilation
    place.services.importing.import_orders(MANAGER, warm)
    perf.analyze(place.database)  # statistics of the tables as they are now: the module's docstring says why
    files = {r: _order_file(place, f"orders{r}.csv", f"S{attempt}-{r}") for r in range(1, RUNS + 1)}
    # Raw ids in ranges far above the service's, each round's below the one before: SQLite gives the
    # service max(id) + 1, so it never meets a later raw round; PostgreSQL's sequence stays low.
    work = {r: (_raw_work(place, f"R{attempt}-{r}", 1_500_000_000 - (attempt * RUNS + r) * 1_000_000),)
            for r in range(1, RUNS + 1)}
    _against_raw(place, perf, files, work, f"order import, {backend}, {LINES // 1000}k lines "
                 f"({LINES // 2 // 1000}k orders)")


def _against_raw(
    place: Shop, perf: Any, files: dict[int, Path], work: dict[int, tuple[Any, ...]], what: str
) -> None:
    """Import the files through the service and run the raw writers (``_raw_executemany``'s arguments
    after the database), alternately; then stock verify, the figure and the budget."""
    service_rounds, raw_rounds = iter(range(1, RUNS + 1)), iter(range(1, RUNS + 1))

    def service() -> None:
        result = place.services.importing.import_orders(MANAGER, files[next(service_rounds)])
        assert (result.rows, result.created) == (LINES // 2 * 2, LINES // 2)

    def raw() -> None:
        _raw_executemany(place.database, *work.pop(next(raw_rounds)))

    service_time, raw_time = perf.measure_pair(service, raw, runs=RUNS, warmup=0)
    report = place.services.stock.verify()  # both sides left the ledger reconciled
    assert report.ok, report.problems()
    ratio = service_time.median_ms / raw_time.median_ms
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    line = (
        f"(g) {what}: service {service_time.median_ms / 1000:.2f} s, raw executemany "
        f"{raw_time.median_ms / 1000:.2f} s (median of {RUNS}); ratio {ratio:.2f}x (budget {BUDGET:g}x). "
        f"Load average {load}"
    )
    perf.record(line)
    within_budget(ratio <= BUDGET, line)


def _now(shop: Shop) -> Any:
    now: Any = datetime.now(UTC)
    return now.strftime(SQLITE_TIME_FORMAT) if shop.database.is_sqlite else now


def _raw_processing_work(shop: Shop, prefix: str, first_id: int) -> tuple[Work, Callable[[Any], Work]]:
    """What an import of the same orders in processing writes, by hand: the orders (in processing), their
    items (with ids chosen up front), three history rows each; then, in the same transaction, after
    reading the stock rows' reserved units, each item's reservation, its ledger row (with the levels
    after it) and the stock rows' new reserved units."""
    now = _now(shop)
    orders, items, history, holds = [], [], [], []
    for k in range(1, LINES // 2 + 1):
        order_id = first_id + k
        number = f"{prefix}-{k:07d}"
        orders.append((order_id, shop.store_id, number, f"Customer {k}", f"c{k}@example.com", now, now, now))
        units, where = 0, []
        for line, n in enumerate(_line_products(k)):
            product_id, title, sku = shop.products[n]
            item_id = first_id + 2 * k + line
            quantity = _quantity(k, line)
            items.append((item_id, order_id, product_id, title, sku, quantity))
            holds.append((order_id, number, item_id, product_id, quantity))
            units += quantity
            where.append(f"{quantity} {sku} at PICK-1")
        history += [(order_id, "created", None, "pending", f"Order created with 2 lines, {units} units (channel web).",
                     now),
                    (order_id, "processing_started", "pending", "processing", f"Reserved {units} units.", now),
                    (order_id, "inventory_reserved", None, None, f"Reserved {', '.join(where)}.", now)]
    work: Work = [
        ("INSERT INTO orders (id, store_id, order_number, status, customer_name, customer_email, channel, created_at, "
         "updated_at, processing_at, created_by) VALUES (?, ?, ?, 'processing', ?, ?, 'web', ?, ?, ?, 'perf')", orders),
        ("INSERT INTO order_items (id, order_id, product_id, product_name, sku, gtin, quantity, shipped_quantity, "
         "returned_quantity) VALUES (?, ?, ?, ?, ?, NULL, ?, 0, 0)", items),
        ("INSERT INTO order_history (order_id, action, old_status, new_status, description, created_by, created_at) "
         "VALUES (?, ?, ?, ?, ?, 'perf', ?)", history),
    ]

    def stock_work(cursor: Any) -> Work:
        cursor.execute("SELECT id, quantity, reserved_quantity FROM inventory")
        levels = {int(row): (int(quantity), int(reserved)) for row, quantity, reserved in cursor.fetchall()}
        reserved = {row: level[1] for row, level in levels.items()}
        reservations, ledger = [], []
        for order_id, number, item_id, product_id, quantity in holds:
            row, location = shop.stock[product_id]
            reserved[row] += quantity
            reservations.append((row, location, order_id, item_id, quantity, now, now))
            ledger.append((shop.store_id, product_id, location, order_id, number, quantity, levels[row][0],
                           reserved[row], now))
        changed = [(reserved[row] - levels[row][1], now, row) for row in sorted(levels)
                   if reserved[row] != levels[row][1]]
        return [
            ("INSERT INTO inventory_reservations (inventory_id, location_id, order_id, order_item_id, "
             "quantity_reserved, quantity_fulfilled, quantity_released, status, notes, created_by, reserved_at, "
             "updated_at) "
             "VALUES (?, ?, ?, ?, ?, 0, 0, 'active', 'order processing', 'perf', ?, ?)", reservations),
            ("INSERT INTO inventory_transactions (store_id, product_id, location_id, transaction_type, order_id, "
             "order_number, reason, created_by, quantity_change, reserved_change, quantity_after, reserved_after, "
             "created_at) VALUES (?, ?, ?, 'reserve', ?, ?, 'order processing', 'perf', 0, ?, ?, ?, ?)", ledger),
            ("UPDATE inventory SET reserved_quantity = reserved_quantity + ?, updated_at = ? WHERE id = ?", changed),
        ]

    return work, stock_work


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_importing_processing_orders_costs_at_most_3x_raw_executemany(backend: str, shop: Any, perf: Any) -> None:
    """Every two lines make an order moved on to processing by the file: both lines reserved (issue 12,
    item 3: the holds of many orders written together), against the same rows written by hand."""
    place = shop(backend)
    attempt = next(_ATTEMPTS)
    warm = _order_file(place, "warm-processing.csv", f"WP{attempt}", 200, status="processing")
    place.services.importing.import_orders(MANAGER, warm)
    perf.analyze(place.database)  # statistics of the tables as they are now: the module's docstring says why
    files = {r: _order_file(place, f"processing{r}.csv", f"SP{attempt}-{r}", status="processing")
             for r in range(1, RUNS + 1)}
    work = {r: _raw_processing_work(place, f"RP{attempt}-{r}", 500_000_000 - (attempt * RUNS + r) * 1_000_000)
            for r in range(1, RUNS + 1)}
    _against_raw(place, perf, files, work, f"order import in processing, {backend}, {LINES // 1000}k lines "
                 f"({LINES // 2 // 1000}k orders, every line reserved)")
