"""Issue 4's budgets measured on the GUI itself: the Inventory and Orders pages at 100k orders and 300k stock rows.

ARCHITECTURE.md: budgets: opening a table and filtering it take about the same time at 100k rows as at 1k
rows (2x or less); cold start to a usable window under 1.5 s; resident memory with 100k rows
loaded under 300 MB. ``test_perf_budgets.py`` times the service queries behind the pages; this
module times what a person sees, in a real ``MainWindow``:

- **open**: from building and showing the window until the Inventory table has painted its
  first rows; from a click on "Orders" in the navigation until the orders table has; and from a
  click on "Inventory" after a stock change (the page reloads when shown) until it has again.
- **filter**: typing into the page's search box (``keyClicks``) and pressing Enter (what a
  scanner sends; without it the page waits for a 250 ms typing pause, then runs the same
  search), or choosing a status, until the filtered rows have painted. The clock starts at the
  Enter key (or the status choice): typing itself costs the same at any size.
- **cold start**: ``python -m orion_desktop --db <url>`` (what ``orion-desktop`` runs) in a fresh
  process with ``ORION_EXIT_WHEN_READY=1`` (see ``orion_desktop/app.py``); wall time from the
  spawn to its "ready" line, i.e. until the first page's rows are loaded and painted. Measured as
  a ratio (issue 13, item 6) to its **baseline**, a bare Qt window's start timed the same way and
  alternately in the same run: a fresh ``python -c`` that imports PySide6, shows a ``QMainWindow``
  with one label, lets it paint and prints its line. The budget, under 1.5 s, becomes at most
  ``COLD_START_RATIO_BUDGET`` times that baseline (1.5 s at the baseline's time on the development
  machine, ``REFERENCE_BARE_WINDOW_MS``), so a loaded machine slows both and does not fail it.
- **memory**: ``gui_memory_probe.py`` in a fresh process: the window, then 100k inventory rows
  fetched page by page as scrolling does, then VmRSS.

"Painted" means a paint event of the table's viewport after the model reported the rows
(``rowsLoaded``): the measurement works whether the models load on the GUI thread or in a worker.

Each backend gets two databases of the same shape (``gui_data``): N orders with two items each
(over 100 products of their own two stores) and N products x 3 locations of stock in two more
stores, for N = 1,000 and 100,000 (3,100 and 300,100 stock rows). Sizes are timed alternately
in one run (like ``measure_pair``), so load from elsewhere on the machine hits both alike.
The fill helpers ANALYZE every database (PostgreSQL's autovacuum does that in real use). A real
SQLite file gets its statistics from the app when it opens the file (``db/statistics.py``, run by
``ensure_schema``), so the pages are also measured on a copy of the SQLite databases that had no
planner statistics and was then opened the way the app opens it ("sqlite-unanalyzed"); the time
that first open takes is recorded too.
"""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, QEvent, QEventLoop, QObject, QSettings, Qt, QThreadPool, QTimer
from PySide6.QtWidgets import QAbstractItemView, QApplication
from pytestqt.qtbot import QtBot

from orion_desktop.app import ENV_EXIT_WHEN_READY, READY_LINE, run_gui
from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.db.migrate import ensure_schema
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.ui.data_events import Topic
from orion_desktop.ui.main_window import MainWindow
from orion_desktop.ui.models.inventory_model import InventoryRole
from orion_desktop.ui.models.orders_model import OrderRole
from orion_desktop.ui.pages.inventory_page import InventoryPage
from orion_desktop.ui.pages.orders_page import OrdersPage

from .budgets import load_average, within_budget

OFFSCREEN_ONLY_WARNING = "This plugin does not support propagateSizeHints()"  # as in tests/gui/conftest.py
pytestmark = [pytest.mark.perf, pytest.mark.qt_log_ignore(OFFSCREEN_ONLY_WARNING)]
LONG = pytest.mark.long
"""Every budget here is measured over 100k rows (built in most of a minute): long as well as perf, run by
`pytest -m perf` and .ci/run. The ready hook's check (1k rows, a second) is not long."""

