"""The GUI entry point: QApplication -> MainWindow -> event loop.

The caller (``orion_desktop.__main__``/the CLI) has already built the services and the actor
(see ``orion_desktop.bootstrap``); this module only adds Qt on top. Nothing here is global:
the exception hook installed for the event loop is removed again when the loop ends.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication, QWidget

from orion_desktop.ui.errors import show_error_dialog
from orion_desktop.ui.icons import app_icon
from orion_desktop.ui.main_window import APP_TITLE, MainWindow

if TYPE_CHECKING:
    from orion_desktop.bootstrap import Services
    from orion_desktop.domain.actor import Actor

log = logging.getLogger(__name__)

ORGANIZATION_NAME = "Orion"
PROGRAM_NAME = "orion-desktop"

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def run_gui(services: Services, actor: Actor, argv: list[str]) -> int:
    """Open the main window on ``services`` for ``actor`` and run until it is closed.

    ``argv`` holds the arguments meant for Qt (for example ``-style fusion``), without the
    program name. Returns the event loop's exit code.
    """
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication([PROGRAM_NAME, *argv])
    app.setApplicationName(APP_TITLE)
    app.setOrganizationName(ORGANIZATION_NAME)
    app.setWindowIcon(app_icon())

    window = MainWindow(services, actor)
    previous_hook = sys.excepthook
    sys.excepthook = _unexpected_error_hook(window)
    try:
        window.show()
        return app.exec()
    finally:
        sys.excepthook = previous_hook


def _unexpected_error_hook(parent: QWidget) -> ExceptHook:
    """For exceptions that escape a slot: log them, show a sentence, keep the window running."""
    showing = False

    def hook(kind: type[BaseException], error: BaseException, traceback: TracebackType | None) -> None:
        nonlocal showing
        if isinstance(error, KeyboardInterrupt):
            QApplication.quit()
            return
        if showing:  # an error while the dialog is open: log it, do not stack dialogs
            log.error("Unexpected error in the GUI", exc_info=(kind, error, traceback))
            return
        showing = True
        try:
            show_error_dialog(parent, error.with_traceback(traceback))
        finally:
            showing = False

    return hook
