"""The one message box that asks a ``Question`` (the pack station's and the quit guard's).

Both ask about a half-packed box: putting the order aside at the station, quitting the window.
They differ only in their icon, their yes button's role and their object name.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from orion_desktop.ui.pack_station.scan_controller import Question


def question_box(
    parent: QWidget,
    question: Question,
    on_yes: Callable[[], None],
    *,
    name: str,
    icon: QMessageBox.Icon = QMessageBox.Icon.Question,
    yes_role: QMessageBox.ButtonRole = QMessageBox.ButtonRole.AcceptRole,
) -> QMessageBox:
    """A box over ``parent`` asking ``question``, not yet open; ``on_yes`` runs only on its yes button.

    The question says which button is the default (Enter); Esc always answers no. The box deletes
    itself when closed. Plain text: an order number or a customer's name is never markup.
    """
    box = QMessageBox(icon, question.title, question.text, QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName(name)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setInformativeText(question.details)
    yes_button = box.addButton(question.yes, yes_role)
    no_button = box.addButton(question.no, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(yes_button if question.default_yes else no_button)
    box.setEscapeButton(no_button)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.buttonClicked.connect(lambda button: on_yes() if button is yes_button else None)
    return box