MANAGER = Actor(name="perf", role=Role.MANAGER)
SMALL, LARGE = 1_000, 100_000
ORDER_PRODUCTS = 100  # the products the generated orders refer to (their own stock rows)
LOCATIONS_PER_PRODUCT = 3
WAIT_MS = 30_000  # a page that has not painted by then is an error, not a slow figure
DETAIL_SETTLE_MS = 60
BACKENDS = ["postgresql", "sqlite"]
SQLITE_UNANALYZED = "sqlite-unanalyzed"  # a SQLite file without statistics, then opened by the app (see gui_data)
OPEN_RUNS = 5  # per size; medians of these (after a warm-up round)
FILTER_RUNS = 5
COLD_START_RUNS = 5
# A bare Qt window's start on the development machine (2 cores), measured 2026-12-04 with the
# machine loaded (load average 1.6): medians 95 and 97 ms (the app: 676 and 772 ms, 7.1x and 7.9x).
# 1.5 s at the reference, rounded up to 100 ms, is 15x: if anything stricter than 1.5 s.
REFERENCE_BARE_WINDOW_MS = 100.0
COLD_START_BUDGET_MS = 1500.0
COLD_START_RATIO_BUDGET = COLD_START_BUDGET_MS / REFERENCE_BARE_WINDOW_MS
BARE_WINDOW = (
    "import sys\n"
    "from PySide6.QtWidgets import QApplication, QLabel, QMainWindow\n"
    "app = QApplication(sys.argv)\n"
    "window = QMainWindow()\n"
    "window.setCentralWidget(QLabel('ready'))\n"
    "window.resize(1100, 700)\n"
    "window.show()\n"
    "app.processEvents()\n"
    "print('ready', flush=True)\n"
)
PROBE = Path(__file__).with_name("gui_memory_probe.py")


# --- the datasets ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GuiData:
    database: Database
    orders: int
    stock_rows: int

    @property
    def url(self) -> str:
        return self.database.url.render_as_string(hide_password=False)


def copy_without_statistics(source: Database, target: Path) -> Database:
    """A copy of a SQLite database without its planner statistics (``sqlite_stat1``), as a file
    written by an older version of the app, or filled by another program, would be."""
    assert source.url.database is not None
    with closing(sqlite3.connect(source.url.database)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
        dst.execute("DROP TABLE IF EXISTS sqlite_stat1")
        dst.execute("DROP TABLE IF EXISTS sqlite_stat4")
        dst.commit()
    return Database(f"sqlite:///{target}")


@pytest.fixture(scope="module")
def gui_data(
    perf_database: Any, perf: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[str, int], GuiData]]:
    """``get(backend, n)``: n orders and n x 3 stock rows in one database, built on first use.

    Backend ``SQLITE_UNANALYZED`` is a copy of the SQLite one without planner statistics, opened
    the way the app opens a file (which gives it statistics).
    """
    cache: dict[tuple[str, int], GuiData] = {}
    copies: list[Database] = []

    def get(backend: str, n: int) -> GuiData:
        if backend == SQLITE_UNANALYZED and (backend, n) not in cache:
            data = get("sqlite", n)
            database = copy_without_statistics(data.database, tmp_path_factory.mktemp("unanalyzed") / f"gui{n}.db")
            copies.append(database)
            started = time.perf_counter()
            ensure_schema(database)  # what opening it in the app or the CLI does
            perf.record(
                f"(gui) first open of a SQLite file without statistics, {data.stock_rows} stock rows: "
                f"{(time.perf_counter() - started) * 1000:.0f} ms (ANALYZE, once); {load_average()}"
            )
            cache[(backend, n)] = GuiData(database, data.orders, data.stock_rows)
        if (backend, n) not in cache:
            database = perf_database(backend, f"gui{n}")
            perf.fill_orders(database, orders=n, products=ORDER_PRODUCTS)
            # fill_orders made stores S01, S02 and locations LOC-0001..0040 for its products;
            # fill_stock makes the same codes again, so the first ones are renamed out of the way.
            with database.engine.begin() as conn:
                conn.exec_driver_sql("UPDATE stores SET code = 'O' || code")
                conn.exec_driver_sql("UPDATE locations SET code = 'O' || code")
            stock = perf.fill_stock(database, products=n, locations_per_product=LOCATIONS_PER_PRODUCT)
            cache[(backend, n)] = GuiData(database, n, stock.stock_rows + ORDER_PRODUCTS)
        return cache[(backend, n)]

    yield get
    for database in copies:
        database.dispose()


