"""Starting the window from `orion-desktop` with no command: choose the database (demo or not), then hand over to Qt.

A PostgreSQL URL that names no login means per-user logins (README): nothing connects until the
person has signed in, and then only as their own login (``sign_in_with_own_login``).
"""

from __future__ import annotations

import argparse
import os

from orion_desktop.app import ask_for_database, ensure_application, run_gui
from orion_desktop.bootstrap import open_services
from orion_desktop.config import ENV_USER, choose_database, current_actor, data_dir
from orion_desktop.demo import fill_demo
from orion_desktop.domain.errors import OrionError
from orion_desktop.services.pg_logins import names_no_login
from orion_desktop.services.registry import Services
from orion_desktop.ui.sign_in_dialog import sign_in_at_start, sign_in_with_own_login


def demo_database_url() -> str:
    """A fresh demo database each time `--demo` is used without --db."""
    path = data_dir() / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        candidate = path.with_name(path.name + suffix)
        if candidate.exists():
            candidate.unlink()
    return f"sqlite:///{path}"


def launch(args: argparse.Namespace) -> int:
    actor = current_actor(args.user, args.role)
    url = args.db
    if args.demo and not url:
        url = demo_database_url()
    choice = choose_database(url)
    chosen = choice.url
    username = (args.user or os.environ.get(ENV_USER) or "").strip()  # filled in at sign-in
    if names_no_login(chosen):
        return launch_with_own_login(chosen, args.role, username)
    own_login_actor = None
    try:
        # A new database is meant for --demo and for the default file on first start, not for a
        # --db, ORION_DATABASE_URL or saved path that names no file (a typo, a drive not connected).
        services: Services = open_services(chosen, create=args.demo or choice.source == "default")
    except OrionError as error:
        # Started from a desktop icon nobody reads stderr: say it in a window and offer a choice.
        answer = ask_for_database(error, chosen, args.role, username)
        if answer is None:
            raise  # cancelled: `error: <sentence>` on stderr, exit code 1
        chosen, services, own_login_actor = answer
    try:
        if own_login_actor is not None:  # signed in with their own login to open it (per-user logins)
            return run_gui(services, own_login_actor, [], database_url=chosen, owns_services=True)
        if args.demo and not services.catalog.list_stores():
            fill_demo(services.database, actor)
        ensure_application([])
        signed_in = sign_in_at_start(services, actor, args.role, username)  # once the database has users
        if signed_in is None:
            return 1  # sign-in cancelled: the window does not open
        return run_gui(services, signed_in, [], database_url=chosen)
    finally:
        services.close()


def launch_with_own_login(url: str, role: str | None, username: str = "") -> int:
    """The window on ``url`` (PostgreSQL, no login in it): sign in first, as the user's own login.

    Connecting as the PC's user first (as for other URLs) would fail, or connect as someone
    else; so the sign-in dialog comes before any connection and shows a refusal or a server
    that cannot be reached as a sentence. ``role`` (--role) only lowers. Cancel: exit code 1."""
    ensure_application([])
    signed = sign_in_with_own_login(url, role, username=username)
    if signed is None:
        return 1
    try:
        return run_gui(signed.services, signed.actor, [], database_url=url, owns_services=True)
    finally:
        signed.services.close()  # the session closed it already unless run_gui failed to start
