"""PostgreSQL logins for Orion users, and signing in with them (issue 14, item 6).

On a shared PostgreSQL database each Orion user may have their own login, named by
:func:`orion_desktop.db.pg_security.login_name` and a member of ``orion_packer``, ``orion_manager``
or ``orion_admin``. The password is turned into a SCRAM-SHA-256 verifier on this PC (libpq's
``PQencryptPasswordConn``), so neither the server's statement log nor this process's exceptions
ever see it; only the verifier travels, the same way ``psql``'s ``\\password`` does it.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import exc, text
from sqlalchemy.engine import URL, make_url

from orion_desktop.db import migrate
from orion_desktop.db.engine import Database, parse_url, translate_db_error
from orion_desktop.db.models import UserAudit
from orion_desktop.db.pg_security import GROUP_ROLES, login_name
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.errors import InvalidInput, PermissionDenied
from orion_desktop.services.users import WRONG_CREDENTIALS, SignInRefused, UserService


class LoginNotChanged(PermissionDenied):
    """The PostgreSQL login could not be created or changed; the sentence never holds a secret."""


def _group(role: Role | str) -> str:
    group = f"orion_{Role(role).value}"
    assert group in GROUP_ROLES
    return group


def own_login(database: Database) -> bool:
    """True when connected as some Orion user's own login (db/pg_security.py naming rule)."""
    if database.dialect != "postgresql":
        return False
    with database.connection() as conn:
        return conn.execute(text("SELECT orion_user_id() IS NOT NULL")).scalar_one() is True


def manages_logins(database: Database) -> bool:
    """True on PostgreSQL when the connected role may create roles and the group roles exist."""
    if database.dialect != "postgresql":
        return False
    with database.connection() as conn:
        may = conn.execute(
            text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
        ).scalar_one()
        groups = conn.execute(
            text("SELECT count(*) FROM pg_roles WHERE rolname = ANY(:names)"), {"names": list(GROUP_ROLES)}
        ).scalar_one()
    return bool(may) and groups == len(GROUP_ROLES)


class PgLogins:
    """Create, re-password, disable and regroup the PostgreSQL login of an Orion user."""

    def __init__(self, database: Database, *, manages: bool = True) -> None:
        if database.dialect != "postgresql":
            raise InvalidInput("Database logins per user exist only on a PostgreSQL database.")
        self.manages = manages
        """False when connected as a user's own login: then only that login's password may change."""
        self._db = database
        self._database_name = database.url.database or ""

    def login(self, username: str) -> str:
        return login_name(self._database_name, username)

    def session_login(self) -> str:
        with self._db.connection() as conn:
            return str(conn.execute(text("SELECT session_user")).scalar_one())

    def _run(self, username: str, what: str, build: Any) -> None:
        """Run the statement(s) ``build(cursor, pgconn, login)`` makes, on a raw psycopg connection.

        Raw, because SQLAlchemy's errors quote the statement, which here holds a verifier."""
        login = self.login(username)
        raw = self._db.engine.raw_connection()
        try:
            driver = raw.driver_connection
            assert isinstance(driver, psycopg.Connection)
            with driver.cursor() as cursor:
                for statement in build(driver, login):
                    cursor.execute(statement)
            raw.commit()
        except psycopg.Error as error:
            raw.rollback()
            reason = error.diag.message_primary or type(error).__name__
            # The server's own sentence names the role at most; the statement is not repeated.
            raise LoginNotChanged(f"The database login of {username} could not be {what}: {reason}.") from None
        finally:
            raw.close()

    @staticmethod
    def _verifier(driver: psycopg.Connection[Any], login: str, password: str) -> sql.Literal:
        # algorithm None: the server's password_encryption, which is scram-sha-256 by default;
        # forcing it keeps an old server setting (md5) from weakening the stored form.
        encrypted = driver.pgconn.encrypt_password(password.encode(), login.encode(), b"scram-sha-256")
        return sql.Literal(encrypted.decode())

    def create(self, username: str, password: str, role: Role | str) -> str:
        """A login for ``username`` in the group of ``role``; returns the login name.

        A login left from an earlier user of the same name (roles outlive a restored database)
        is taken over: new password, LOGIN, and the group of ``role``."""
        group = _group(role)
        with self._db.connection() as conn:
            exists = conn.execute(
                text("SELECT count(*) FROM pg_roles WHERE rolname = :n"), {"n": self.login(username)}
            ).scalar_one()
        if exists:
            self.set_password(username, password)
            self.set_active(username, True)
            self.set_role(username, role)
            return self.login(username)

        def build(driver: psycopg.Connection[Any], login: str) -> list[sql.Composed]:
            return [
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
                    sql.Identifier(login), self._verifier(driver, login, password), sql.Identifier(group)
                )
            ]

        self._run(username, "created", build)
        return self.login(username)

    def set_password(self, username: str, password: str) -> None:
        def build(driver: psycopg.Connection[Any], login: str) -> list[sql.Composed]:
            return [
                sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    sql.Identifier(login), self._verifier(driver, login, password)
                )
            ]

        self._run(username, "given the new password", build)

    def set_active(self, username: str, active: bool) -> None:
        """LOGIN or NOLOGIN: a disabled user's copied password opens nothing."""
        keyword = sql.SQL("LOGIN" if active else "NOLOGIN")

        def build(_driver: psycopg.Connection[Any], login: str) -> list[sql.Composed]:
            return [sql.SQL("ALTER ROLE {} {}").format(sql.Identifier(login), keyword)]

        self._run(username, "enabled" if active else "disabled", build)

    def set_role(self, username: str, role: Role | str) -> None:
        """Move the login to the group of ``role`` (out of the other two)."""
        group = _group(role)

        def build(_driver: psycopg.Connection[Any], login: str) -> list[sql.Composed]:
            others = [sql.Identifier(g) for g in GROUP_ROLES if g != group]
            return [
                sql.SQL("REVOKE {} FROM {}").format(sql.SQL(", ").join(others), sql.Identifier(login)),
                sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(login)),
            ]

        self._run(username, "moved to the new role", build)

    def drop(self, username: str) -> None:
        def build(_driver: psycopg.Connection[Any], login: str) -> list[sql.Composed]:
            return [sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(login))]

        self._run(username, "removed", build)