# --- waiting for the rows to be on screen ----------------------------------------------------


class _PaintSpy(QObject):
    """Ends ``loop`` at the first paint of ``target`` once armed."""

    def __init__(self, target: QObject, loop: QEventLoop) -> None:
        super().__init__()
        self.target = target
        self.loop = loop
        self.armed = False
        self.painted = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.target and self.armed and event.type() == QEvent.Type.Paint:
            self.painted = True
            self.loop.quit()  # the event loop returns once this paint has finished
        return False


def wait_until_painted(model: QAbstractItemModel, view: QAbstractItemView, ready: Callable[[], bool]) -> None:
    """Run the event loop until ``ready()`` holds (checked now and at every ``rowsLoaded``) and the
    view's viewport has painted after that."""
    loop = QEventLoop()
    viewport = view.viewport()
    spy = _PaintSpy(viewport, loop)

    def check() -> None:
        if not spy.armed and ready():
            spy.armed = True
            viewport.update()  # coalesces with the update the model change asked for

    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    viewport.installEventFilter(spy)
    model.rowsLoaded.connect(check)  # type: ignore[attr-defined]  # a page model's signal
    try:
        check()
        timer.start(WAIT_MS)
        loop.exec()
    finally:
        timer.stop()
        model.rowsLoaded.disconnect(check)  # type: ignore[attr-defined]  # a page model's signal
        viewport.removeEventFilter(spy)
    if not spy.painted:
        raise TimeoutError(f"the table did not show its rows within {WAIT_MS} ms (rows: {model.rowCount()})")


class LoadCounter:
    """Counts ``rowsLoaded`` from now on: a filter is shown once its own load has reported."""

    def __init__(self, model: QAbstractItemModel) -> None:
        self.model = model
        self.count = 0
        model.rowsLoaded.connect(self._loaded)  # type: ignore[attr-defined]  # a page model's own signal

    def _loaded(self) -> None:
        self.count += 1

    def close(self) -> None:
        self.model.rowsLoaded.disconnect(self._loaded)  # type: ignore[attr-defined]  # a page model's own signal


def time_until_painted(
    trigger: Callable[[], object], model: QAbstractItemModel, view: QAbstractItemView, *, rows_expected: bool
) -> float:
    """Milliseconds from ``trigger()`` until the load it started has painted its result."""
    counter = LoadCounter(model)
    try:
        started = time.perf_counter()
        trigger()
        wait_until_painted(model, view, lambda: counter.count > 0 and (model.rowCount() > 0) == rows_expected)
        return (time.perf_counter() - started) * 1000
    finally:
        counter.close()


def settle() -> None:
    """Let delayed and background work (the detail panes) finish, so it does not slow the next run."""
    loop = QEventLoop()
    QTimer.singleShot(DETAIL_SETTLE_MS, loop.quit)  # past the orders page's 40 ms detail delay
    loop.exec()
    QThreadPool.globalInstance().waitForDone(WAIT_MS)
    QApplication.processEvents()  # the answers, on the GUI thread


@dataclass(frozen=True)
class Figure:
    small: list[float]
    large: list[float]

    @property
    def ratio(self) -> float:
        return statistics.median(self.large) / statistics.median(self.small)

    def __str__(self) -> str:
        return (
            f"1k {statistics.median(self.small):.1f} ms, 100k {statistics.median(self.large):.1f} ms "
            f"(medians of {len(self.small)}); ratio {self.ratio:.2f}x (budget 2x)"
        )


def alternate(small: Callable[[], float], large: Callable[[], float], *, runs: int, warmup: int) -> Figure:
    """Like ``perf.measure_pair``, for callables that return their own figure in ms."""
    for _ in range(warmup):
        small()
        large()
    a, b = [], []
    for _ in range(runs):
        a.append(small())
        b.append(large())
    return Figure(a, b)


# --- windows ---------------------------------------------------------------------------------


