"""Asking before the window closes on work that would be lost (a half-packed box at the pack station).

The main window's close (the Quit action, Ctrl+Q, the window's close button) goes through
``closeEvent``; when the pack station has units in the box, the close is put on hold and this
question is asked window-modally. "Quit" closes the window again, this time without asking;
"Keep packing" (the default, and Esc) leaves everything as it was.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from orion_desktop.ui.pack_station.scan_controller import Question
from orion_desktop.ui.question_box import question_box


def ask_before_quitting(parent: QWidget, question: Question, on_quit: Callable[[], None]) -> QMessageBox:
    """Open ``question`` over ``parent``; ``on_quit`` runs only when the user chooses to quit."""
    box = question_box(
        parent, question, on_quit, name="quitQuestion",
        icon=QMessageBox.Icon.Warning, yes_role=QMessageBox.ButtonRole.DestructiveRole,
    )
    box.open()
    return box
