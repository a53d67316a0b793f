"""Turning exceptions into sentences for people.

An ``OrionError`` already carries a sentence a warehouse worker understands; it is shown as is.
Anything else is a bug or an environment problem: the traceback goes to the log file and the
user sees one short generic sentence. Never a traceback on screen.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from orion_desktop.domain.errors import OrionError

log = logging.getLogger(__name__)

GENERIC_MESSAGE = "Something went wrong and the action was not completed. The details were written to the log file."
WINDOW_TITLE = "Orion Desktop"


def user_message(error: BaseException) -> str:
    """The sentence to show for ``error``; unexpected errors are logged with their traceback."""
    if isinstance(error, OrionError):
        return str(error)
    log.error("Unexpected error in the GUI", exc_info=(type(error), error, error.__traceback__))
    return GENERIC_MESSAGE


def show_error_dialog(parent: QWidget | None, error: BaseException, *, title: str = WINDOW_TITLE) -> str:
    """Show ``error`` as a sentence in a modal message box; returns the sentence shown.

    Pages prefer the inline ``MessageBanner``; this is for dialogs and the last-resort hook.
    """
    message = user_message(error)
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorDialog")
    box.exec()
    return message
