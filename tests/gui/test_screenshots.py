"""The screenshot command: a PNG of every page and dialog on a fresh demo warehouse, without a display."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from orion_desktop.tools.screenshot_tour import slug

EXPECTED = {
    "inventory.png",
    "dialog-adjust-stock.png",
    "dialog-set-quantity.png",
    "dialog-transfer-stock.png",
    "dialog-database.png",
    "dialog-about.png",
    "database-unavailable.png",
}


def test_the_command_saves_every_page_and_dialog(qapp: QApplication, tmp_path: Path) -> None:
    out = tmp_path / "shots"
    environment = {key: value for key, value in os.environ.items() if key not in ("DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-m", "orion_desktop.tools.screenshots", str(out), "--size", "1280x800"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert EXPECTED <= {path.name for path in out.glob("*.png")}
    assert {Path(line).name for line in result.stdout.split()} == {path.name for path in out.glob("*.png")}
    assert "Demo warehouse: 3 stores" in result.stderr  # the real demo data, not the fallback
    window = QImage(str(out / "inventory.png"))
    assert (window.width(), window.height()) == (1280, 800)
    dialog = QImage(str(out / "dialog-adjust-stock.png"))
    assert 200 < dialog.width() < 1000 and 100 < dialog.height() < 800


def test_file_names() -> None:
    assert slug("&Adjust stock…") == "adjust-stock"
    assert slug("Low stock") == "low-stock"
