"""Keep a user's own PostgreSQL login in step with `user add/passwd/disable/enable/role` (issue 14, item 6).

The rules live in ``services/user_logins.py`` (the window's users dialog uses them too); these
print what they answer. Only when the database is PostgreSQL and the connection may create roles
(``Services.pg_logins``) does anything happen; otherwise the commands work exactly as before.
"""

from __future__ import annotations

from orion_desktop.cli.context import CliContext
from orion_desktop.domain.enums import Role
from orion_desktop.services import user_logins


def _say(sentence: str | None) -> None:
    if sentence:
        print(sentence)


def login_added(ctx: CliContext, username: str, password: str, role: Role) -> None:
    _say(user_logins.login_added(ctx.services.pg_logins, username, password, role))


def login_password(ctx: CliContext, username: str, password: str) -> None:
    _say(user_logins.login_password(ctx.services.pg_logins, username, password))


def login_active(ctx: CliContext, username: str, active: bool) -> None:
    _say(user_logins.login_active(ctx.services.pg_logins, username, active))


def login_role(ctx: CliContext, username: str, role: Role) -> None:
    _say(user_logins.login_role(ctx.services.pg_logins, username, role))
