"""ARCHITECTURE.md: budgets: a CSV import of 100k rows costs at most 3x a raw ``executemany`` of the same rows.

Each case imports a 100k-line file through the real service (``Services.importing``) and,
alternately in the same run, writes the same rows with a bare DBAPI ``executemany`` doing the
least work that change needs: the inventory rows *and* their ledger rows in one transaction
(every stock change writes a ledger row), with every id already known. The ratio is what the
service adds: reading and checking the file, resolving SKUs, locks, the ledger's after-values,
backorder allocation, SQLAlchemy.

Cases, on SQLite and PostgreSQL:

- stock, new rows: 100k (product, location) rows that do not exist yet (INSERT + ledger INSERT);
- stock, existing rows: a new quantity for each of 100k rows (UPDATE + ledger INSERT);
- products, new: 100k products with a GTIN and a threshold (INSERT).

Files are written before the clock starts. The service and the raw writer work on the same
products but at different locations (stock) or in different stores (products), so neither finds
the other's rows; each round uses fresh ones. Data is generated with bulk SQL, not the services.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable
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

# The budget's own size (DESIGN §7). A smaller size is not the same budget: at 25k rows SQLite's new-stock
# import missed 3x twice in one CI run (fixed costs weigh more), so the suite keeps 100k.
ROWS = int(os.environ.get("ORION_PERF_IMPORT_ROWS", "100000"))
BUDGET = 3.0
MANAGER = Actor(name="perf", role=Role.MANAGER)
SQLITE_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DateTime in SQLite


# --- data ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Warehouse:
    """One database with store MAIN and ROWS products SKU-0000001.. (ids ascending with the SKU)."""

    database: Database
    services: Services
    store_id: int
    product_ids: tuple[int, ...]
    folder: Path

    @property
    def is_sqlite(self) -> bool:
        return self.database.is_sqlite


def _sku(n: int) -> str:
    return f"SKU-{n:07d}"


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


def _series(database: Database, count: int) -> str:
    if database.is_sqlite:
        return f"WITH RECURSIVE series(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM series WHERE n < {count}) "
    return f"WITH series(n) AS (SELECT generate_series(1, {count})) "


def _stamp(database: Database) -> str:
    return "'2026-01-01 00:00:00.000000'" if database.is_sqlite else "now()"


def _add_location(database: Database, code: str) -> int:
    true = "1" if database.is_sqlite else "true"
    _run(database, f"INSERT INTO locations (code, name, sort_key, is_active, created_at) "
                   f"VALUES ('{code}', NULL, 0, {true}, {_stamp(database)})")
    return int(_rows(database, f"SELECT id FROM locations WHERE code = '{code}'")[0][0])


_PRODUCT_ATTEMPTS = itertools.count(1)


def _add_store(database: Database, code: str) -> int:
    _run(database, f"INSERT INTO stores (code, name, created_at) VALUES ('{code}', '{code}', {_stamp(database)})")
    return int(_rows(database, f"SELECT id FROM stores WHERE code = '{code}'")[0][0])


def _stock_at(warehouse: Warehouse, code: str, quantity_of: str) -> int:
    """A location holding every product, each row with one ledger row that adds up to it (bulk SQL)."""
    database = warehouse.database
    location = _add_location(database, code)
    stamp = _stamp(database)
    _run(
        database,
        "INSERT INTO inventory (store_id, product_id, location_id, quantity, reserved_quantity, created_at, "
        f"updated_at) SELECT store_id, id, {location}, {quantity_of}, 0, {stamp}, {stamp} FROM products "
        f"WHERE store_id = {warehouse.store_id}",
        "INSERT INTO inventory_transactions (store_id, product_id, location_id, transaction_type, quantity_change, "
        "reserved_change, quantity_after, reserved_after, reason, created_by, created_at) "
        f"SELECT store_id, product_id, location_id, 'import', quantity, 0, quantity, 0, 'generated', 'perf', {stamp} "
        f"FROM inventory WHERE location_id = {location}",
    )
    return location


@pytest.fixture(scope="module")
def warehouse(perf_database: Any, perf: Any, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Warehouse]:
    """``warehouse(backend)``: built on first use per backend, so a run of one backend skips the other."""
    built: dict[str, Warehouse] = {}

    def get(backend: str) -> Warehouse:
        if backend not in built:
            database = perf_database(backend, "import100k")
            store_id = _add_store(database, "MAIN")
            false, stamp = ("0" if database.is_sqlite else "false"), _stamp(database)
            pad = "printf('%07d', n)" if database.is_sqlite else "lpad(n::text, 7, '0')"
            _run(
                database,
                "INSERT INTO products (store_id, sku, gtin, title, product_type, is_placeholder, low_stock_threshold, "
                f"reorder_point, created_at) {_series(database, ROWS)}"
                f"SELECT {store_id}, 'SKU-' || {pad}, NULL, 'Product ' || n, 'physical', {false}, NULL, NULL, {stamp} "
                "FROM series",
            )
            ids = tuple(row[0] for row in _rows(database, f"SELECT id FROM products WHERE store_id = {store_id} "
                                                           "ORDER BY sku"))
            assert len(ids) == ROWS
            perf.analyze(database)
            built[backend] = Warehouse(database, Services.on(database), store_id, ids, tmp_path_factory.mktemp(backend))
        return built[backend]

    return get


def _write_csv(path: Path, header: str, lines: Iterable[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(header + "\n")
        handle.writelines(line + "\n" for line in lines)
    return path


def _now(database: Database) -> Any:
    """The timestamp as the raw driver takes it: text on SQLite (as SQLAlchemy stores it), a datetime on PostgreSQL."""
    now = datetime.now(UTC)
    return now.strftime(SQLITE_TIME_FORMAT) if database.is_sqlite else now


RawWork = list[tuple[str, list[tuple[Any, ...]]]]
"""Statements with their parameter rows, for one ``executemany`` each."""


def _raw_executemany(database: Database, work: RawWork) -> None:
    """``executemany`` of each statement, all in one transaction, on the engine's bare DBAPI connection."""
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if database.is_sqlite:
            cursor.execute("BEGIN IMMEDIATE")  # the connection is in autocommit mode (see db/engine.py)
        for sql, rows in work:
            cursor.executemany(sql if database.is_sqlite else sql.replace("?", "%s"), rows)
        if database.is_sqlite:
            cursor.execute("COMMIT")
        else:
            raw.commit()
    finally:
        raw.close()


