"""When the database goes away the window says so (no crash), and it recovers when the database is back.

For real: a SQLite file moved away and back, and a PostgreSQL database dropped and created again;
also while an order dialog is open (its refusal must reach the window's connection monitor).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from helpers import ADMIN, seed_catalog
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.db.migrate import upgrade
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.errors import DatabaseUnavailable
from orion_desktop.ui.connection_monitor import ConnectionMonitor
from orion_desktop.ui.dialogs.action_dialog import ActionDialog
from orion_desktop.ui.dialogs.change_status_dialog import ChangeStatusDialog
from orion_desktop.ui.dialogs.new_order_dialog import NewOrderDialog
from orion_desktop.ui.dialogs.note_dialog import NoteDialog
from orion_desktop.ui.dialogs.return_dialog import ReturnDialog
from orion_desktop.ui.dialogs.ship_dialog import ShipDialog
from orion_desktop.ui.main_window import MainWindow
from orion_desktop.ui.worker import pending_jobs

from .orders_support import SUBMIT_TIMEOUT_MS, Orders, choose, press_ok
from .window_support import go_to, open_window

pytestmark = pytest.mark.usefixtures("background_work_done")  # pages here work in the background

FAST_MS = 100
SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _press_f5(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F5)


def _stop(qtbot: QtBot, window: MainWindow) -> None:
    window.connection_monitor.stop()
    qtbot.waitUntil(lambda: not window.connection_monitor.checking, timeout=10_000)


# --- the monitor on its own ---------------------------------------------------------------------
def test_the_monitor_reports_loss_once_and_recovery(qtbot: QtBot) -> None:
    reachable = {"now": False}

    def check() -> None:
        if not reachable["now"]:
            raise DatabaseUnavailable("The database cannot be reached: connection refused")

    monitor = ConnectionMonitor(check, retry_interval_ms=FAST_MS, healthy_interval_ms=FAST_MS)
    lost: list[str] = []
    restored: list[bool] = []
    monitor.lost.connect(lost.append)
    monitor.restored.connect(lambda: restored.append(True))
    monitor.report(DatabaseUnavailable("x"))
    qtbot.waitUntil(lambda: bool(lost), timeout=5000)
    qtbot.wait(FAST_MS * 4)  # further failed checks with the same reason say nothing new
    assert lost == ["The database cannot be reached: connection refused"]
    assert not monitor.healthy and monitor.message == lost[0]
    reachable["now"] = True
    qtbot.waitUntil(lambda: bool(restored), timeout=5000)
    assert monitor.healthy and monitor.message == ""
    monitor.stop()
    qtbot.waitUntil(lambda: not monitor.checking, timeout=5000)
    monitor.deleteLater()


def test_stop_holds_when_a_check_is_under_way(qtbot: QtBot) -> None:
    """The answer of the check that was running must not start the timer again."""
    release = threading.Event()

    def check() -> None:
        release.wait(5)

    monitor = ConnectionMonitor(check, retry_interval_ms=FAST_MS, healthy_interval_ms=FAST_MS)
    monitor.check_now()
    assert monitor.checking
    monitor.stop()
    release.set()
    qtbot.waitUntil(lambda: not monitor.checking, timeout=5000)
    assert not monitor._timer.isActive()
    monitor.deleteLater()


def test_a_monitor_deleted_during_its_check_is_not_answered(qtbot: QtBot) -> None:
    release = threading.Event()
    answers: list[object] = []

    def check() -> None:
        release.wait(5)

    monitor = ConnectionMonitor(check)
    monitor.lost.connect(answers.append)
    monitor.restored.connect(lambda: answers.append("restored"))
    monitor.check_now()
    shiboken6.delete(monitor)
    release.set()
    qtbot.waitUntil(lambda: pending_jobs() == 0, timeout=5000)
    assert answers == []


# --- SQLite: the file is moved away and back ------------------------------------------------------
def _sqlite_path(database_url: str) -> Path:
    path = Path(database_url.removeprefix("sqlite:///"))
    assert path.is_file()
    return path


@SQLITE_ONLY
def test_a_sqlite_file_moved_away_shows_a_banner_and_moving_it_back_recovers(
    qtbot: QtBot, stocked: Services, database_url: str, manager: Actor, window_settings: QSettings
) -> None:
    services, path = stocked, _sqlite_path(database_url)
    window = open_window(qtbot, services, manager, window_settings)
    page = window.inventory_page
    monitor = window.connection_monitor
    monitor.retry_interval_ms = monitor.healthy_interval_ms = FAST_MS
    monitor.start()
    assert window.banner.text == ""

    moved = path.with_name("moved-away.db")
    os.rename(path, moved)
    # Nobody touches the window: the periodic check notices.
    qtbot.waitUntil(lambda: window.banner.text != "", timeout=10_000)
    assert str(path) in window.banner.text and "missing" in window.banner.text
    assert "tries again every 1 second" in window.banner.text
    assert window.banner.close_button.isHidden()  # it goes away by itself, not by dismissing it

    # The window stays usable: F5 fails with a sentence, a change is refused and changes nothing.
    _press_f5(qtbot, window)
    # Said once, by the window's banner (issue 11, item 6), and the page does not claim it is empty.
    assert page.banner.text == ""
    assert page.count_label.text() == "Database unreachable"
    with pytest.raises(DatabaseUnavailable):
        services.inventory.adjust(ADMIN, store="MAIN", product="A", location="WAREHOUSE_A", delta=1, reason="x")
    assert not path.exists()  # no empty database was created in its place

    os.rename(moved, path)
    qtbot.waitUntil(lambda: window.banner.text == "", timeout=10_000)
    qtbot.waitUntil(lambda: page.model.rowCount() == 5, timeout=10_000)
    assert page.banner.text == ""
    assert window.statusBar().currentMessage() == "The database is reachable again; the page was reloaded."
    assert services.stock.product_stock("MAIN", "A").total_quantity == 42  # the refused change did nothing
    _stop(qtbot, window)


def _checkpoint(path: Path) -> None:
    """Write the WAL into the main file, so copying the file alone copies everything."""
    database = Database(f"sqlite:///{path}")
    try:
        with database.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        database.dispose()


@SQLITE_ONLY
def test_a_replaced_sqlite_file_is_opened_afresh(stocked: Services, database_url: str) -> None:
    """Restoring a backup copy over the file: pooled connections must not keep using the old one."""
    services, path = stocked, _sqlite_path(database_url)
    backup = path.with_name("backup.db")
    _checkpoint(path)
    shutil.copyfile(path, backup)
    services.inventory.adjust(ADMIN, store="MAIN", product="B", location="WAREHOUSE_A", delta=6, reason="delivery")
    assert services.stock.product_stock("MAIN", "B").total_quantity == 10
    _checkpoint(path)
    path.unlink()
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    shutil.copyfile(backup, path)
    assert services.stock.product_stock("MAIN", "B").total_quantity == 4  # what the restored file says


# --- PostgreSQL: the database is dropped and created again -------------------------------------
def test_a_dropped_postgres_database_shows_a_banner_and_recovers_when_it_is_back(
    qtbot: QtBot,
    pg_database_factory: Callable[..., str],
    pg_admin_url: str,
    manager: Actor, window_settings: QSettings
) -> None:
    url = pg_database_factory("orion_loss")
    name = make_url(url).database
    assert name is not None  # the factory names every database it makes
    migrated = Database(url)
    upgrade(migrated)
    migrated.dispose()
    database = Database(url)
    services = Services.on(database)
    seed_catalog(services)
    for sku, location, quantity in (("A", "WAREHOUSE_A", 12), ("A", "WAREHOUSE_B", 30), ("B", "WAREHOUSE_A", 4)):
        services.inventory.set_quantity(ADMIN, store="MAIN", product=sku, location=location, quantity=quantity)
    admin = create_engine(
        make_url(pg_admin_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    try:
        window = open_window(qtbot, services, manager, window_settings)
        page = window.inventory_page
        monitor = window.connection_monitor
        monitor.healthy_interval_ms = 600_000  # no idle check: the failed action must trigger it
        monitor.retry_interval_ms = FAST_MS
        monitor.start()
        assert page.model.rowCount() == 3

        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        _press_f5(qtbot, window)
        qtbot.waitUntil(lambda: window.banner.text != "", timeout=10_000)
        assert window.banner.text.startswith("The database cannot be reached:")
        assert name in window.banner.text  # 'database "orion_loss_…" does not exist'
        assert not monitor.healthy
        assert page.banner.text == ""  # said once, by the window's banner (issue 11, item 6)

        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        recreated = Database(url)
        upgrade(recreated)
        seed_catalog(Services.on(recreated))
        Services.on(recreated).inventory.set_quantity(
            ADMIN, store="MAIN", product="C", location="SHELF-2", quantity=9, reason="count"
        )
        recreated.dispose()

        qtbot.waitUntil(lambda: window.banner.text == "", timeout=10_000)
        qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10_000)
        assert page.model.row_at(0).location == "SHELF-2"
        assert page.banner.text == ""
        assert monitor.healthy
        _stop(qtbot, window)
    finally:
        admin.dispose()
        database.dispose()


# --- an order dialog's refusal ---------------------------------------------------------------------
def _fill_new_order(qtbot: QtBot, dialog: NewOrderDialog) -> None:
    dialog.rows[0].product_edit.setFocus()
    qtbot.keyClicks(dialog.rows[0].product_edit, "D")
    qtbot.keyClick(dialog.rows[0].product_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.customer_edit, "Gus Grant")


def _fill_change_status(qtbot: QtBot, dialog: ChangeStatusDialog) -> None:
    choose(dialog.status_combo, "processing")


def _fill_ship(qtbot: QtBot, dialog: ShipDialog) -> None:
    qtbot.keyClicks(dialog.tracking_edit, "TRK-77")


def _fill_return(qtbot: QtBot, dialog: ReturnDialog) -> None:
    qtbot.keyClicks(dialog.reason_edit, "too small")


def _fill_note(qtbot: QtBot, dialog: NoteDialog) -> None:
    qtbot.keyClicks(dialog.text_edit, "Call before delivery")


OrderDialogCase = tuple[tuple[Qt.Key, Qt.KeyboardModifier], str | None, Callable[[QtBot, Any], None]]
# The action's shortcut, the order selected first (None: none), how a person fills it in.
ORDER_DIALOGS: dict[str, OrderDialogCase] = {
    "new order": ((Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier), None, _fill_new_order),
    "change status": ((Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier), "pending", _fill_change_status),
    "ship": ((Qt.Key.Key_S, CTRL_SHIFT), "pending", _fill_ship),
    "return": ((Qt.Key.Key_R, CTRL_SHIFT), "partial", _fill_return),
    "note": ((Qt.Key.Key_N, CTRL_SHIFT), "pending", _fill_note),
}


@SQLITE_ONLY
@pytest.mark.parametrize("dialog_name", list(ORDER_DIALOGS))
def test_a_database_lost_during_an_order_dialog_is_noticed_by_the_window(
    qtbot: QtBot, dialog_name: str, stocked: Services, orders: Orders, database_url: str, manager: Actor,
    window_settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    (key, modifiers), order, fill = ORDER_DIALOGS[dialog_name]
    services, path = stocked, _sqlite_path(database_url)
    numbers = orders.newest_first
    before = [services.order_queries.get_order(number) for number in numbers]
    window = open_window(qtbot, services, manager, window_settings)
    monitor = window.connection_monitor
    monitor.healthy_interval_ms = 600_000  # no idle check: only the dialog's refusal can tell the window
    monitor.retry_interval_ms = FAST_MS
    monitor.start()
    page = window.orders_page
    go_to(qtbot, window, page)
    if order is not None:
        row = page.model.row_of_number(getattr(orders, order))
        assert row is not None
        index = page.model.index(row, 0)
        with qtbot.waitSignal(page.detailShown, timeout=SUBMIT_TIMEOUT_MS):
            qtbot.mouseClick(
                page.table.viewport(), Qt.MouseButton.LeftButton, pos=page.table.visualRect(index).center()
            )
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(page.table, key, modifiers)  # the action's shortcut
    dialog = page.dialog
    assert isinstance(dialog, ActionDialog) and dialog.isVisible()
    fill(qtbot, dialog)

    moved = path.with_name("moved-away.db")
    os.rename(path, moved)
    with qtbot.waitSignal(window.events.databaseUnavailable, timeout=SUBMIT_TIMEOUT_MS):
        press_ok(qtbot, dialog)
    assert dialog.isVisible() and "missing" in dialog.error_banner.text  # the refusal, in the dialog
    qtbot.waitUntil(lambda: "missing" in window.banner.text, timeout=10_000)  # and the window knows
    assert not monitor.healthy
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)

    reloads: list[object] = []
    list_orders = services.order_queries.list_orders

    def recording_list_orders(**kw: Any) -> Any:
        reloads.append(kw)
        return list_orders(**kw)

    monkeypatch.setattr(services.order_queries, "list_orders", recording_list_orders)
    os.rename(moved, path)
    qtbot.waitUntil(lambda: window.banner.text == "", timeout=10_000)
    assert len(reloads) == 1 and page.banner.text == ""  # the page reloaded once, its sentence gone
    assert [services.order_queries.get_order(number) for number in numbers] == before  # nothing changed
    assert len(services.order_queries.list_orders()) == len(numbers)  # and no order was added
    _stop(qtbot, window)