def personal_url(url: URL | str, username: str) -> URL:
    """The URL to connect as ``username``'s own login: the saved URL's server and database, no
    stored password (the one typed at sign-in is given to :func:`sign_in_with_login`)."""
    base = make_url(url) if isinstance(url, str) else url
    # URL.set(password=None) keeps the old password, so the URL is built anew.
    return URL.create(
        base.drivername, username=login_name(base.database or "", username.strip().lower()), password=None,
        host=base.host, port=base.port, database=base.database, query=base.query,
    )


def names_no_login(raw_url: str) -> bool:
    """True for a PostgreSQL URL without a login in it: each user then signs in with their own."""
    url = parse_url(raw_url)
    return url.get_backend_name() == "postgresql" and not url.username


# What the server says when it refuses the login itself (wrong or missing password, unknown role,
# NOLOGIN), lower case; anything else on connecting is about the server or the database.
_REFUSED_LOGIN = ("password authentication failed", "no password supplied", "authentication failed",
                  "not permitted to log in", "role \"")


def _login_refused(driver_message: str) -> bool:
    text_lower = driver_message.lower()
    return any(words in text_lower for words in _REFUSED_LOGIN)


def sign_in_with_login(url: URL | str, username: str, password: str) -> tuple[Database, Actor]:
    """Connect with the user's own PostgreSQL login; PostgreSQL checks the password.

    A refused login is the sign-in's usual "wrong password" sentence, without the server's text
    (which would tell whether the login exists); a server that cannot be reached is
    ``DatabaseUnavailable``, as anywhere else."""
    target = personal_url(url, username).set(password=password)
    database = Database(target, create=False)
    try:
        with database.connection() as conn:
            conn.execute(text("SELECT 1"))
    except exc.DBAPIError as error:
        database.dispose()
        if _login_refused(str(error.orig)):
            raise SignInRefused(WRONG_CREDENTIALS) from None
        # A server that is down or a database that is missing is not a wrong password: say what
        # it is (the driver's words, which never hold the password, go to ``details``).
        raise translate_db_error(error) from None
    except Exception:
        database.dispose()
        raise SignInRefused(WRONG_CREDENTIALS) from None
    try:
        migrate.ensure_schema(database)
        actor = UserService(database).actor_for(username)
        with database.write() as session:
            # PostgreSQL checked the password, so the users service never saw this sign-in.
            session.add(UserAudit(actor=actor.name[:128], username=actor.name, event="signed in",
                                  detail="own database login"))
    except BaseException:
        database.dispose()
        raise
    return database, actor
