"""Issue 11, item 6: no stale messages after an outage, one sentence during it, and losses and
recoveries in orion.log. The outage is real: the SQLite file is moved away and back (a PostgreSQL
outage is driven the same way in ``test_database_loss``)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.domain.actor import Actor
from orion_desktop.logging_setup import log_file, setup_logging
from orion_desktop.ui.dialogs.stock_dialogs import AdjustStockDialog
from orion_desktop.ui.main_window import MainWindow
from orion_desktop.ui.pack_station.outage_note import BACK_MESSAGE
from orion_desktop.ui.pages.pack_station_page import Tone

from .orders_support import Orders, type_number
from .window_support import go_to, open_window

pytestmark = pytest.mark.usefixtures("background_work_done")

SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
FAST_MS = 100
WAIT_MS = 10_000
NOT_ON_ANY_ORDER = "4000000000006"  # a valid EAN-13: looking it up needs the database


class Outage:
    """Moves the SQLite file away (the database is gone) and back (it is back)."""

    def __init__(self, database_url: str) -> None:
        self.path = Path(database_url.removeprefix("sqlite:///"))
        self.moved = self.path.with_name("moved-away.db")

    def begin(self) -> None:
        os.rename(self.path, self.moved)

    def end(self) -> None:
        os.rename(self.moved, self.path)


@pytest.fixture
def outage(database_url: str) -> Iterator[Outage]:
    happening = Outage(database_url)
    yield happening
    if happening.moved.exists():
        happening.end()


def _window(qtbot: QtBot, services: Services, actor: Actor, settings: QSettings) -> MainWindow:
    window = open_window(qtbot, services, actor, settings)
    monitor = window.connection_monitor
    monitor.healthy_interval_ms = 600_000  # only a refused action tells the window
    monitor.retry_interval_ms = FAST_MS
    return window


def _stop(qtbot: QtBot, window: MainWindow) -> None:
    window.connection_monitor.stop()
    qtbot.waitUntil(lambda: not window.connection_monitor.checking, timeout=WAIT_MS)


def _scan(qtbot: QtBot, window: MainWindow, text: str) -> None:
    field = window.pack_station_page.scan_input
    field.setFocus()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


@SQLITE_ONLY
def test_6_the_pack_station_drops_cannot_be_reached_when_the_database_is_back(
    qtbot: QtBot, orders: Orders, manager: Actor, window_settings: QSettings, outage: Outage, stocked: Services
) -> None:
    window = _window(qtbot, stocked, manager, window_settings)
    station = window.pack_station_page
    go_to(qtbot, window, station)
    _scan(qtbot, window, orders.processing)
    outage.begin()
    _scan(qtbot, window, NOT_ON_ANY_ORDER)  # not on the order: looked up, and the database is gone
    assert station.tone is Tone.REFUSED and "missing" in station.feedback.text()
    qtbot.waitUntil(lambda: window.banner.text != "", timeout=WAIT_MS)

    outage.end()
    qtbot.waitUntil(lambda: window.banner.text == "", timeout=WAIT_MS)
    assert "missing" not in station.feedback.text()
    assert (station.feedback.text(), station.tone) == (BACK_MESSAGE, Tone.INFO)
    assert station.session is not None  # the order stays on the station
    _stop(qtbot, window)


@SQLITE_ONLY
def test_6_the_adjust_dialog_drops_its_outage_error_when_the_database_is_back(
    qtbot: QtBot, stocked: Services, manager: Actor, window_settings: QSettings, outage: Outage
) -> None:
    window = _window(qtbot, stocked, manager, window_settings)
    page = window.inventory_page
    row = next(r for r in range(page.model.rowCount()) if page.model.row_at(r).sku == "B")
    page.table.selectRow(row)
    dialog = page.adjust_stock()  # Ctrl+J: opened by the page, as a person opens it
    assert isinstance(dialog, AdjustStockDialog)
    qtbot.waitExposed(dialog)
    type_number(qtbot, dialog.delta_spin, 3)
    qtbot.keyClicks(dialog.reason_edit, "delivery")
    outage.begin()
    with qtbot.waitSignal(dialog.settled, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "missing" in dialog.error_banner.text
    qtbot.waitUntil(lambda: window.banner.text != "", timeout=WAIT_MS)

    outage.end()
    qtbot.waitUntil(lambda: window.banner.text == "", timeout=WAIT_MS)
    assert "missing" not in dialog.error_banner.text
    assert dialog.error_banner.text == "The database is reachable again. Press OK to try again."
    assert dialog.isVisible() and dialog.ok_button.isEnabled()
    dialog.reject()
    _stop(qtbot, window)


@SQLITE_ONLY
def test_6_during_an_outage_the_inventory_says_it_once_and_never_no_stock_recorded(
    qtbot: QtBot, stocked: Services, manager: Actor, window_settings: QSettings, outage: Outage
) -> None:
    window = _window(qtbot, stocked, manager, window_settings)
    page = window.inventory_page
    outage.begin()
    window.refresh_action.trigger()  # F5
    qtbot.waitUntil(lambda: window.banner.text != "", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "unreachable" in page.count_label.text(), timeout=WAIT_MS)
    shown = [text for text in (window.banner.text, page.banner.text) if "missing" in text]
    assert len(shown) == 1  # once, above every page
    assert page.count_label.text() != "No stock recorded yet"
    assert "unreachable" in page.count_label.text()
    outage.end()
    qtbot.waitUntil(lambda: page.model.rowCount() == 5, timeout=WAIT_MS)
    assert page.count_label.text() == "5 rows"
    _stop(qtbot, window)


@pytest.fixture
def orion_log() -> Iterator[Path]:
    """The app's own log file (in the test's data folder), set up as the app does."""
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    earlier = [h for h in before if getattr(h, "_orion", False)]  # another test's app, writing elsewhere
    for handler in earlier:
        root.removeHandler(handler)
    setup_logging()
    yield log_file()
    for handler in list(root.handlers):
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    for handler in earlier:
        root.addHandler(handler)
    root.setLevel(level)


@SQLITE_ONLY
def test_6_losses_and_recoveries_are_written_to_orion_log(
    qtbot: QtBot, stocked: Services, manager: Actor, window_settings: QSettings, outage: Outage, orion_log: Path
) -> None:
    window = _window(qtbot, stocked, manager, window_settings)
    monitor = window.connection_monitor
    outage.begin()
    monitor.check_now()
    qtbot.waitUntil(lambda: not monitor.healthy, timeout=WAIT_MS)
    outage.end()
    qtbot.waitUntil(lambda: monitor.healthy, timeout=WAIT_MS)
    _stop(qtbot, window)
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = orion_log.read_text(encoding="utf-8")
    assert "ERROR orion_desktop.ui.connection_monitor: The database cannot be used:" in text
    assert "missing" in text
    assert "INFO orion_desktop.ui.connection_monitor: The database is reachable again" in text
