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
import os
import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QAbstractItemView, QApplication, QDialog, QWidget

from orion_desktop.bootstrap import open_services
from orion_desktop.config import save_database_url
from orion_desktop.domain.errors import InvalidInput
from orion_desktop.services.pg_logins import names_no_login
from orion_desktop.services.sign_in_ways import OnThisConnection, SignedIn, SignInWay, WithOwnLogin
from orion_desktop.ui.dialogs.database_dialog import DatabaseDialog
from orion_desktop.ui.errors import show_error_dialog, user_message
from orion_desktop.ui.garbage_collection import GuiThreadCollector
from orion_desktop.ui.icons import app_icon
from orion_desktop.ui.locale_setup import use_grouped_numbers
from orion_desktop.ui.main_window import APP_TITLE, MainWindow
from orion_desktop.ui.plurals import install_plurals
from orion_desktop.ui.sign_in_dialog import sign_in_with_own_login

if TYPE_CHECKING:
    from orion_desktop.domain.actor import Actor
    from orion_desktop.services.registry import Services

log = logging.getLogger(__name__)

ORGANIZATION_NAME = "Orion"
PROGRAM_NAME = "orion-desktop"

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]

SIGN_IN_FIRST = ("This address names no database login: each user signs in with their own. "
                 "Choose “Use this database” to sign in with your name and password.")

ENV_EXIT_WHEN_READY = "ORION_EXIT_WHEN_READY"
READY_LINE = "orion-desktop ready:"
READY_TIMEOUT_MS = 60_000


class GuiSession:
    """The running GUI: one main window on one ``Services``; a ``DatabaseConnector`` for it."""

    def __init__(
        self,
        services: Services,
        actor: Actor,
        *,
        database_url: str | None = None,
        settings: QSettings | None = None,
        owns_services: bool = False,
    ) -> None:
        self.actor = actor
        self.services = services
        self.current_url = database_url
        self._settings = settings
        # Opened here, closed here. The first belongs to the caller, unless it hands it over
        # (``owns_services``: an own login's connection, which a switch of user must close).
        self._owned: list[Services] = [services] if owns_services else []
        self._signed_in_to: SignedIn | None = None  # by sign_in_to, for the switch_to that follows
        self.window = self._new_window(services)

    def _sign_in_way(self, services: Services) -> SignInWay:
        """Own PostgreSQL logins when the URL names none (README: per-user logins), else this connection."""
        if self.current_url and names_no_login(self.current_url):
            return WithOwnLogin(self.current_url)
        return OnThisConnection(services)

    def _new_window(self, services: Services) -> MainWindow:
        window = MainWindow(services, self.actor, settings=self._settings, connector=self)
        if services.users.has_users():  # switch user, change password, idle lock (issue 14)
            from orion_desktop.ui.user_session import UserSession

            window.user_session = UserSession(  # type: ignore[attr-defined]
                window, self._sign_in_way(services), self.actor, self.switch_user
            )
        return window

    def switch_user(self, signed: SignedIn) -> None:
        """Rebuild the window for the user signed in by the sign-in dialog.

        With an own login ``signed`` brings that user's connection: it replaces the window's
        services like another database would (the old ones are closed)."""
        if signed.services is not self.services:
            message = f"Signed in as {signed.actor.name} ({signed.actor.role.value})."
            self.switch_to(signed.services, message, actor=signed.actor)
            return
        actor = signed.actor
        self.actor = actor
        self.services.scope_reads_to(actor)
        old_window = self.window
        old_window.save_state()
        self.window = self._new_window(self.services)
        self.window.show()
        self.window.show_status_message(f"Signed in as {actor.name} ({actor.role.value}).")
        old_window.close()
        old_window.deleteLater()

    # --- DatabaseConnector ----------------------------------------------------------------
    def open(self, url: str, *, create: bool = False) -> Services:
        return open_unless_own_login(url, create=create)

    def sign_in_to(self, url: str) -> Services | None:
        """File > Database… chose ``url`` (PostgreSQL, no login): the person signs in with their own
        login first; their Services, or None when they cancel. ``switch_to`` then uses whoever signed in."""
        # Over the Database dialog when it is open (it is modal), else over the window.
        parent = QApplication.activeModalWidget() or self.window
        signed = sign_in_with_own_login(url, None, parent=parent)
        if signed is None:
            return None
        self._signed_in_to = signed
        return signed.services

    def switch_to(self, services: Services, message: str, *, actor: Actor | None = None,
                  url: str | None = None) -> None:
        """Run on ``services`` (opened from ``url``, when another database) from now on. ``actor``:
        already signed in to them (own login), so nobody is asked again; else a database with
        users asks who is working."""
        pending, self._signed_in_to = self._signed_in_to, None
        if actor is None and pending is not None and pending.services is services:
            actor = pending.actor  # signed in by sign_in_to, moments ago
        if url is not None:
            self.current_url = url  # the next switch of user signs in the way this database wants
        if actor is not None:
            self.actor = actor
            services.scope_reads_to(actor)
        elif services.users.has_users():  # another database's users: sign in to it first
            from orion_desktop.ui.sign_in_dialog import sign_in_at_start

            actor = sign_in_at_start(services, self.actor, None)
            if actor is None:
                services.close()
                self.window.show_status_message("Not switched: nobody signed in to that database.")
                return
            self.actor = actor
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
    use_grouped_numbers()  # 80,135 rather than 80135, whatever the PC's language setting
    install_plurals(app)  # "1 unit", "3 units" from tr("%Ln unit(s)", "", n)
    return app


