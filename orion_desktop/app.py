"""The GUI entry point: QApplication -> MainWindow -> event loop.

The caller (``orion_desktop.__main__``/the CLI) has already built the services and the actor
(see ``orion_desktop.bootstrap``); this module only adds Qt on top. Nothing here is global:
the exception hook installed for the event loop is removed again when the loop ends.

``GuiSession`` is the GUI's part of the composition root: it owns the main window and the
services it runs on. File > Database… opens the chosen database through it and it replaces
both (a new ``MainWindow`` on the new ``Services``, same geometry and page); the services it
opened itself it also closes.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from orion_desktop.bootstrap import open_services
from orion_desktop.config import save_database_url
from orion_desktop.ui.dialogs.database_dialog import DatabaseDialog
from orion_desktop.ui.errors import show_error_dialog, user_message
from orion_desktop.ui.icons import app_icon
from orion_desktop.ui.main_window import APP_TITLE, MainWindow

if TYPE_CHECKING:
    from orion_desktop.bootstrap import Services
    from orion_desktop.domain.actor import Actor

log = logging.getLogger(__name__)

ORGANIZATION_NAME = "Orion"
PROGRAM_NAME = "orion-desktop"

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


class GuiSession:
    """The running GUI: one main window on one ``Services``; a ``DatabaseConnector`` for it."""

    def __init__(
        self,
        services: Services,
        actor: Actor,
        *,
        database_url: str | None = None,
        settings: QSettings | None = None,
    ) -> None:
        self.actor = actor
        self.services = services
        self.current_url = database_url
        self._settings = settings
        self._owned: list[Services] = []  # opened here, closed here; the first belongs to the caller
        self.window = self._new_window(services)

    def _new_window(self, services: Services) -> MainWindow:
        return MainWindow(services, self.actor, settings=self._settings, connector=self)

    # --- DatabaseConnector ----------------------------------------------------------------
    def open(self, url: str) -> Services:
        return open_services(url)

    def switch_to(self, services: Services, message: str) -> None:
        old_window, old_services = self.window, self.services
        old_window.save_state()  # the new window opens with the same geometry, page and columns
        self.services = services
        self._owned.append(services)
        self.window = self._new_window(services)
        self.window.show()
        self.window.show_status_message(message)
        old_window.close()
        old_window.deleteLater()
        if old_services in self._owned:
            self._owned.remove(old_services)
            old_services.close()

    def close(self) -> None:
        """Close the services this session opened (not the one it was given)."""
        while self._owned:
            self._owned.pop().close()


def ensure_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication([PROGRAM_NAME, *(argv or [])])
    app.setApplicationName(APP_TITLE)
    app.setOrganizationName(ORGANIZATION_NAME)
    app.setWindowIcon(app_icon())
    return app


def run_gui(services: Services, actor: Actor, argv: list[str], *, database_url: str | None = None) -> int:
    """Open the main window on ``services`` for ``actor`` and run until it is closed.

    ``argv`` holds the arguments meant for Qt (for example ``-style fusion``), without the
    program name; ``database_url`` is what File > Database… starts from. Returns the event
    loop's exit code.
    """
    app = ensure_application(argv)
    session = GuiSession(services, actor, database_url=database_url)
    previous_hook = sys.excepthook
    sys.excepthook = _unexpected_error_hook(lambda: session.window)
    try:
        session.window.show()
        return app.exec()
    finally:
        sys.excepthook = previous_hook
        session.close()


def ask_for_database(error: BaseException, url: str | None) -> tuple[str, Services] | None:
    """The database could not be opened at start: say why and let the user choose another.

    Returns the chosen URL (also remembered for the next start) and its opened services, or
    None when the user cancels.
    """
    ensure_application()
    dialog = DatabaseDialog(
        open_services,
        initial_url=url,
        intro=f"{APP_TITLE} could not open its database:\n{user_message(error)}\n\n"
        "Try again, or choose another database.",
    )
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.services is None or dialog.selection is None:
            return None
        save_database_url(dialog.selection.url)
        return dialog.selection.url, dialog.services
    finally:
        dialog.deleteLater()


def _unexpected_error_hook(parent: Callable[[], QWidget]) -> ExceptHook:
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
            show_error_dialog(parent(), error.with_traceback(traceback))
        finally:
            showing = False

    return hook
