"""One definition of low stock: on the demo warehouse the Dashboard's low-stock tile, the Low stock
page as it opens and ``stock low --reorder-points --json`` give the same number of rows, and the
thresholds-only question (the page's box unticked, ``stock low --json``, ``stock stats``) agrees
too, on both databases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from helpers import ADMIN
from PySide6.QtCore import QModelIndex, QPoint, Qt, QThreadPool
from pytestqt.qtbot import QtBot

from orion_desktop.__main__ import main
from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.demo import fill_demo
from orion_desktop.ui.data_events import DataEvents
from orion_desktop.ui.pages.dashboard_page import DashboardPage
from orion_desktop.ui.pages.low_stock_page import LowStockPage

from .overview_helpers import open_page, wait_idle


@pytest.fixture(autouse=True)
def _finish_background_work(database: Database) -> Iterator[None]:
    """Set up after the database, so torn down before it: no query outlives the test's database."""
    yield
    QThreadPool.globalInstance().waitForDone(10_000)


@pytest.fixture
def demo(database: Database, services: Services) -> Services:
    fill_demo(database, ADMIN)
    return services


def _cli_json(url: str, capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code = main(["--db", url, *argv, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def _all_rows(qtbot: QtBot, page: LowStockPage) -> int:
    """Scroll the list to its end, as a person would, and count its rows."""
    while page.model.has_more:
        page.model.fetchMore(QModelIndex())
        wait_idle(qtbot, page)
    return page.model.rowCount()


def _tile_number(page: DashboardPage) -> int:
    return int("".join(ch for ch in page.stock_tiles["low_stock_count"].value_text if ch.isdigit()))


def test_dashboard_low_stock_page_and_cli_count_the_same_rows(
    qtbot: QtBot, demo: Services, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    dashboard = DashboardPage(demo, ADMIN, DataEvents())
    open_page(qtbot, dashboard)
    on_dashboard = _tile_number(dashboard)

    low = LowStockPage(demo, ADMIN, DataEvents())
    open_page(qtbot, low)
    assert low.current_threshold() is None and low.reorder_check.isChecked()  # the page as it opens
    on_page = _all_rows(qtbot, low)

    assert on_dashboard == on_page
    assert dashboard.figures is not None and dashboard.figures.low_stock_rows == on_page
    assert len(_cli_json(database_url, capsys, "stock", "low", "--reorder-points")) == on_page

    # The demo has a product listed only for its reorder point, so the two questions differ here
    # (and the agreement above is not the thresholds-only count by luck).
    thresholds_only = _cli_json(database_url, capsys, "stock", "low")
    assert len(thresholds_only) < on_page
    assert _cli_json(database_url, capsys, "stock", "stats")["low_stock_count"] == len(thresholds_only)

    # Unticking the reorder-point box asks the CLI's question: the same rows.
    qtbot.mouseClick(low.reorder_check, Qt.MouseButton.LeftButton, pos=QPoint(4, low.reorder_check.height() // 2))
    wait_idle(qtbot, low)
    assert not low.reorder_check.isChecked()
    assert _all_rows(qtbot, low) == len(thresholds_only)
    shown = {(row.store_code, row.sku, row.location) for row in low.model.rows()}
    assert shown == {(r["store"], r["sku"], r["location"]) for r in thresholds_only}