def run_gui(services: Services, actor: Actor, argv: list[str], *, database_url: str | None = None,
            owns_services: bool = False) -> int:
    """Open the main window on ``services`` for ``actor`` and run until it is closed.

    ``argv`` holds the arguments meant for Qt (for example ``-style fusion``), without the
    program name; ``database_url`` is what File > Database… starts from. ``owns_services``: the
    session closes ``services`` once it no longer uses them (an own login's connection). Returns
    the event loop's exit code.
    """
    started = time.perf_counter()
    app = ensure_application(argv)
    collector = GuiThreadCollector(app)  # cycles are freed on the GUI thread, never in a worker
    collector.start()
    session = GuiSession(services, actor, database_url=database_url, owns_services=owns_services)
    previous_hook = sys.excepthook
    sys.excepthook = _unexpected_error_hook(lambda: session.window)
    try:
        session.window.show()
        if os.environ.get(ENV_EXIT_WHEN_READY) == "1":
            _ReadyProbe(app, session.window, started)  # a child of the window: lives as long as it
        return app.exec()
    finally:
        sys.excepthook = previous_hook
        session.close()
        collector.stop()


class _ReadyProbe(QObject):
    """``ORION_EXIT_WHEN_READY=1``: quit as soon as the window is usable, and say so on stdout.

    Usable means the page shown first has loaded (it is not ``is_loading``, as pages that load in
    the background report, and its ``model``, if any, has rows, has emitted ``rowsLoaded`` since
    the window was shown, or has no more to load) and its table has painted after that. The line
    printed is ``orion-desktop ready: <ms> ms after run_gui, <rows> rows on <page>``; the caller
    measures the wall time from starting the process to that line. If that never happens, the
    probe prints ``orion-desktop not ready`` after ``READY_TIMEOUT_MS`` and exits with 1.
    """

    def __init__(self, app: QApplication, window: MainWindow, started: float) -> None:
        super().__init__(window)
        self._app = app
        self._started = started
        self._done = False
        page = window.current_page
        self._page = page
        self._page_title = page.title if page is not None else "no page"
        self._model = getattr(page, "model", None)
        views = [
            v for v in (page.findChildren(QAbstractItemView) if page is not None else []) if v.model() is self._model
        ]
        self._target: QWidget = views[0].viewport() if views and self._model is not None else (page or window)
        self._rows_reported = False
        if self._model is not None and hasattr(self._model, "rowsLoaded"):
            self._model.rowsLoaded.connect(self._rows_loaded)
        self._target.installEventFilter(self)
        self._target.update()  # a paint after this point, even if one happened during show()
        QTimer.singleShot(READY_TIMEOUT_MS, self._give_up)

    def _rows_loaded(self) -> None:
        self._rows_reported = True
        self._target.update()

    def _loaded(self) -> bool:
        if getattr(self._page, "is_loading", False):
            return False
        model = self._model
        return model is None or self._rows_reported or model.rowCount() > 0 or not getattr(model, "has_more", False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self._target and event.type() == QEvent.Type.Paint and not self._done and self._loaded():
            self._done = True
            QTimer.singleShot(0, self._report)  # once this paint has finished
        return False

    def _report(self) -> None:
        rows = self._model.rowCount() if self._model is not None else 0
        elapsed_ms = (time.perf_counter() - self._started) * 1000
        print(f"{READY_LINE} {elapsed_ms:.0f} ms after run_gui, {rows} rows on {self._page_title}", flush=True)
        self._app.exit(0)

    def _give_up(self) -> None:
        if not self._done:
            print(f"orion-desktop not ready after {READY_TIMEOUT_MS} ms", flush=True)
            self._app.exit(1)


def open_unless_own_login(url: str, *, create: bool = False) -> Services:
    """Open ``url``, unless it is PostgreSQL naming no login (per-user logins): connecting as this
    PC's user would fail, or be someone else, so only a sign-in connects to it."""
    if names_no_login(url):
        raise InvalidInput(SIGN_IN_FIRST)
    return open_services(url, create=create)


class DatabaseChoice(NamedTuple):
    """The database chosen at start: its URL, its opened services and, when the person signed in
    with their own login to open it, who that is (else None: the usual sign-in follows)."""

    url: str
    services: Services
    actor: Actor | None


def ask_for_database(
    error: BaseException, url: str | None, role: str | None = None, username: str = ""
) -> DatabaseChoice | None:
    """The database could not be opened at start: say why and let the user choose another.

    Returns the chosen URL (also remembered for the next start) with its opened services, or
    None when the user cancels. A PostgreSQL URL naming no login is opened by signing in with
    one's own login first (``role``: --role, which only lowers), as File > Database… does.
    """
    ensure_application()
    signed: list[SignedIn] = []

    def sign_in(url: str) -> Services | None:  # the name SignInFirst gives it
        answer = sign_in_with_own_login(url, role, parent=QApplication.activeModalWidget(), username=username)
        if answer is None:
            return None
        signed.append(answer)
        return answer.services

    dialog = DatabaseDialog(
        open_unless_own_login,
        initial_url=url,
        intro=f"{APP_TITLE} could not open its database:\n{user_message(error)}\n\n"
        "Try again, or choose another database.",
        sign_in=sign_in,
    )
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.services is None or dialog.selection is None:
            for answer in signed:
                answer.release()
            return None
        save_database_url(dialog.selection.url)
        actor = next((a.actor for a in signed if a.services is dialog.services), None)
        for answer in signed:
            if answer.services is not dialog.services:
                answer.release()  # an earlier sign-in whose database was not the one kept
        return DatabaseChoice(dialog.selection.url, dialog.services, actor)
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
