"""Seen in the screenshots (dialog-database-failed-test.png): opening Details after a failed test
connection showed the driver's words cut off at the dialog's bottom edge, because a wrapped
label's height is not part of a dialog's minimum size. The dialog now grows to show them whole."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import open_services
from orion_desktop.ui.dialogs.database_dialog import DatabaseDialog

from .orders_support import SUBMIT_TIMEOUT_MS, show

NOTHING_LISTENS = "postgresql://orion@127.0.0.1:1/warehouse"  # refused at once: no server, no network


def test_details_of_a_failed_test_connection_show_whole(qtbot: QtBot) -> None:
    dialog = DatabaseDialog(open_services, initial_url="sqlite:////tmp/orion.db", current_description="SQLite file")
    show(qtbot, dialog)
    radio = dialog.postgres_radio
    qtbot.mouseClick(radio, Qt.MouseButton.LeftButton, pos=QPoint(6, radio.height() // 2))
    dialog.url_edit.setFocus()
    qtbot.keyClicks(dialog.url_edit, NOTHING_LISTENS)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.result_banner.text != "", timeout=SUBMIT_TIMEOUT_MS)
    banner = dialog.result_banner
    width = dialog.width()
    qtbot.mouseClick(banner.details_button, Qt.MouseButton.LeftButton)
    qtbot.wait(50)  # the layout settles as it would on screen

    label = banner.details_label
    assert label.isVisible() and "127.0.0.1" in label.text()
    assert label.height() >= label.heightForWidth(label.width())  # every wrapped line of the driver's words
    bottom = label.mapTo(dialog, QPoint(0, label.height())).y()
    assert bottom <= dialog.ok_button.mapTo(dialog, QPoint(0, 0)).y()  # above the buttons, not under them
    assert dialog.width() == width  # it grew down, not sideways