class Windows:
    """Main windows on the perf databases, with settings files of their own (nothing restored)."""

    def __init__(self, qtbot: QtBot, folder: Path) -> None:
        self.qtbot = qtbot
        self.folder = folder
        self.made = 0

    def new(self, data: GuiData) -> MainWindow:
        self.made += 1
        settings = QSettings(str(self.folder / f"window{self.made}.ini"), QSettings.Format.IniFormat)
        window = MainWindow(Services.on(data.database), MANAGER, settings=settings)
        self.qtbot.addWidget(window)
        return window

    def shown(self, data: GuiData) -> MainWindow:
        window = self.new(data)
        window.show()
        page = window.inventory_page
        wait_until_painted(page.model, page.table, lambda: page.model.rowCount() > 0)
        return window

    def go_to(self, window: MainWindow, row: int) -> None:
        """Click the page's entry in the navigation, as a person does."""
        navigation = window.navigation
        rect = navigation.visualItemRect(navigation.item(row))
        self.qtbot.mouseClick(navigation.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


@pytest.fixture
def windows(qtbot: QtBot, tmp_path: Path) -> Iterator[Windows]:
    made = Windows(qtbot, tmp_path)
    yield made
    settle()


INVENTORY_ROW, ORDERS_ROW = 0, 1  # the pages' places in the navigation
INVENTORY_PAGE_ROWS = 200  # the first page of stock rows (the model's page size)


# --- opening the pages -----------------------------------------------------------------------


OPENING = {
    "window": "window shown until the Inventory table painted its first rows",
    "orders": "click on Orders until its table painted (first load)",
    "inventory again": "click on Inventory after a stock change until it painted (reload)",
}


@pytest.fixture(scope="module")
def opening_cache() -> dict[str, dict[str, Figure]]:
    return {}


def opening_figures(
    backend: str, gui_data: Any, windows: Windows, cache: dict[str, dict[str, Figure]], perf: Any
) -> dict[str, Figure]:
    """The three OPENING figures for a backend, measured by the first test that asks (one run serves both tests)."""
    if backend in cache:
        return cache[backend]
    data = {SMALL: gui_data(backend, SMALL), LARGE: gui_data(backend, LARGE)}
    samples: dict[str, dict[int, list[float]]] = {name: {SMALL: [], LARGE: []} for name in OPENING}

    def run(n: int) -> None:
        started = time.perf_counter()
        window = windows.new(data[n])
        window.show()
        inventory = window.inventory_page
        wait_until_painted(inventory.model, inventory.table, lambda: inventory.model.rowCount() > 0)
        samples["window"][n].append((time.perf_counter() - started) * 1000)

        orders = window.orders_page
        assert orders.model.rowCount() == 0  # the Orders page loads when it is first shown
        samples["orders"][n].append(
            time_until_painted(
                lambda: windows.go_to(window, ORDERS_ROW), orders.model, orders.table, rows_expected=True
            )
        )
        assert orders.isVisible() and orders.model.rowCount() == orders.model.page_size
        settle()

        window.events.announce(Topic.STOCK)  # as after a stock change: the hidden Inventory page goes stale
        settle()
        samples["inventory again"][n].append(
            time_until_painted(
                lambda: windows.go_to(window, INVENTORY_ROW), inventory.model, inventory.table, rows_expected=True
            )
        )
        assert inventory.isVisible() and inventory.model.rowCount() == inventory.model.page_size
        window.close()

    run(SMALL)  # warm-up: caches, first-use imports
    run(LARGE)
    for by_size in samples.values():
        by_size[SMALL].clear()
        by_size[LARGE].clear()
    for _ in range(OPEN_RUNS):
        run(SMALL)
        run(LARGE)
    cache[backend] = {name: Figure(values[SMALL], values[LARGE]) for name, values in samples.items()}
    for name, figure in cache[backend].items():
        perf.record(f"(gui open) {OPENING[name]}, {backend}: {figure}; {load_average()}")
    return cache[backend]


def check_opening(figures: dict[str, Figure], names: tuple[str, ...]) -> None:
    # Every ratio is in the message, so the table's row shows the figures of a pass too, not only of a miss.
    ratios = "; ".join(f"{OPENING[name]}: {figures[name].ratio:.2f}x" for name in names)
    within_budget(all(figures[name].ratio <= 2.0 for name in names), f"{ratios} (budget 2x)")


@LONG
@pytest.mark.parametrize("backend", [*BACKENDS, SQLITE_UNANALYZED])
def test_the_inventory_page_opens_at_100k_within_2x_of_1k(
    backend: str, gui_data: Any, windows: Windows, opening_cache: Any, perf: Any
) -> None:
    check_opening(opening_figures(backend, gui_data, windows, opening_cache, perf), ("window", "inventory again"))


@LONG
@pytest.mark.parametrize("backend", [*BACKENDS, SQLITE_UNANALYZED])
def test_the_orders_page_opens_at_100k_within_2x_of_1k(
    backend: str, gui_data: Any, windows: Windows, opening_cache: Any, perf: Any
) -> None:
    check_opening(opening_figures(backend, gui_data, windows, opening_cache, perf), ("orders",))


# --- filtering -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterCase:
    page: str  # "inventory" or "orders"
    search: str = ""
    status: str | None = None  # the orders status filter (an OrderStatus value)


FILTERS = {
    "inventory: word in 1/8 of titles": FilterCase("inventory", search="gadget"),
    "inventory: one SKU": FilterCase("inventory", search="SKU-0000421"),
    "inventory: nothing matches": FilterCase("inventory", search="zzzz"),
    "orders: status (1/6)": FilterCase("orders", status="shipped"),
    "orders: surname (1/8)": FilterCase("orders", search="Garcia"),
    "orders: order number": FilterCase("orders", search="ORD-0000421"),
}


def check_filtered(page: Any, case: FilterCase) -> None:
    """The rows shown are the ones asked for (so a fast figure is not a wrong answer)."""
    model = page.model
    if case.page == "inventory":
        rows = [model.index(r, 0).data(InventoryRole.ROW) for r in range(model.rowCount())]
        if case.search == "zzzz":
            assert rows == []
        elif case.search.startswith("SKU-"):
            assert [row.sku for row in rows] == [case.search] * LOCATIONS_PER_PRODUCT
        else:
            assert rows and all(case.search in row.title.lower() for row in rows)
        return
    orders = [model.index(r, 0).data(OrderRole.ROW) for r in range(model.rowCount())]
    if case.search.startswith("ORD-"):
        assert [o.order_number for o in orders] == [case.search]
        return
    # 1/6 or 1/8 of the orders: a full first page at 100k, all of them (167 or 125) at 1k.
    assert orders and (len(orders) == model.page_size or not model.has_more)
    if case.status is not None:
        assert all(o.status.value == case.status for o in orders)
    else:
        assert all(case.search in o.customer_name for o in orders)


@LONG
@pytest.mark.parametrize(
    ("backend", "name"),
    [
        pytest.param(backend, name, id=f"{backend}-{name}")
        for backend in [*BACKENDS, SQLITE_UNANALYZED]
        for name in FILTERS
        # The order lists' plans do not depend on statistics (8-40 ms either way, measured by hand).
        if backend != SQLITE_UNANALYZED or FILTERS[name].page == "inventory"
    ],
)
def test_filtering_a_page_at_100k_costs_at_most_2x_at_1k(
    backend: str, name: str, gui_data: Any, windows: Windows, perf: Any
) -> None:
    case = FILTERS[name]
    pages: dict[int, OrdersPage | InventoryPage] = {}
    for n in (SMALL, LARGE):
        window = windows.shown(gui_data(backend, n))
        page: OrdersPage | InventoryPage
        if case.page == "orders":
            windows.go_to(window, ORDERS_ROW)
            page = window.orders_page
            wait_until_painted(
                page.model,
                page.table,
                lambda page=page: page.model.rowCount() > 0,  # type: ignore[misc]  # a lambda with a default
            )
        else:
            page = window.inventory_page
        pages[n] = page

    def run(n: int) -> float:
        page = pages[n]
        qtbot = windows.qtbot
        # Untimed: back to the unfiltered list (unless it is shown already), then type the text
        # (each key only restarts the typing-pause timer, which Enter stops).
        if case.status is not None:
            assert isinstance(page, OrdersPage)  # only the order list filters by status
            if page.status_combo.currentIndex() != 0:
                time_until_painted(
                    lambda: page.status_combo.setCurrentIndex(0), page.model, page.table, rows_expected=True
                )
                settle()
            index = page.status_combo.findData(case.status)
            assert index > 0
            elapsed = time_until_painted(
                lambda: page.status_combo.setCurrentIndex(index), page.model, page.table, rows_expected=True
            )
        else:
            if page.search_edit.text():
                page.search_edit.clear()
                time_until_painted(
                    lambda: qtbot.keyClick(
                        page.search_edit, Qt.Key.Key_Return
                    ), page.model, page.table, rows_expected=True
                )
                settle()
            qtbot.keyClicks(page.search_edit, case.search)
            elapsed = time_until_painted(
                lambda: qtbot.keyClick(page.search_edit, Qt.Key.Key_Return),
                page.model,
                page.table,
                rows_expected=case.search != "zzzz",
            )
        check_filtered(page, case)
        settle()
        return elapsed

    figure = alternate(lambda: run(SMALL), lambda: run(LARGE), runs=FILTER_RUNS, warmup=1)
    rows = {n: pages[n].model.rowCount() for n in pages}
    perf.record(
        f"(gui filter) {name} {case.search or case.status!r}, {backend}: {figure}; "
        f"rows shown 1k {rows[SMALL]}, 100k {rows[LARGE]}; {load_average()}"
    )
    within_budget(figure.ratio <= 2.0, f"filtering at 100k costs {figure.ratio:.2f}x the time at 1k (budget 2x)")


# --- cold start and memory, in fresh processes -----------------------------------------------


def child_environment(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("ORION_DATABASE_URL", "ORION_USER", "ORION_ROLE", ENV_EXIT_WHEN_READY):
        env.pop(name, None)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        ORION_CONFIG_DIR=str(tmp_path / "config"),  # no remembered window state or database
        ORION_DATA_DIR=str(tmp_path / "data"),
        ORION_ROLE="manager",
    )
    return env


@dataclass(frozen=True)
class ColdStart:
    wall_ms: float  # spawn until the ready line
    cpu_ms: float  # the child's user + system CPU over its whole life, exit included, all threads
    line: str

    @property
    def after_run_gui_ms(self) -> float:
        """The child's own figure: from run_gui's start (imports and opening the database are before)."""
        return float(self.line.split(READY_LINE)[1].split(" ms")[0])


def _children_cpu_ms() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


def cold_start(url: str, env: dict[str, str]) -> ColdStart:
    """Spawn ``python -m orion_desktop --db url`` and time it until its ready line."""
    cpu_before = _children_cpu_ms()
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "orion_desktop", "--db", url],
        env={**env, ENV_EXIT_WHEN_READY: "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    try:
        line = child.stdout.readline()  # blocks until the child prints (or exits)
        elapsed = (time.perf_counter() - started) * 1000
        _out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0 and line.startswith(READY_LINE), f"exit {child.returncode}: {line!r} {err[-2000:]}"
    return ColdStart(elapsed, _children_cpu_ms() - cpu_before, line.strip())


def bare_window_start(env: dict[str, str]) -> float:
    """The cold start's baseline: spawn a bare Qt window (BARE_WINDOW) and time it until its line, in ms."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", BARE_WINDOW], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None
    try:
        line = child.stdout.readline()
        elapsed = (time.perf_counter() - started) * 1000
        _out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0 and line.strip() == "ready", f"exit {child.returncode}: {line!r} {err[-2000:]}"
    return elapsed


@LONG
# Where a cold start's time goes (100k database): imports 0.7-0.9 s (SQLAlchemy and the ORM
# models, PySide6, the page modules), building the pages ~0.1 s, the first page's queries ~0.1 s.
@pytest.mark.parametrize("backend", BACKENDS)
def test_cold_start_to_a_usable_window_under_1_5_s(backend: str, gui_data: Any, tmp_path: Path, perf: Any) -> None:
    data = gui_data(backend, LARGE)
    env = child_environment(tmp_path)
    cold_start(data.url, env)  # warm-up: compiled bytecode and the OS file cache, as after any earlier start
    bare_window_start(env)
    starts: list[ColdStart] = []
    bare: list[float] = []
    for _ in range(COLD_START_RUNS):  # alternately, so load from elsewhere hits both alike
        starts.append(cold_start(data.url, env))
        bare.append(bare_window_start(env))
    assert all(start.line.endswith(f"{INVENTORY_PAGE_ROWS} rows on Inventory") for start in starts), starts
    median = statistics.median(start.wall_ms for start in starts)
    baseline = statistics.median(bare)
    ratio = median / baseline
    perf.record(
        f"(gui cold start) python -m orion_desktop, {backend}, {data.orders} orders / {data.stock_rows} stock rows: "
        f"median {median:.0f} ms = {ratio:.1f}x a bare Qt window's start (median {baseline:.0f} ms; budget "
        f"{COLD_START_RATIO_BUDGET:.1f}x, i.e. {COLD_START_BUDGET_MS:.0f} ms at {REFERENCE_BARE_WINDOW_MS:.0f} ms); "
        f"runs {', '.join(f'{s.wall_ms:.0f}' for s in starts)} ms, bare {', '.join(f'{b:.0f}' for b in bare)} ms, "
        f"of which after run_gui {', '.join(f'{s.after_run_gui_ms:.0f}' for s in starts)} ms; "
        f"child CPU {', '.join(f'{s.cpu_ms:.0f}' for s in starts)} ms; {load_average()}"
    )
    within_budget(
        ratio <= COLD_START_RATIO_BUDGET,
        f"cold start took {median:.0f} ms, {ratio:.1f}x a bare Qt window's {baseline:.0f} ms "
        f"(budget {COLD_START_RATIO_BUDGET:.1f}x: {COLD_START_BUDGET_MS:.0f} ms at {REFERENCE_BARE_WINDOW_MS:.0f} ms)",
    )


@pytest.mark.parametrize("rows", [INVENTORY_PAGE_ROWS, 0])
def test_the_ready_hook_reports_a_loaded_window_and_quits(
    rows: int, gui_data: Any, perf_database: Any, monkeypatch: Any, capsys: Any
) -> None:
    """ORION_EXIT_WHEN_READY=1 makes run_gui print its ready line and return 0 once the first
    page has loaded: a page of stock rows, or none at all in an empty database."""
    database = gui_data("sqlite", SMALL).database if rows else perf_database("sqlite", "guiempty")
    monkeypatch.setenv(ENV_EXIT_WHEN_READY, "1")
    assert run_gui(Services.on(database), MANAGER, []) == 0
    out = capsys.readouterr().out
    assert out.startswith(READY_LINE) and out.rstrip().endswith(f" {rows} rows on Inventory"), out
    for widget in QApplication.topLevelWidgets():  # run_gui leaves its window open when the loop ends: close it
        if isinstance(widget, MainWindow):
            widget.close()
            widget.deleteLater()


RSS_BUDGET_MB = 300
ROWS_LOADED = 100_000


@LONG
@pytest.mark.parametrize("backend", BACKENDS)
def test_resident_memory_with_100k_rows_loaded_under_300_mb(
    backend: str, gui_data: Any, tmp_path: Path, perf: Any
) -> None:
    data = gui_data(backend, LARGE)
    env = child_environment(tmp_path)
    os.makedirs(env["ORION_CONFIG_DIR"], exist_ok=True)
    done = subprocess.run(
        [sys.executable, str(PROBE), data.url, str(ROWS_LOADED)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["rows"] >= ROWS_LOADED
    mb = {key: result[key] / 1024 for key in ("rss_kb_before_qt", "rss_kb_window", "rss_kb_loaded")}
    perf.record(
        f"(gui memory) {backend}: VmRSS {mb['rss_kb_loaded']:.0f} MB with {result['rows']} inventory rows loaded "
        f"(window with its first page {mb['rss_kb_window']:.0f} MB, "
        f"interpreter before Qt {mb['rss_kb_before_qt']:.0f} MB; "
        f"fetching took {result['fetch_seconds']} s) (budget {RSS_BUDGET_MB} MB); {load_average()}"
    )
    within_budget(
        mb["rss_kb_loaded"] < RSS_BUDGET_MB, f"{mb['rss_kb_loaded']:.0f} MB resident (budget {RSS_BUDGET_MB} MB)"
    )
