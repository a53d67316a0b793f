"""The Low stock page lists products down to their reorder point (all locations together), on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import ADMIN
from PySide6.QtCore import QPoint, QSettings, Qt, QThreadPool
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.ui.data_events import DataEvents
from orion_desktop.ui.models.low_stock_model import LowStockColumn
from orion_desktop.ui.models.row_model import RowRole
from orion_desktop.ui.pages.low_stock_page import LowStockPage

from .overview_helpers import column_values, open_page, wait_idle


@pytest.fixture(autouse=True)
def _finish_background_work(database: Database) -> Iterator[None]:
    """Set up after the database, so torn down before it: no query outlives the test's database."""
    yield
    QThreadPool.globalInstance().waitForDone(10_000)


@pytest.fixture
def shop(services: Services) -> Services:
    """R: 28 available over two locations, reorder point 30; S: 29, reorder point 10; thresholds 2."""
    services.catalog.add_store(ADMIN, "MAIN", "Main store")
    for code in ("WH1", "WH2"):
        services.catalog.add_location(ADMIN, code)
    services.catalog.add_product(
        ADMIN, store="MAIN", sku="R", title="Reordered", low_stock_threshold=2, reorder_point=30
    )
    services.catalog.add_product(ADMIN, store="MAIN", sku="S", title="Stocked", low_stock_threshold=2, reorder_point=10)
    for sku, location, quantity in (("R", "WH1", 19), ("R", "WH2", 9), ("S", "WH1", 20), ("S", "WH2", 9)):
        services.inventory.set_quantity(ADMIN, store="MAIN", product=sku, location=location, quantity=quantity)
    return services


def _rows(page: LowStockPage) -> list[tuple[str, str, int, int]]:
    model = page.model
    return list(
        zip(
            column_values(model, LowStockColumn.SKU),
            column_values(model, LowStockColumn.LOCATION),
            column_values(model, LowStockColumn.AVAILABLE, RowRole.VALUE),
            column_values(model, LowStockColumn.PRODUCT_AVAILABLE, RowRole.VALUE),
            strict=True,
        )
    )


def _click(qtbot: QtBot, check: QWidget) -> None:
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton, pos=QPoint(4, check.height() // 2))


def test_products_at_their_reorder_point_are_listed_and_can_be_left_out(
    qtbot: QtBot, shop: Services, tmp_path: Path
) -> None:
    page = LowStockPage(shop, ADMIN, DataEvents())
    open_page(qtbot, page)
    assert page.reorder_check.isChecked()
    assert _rows(page) == [("R", "WH2", 9, 28), ("R", "WH1", 19, 28)]
    tip = page.model.index(0, LowStockColumn.PRODUCT_AVAILABLE).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == "Listed: 28 available at all locations, at or below the reorder point of 30"
    assert page.count_label.text() == "2 rows low on stock"

    _click(qtbot, page.reorder_check)  # only the thresholds now: nothing is at or below 2
    wait_idle(qtbot, page)
    assert not page.reorder_check.isChecked()
    assert _rows(page) == []
    assert page.count_label.text() == "Nothing is low on stock"

    # Stock moves: S drops to 9 + 1 = 10 available, its reorder point; it shows once the box is ticked again.
    shop.inventory.adjust(ADMIN, store="MAIN", product="S", location="WH1", delta=-19, reason="damaged")
    _click(qtbot, page.reorder_check)
    wait_idle(qtbot, page)
    assert _rows(page) == [("S", "WH1", 1, 10), ("R", "WH2", 9, 28), ("S", "WH2", 9, 10), ("R", "WH1", 19, 28)]

    # The choice is remembered with the page's other settings.
    settings = QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat)
    _click(qtbot, page.reorder_check)
    wait_idle(qtbot, page)
    page.save_state(settings)
    again = LowStockPage(shop, ADMIN, DataEvents())
    again.restore_state(settings)
    open_page(qtbot, again)
    assert not again.reorder_check.isChecked()
    assert _rows(again) == [("S", "WH1", 1, 10)]  # 1 available is at or below S's threshold of 2
