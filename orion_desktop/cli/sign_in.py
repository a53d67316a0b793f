"""Who is acting on the command line (issue 14).

A database without users runs as a single local admin (``--user``/``--role`` as before). Once it
has users, every command that opens the database needs ``--user NAME`` (or ORION_USER) and the
password from ORION_PASSWORD or a prompt; without a terminal and without ORION_PASSWORD that is an
error at once, never a prompt waiting on a closed input. ``--role``/ORION_ROLE may only lower the
signed-in user's role.
"""

from __future__ import annotations

import getpass
import os
import sys

from orion_desktop.config import ENV_ROLE, ENV_USER, current_actor
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.errors import InvalidInput
from orion_desktop.services.registry import Services
from orion_desktop.services.users import lower_role

ENV_PASSWORD = "ORION_PASSWORD"
ENV_NEW_PASSWORD = "ORION_NEW_PASSWORD"
ENV_NEW_PIN = "ORION_NEW_PIN"


def sign_in(services: Services, user: str | None, role: str | None) -> Actor:
    """The Actor for this command: the local admin of a database without users, else the signed-in user."""
    if not services.users.has_users():
        return current_actor(user, role)
    username = (user or os.environ.get(ENV_USER) or "").strip()
    if not username:
        raise InvalidInput(
            f"This database has users: add --user NAME, with the password in {ENV_PASSWORD} or typed at the prompt."
        )
    password = os.environ.get(ENV_PASSWORD)
    if password is None:
        password = ask_secret(f"Password for {username}: ", f"no password: set {ENV_PASSWORD} or run in a terminal")
    return lower_role(services.users.authenticate(username, password), role or os.environ.get(ENV_ROLE))


def ask_secret(prompt: str, missing: str) -> str:
    """Read a secret from the terminal without echo; no terminal is an InvalidInput saying ``missing``."""
    stdin = sys.stdin
    if stdin is None or stdin.closed or not stdin.isatty():
        raise InvalidInput(f"Cannot sign in: {missing}.")
    try:
        return getpass.getpass(prompt)
    except EOFError:
        raise InvalidInput(f"Cannot sign in: {missing}.") from None


def new_secret(env: str, what: str) -> str:
    """A new password (or PIN) from ``env`` or typed twice at the prompt."""
    value = os.environ.get(env)
    if value is not None:
        return value
    first = ask_secret(f"New {what}: ", f"no new {what}: set {env} or run in a terminal")
    if ask_secret(f"New {what} again: ", f"no new {what}: set {env} or run in a terminal") != first:
        raise InvalidInput(f"The two {what}s differ; nothing was changed.")
    return first
