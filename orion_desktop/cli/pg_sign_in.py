"""Signing in on the command line with the user's own PostgreSQL login (issue 14, item 6).

When the chosen database URL is PostgreSQL and names no login (``postgresql://db-server/orion``),
and an Orion user is given (``--user`` or ORION_USER), the command connects as that user's own
login (db/pg_security.py ``login_name``) with the password from ORION_PASSWORD or a prompt, so
PostgreSQL checks the password and keeps the user to their stores. A URL that names a login (the
owner, or the shared login of the simple recipe) signs in as before (cli/sign_in.py).
"""

from __future__ import annotations

import os

from orion_desktop.cli.sign_in import ENV_PASSWORD, ask_secret
from orion_desktop.config import ENV_ROLE, ENV_USER, choose_database
from orion_desktop.domain.actor import Actor
from orion_desktop.services.pg_logins import names_no_login, sign_in_with_login
from orion_desktop.services.registry import Services
from orion_desktop.services.users import lower_role


def personal_services(db_arg: str | None, user: str | None, role: str | None) -> tuple[Services, Actor] | None:
    """Services on the user's own login and the signed-in Actor; None when this is not that case."""
    url = choose_database(db_arg).url
    if not names_no_login(url):
        return None
    username = (user or os.environ.get(ENV_USER) or "").strip()
    if not username:
        return None
    password = os.environ.get(ENV_PASSWORD)
    if password is None:
        password = ask_secret(f"Password for {username}: ", f"no password: set {ENV_PASSWORD} or run in a terminal")
    database, actor = sign_in_with_login(url, username, password)
    return Services.on(database), lower_role(actor, role or os.environ.get(ENV_ROLE))
