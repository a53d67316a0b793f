"""Visual gaps of the window (task "polish"): what a person sees at 1024×768 and 1600×1000."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.domain.actor import Actor

from .window_support import open_window

pytestmark = pytest.mark.usefixtures("background_work_done")


def test_the_about_box_keeps_the_database_path_on_one_line(
    qtbot: QtBot, stocked: Services, manager: Actor, window_settings: QSettings
) -> None:
    window = open_window(qtbot, stocked, manager, window_settings)
    window.resize(1024, 768)
    box = window.show_about()
    qtbot.waitExposed(box)
    label = box.findChild(QLabel, "qt_msgbox_informativelabel")
    assert isinstance(label, QLabel)
    line = f"Database: {stocked.database_description}"
    assert line in label.text()
    # A path is one long word: narrower than it, the label broke it mid-word ("orion-screenshots-" / "jevlk0o0/…").
    assert label.contentsRect().width() >= label.fontMetrics().horizontalAdvance(line)
    box.close()
