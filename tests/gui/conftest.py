"""GUI fixtures: a database with stock in it, isolated window settings, and a shown main window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from helpers import ADMIN, seed_catalog
from PySide6.QtCore import QSettings, QThreadPool
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.domain.actor import Actor

if TYPE_CHECKING:  # the window module is imported by the fixture that opens it
    from orion_desktop.ui.main_window import MainWindow

from .orders_support import SUBMIT_TIMEOUT_MS, Orders, seed_orders

_HERE = Path(__file__).parent

# Qt's offscreen platform plugin (used by the tests) warns whenever a top-level window with a
# layout is shown or resized; real platforms (xcb, Windows, macOS) implement it. Only that
# exact message is ignored, and only here: every other Qt warning still fails a test.
OFFSCREEN_ONLY_WARNING = "This plugin does not support propagateSizeHints()"

GTIN_D_UPC = "036000291452"  # a real UPC-A; stored as EAN-13 0036000291452


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in item.path.parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_ONLY_WARNING))


def seed_stock(services: Services) -> None:
    """The helpers' catalog plus a UPC product, with stock at three locations.

    A: 12 at WAREHOUSE_A (5 reserved) and 30 at WAREHOUSE_B; B: 4 at WAREHOUSE_A;
    C: 2 at SHELF-1; D: 7 at WAREHOUSE_B. Five stock rows in all.
    """
    seed_catalog(services)
    services.catalog.add_product(ADMIN, store="MAIN", sku="D", title="Gadget D", gtin="0" + GTIN_D_UPC)
    stock = services.inventory
    stock.set_quantity(ADMIN, store="MAIN", product="A", location="WAREHOUSE_A", quantity=12, reason="count")
    stock.set_quantity(ADMIN, store="MAIN", product="A", location="WAREHOUSE_B", quantity=30, reason="count")
    stock.reserve(ADMIN, store="MAIN", product="A", location="WAREHOUSE_A", quantity=5, reason="order")
    stock.set_quantity(ADMIN, store="MAIN", product="B", location="WAREHOUSE_A", quantity=4)
    stock.set_quantity(ADMIN, store="MAIN", product="C", location="SHELF-1", quantity=2)
    stock.set_quantity(ADMIN, store="MAIN", product="D", location="WAREHOUSE_B", quantity=7)


@pytest.fixture
def stocked(services: Services) -> Services:
    seed_stock(services)
    return services


@pytest.fixture
def orders(stocked: Services) -> Orders:
    """The four orders of ``orders_support.seed_orders`` in the stocked shop."""
    return seed_orders(stocked)


@pytest.fixture
def background_work_done(services: Services) -> Iterator[None]:
    """Let detail loads and dialog requests finish before the database goes away.

    Not autouse: it needs ``services``, so the modules whose pages work in the background ask for it
    with ``pytestmark = pytest.mark.usefixtures("background_work_done")``.
    """
    yield
    QThreadPool.globalInstance().waitForDone(SUBMIT_TIMEOUT_MS)


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "gui.ini"


@pytest.fixture
def window_settings(settings_path: Path) -> QSettings:
    return QSettings(str(settings_path), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot: QtBot, stocked: Services, manager: Actor, window_settings: QSettings) -> MainWindow:
    from orion_desktop.ui.main_window import MainWindow

    main_window = MainWindow(stocked, manager, settings=window_settings)
    qtbot.addWidget(main_window)
    main_window.show()
    qtbot.waitExposed(main_window)
    return main_window
