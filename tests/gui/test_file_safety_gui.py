"""Issue 9, items 1 and 2 in the window: a save aimed at the open database is refused with a
sentence (the database still opens), and a file the save dialog never asked about is not replaced.

SQLite only: a PostgreSQL database has no file on this PC to aim at.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import ADMIN, seed_catalog
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.order_results import OrderLine
from orion_desktop.ui.data_events import DataEvents
from orion_desktop.ui.pages.low_stock_page import LowStockPage
from orion_desktop.ui.pages.pack_station_page import PackStationPage

from .overview_helpers import open_page, wait_idle

sqlite_only = pytest.mark.parametrize("backend", ["sqlite"])

PACKER = Actor(name="pat", role=Role.PACKER)
WAIT_MS = 15_000
REFUSED = "is the database Orion Desktop is using (or one of its working files); writing there would destroy it."


def save_dialog_answers(monkeypatch: pytest.MonkeyPatch, answer: Path | str) -> None:
    """The platform save dialog returns ``answer`` (it has asked about replacing it, if it exists)."""
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *_args, **_kw: (str(answer), "")))


def assert_database_opens(path: Path, units: int) -> None:
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("SELECT sum(quantity) FROM inventory").fetchone() == (units,)
    finally:
        connection.close()


@pytest.fixture
def events() -> DataEvents:
    return DataEvents()


# --- the low-stock export ----------------------------------------------------------------------
@pytest.fixture
def low_page(qtbot: QtBot, stocked: Services, events: DataEvents) -> LowStockPage:
    page = LowStockPage(stocked, ADMIN, events)
    open_page(qtbot, page)
    return page


def export(qtbot: QtBot, page: LowStockPage) -> None:
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, page)


@sqlite_only
def test_the_low_stock_export_onto_the_database_is_refused(
    qtbot: QtBot, low_page: LowStockPage, stocked: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = stocked.database_file
    assert db is not None
    before = db.read_bytes()
    link = tmp_path / "looks-harmless.csv"
    link.symlink_to(db)
    for aimed in (db, Path(f"{db}-wal"), link, tmp_path / "sub" / ".." / db.name):
        save_dialog_answers(monkeypatch, aimed)
        export(qtbot, low_page)
        assert low_page.banner.text == f"{aimed} {REFUSED} Choose another file name.", aimed
        assert low_page.export_button.isEnabled() and low_page.last_export is None
    assert db.read_bytes()[:16] == before[:16] == b"SQLite format 3\x00"
    assert_database_opens(db, 12 + 30 + 4 + 2 + 7)
    # The page still works: the next export to a real file is saved.
    save_dialog_answers(monkeypatch, tmp_path / "low.csv")
    export(qtbot, low_page)
    assert low_page.last_export == tmp_path / "low.csv" and low_page.banner.text.startswith("Saved ")


@sqlite_only
def test_the_low_stock_export_replaces_only_what_the_dialog_asked_about(
    qtbot: QtBot, low_page: LowStockPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "to order.csv"
    target.write_text("my notes\n", encoding="utf-8")
    save_dialog_answers(monkeypatch, tmp_path / "to order")  # the dialog asked about "to order", not the .csv
    export(qtbot, low_page)
    assert low_page.banner.text == (
        f"{target} already exists; it was not replaced. To replace it, choose to order.csv itself."
    )
    assert target.read_text(encoding="utf-8") == "my notes\n"
    save_dialog_answers(monkeypatch, target)  # chosen itself: the dialog asked, the user said yes
    export(qtbot, low_page)
    assert low_page.last_export == target and target.read_text(encoding="utf-8-sig").startswith("store,sku")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")) == []


# --- the pack station's PDFs -------------------------------------------------------------------
@pytest.fixture
def pdf_named_database(sqlite_template: Path, tmp_path: Path) -> Iterator[Services]:
    """A SQLite database whose file ends in .pdf: the only kind a PDF save dialog can aim at."""
    path = tmp_path / "db" / "warehouse.pdf"
    path.parent.mkdir()
    shutil.copyfile(sqlite_template, path)
    database = Database(f"sqlite:///{path}")
    services = Services.on(database)
    seed_catalog(services)
    services.inventory.set_quantity(ADMIN, store="MAIN", product="A", location="AISLE-1", quantity=10)
    yield services
    QThreadPool.globalInstance().waitForDone(WAIT_MS)  # no worker outlives the database
    database.dispose()


@pytest.fixture
def station(qtbot: QtBot, pdf_named_database: Services, events: DataEvents) -> PackStationPage:
    page = PackStationPage(pdf_named_database, PACKER, events)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


def save_pick_list(qtbot: QtBot, page: PackStationPage, order: str) -> None:
    page.banner.clear()
    page.pick_orders_edit.clear()
    qtbot.keyClicks(page.pick_orders_edit, order)
    qtbot.keyClick(page.pick_orders_edit, Qt.Key.Key_Return)


def test_a_pick_list_saved_onto_the_database_is_refused(
    qtbot: QtBot,
    station: PackStationPage,
    pdf_named_database: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    services = pdf_named_database
    db = services.database_file
    assert db is not None and db.suffix == ".pdf"
    order = services.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 2)])
    services.orders.change_status(ADMIN, order, "processing")
    saved: list[str] = []
    station.pdfSaved.connect(saved.append)
    for aimed in (db, db.parent / ".." / "db" / db.name, db.with_name("WAREHOUSE.PDF")):
        save_dialog_answers(monkeypatch, aimed)
        save_pick_list(qtbot, station, order)
        qtbot.waitUntil(lambda: station.banner.text != "", timeout=WAIT_MS)
        assert station.banner.text == f"{aimed} {REFUSED} Choose another file name.", aimed
    assert saved == []
    assert_database_opens(db, 10)
    assert services.order_queries.get_order(order).status.value == "processing"
    # A real file name still works.
    save_dialog_answers(monkeypatch, tmp_path / "pick.pdf")
    with qtbot.waitSignal(station.pdfSaved, timeout=WAIT_MS):
        save_pick_list(qtbot, station, order)
    assert (tmp_path / "pick.pdf").read_bytes().startswith(b"%PDF")


def test_a_pdf_the_dialog_did_not_ask_about_is_not_replaced(
    qtbot: QtBot,
    station: PackStationPage,
    pdf_named_database: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    services = pdf_named_database
    order = services.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 1)])
    target = tmp_path / "pick.pdf"
    target.write_bytes(b"yesterday's pick list")
    save_dialog_answers(monkeypatch, tmp_path / "pick")  # ".pdf" is added: another file than the one asked about
    save_pick_list(qtbot, station, order)
    assert station.banner.text == (
        f"{target} already exists; it was not replaced. To replace it, choose pick.pdf itself."
    )
    assert target.read_bytes() == b"yesterday's pick list"
    save_dialog_answers(monkeypatch, target)
    with qtbot.waitSignal(station.pdfSaved, timeout=WAIT_MS):
        save_pick_list(qtbot, station, order)
    assert target.read_bytes().startswith(b"%PDF")
