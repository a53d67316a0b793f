"""Scan-to-feedback at the pack station with 100k products and a large order history (issue 5, item 7).

Budget (ARCHITECTURE.md: budgets): a scan gives feedback in under 50 ms at p95 with 100k products.

Measured as a ratio, so a loaded machine does not fail it (issue 13, item 6): every timed scan is
paired with a **baseline** timed right after it, the same work stripped to its floor: Enter in a
bare ``QLineEdit`` sets a bare ``QLabel``'s text and the pending repaint runs, and, for the scans
that look a code up, first one bare indexed lookup (``SELECT title FROM products WHERE gtin = ?``
through the raw driver connection, on the same 100k products). The budget is the scan's p95 at
most ``RATIO_BUDGET`` times the baseline's p95: 50 ms at the baseline this machine gives when idle
(``REFERENCE_BASELINE_MS``), so the budget means what it meant, and a machine that is slowed for
the scans is slowed for their baselines too. The absolute figures are printed beside the ratios.

What is timed is the real path a scanner triggers, from the Enter key to the feedback on screen:
``ScanInput`` Enter -> ``PackStationPage.handle_scan`` -> ``PackSession.scan`` -> model update and
feedback panel -> the pending repaint (``processEvents``). The digits themselves are typed
before the clock starts (a scanner types them at its own speed). Four kinds of scans:

- right items (counted; no database call at all),
- wrong items (a real product not on the order: one indexed catalog lookup finds its name),
- unknown codes (valid GTINs no product has: the same lookup finds nothing),
- bad check digits (refused before any lookup).

The catalog and the order history are generated with SQL (a recursive CTE on SQLite,
``generate_series`` on PostgreSQL), GTINs with their GS1 check digit computed in SQL; the order
being packed is made through the services, as a real one would be.

Run: ``ORION_TEST_POSTGRES_URL=postgresql://root@127.0.0.1:5432/test .venv/bin/pytest tests/perf/test_scan_speed.py -s``
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot
from stdnum import ean

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.db.migrate import upgrade
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.order_results import OrderLine
from orion_desktop.domain.packing import ScanResult, ScanVerdict
from orion_desktop.ui.data_events import DataEvents
from orion_desktop.ui.pages.pack_station_page import PackStationPage

from .budgets import BudgetMissed, check_ratio, load_average

OFFSCREEN_ONLY_WARNING = "This plugin does not support propagateSizeHints()"  # as in tests/gui/conftest.py
pytestmark = [pytest.mark.perf, pytest.mark.qt_log_ignore(OFFSCREEN_ONLY_WARNING)]

ADMIN = Actor(name="admin", role=Role.ADMIN)
PACKER = Actor(name="pat", role=Role.PACKER)

PRODUCTS = 100_000
HISTORY_ORDERS = 100_000
ITEMS_PER_ORDER = 3
ORDER_LINES = 5
UNITS_PER_LINE = 60  # 300 right scans
WRONG_SCANS = 200
UNKNOWN_SCANS = 200
BAD_SCANS = 50
BUDGET_P95_MS = 50.0
# The baseline's p95 on the development machine (2 cores), per kind of scan: the bare Qt round trip,
# and that round trip after one bare indexed lookup. Measured 2026-12-04 (load average 1.8): Qt
# 0.30-0.43 ms, lookup 0.54 ms (SQLite) and 0.80-0.85 ms (PostgreSQL); rounded to the upper end, so the
# ratio budgets (143x and 62x) are, if anything, stricter than 50 ms.
REFERENCE_BASELINE_MS = {"qt": 0.35, "lookup": 0.8}
LOOKUP_VERDICTS = (ScanVerdict.WRONG_ITEM, ScanVerdict.UNKNOWN)
RATIO_BUDGET = {
    verdict: BUDGET_P95_MS / REFERENCE_BASELINE_MS["lookup" if verdict in LOOKUP_VERDICTS else "qt"]
    for verdict in (ScanVerdict.COUNTED, ScanVerdict.WRONG_ITEM, ScanVerdict.UNKNOWN, ScanVerdict.BAD_CODE)
}
SQLITE_STAMP = "2026-01-01 00:00:00.000000"


# --- generating the data with SQL --------------------------------------------------------------
def _execute(database: Database, *statements: str) -> None:
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if database.is_sqlite:  # the DBAPI connection is in autocommit mode (db/engine.py)
            cursor.execute("BEGIN IMMEDIATE")
        else:
            cursor.execute("SET LOCAL session_replication_role = replica")  # skip FK triggers: rows are known good
            cursor.execute("SET LOCAL synchronous_commit = off")
        for statement in statements:
            cursor.execute(statement)
        if database.is_sqlite:
            cursor.execute("COMMIT")
        else:
            raw.commit()
    finally:
        raw.close()


def _scalar(database: Database, sql: str) -> int:
    with database.engine.connect() as conn:
        return int(conn.exec_driver_sql(sql).scalar_one())


def _series(database: Database, count: int, slots: int = 1) -> str:
    """CTEs ``series(n)`` = 1..count and ``slots(j)`` = 0..slots-1."""
    if database.is_sqlite:
        return (f"WITH RECURSIVE series(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM series WHERE n < {count}), "
                f"slots(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM slots WHERE j < {slots - 1}) ")
    return (f"WITH series(n) AS (SELECT generate_series(1, {count})), "
            f"slots(j) AS (SELECT generate_series(0, {slots - 1})) ")


def _padded(database: Database, expression: str, width: int) -> str:
    if database.is_sqlite:
        return f"printf('%0{width}d', {expression})"
    return f"lpad(({expression})::text, {width}, '0')"


def gtin_sql(database: Database, prefix: str, n: str) -> str:
    """The canonical GTIN-14 of EAN-13 ``prefix`` (2 digits) + ``n`` (10 digits) + its GS1 check digit, in SQL.

    EAN-13 weights are 1, 3, 1, 3, ... from the left; the check digit makes the sum a multiple of 10.
    """
    terms = [str(int(prefix[0]) * 1 + int(prefix[1]) * 3)]
    for position in range(3, 13):  # the 10 digits of n, most significant first
        weight = 1 if position % 2 else 3
        terms.append(f"(({n}) / {10 ** (12 - position)} % 10) * {weight}")
    check = f"((10 - ({' + '.join(terms)}) % 10) % 10)"
    return f"'0{prefix}' || {_padded(database, n, 10)} || {check}"


def python_gtin(prefix: str, n: int) -> str:
    body = f"{prefix}{n:010d}"
    return "0" + body + ean.calc_check_digit(body)


@dataclass(frozen=True)
class BigShop:
    services: Services
    database: Database
    order: str
    right_codes: tuple[str, ...]  # EAN-13 of the order's products
    generation_s: float


def _fill(database: Database, services: Services, analyze: Callable[[Database], None]) -> BigShop:
    started = time.perf_counter()
    services.catalog.add_store(ADMIN, "BIG", "Big Store")
    services.catalog.add_location(ADMIN, "PACK-1", sort_key=1)
    store_id = _scalar(database, "SELECT id FROM stores WHERE code = 'BIG'")
    stamp = f"'{SQLITE_STAMP}'" if database.is_sqlite else "now()"
    false = "0" if database.is_sqlite else "false"
    _execute(
        database,
        "INSERT INTO products (store_id, sku, gtin, title, product_type, is_placeholder, created_at) "
        + _series(database, PRODUCTS)
        + f"SELECT {store_id}, 'P' || {_padded(database, 'n', 7)}, {gtin_sql(database, '20', 'n')}, "
        f"'Bulk product ' || n, 'physical', {false}, {stamp} FROM series",
    )
    product_base = _scalar(database, "SELECT min(id) FROM products") - 1
    statuses = "CASE n % 10 WHEN 0 THEN 'cancelled' WHEN 1 THEN 'delivered' ELSE 'shipped' END"
    _execute(
        database,
        "INSERT INTO orders (store_id, order_number, status, customer_name, channel, created_at, updated_at) "
        + _series(database, HISTORY_ORDERS)
        + f"SELECT {store_id}, 'ORD-{store_id}-20250101-' || {_padded(database, 'n', 6)}, {statuses}, "
        f"'Customer ' || n, 'manual', {stamp}, {stamp} FROM series",
    )
    order_base = _scalar(database, "SELECT min(id) FROM orders") - 1
    product = f"(n * 7919 + j * 104729) % {PRODUCTS} + 1"
    _execute(
        database,
        "INSERT INTO order_items (order_id, product_id, product_name, sku, gtin, quantity, shipped_quantity, "
        "returned_quantity) "
        + _series(database, HISTORY_ORDERS, ITEMS_PER_ORDER)
        + f"SELECT {order_base} + n, {product_base} + p, 'Bulk product ' || p, 'P' || {_padded(database, 'p', 7)}, "
        f"{gtin_sql(database, '20', 'p')}, 1 + j, CASE WHEN n % 10 = 0 THEN 0 ELSE 1 + j END, 0 "
        f"FROM (SELECT n, j, {product} AS p FROM series CROSS JOIN slots) AS rows_",
    )
    analyze(database)

    # The order on the station, made like a real one: stock, an order, processing reserves it.
    picks = [PRODUCTS // (ORDER_LINES + 1) * (k + 1) for k in range(ORDER_LINES)]
    skus = [f"P{n:07d}" for n in picks]
    for sku in skus:
        services.inventory.set_quantity(
            ADMIN, store="BIG", product=sku, location="PACK-1", quantity=10 * UNITS_PER_LINE
        )
    order = services.orders.create_order(ADMIN, store="BIG", customer="Perf Packer",
                                         lines=[OrderLine(sku, UNITS_PER_LINE) for sku in skus])
    services.orders.change_status(ADMIN, order, "processing")
    right = tuple(python_gtin("20", n)[1:] for n in picks)
    return BigShop(services, database, order, right, time.perf_counter() - started)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def big_shop(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, perf: Any) -> Iterator[BigShop]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('scan_perf') / 'scan.db'}"
    else:
        url = request.getfixturevalue("pg_database_factory")("orion_scan_perf")
    database = Database(url)
    upgrade(database)
    services = Services.on(database)
    try:
        yield _fill(database, services, perf.analyze)
    finally:
        database.dispose()


# --- measuring ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Figures:
    p50: float
    p95: float
    worst: float
    runs: int

    def __str__(self) -> str:
        return f"p50 {self.p50:.2f} ms, p95 {self.p95:.2f} ms, max {self.worst:.2f} ms over {self.runs} scans"


def figures(samples: list[float]) -> Figures:
    ordered = sorted(samples)
    return Figures(statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
                   ordered[-1], len(ordered))


class Baseline:
    """The floor a scan's feedback stands on: Enter in a bare line edit, a label's new text and its repaint;
    with ``lookup``, first one indexed lookup of the code through the raw driver connection."""

    def __init__(self, qtbot: QtBot, database: Database) -> None:
        self.window = QWidget()
        qtbot.addWidget(self.window)
        self.edit, self.label = QLineEdit(), QLabel("scan")
        layout = QVBoxLayout(self.window)
        layout.addWidget(self.edit)
        layout.addWidget(self.label)
        self.window.resize(400, 100)
        self.window.show()
        qtbot.waitExposed(self.window)
        self.raw = database.engine.raw_connection()
        marker = "?" if database.is_sqlite else "%s"
        self.sql = f"SELECT title FROM products WHERE gtin = {marker}"
        self.lookup = False
        self.edit.returnPressed.connect(self._enter)

    def _enter(self) -> None:
        code = self.edit.text()
        title = None
        if self.lookup:
            cursor = self.raw.cursor()
            cursor.execute(self.sql, ("0" + code,))
            row = cursor.fetchone()
            title = row[0] if row else None
            cursor.close()
        self.label.setText(f"{code}: {title or 'counted'}")
        self.edit.clear()

    def timed(self, code: str, *, lookup: bool) -> float:
        """Like ``timed_scan``: the code typed untimed, then Enter until the label is painted."""
        QTest.keyClicks(self.edit, code)
        self.lookup = lookup
        started = time.perf_counter()
        QTest.keyClick(self.edit, Qt.Key.Key_Return)
        QApplication.processEvents()
        return (time.perf_counter() - started) * 1000

    def close(self) -> None:
        self.raw.close()


def timed_scan(page: PackStationPage, code: str, results: list[ScanResult]) -> float:
    """Type the code (untimed, like the scanner), then time Enter until the feedback is painted."""
    QTest.keyClicks(page.scan_input, code)
    before = len(results)
    started = time.perf_counter()
    QTest.keyClick(page.scan_input, Qt.Key.Key_Return)
    QApplication.processEvents()  # the repaint of the row and the feedback panel
    elapsed = (time.perf_counter() - started) * 1000
    assert len(results) == before + 1, f"{code} was not handled as an item scan"
    return elapsed


@pytest.mark.long  # 100k products and orders built per database: `pytest -m perf` runs it
def test_scan_to_feedback_p95_under_50_ms(qtbot: QtBot, big_shop: BigShop, capsys: pytest.CaptureFixture[str],
                                          request: pytest.FixtureRequest) -> None:
    services = big_shop.services
    assert _scalar(big_shop.database, "SELECT count(*) FROM products") == PRODUCTS
    assert _scalar(big_shop.database, "SELECT count(*) FROM order_items") >= HISTORY_ORDERS * ITEMS_PER_ORDER
    with big_shop.database.engine.connect() as conn:
        sample = conn.exec_driver_sql("SELECT gtin FROM products WHERE sku = 'P0012345'").scalar_one()
    assert sample == python_gtin("20", 12345)  # the SQL check digits are GS1's

    page = PackStationPage(services, PACKER, DataEvents())
    qtbot.addWidget(page)
    page.alert = lambda: None  # no sound in a measurement
    page.resize(1100, 700)
    page.show()
    qtbot.waitExposed(page)
    results: list[ScanResult] = []
    page.scanHandled.connect(results.append)

    QTest.keyClicks(page.scan_input, big_shop.order)
    started = time.perf_counter()
    QTest.keyClick(page.scan_input, Qt.Key.Key_Return)
    QApplication.processEvents()
    open_ms = (time.perf_counter() - started) * 1000
    assert page.session is not None and len(page.session.lines) == ORDER_LINES

    wrong_codes = [python_gtin("20", 1 + (k * 48_271) % PRODUCTS)[1:] for k in range(1, WRONG_SCANS + 1)]
    unknown_codes = [python_gtin("21", k * 7_919)[1:] for k in range(1, UNKNOWN_SCANS + 1)]
    bad_codes = [code[:-1] + str((int(code[-1]) + 1) % 10) for code in wrong_codes[:BAD_SCANS]]

    timings: dict[ScanVerdict, list[float]] = {v: [] for v in (ScanVerdict.COUNTED, ScanVerdict.WRONG_ITEM,
                                                               ScanVerdict.UNKNOWN, ScanVerdict.BAD_CODE)}
    baselines: dict[ScanVerdict, list[float]] = {v: [] for v in timings}
    baseline = Baseline(qtbot, big_shop.database)
    request.addfinalizer(baseline.close)

    def scan(verdict: ScanVerdict, code: str) -> None:
        """One timed scan, then its baseline right after it: load on the machine hits both alike."""
        timings[verdict].append(timed_scan(page, code, results))
        last = results[-1]
        assert last.verdict is verdict, last.message
        baselines[verdict].append(baseline.timed(code, lookup=verdict in LOOKUP_VERDICTS))

    # Interleaved like a real packing session: mostly right items, now and then a refused one.
    refused = iter([*zip(wrong_codes, unknown_codes, strict=True)])
    bad = iter(bad_codes)
    for unit in range(UNITS_PER_LINE):
        for code in big_shop.right_codes:
            scan(ScanVerdict.COUNTED, code)
        if unit % 3 == 0 or unit >= UNITS_PER_LINE - 20:
            for _ in range(min(10, WRONG_SCANS - len(timings[ScanVerdict.WRONG_ITEM]))):
                wrong, unknown = next(refused)
                scan(ScanVerdict.WRONG_ITEM, wrong)
                scan(ScanVerdict.UNKNOWN, unknown)
        bad_code = next(bad, None)
        if bad_code is not None:
            scan(ScanVerdict.BAD_CODE, bad_code)
    assert page.session.is_complete
    assert len(timings[ScanVerdict.WRONG_ITEM]) == WRONG_SCANS

    backend = "SQLite" if big_shop.database.is_sqlite else "PostgreSQL"

    def ratio(verdict: ScanVerdict) -> float:
        return figures(timings[verdict]).p95 / figures(baselines[verdict]).p95

    def missed(backend: str, verdict: ScanVerdict) -> str:
        return (f"{backend} {verdict.value}: {figures(timings[verdict])}, {ratio(verdict):.1f}x its baseline's p95 "
                f"({figures(baselines[verdict])}); budget {RATIO_BUDGET[verdict]:.0f}x (50 ms at the reference "
                f"baseline); {load_average()}")
    all_refused = [t for v, ts in timings.items() if v is not ScanVerdict.COUNTED for t in ts]
    sizes = (f"{PRODUCTS:,} products, {HISTORY_ORDERS:,} orders / {HISTORY_ORDERS * ITEMS_PER_ORDER:,} items "
             f"of history; data generated in {big_shop.generation_s:.1f} s")
    lines = [
        f"[scan speed, {backend}] {sizes}",
        f"[scan speed, {backend}] open order (scan + Enter): {open_ms:.1f} ms",
        *(f"[scan speed, {backend}] {verdict.value:>10}: {figures(samples)}; baseline {figures(baselines[verdict])}; "
          f"p95 ratio {ratio(verdict):.1f}x (budget {RATIO_BUDGET[verdict]:.0f}x)"
          for verdict, samples in timings.items()),
        f"[scan speed, {backend}] all refused: {figures(all_refused)}",
        f"[scan speed, {backend}] all scans: {figures([t for ts in timings.values() for t in ts])}",
    ]
    with capsys.disabled():
        print()
        for line in lines:
            print(line)
    # Nothing refused was counted.
    assert sum(page.session.packed.values()) == ORDER_LINES * UNITS_PER_LINE
    # Every kind of scan is a row of the run's budget table (p95 against its baseline's p95).
    over: set[ScanVerdict] = set()
    for verdict in timings:
        try:
            check_ratio(
                f"scan feedback p95: {verdict.value}", database=backend.lower(), size=f"{PRODUCTS // 1000}k products",
                service_ms=figures(timings[verdict]).p95, baseline_ms=figures(baselines[verdict]).p95,
                budget=RATIO_BUDGET[verdict],
                baseline="bare Qt round trip + lookup" if verdict in LOOKUP_VERDICTS else "bare Qt round trip",
            )
        except BudgetMissed:
            over.add(verdict)
    # The station's own path (no database call) must meet the budget everywhere.
    for verdict in (ScanVerdict.COUNTED, ScanVerdict.BAD_CODE):
        assert verdict not in over, missed(backend, verdict)
    # Codes that are not on the order cost PackingService.product_name's catalog lookup (one indexed
    # equality: the GTIN index for barcodes). It used to be an OR over gtin and sku, a full scan on PostgreSQL.
    for verdict in LOOKUP_VERDICTS:
        if verdict in over:
            raise BudgetMissed(missed(backend, verdict))


def test_generated_gtins_use_the_gs1_check_digit() -> None:
    assert python_gtin("20", 12345) == "02000000123455"
    assert ean.is_valid(python_gtin("21", 99)[1:])