_INSERT_STOCK = (
    "INSERT INTO inventory (store_id, product_id, location_id, quantity, reserved_quantity, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, 0, ?, ?)"
)
_UPDATE_STOCK = "UPDATE inventory SET quantity = ?, updated_at = ? WHERE id = ?"
_INSERT_LEDGER = (
    "INSERT INTO inventory_transactions (store_id, product_id, location_id, transaction_type, quantity_change, "
    "reserved_change, quantity_after, reserved_after, order_id, order_number, reason, created_by, created_at, "
    "operation_key) VALUES (?, ?, ?, 'import', ?, 0, ?, 0, NULL, NULL, 'raw', 'perf', ?, NULL)"
)
_INSERT_PRODUCT = (
    "INSERT INTO products (store_id, sku, gtin, title, product_type, is_placeholder, low_stock_threshold, "
    "reorder_point, created_at) VALUES (?, ?, ?, ?, 'physical', ?, ?, NULL, ?)"
)
_QUANTITY_SQL = "1 + (CAST(substr(sku, 5) AS INTEGER) * 37 + {round} * 11) % 500"


def _quantity(n: int, round_: int) -> int:
    """The level of product n in a round: different in every round, never zero (as _QUANTITY_SQL)."""
    return 1 + (n * 37 + round_ * 11) % 500


def _gtin(n: int) -> str:
    """A valid EAN-13 for product n (GS1 check digit)."""
    body = f"400{n:09d}"
    total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _compare(
    perf: Any, case: str, backend: str, service: Callable[[int], None], raw: Callable[[int], None], runs: int
) -> None:
    """Time service(round) and raw(round) alternately for rounds 1..runs; record and check the ratio."""
    service_rounds, raw_rounds = iter(range(1, runs + 1)), iter(range(1, runs + 1))
    service_time, raw_time = perf.measure_pair(
        lambda: service(next(service_rounds)), lambda: raw(next(raw_rounds)), runs=runs, warmup=0
    )
    ratio = service_time.median_ms / raw_time.median_ms
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    line = (
        f"(f) {case}, {backend}, {ROWS // 1000}k rows: service {service_time.median_ms / 1000:.2f} s, raw executemany "
        f"{raw_time.median_ms / 1000:.2f} s (median of {runs}); ratio {ratio:.2f}x (budget {BUDGET:g}x). "
        f"Load average {load}"
    )
    perf.record(line)
    within_budget(ratio <= BUDGET, line)


def _warm_up(place: Warehouse) -> None:
    """One small import first, so module imports and statement compilation are not timed."""
    path = _write_csv(place.folder / "warmup.csv", "store,product,location,quantity",
                      (f"MAIN,{_sku(n)},WARMUP,{n}" for n in range(1, 101)))
    place.services.importing.import_stock(MANAGER, path)


def _stock_file(place: Warehouse, name: str, location: str, round_: int) -> Path:
    return _write_csv(
        place.folder / name, "store,product,location,quantity",
        (f"MAIN,{_sku(n)},{location},{_quantity(n, round_)}" for n in range(1, ROWS + 1)),
    )


# --- stock -----------------------------------------------------------------------------------

