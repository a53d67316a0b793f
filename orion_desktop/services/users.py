"""Users and sign-in (issue 14): accounts, argon2 hashes, lockout, store lists and the audit.

Qt-free. Secrets (passwords, PINs) enter only ``_hash``/``_verify`` and are never logged, stored,
put in an exception or an audit row: only their argon2 hashes are kept. A wrong user name and a
wrong password give the same sentence, so the answer does not tell which user names exist.

Lockout: ``MAX_FAILED_ATTEMPTS`` wrong passwords (or PINs) in a row lock the user for
``LOCKOUT``; a correct sign-in resets the count, and an admin's ``enable`` unlocks at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from orion_desktop.db.engine import Database
from orion_desktop.db.models import Store, User, UserAudit, UserStore
from orion_desktop.db.types import utcnow
from orion_desktop.domain.actor import Actor, Permission
from orion_desktop.domain.enums import Role
from orion_desktop.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from orion_desktop.domain.text_rules import clean_text
from orion_desktop.domain.validation import normalize_store_code

MAX_FAILED_ATTEMPTS = 5
LOCKOUT_MINUTES = 15
LOCKOUT = timedelta(minutes=LOCKOUT_MINUTES)
MIN_PASSWORD_LENGTH = 8
PIN_LENGTHS = range(4, 9)
WRONG_CREDENTIALS = "The user name or password is wrong."
WRONG_BADGE = "The badge or PIN is wrong."

_HASHER = PasswordHasher()


class SignInRefused(PermissionDenied):
    """Wrong password or PIN, a disabled user or a locked one: the sentence says which."""


@dataclass(frozen=True, slots=True)
class UserInfo:
    username: str
    display_name: str
    role: Role
    active: bool
    stores: tuple[str, ...]  # empty: every store
    has_pin: bool
    badge_code: str | None
    locked_until: datetime | None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    created_at: datetime
    actor: str
    username: str | None
    event: str
    detail: str | None


def _hash(secret: str) -> str:
    return _HASHER.hash(secret)


def _verify(stored_hash: str | None, secret: str) -> bool:
    if stored_hash is None:
        return False
    try:
        return _HASHER.verify(stored_hash, secret)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _check_password(password: str) -> None:
    # The sentence never repeats the password.
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")


def _check_pin(pin: str) -> None:
    if not pin.isdigit() or len(pin) not in PIN_LENGTHS:
        raise InvalidInput(f"A PIN is {PIN_LENGTHS.start} to {PIN_LENGTHS.stop - 1} digits.")


def _clean_username(username: str) -> str:
    name = clean_text(username, "user name", max_length=64)
    if name is None:
        raise InvalidInput("The user name must not be empty.")
    if any(c.isspace() for c in name):
        raise InvalidInput("A user name has no spaces.")
    return name.lower()


def _parse_role(role: str | Role) -> Role:
    try:
        return Role(str(role).strip().lower())
    except ValueError:
        raise InvalidInput(f"{role!r} is not a role; use one of {', '.join(r.value for r in Role)}.") from None


def lower_role(actor: Actor, role: str | None) -> Actor:
    """``actor`` acting with ``role`` (--role, ORION_ROLE) if that is no more than their own; more is refused."""
    if not role or not role.strip():
        return actor
    wanted = _parse_role(role)
    if wanted.rank > actor.role.rank:
        raise PermissionDenied(
            f"{actor.name} is a {actor.role.value} and cannot act as {wanted.value}; --role only lowers a role."
        )
    return Actor(name=actor.name, role=wanted, store_codes=actor.store_codes)


class UserService:
    """Accounts, sign-in and the audit, on one database."""

    def __init__(self, database: Database) -> None:
        self._db = database

    # --- reading ----------------------------------------------------------------------
    def has_users(self) -> bool:
        with self._db.read() as session:
            return session.execute(select(User.id).limit(1)).first() is not None

    def list_users(self, actor: Actor) -> tuple[UserInfo, ...]:
        self._require_admin(actor, "list users")
        with self._db.read() as session:
            users = session.execute(select(User).order_by(User.username)).scalars().all()
            return tuple(self._info(session, user) for user in users)

    def audit(self, actor: Actor, limit: int = 200) -> tuple[AuditEntry, ...]:
        """The newest ``limit`` audit rows, newest first (admins only)."""
        self._require_admin(actor, "read the user audit")
        with self._db.read() as session:
            rows = session.execute(
                select(UserAudit).order_by(UserAudit.id.desc()).limit(max(1, limit))
            ).scalars().all()
            return tuple(AuditEntry(r.created_at, r.actor, r.username, r.event, r.detail) for r in rows)

    # --- changing users ---------------------------------------------------------------
    def create(
        self,
        actor: Actor,
        *,
        username: str,
        password: str,
        role: str | Role,
        display_name: str | None = None,
        stores: Iterable[str] = (),
        pin: str | None = None,
        badge_code: str | None = None,
    ) -> UserInfo:
        """Add a user. The first user of a database must be an admin; after that only admins add users."""
        name = _clean_username(username)
        parsed_role = _parse_role(role)
        _check_password(password)
        if pin is not None:
            _check_pin(pin)
        shown = clean_text(display_name, "display name", required=False) or name
        badge = clean_text(badge_code, "badge code", required=False, max_length=64)
        with self._db.write() as session:
            first = session.execute(select(User.id).limit(1)).first() is None
            if first and parsed_role is not Role.ADMIN:
                raise InvalidInput("The first user must be an admin, so someone can manage the others.")
            if not first:
                self._require_admin(actor, "add users")
            if session.execute(select(User.id).where(User.username == name)).first():
                raise Conflict(f"A user named {name} already exists.")
            if badge and session.execute(select(User.id).where(User.badge_code == badge)).first():
                raise Conflict(f"Badge {badge} already belongs to another user.")
            user = User(username=name, display_name=shown, role=parsed_role.value, is_active=True,
                        password_hash=_hash(password), pin_hash=_hash(pin) if pin else None,
                        badge_code=badge, failed_attempts=0)
            session.add(user)
            session.flush()
            codes = self._replace_stores(session, user, stores)
            scope = ", ".join(codes) if codes else "all stores"
            self._audit(session, actor.name, name, "user added", f"role {parsed_role.value}; {scope}")
            return self._info(session, user)

    def set_active(self, actor: Actor, username: str, active: bool) -> UserInfo:
        """Disable or enable a user; enabling also lifts a lockout. The last active admin stays."""
        self._require_admin(actor, "disable or enable users")
        with self._db.write() as session:
            user = self._user(session, username)
            if not active and user.role == Role.ADMIN.value and user.is_active and self._active_admins(session) == 1:
                raise Conflict(f"{user.username} is the last active admin and cannot be disabled.")
            user.is_active = active
            if active:
                user.failed_attempts = 0
                user.locked_until = None
            self._audit(session, actor.name, user.username, "user enabled" if active else "user disabled", None)
            return self._info(session, user)

    def set_role(self, actor: Actor, username: str, role: str | Role) -> UserInfo:
        self._require_admin(actor, "change roles")
        parsed = _parse_role(role)
        with self._db.write() as session:
            user = self._user(session, username)
            self._change_role(session, actor, user, parsed)
            return self._info(session, user)

    def _change_role(self, session: Session, actor: Actor, user: User, role: Role) -> None:
        # Only an active admin counts: demoting a disabled one leaves the active ones as they are.
        if (user.role == Role.ADMIN.value and user.is_active and role is not Role.ADMIN
                and self._active_admins(session) == 1):
            raise Conflict(f"{user.username} is the last active admin and stays an admin.")
        old, user.role = user.role, role.value
        self._audit(session, actor.name, user.username, "role changed", f"{old} -> {role.value}")

    def set_display_name(self, actor: Actor, username: str, display_name: str | None) -> UserInfo:
        """Change the name shown for a user (empty: the user name again); admins only."""
        self._require_admin(actor, "change a user's display name")
        with self._db.write() as session:
            user = self._user(session, username)
            shown = clean_text(display_name, "display name", required=False) or user.username
            old, user.display_name = user.display_name, shown
            if old != shown:
                self._audit(session, actor.name, user.username, "display name changed", f"{old} -> {shown}")
            return self._info(session, user)

    def update(self, actor: Actor, username: str, *, display_name: str | None, role: str | Role,
               stores: Iterable[str]) -> UserInfo:
        """Display name, role and stores in one transaction (the users dialog's Edit): all or nothing.

        Only what differs is changed and audited; the role rule is ``set_role``'s."""
        self._require_admin(actor, "edit users")
        parsed = _parse_role(role)
        with self._db.write() as session:
            user = self._user(session, username)
            if user.role != parsed.value:
                self._change_role(session, actor, user, parsed)
            shown = clean_text(display_name, "display name", required=False) or user.username
            if shown != user.display_name:
                old, user.display_name = user.display_name, shown
                self._audit(session, actor.name, user.username, "display name changed", f"{old} -> {shown}")
            wanted = tuple(sorted({normalize_store_code(code) for code in stores}))
            if wanted != self._store_codes(session, user):
                codes = self._replace_stores(session, user, wanted)
                self._audit(session, actor.name, user.username, "stores changed", ", ".join(codes) or "all stores")
            return self._info(session, user)

    def set_stores(self, actor: Actor, username: str, stores: Iterable[str]) -> UserInfo:
        """Replace the user's stores; none means every store."""
        self._require_admin(actor, "change a user's stores")
        with self._db.write() as session:
            user = self._user(session, username)
            codes = self._replace_stores(session, user, stores)
            self._audit(session, actor.name, user.username, "stores changed", ", ".join(codes) or "all stores")
            return self._info(session, user)

    def change_password(
        self, actor: Actor, username: str, new_password: str, *, old_password: str | None = None
    ) -> None:
        """A user changes their own password (the old one is needed); an admin sets anyone's."""
        _check_password(new_password)
        with self._db.write() as session:
            user = self._user(session, username)
            if actor.name != user.username:
                self._require_admin(actor, "change another user's password")
            # Only an admin may skip the current password (a reset); a given one is always checked.
            if (old_password is not None or actor.role is not Role.ADMIN) and (
                old_password is None or not _verify(user.password_hash, old_password)
            ):
                raise SignInRefused("The current password is wrong; the password was not changed.")
            user.password_hash = _hash(new_password)
            self._audit(session, actor.name, user.username, "password changed", None)

    def set_pin(self, actor: Actor, username: str, *, pin: str | None, badge_code: str | None) -> UserInfo:
        """Set (or with None remove) a user's badge code and PIN: their own, or anyone's as admin."""
        if pin is not None:
            _check_pin(pin)
        badge = clean_text(badge_code, "badge code", required=False, max_length=64)
        with self._db.write() as session:
            user = self._user(session, username)
            if actor.name != user.username:
                self._require_admin(actor, "change another user's badge or PIN")
            if badge and session.execute(
                select(User.id).where(User.badge_code == badge, User.id != user.id)
            ).first():
                raise Conflict(f"Badge {badge} already belongs to another user.")
            user.badge_code = badge
            user.pin_hash = _hash(pin) if pin else None
            self._audit(session, actor.name, user.username, "badge and PIN changed", None)
            return self._info(session, user)

    # --- signing in -------------------------------------------------------------------
    def authenticate(self, username: str, password: str) -> Actor:
        """The Actor for a correct user name and password; SignInRefused (audited) otherwise."""
        try:
            name = _clean_username(username)
        except InvalidInput:
            raise SignInRefused(WRONG_CREDENTIALS) from None
        return self._sign_in(User.username == name, password, use_pin=False, wrong=WRONG_CREDENTIALS)

    def authenticate_badge(self, badge_code: str, pin: str) -> Actor:
        """The Actor for a scanned badge and its PIN (quick switching at a shared PC)."""
        return self._sign_in(User.badge_code == badge_code.strip(), pin, use_pin=True, wrong=WRONG_BADGE)

    def _sign_in(self, where: object, secret: str, *, use_pin: bool, wrong: str) -> Actor:
        refusal: str | None = None
        with self._db.write() as session:
            user = session.execute(select(User).where(where)).scalar_one_or_none()  # type: ignore[arg-type]
            now = utcnow()
            if user is None:
                # The typed name is not recorded: it may be a password typed in the wrong box.
                self._audit(session, "unknown", None, "sign-in failed", "unknown user or badge")
                refusal = wrong
            elif not user.is_active:
                self._audit(session, user.username, user.username, "sign-in refused", "user disabled")
                refusal = f"User {user.username} is disabled; ask an admin to enable it."
            elif user.locked_until is not None and user.locked_until > now:
                self._audit(session, user.username, user.username, "sign-in refused", "user locked")
                refusal = self._locked_sentence(user)
            elif _verify(user.pin_hash if use_pin else user.password_hash, secret):
                user.failed_attempts = 0
                user.locked_until = None
                self._audit(session, user.username, user.username, "signed in", "badge and PIN" if use_pin else None)
                return self._actor(session, user)
            else:
                user.failed_attempts += 1
                self._audit(session, user.username, user.username, "sign-in failed",
                            f"wrong {'PIN' if use_pin else 'password'} ({user.failed_attempts} in a row)")
                refusal = wrong
                if user.failed_attempts >= MAX_FAILED_ATTEMPTS:
                    user.failed_attempts = 0
                    user.locked_until = now + LOCKOUT
                    self._audit(session, user.username, user.username, "locked out",
                                f"{MAX_FAILED_ATTEMPTS} wrong attempts; locked for {LOCKOUT_MINUTES} minutes")
                    refusal = self._locked_sentence(user)
        # Raised after the block, so the failed-attempt count and the audit rows are committed.
        raise SignInRefused(refusal)

    def actor_for(self, username: str) -> Actor:
        """The Actor of an existing active user (after a sign-in checked elsewhere, e.g. PostgreSQL)."""
        with self._db.read() as session:
            user = self._user(session, username)
            if not user.is_active:
                raise SignInRefused(f"User {user.username} is disabled; ask an admin to enable it.")
            return self._actor(session, user)

    # --- helpers ----------------------------------------------------------------------
    @staticmethod
    def _locked_sentence(user: User) -> str:
        until = user.locked_until.strftime("%H:%M UTC") if user.locked_until else "later"
        return (f"User {user.username} is locked after {MAX_FAILED_ATTEMPTS} wrong attempts; "
                f"try again after {until} or ask an admin to enable it.")

    @staticmethod
    def _require_admin(actor: Actor, action: str) -> None:
        """Admins only; ``action`` is for the reader of the code, the sentence says "manage users"."""
        del action
        actor.require(Permission.MANAGE_USERS)

    @staticmethod
    def _user(session: Session, username: str) -> User:
        name = _clean_username(username)
        user = session.execute(select(User).where(User.username == name)).scalar_one_or_none()
        if user is None:
            raise NotFound(f"There is no user named {name}.")
        return user

    @staticmethod
    def _active_admins(session: Session) -> int:
        return int(session.execute(
            select(func.count()).select_from(User).where(User.role == Role.ADMIN.value, User.is_active.is_(True))
        ).scalar_one())

    @staticmethod
    def _store_codes(session: Session, user: User) -> tuple[str, ...]:
        return tuple(session.execute(
            select(Store.code).join(UserStore, UserStore.store_id == Store.id)
            .where(UserStore.user_id == user.id).order_by(Store.code)
        ).scalars())

    @staticmethod
    def _replace_stores(session: Session, user: User, stores: Iterable[str]) -> tuple[str, ...]:
        codes = sorted({normalize_store_code(code) for code in stores})
        found = {code: id_ for code, id_ in session.execute(select(Store.code, Store.id).where(Store.code.in_(codes)))}
        missing = [code for code in codes if code not in found]
        if missing:
            raise NotFound(f"There is no store {', '.join(missing)}.")
        session.execute(delete(UserStore).where(UserStore.user_id == user.id))
        session.add_all(UserStore(user_id=user.id, store_id=found[code]) for code in codes)
        session.flush()
        return tuple(codes)

    def _actor(self, session: Session, user: User) -> Actor:
        codes = self._store_codes(session, user)
        return Actor(name=user.username, role=Role(user.role), store_codes=frozenset(codes) if codes else None)

    def _info(self, session: Session, user: User) -> UserInfo:
        return UserInfo(user.username, user.display_name, Role(user.role), user.is_active,
                        self._store_codes(session, user), user.pin_hash is not None, user.badge_code,
                        user.locked_until)

    @staticmethod
    def _audit(session: Session, actor: str, username: str | None, event: str, detail: str | None) -> None:
        session.add(UserAudit(actor=actor[:128], username=username, event=event, detail=detail))
