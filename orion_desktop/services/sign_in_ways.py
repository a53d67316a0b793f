"""How a person signs in (issue 14): on the app's own connection, or with their own PostgreSQL login.

The window's sign-in dialog asks for a name and password (or a badge and PIN) and hands them to a
:class:`SignInWay`; what comes back, :class:`SignedIn`, says which ``Services`` to work on from now
on and who the ``Actor`` is. Two ways exist:

- :class:`OnThisConnection`: the app is already connected (SQLite, the owner, the shared login);
  the users service checks the argon2 hash and the Services stay the same.
- :class:`WithOwnLogin`: the saved URL is PostgreSQL and names no login; each sign-in connects as
  the user's own login, so PostgreSQL checks the password and each sign-in brings new Services.

Qt-free, like every service: the dialog lives in ``ui/sign_in_dialog.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from orion_desktop.domain.actor import Actor
from orion_desktop.domain.errors import InvalidInput
from orion_desktop.services.pg_logins import sign_in_with_login
from orion_desktop.services.registry import Services
from orion_desktop.services.users import lower_role

NO_BADGE_WITH_OWN_LOGIN = (
    "On this database PostgreSQL checks each user's own password, so sign in with your name and "
    "password; badge and PIN are not offered here."
)


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The outcome of a sign-in: work on ``services`` as ``actor``.

    ``opened`` is True when ``services`` were opened for this sign-in (an own login): whoever does
    not keep them must :meth:`release` them, or the connection stays open on the server.
    """

    services: Services
    actor: Actor
    opened: bool = False

    def release(self) -> None:
        """Close the services if this sign-in opened them; the app's own connection stays."""
        if self.opened:
            self.services.close()


class SignInWay(Protocol):
    """What the sign-in dialog calls; refusals are ``OrionError`` sentences (``SignInRefused`` &c.)."""

    offers_badge: bool
    """False when only a name and password can work (PostgreSQL must see the password)."""

    def by_password(self, username: str, password: str) -> SignedIn: ...

    def by_badge(self, badge_code: str, pin: str) -> SignedIn: ...


class OnThisConnection:
    """Sign in on the Services already open: the users service checks the hash (SQLite, shared login)."""

    offers_badge = True

    def __init__(self, services: Services, role: str | None = None) -> None:
        self.services = services
        self._role = role  # --role: the signed-in user may act with less, never more

    def by_password(self, username: str, password: str) -> SignedIn:
        actor = self.services.users.authenticate(username, password)
        return SignedIn(self.services, lower_role(actor, self._role))

    def by_badge(self, badge_code: str, pin: str) -> SignedIn:
        actor = self.services.users.authenticate_badge(badge_code, pin)
        return SignedIn(self.services, lower_role(actor, self._role))


class WithOwnLogin:
    """Sign in by connecting as the user's own PostgreSQL login to ``url`` (which names no login)."""

    offers_badge = False

    def __init__(self, url: str, role: str | None = None) -> None:
        self.url = url
        self._role = role

    def by_password(self, username: str, password: str) -> SignedIn:
        database, actor = sign_in_with_login(self.url, username, password)
        services = Services.on(database)
        try:
            lowered = lower_role(actor, self._role)
        except BaseException:
            services.close()  # refused after connecting: the login's connection must not linger
            raise
        return SignedIn(services, lowered, opened=True)

    def by_badge(self, badge_code: str, pin: str) -> SignedIn:
        # The dialog hides the badge tab for this way; reaching here is a caller's mistake, said plainly.
        raise InvalidInput(NO_BADGE_WITH_OWN_LOGIN)


__all__ = ["NO_BADGE_WITH_OWN_LOGIN", "OnThisConnection", "SignInWay", "SignedIn", "WithOwnLogin"]
