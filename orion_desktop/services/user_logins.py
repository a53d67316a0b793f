"""Keep a user's own PostgreSQL login in step with changes to the user (issue 14, item 6).

Shared by the CLI (`user add/passwd/disable/enable/role`) and the window's users dialog. Each
function answers a sentence for the person who made the change, or None when there is nothing to
say: on SQLite, or on a shared login that is no Orion user's (``Services.pg_logins`` is None), the
user row is all there is. The user row is changed first; if the login then cannot follow,
``LoginNotChanged`` says so plainly, and doing the change again brings the login in step.
"""

from __future__ import annotations

from orion_desktop.domain.enums import Role
from orion_desktop.services.pg_logins import PgLogins


def login_added(logins: PgLogins | None, username: str, password: str, role: Role) -> str | None:
    if logins is None:
        return None
    if not logins.manages:
        # Signed in with an admin's own login, which may not create roles (no CREATEROLE).
        return (f"No database login was made for {username}: your database login may not create logins, "
                f"so {username} can sign in only where the database address names a login.")
    return f"Database login {logins.create(username, password, role)} created."


def login_password(logins: PgLogins | None, username: str, password: str) -> str | None:
    # Signed in with their own login, a user may still change that login's own password.
    if logins is not None and (logins.manages or logins.login(username) == logins.session_login()):
        logins.set_password(username, password)
        return f"The database login {logins.login(username)} has the new password."
    return None


def login_active(logins: PgLogins | None, username: str, active: bool) -> str | None:
    if logins is not None and logins.manages:
        logins.set_active(username, active)
        return f"Database login {logins.login(username)} {'enabled' if active else 'disabled'}."
    return None


def login_role(logins: PgLogins | None, username: str, role: Role) -> str | None:
    """Move the login to the group role of ``role``: the database's rights follow the new role."""
    if logins is not None and logins.manages:
        logins.set_role(username, role)
        return f"Database login {logins.login(username)} moved to orion_{role.value}."
    return None
