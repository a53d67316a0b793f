"""Keep a user's own PostgreSQL login in step with `user add/passwd/disable/enable` (issue 14, item 6).

Only when the database is PostgreSQL and the signed-in connection may create roles
(``Services.pg_logins``); otherwise the commands work exactly as before. The user row is changed
first; if the login then cannot follow, the command says so plainly and fails, and running it again
(or ``user passwd``) brings the login in step.
"""

from __future__ import annotations

from orion_desktop.cli.context import CliContext
from orion_desktop.domain.enums import Role


def login_added(ctx: CliContext, username: str, password: str, role: Role) -> None:
    logins = ctx.services.pg_logins
    if logins is not None and logins.manages:
        print(f"Database login {logins.create(username, password, role)} created.")


def login_password(ctx: CliContext, username: str, password: str) -> None:
    # Signed in with their own login, a user may still change that login's own password.
    logins = ctx.services.pg_logins
    if logins is not None and (logins.manages or logins.login(username) == logins.session_login()):
        logins.set_password(username, password)
        print(f"The database login {logins.login(username)} has the new password.")


def login_active(ctx: CliContext, username: str, active: bool) -> None:
    logins = ctx.services.pg_logins
    if logins is not None and logins.manages:
        logins.set_active(username, active)
        print(f"Database login {logins.login(username)} {'enabled' if active else 'disabled'}.")
