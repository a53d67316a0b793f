"""The screenshot command: a PNG of every page and dialog on a fresh demo warehouse, without a display."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QTableView, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from orion_desktop.tools.screenshot_columns import column_report
from orion_desktop.tools.screenshot_tour import slug

EXPECTED = {
    "inventory.png",
    "orders.png",
    "pack-station.png",
    "shipment-status.png",
    "low-stock.png",
    "low-stock-menu.png",
    "dashboard.png",
    "ledger.png",
    "locations.png",
    "dialog-adjust-stock.png",
    "dialog-set-quantity.png",
    "dialog-transfer-stock.png",
    "dialog-add-location.png",
    "dialog-rename-location.png",
    "dialog-change-status.png",
    "dialog-ship-items.png",
    "dialog-prepare-parcel.png",
    "dialog-database.png",
    "dialog-database-failed-test.png",
    "dialog-quit-half-packed.png",
    "dialog-low-stock-adjust.png",
    "dialog-about.png",
    "dialog-users.png",
    "database-unavailable.png",
}
PAGES_WITH_TABLES = {"inventory", "orders", "pack-station", "shipment-status", "low-stock", "dashboard", "ledger",
                     "locations"}
"""Pages whose tables the column check must have seen (a check that saw no table could not fail)."""


@pytest.mark.slow
@pytest.mark.long  # 25-33 s (a whole screenshot run): in the default run, left out of the quick one
def test_the_command_saves_every_page_and_dialog_and_hides_no_figure_at_1024(
    qapp: QApplication, tmp_path: Path
) -> None:
    """One real run at the smallest size (1024×768): every picture, and every page's number columns in sight
    as photographed (issue 11's acceptance; the window's own test is test_window_columns.py)."""
    out = tmp_path / "shots"
    columns = tmp_path / "columns.json"
    environment = {key: value for key, value in os.environ.items() if key not in ("DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-m", "orion_desktop.tools.screenshots", str(out),
         "--size", "1024x768", "--columns", str(columns)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    shots = out / "1024x768"
    assert EXPECTED <= {path.name for path in shots.glob("*.png")}
    assert {Path(line) for line in result.stdout.split()} == set(shots.glob("*.png"))
    assert "did not open" not in result.stderr
    assert "Demo warehouse: 3 stores" in result.stderr  # the real demo data, not the fallback
    window = QImage(str(shots / "inventory.png"))
    assert (window.width(), window.height()) == (1024, 768)
    dialog = QImage(str(shots / "dialog-adjust-stock.png"))
    assert 200 < dialog.width() < 1000 and 100 < dialog.height() < 800
    pages = json.loads(columns.read_text(encoding="utf-8"))["1024x768"]
    seen = {page for page, tables in pages.items() if any(tables.values())}
    assert PAGES_WITH_TABLES <= seen
    hidden = {f"{page} {table}": [c for c in found if c.endswith("(hidden)")]
              for page, tables in pages.items() for table, found in tables.items()}
    assert {where: found for where, found in hidden.items() if found} == {}


def test_file_names() -> None:
    assert slug("&Adjust stock…") == "adjust-stock"
    assert slug("Low stock") == "low-stock"



def test_the_column_check_sees_a_figure_pushed_out_of_sight(qtbot: QtBot) -> None:
    """The check the command's test relies on: a wide text column pushes the right-aligned Units out of view."""
    model = QStandardItemModel(1, 2)
    model.setHorizontalHeaderLabels(["Product", "Units"])
    model.setHeaderData(1, Qt.Orientation.Horizontal, Qt.AlignmentFlag.AlignRight, Qt.ItemDataRole.TextAlignmentRole)
    model.setItem(0, 0, QStandardItem("Blue mug"))
    model.setItem(0, 1, QStandardItem("12"))
    page = QWidget()
    qtbot.addWidget(page)
    table = QTableView(page)
    table.setObjectName("units")
    table.setModel(model)
    QVBoxLayout(page).addWidget(table)
    page.resize(300, 200)
    page.show()
    qtbot.waitExposed(page)
    assert column_report(page) == {"units": ["Units"]}
    table.horizontalHeader().resizeSection(0, 600)
    assert column_report(page) == {"units": ["Units (hidden)"]}