RUNS = {"sqlite": 2, "postgresql": 1}
"""Rounds per case: PostgreSQL's executemany is slow enough (FK triggers, WAL) that one keeps CI quick."""


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_importing_100k_new_stock_rows_costs_at_most_3x_raw_executemany(
    backend: str, warehouse: Any, perf: Any
) -> None:
    """Every line creates a stock row and its ledger row (each round at a new location)."""
    place = warehouse(backend)
    database = place.database
    _warm_up(place)
    files: dict[int, Path] = {}
    work: dict[int, RawWork] = {}
    for r in range(1, RUNS[backend] + 1):  # everything is prepared before the clock starts
        files[r] = _stock_file(place, f"new{r}.csv", f"NEW-S{r}", r)
        location, now = _add_location(database, f"NEW-R{r}"), _now(database)
        numbered = list(enumerate(place.product_ids, start=1))
        work[r] = [
            (_INSERT_STOCK, [(place.store_id, pid, location, _quantity(n, r), now, now) for n, pid in numbered]),
            (_INSERT_LEDGER, [(place.store_id, pid, location, _quantity(n, r), _quantity(n, r), now)
                              for n, pid in numbered]),
        ]

    def service(round_: int) -> None:
        result = place.services.importing.import_stock(MANAGER, files[round_])
        assert (result.created, result.updated) == (ROWS, 0)

    _compare(perf, "stock import, new rows (INSERT + ledger)", backend, service,
             lambda round_: _raw_executemany(database, work.pop(round_)), RUNS[backend])
    report = place.services.stock.verify()
    assert report.ok, report


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_importing_100k_changed_stock_levels_costs_at_most_3x_raw_executemany(
    backend: str, warehouse: Any, perf: Any
) -> None:
    """Every line changes an existing stock row's level: UPDATE plus a ledger row with the after-values."""
    place = warehouse(backend)
    database = place.database
    _warm_up(place)
    service_location = "OLD-S"
    _stock_at(place, service_location, _QUANTITY_SQL.format(round=0))
    raw_location = _stock_at(place, "OLD-R", _QUANTITY_SQL.format(round=0))
    perf.analyze(database)
    ids = dict(_rows(database, f"SELECT product_id, id FROM inventory WHERE location_id = {raw_location}"))
    files: dict[int, Path] = {}
    work: dict[int, RawWork] = {}
    for r in range(1, RUNS[backend] + 1):
        files[r] = _stock_file(place, f"levels{r}.csv", service_location, r)
        now = _now(database)
        numbered = list(enumerate(place.product_ids, start=1))
        work[r] = [
            (_UPDATE_STOCK, [(_quantity(n, r), now, ids[pid]) for n, pid in numbered]),
            (_INSERT_LEDGER, [(place.store_id, pid, raw_location, _quantity(n, r) - _quantity(n, r - 1),
                               _quantity(n, r), now) for n, pid in numbered]),
        ]

    def service(round_: int) -> None:
        result = place.services.importing.import_stock(MANAGER, files[round_])
        assert (result.created, result.updated) == (0, ROWS)

    _compare(perf, "stock import, changed levels (UPDATE + ledger)", backend, service,
             lambda round_: _raw_executemany(database, work.pop(round_)), RUNS[backend])
    report = place.services.stock.verify()
    assert report.ok, report


# --- products --------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_importing_100k_new_products_costs_at_most_3x_raw_executemany(backend: str, warehouse: Any, perf: Any) -> None:
    """Every line creates a product with a GTIN (check digit validated), some with a threshold."""
    place = warehouse(backend)
    database = place.database
    files: dict[int, Path] = {}
    work: dict[int, RawWork] = {}

    def threshold(n: int) -> int | None:
        return 5 + n % 20 if n % 10 == 0 else None

    # A missed budget is measured again (see budgets.py) on the same database: new stores each time.
    attempt = next(_PRODUCT_ATTEMPTS)
    for r in range(1, RUNS[backend] + 1):
        files[r] = _write_csv(
            place.folder / f"products{r}.csv", "store,sku,title,gtin,low_stock_threshold",
            (f"P-S{attempt}-{r},{_sku(n)},Imported product {n},{_gtin(n)},{threshold(n) or ''}"
             for n in range(1, ROWS + 1)),
        )
        store_id, now = _add_store(database, f"P-R{attempt}-{r}"), _now(database)
        _add_store(database, f"P-S{attempt}-{r}")
        false = 0 if database.is_sqlite else False
        work[r] = [(_INSERT_PRODUCT, [(store_id, _sku(n), _gtin(n).rjust(14, "0"), f"Imported product {n}", false,
                                       threshold(n), now) for n in range(1, ROWS + 1)])]
    place.services.importing.import_products(  # warm-up: modules and statements
        MANAGER, _write_csv(place.folder / "warm.csv", "store,sku,title", (f"MAIN,W{n},Warm {n}" for n in range(100)))
    )

    def service(round_: int) -> None:
        result = place.services.importing.import_products(MANAGER, files[round_])
        assert (result.created, result.updated) == (ROWS, 0)

    _compare(perf, "products import, new products", backend, service,
             lambda round_: _raw_executemany(database, work.pop(round_)), RUNS[backend])
