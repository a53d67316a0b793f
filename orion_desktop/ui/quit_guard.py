"""Asking before the window closes on work that would be lost (a half-packed box at the pack station).

The main window's close (the Quit action, Ctrl+Q, the window's close button) goes through
``closeEvent``; when the pack station has units in the box, the close is put on hold and this
question is asked window-modally. "Quit" closes the window again, this time without asking;
"Keep packing" (the default, and Esc) leaves everything as it was.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from orion_desktop.ui.pack_station.scan_controller import Question


def ask_before_quitting(parent: QWidget, question: Question, on_quit: Callable[[], None]) -> QMessageBox:
    """Open ``question`` over ``parent``; ``on_quit`` runs only when the user chooses to quit."""
    box = QMessageBox(QMessageBox.Icon.Warning, question.title, question.text, QMessageBox.StandardButton.NoButton,
                      parent)
    box.setObjectName("quitQuestion")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setInformativeText(question.details)
    quit_button = box.addButton(question.yes, QMessageBox.ButtonRole.DestructiveRole)
    keep_button = box.addButton(question.no, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(quit_button if question.default_yes else keep_button)
    box.setEscapeButton(keep_button)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.buttonClicked.connect(lambda button: on_quit() if button is quit_button else None)
    box.open()
    return box
