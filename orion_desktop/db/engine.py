"""Engine setup for SQLite and PostgreSQL (ARCHITECTURE.md: stock changes) and the unit of work.

Only the composition root builds a :class:`Database`; services receive it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import uuid
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, create_engine, event, exc, text
from sqlalchemy.engine import URL, RootTransaction, make_url
from sqlalchemy.orm import Session

from orion_desktop.db import change_recording
from orion_desktop.db.announcer import Announcer
from orion_desktop.db.idle_ping import ping_connections_after_idle
from orion_desktop.db.kept_connections import KeptConnections
from orion_desktop.db.prepared import CONNECTION_KEY, STATEMENTS_LEFT_KEY, run_driver_sql
from orion_desktop.db.unavailable import reported_problem, unreachable
from orion_desktop.domain.change_notice import CHANNEL
from orion_desktop.domain.changes import Changes
from orion_desktop.domain.errors import Conflict, DatabaseUnavailable, InvalidInput, OrionError, PermissionDenied

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 10_000
POSTGRES_LOCK_TIMEOUT = "5s"
_WRITE_OPTION = "orion_write"
_FILE_IDENTITY = "orion_sqlite_file"

CONFLICT_MESSAGE = "Another workstation is changing this item right now. Please try again in a moment."


def parse_url(raw: str) -> URL:
    """Turn user text into a URL we support, or one clear sentence."""
    text = raw.strip()
    if not text:
        raise InvalidInput("The database address is empty.")
    try:
        url = make_url(text)
    except exc.ArgumentError:
        raise InvalidInput(
            f"{text!r} is not a database address. Use sqlite:///path/to/file.db or postgresql://user@host/dbname."
        ) from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise InvalidInput("A SQLite database needs a file path, for example sqlite:///orion.db.")
        return url.set(drivername="sqlite+pysqlite")
    if backend == "postgresql":
        if url.drivername not in ("postgresql", "postgresql+psycopg"):
            raise InvalidInput(f"Use postgresql:// (psycopg 3) rather than {url.drivername}://.")
        return url.set(drivername="postgresql+psycopg")
    raise InvalidInput(f"Orion Desktop works with SQLite or PostgreSQL, not {backend!r}.")


def describe_url(url: URL) -> str:
    """A short, password-free description for status bars and messages."""
    if url.get_backend_name() == "sqlite":
        return f"SQLite file {url.database}"
    return f"PostgreSQL {url.database} on {url.host or 'localhost'}" + (f" as {url.username}" if url.username else "")


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_dev, status.st_ino


def _same_sqlite_file(path: Path) -> Callable[[Connection, float], bool]:
    """SQLite's check of a kept connection: outside any transaction, and the file at ``path`` is still
    the one it opened (the pool's checkout checks the same, ``_configure_sqlite``)."""

    def usable(connection: Connection, _idle_since: float) -> bool:
        driver: Any = connection.connection.driver_connection
        return (driver is not None and not driver.in_transaction
                and connection.info.get(_FILE_IDENTITY) == _file_identity(path))

    return usable


def missing_database_message(path: Path) -> str:
    """The sentence for a SQLite URL that names no existing file (or a folder that does not exist)."""
    shown = path.expanduser().absolute()
    folder = "" if shown.parent.is_dir() else f" (the folder {shown.parent} does not exist)"
    return f"There is no database at {shown}{folder}; `orion-desktop db upgrade` creates one."


def refuse_missing_sqlite_file(path: Path) -> None:
    """DatabaseUnavailable unless ``path`` is an existing file: opening would create an empty one."""
    if not path.expanduser().is_file():
        raise DatabaseUnavailable(missing_database_message(path))


def _configure_sqlite(engine: Engine, path: Path, *, create: bool) -> None:
    # Once the file existed (or from the start when no new database is meant), never create an
    # empty one in its place: a typo or a moved file must not turn into an empty warehouse.
    opened = not create

    @event.listens_for(engine, "do_connect")
    def _refuse_missing_file(*_args: Any) -> None:
        if opened and _file_identity(path) is None:
            raise sqlite3.OperationalError(
                f"the database file {path} is missing; it was moved, renamed or deleted, or its drive is not connected."
            )

    @event.listens_for(engine, "checkout")
    def _check_file(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        # A pooled connection keeps working on a file that was moved away (or on a deleted one that
        # was replaced by a copy), silently. When the file at the path is not the one this
        # connection opened, drop the pool and reconnect; a missing file then fails in do_connect.
        if record.info.get(_FILE_IDENTITY) != _file_identity(path):
            raise exc.InvalidatePoolError("the SQLite database file changed or disappeared")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, record: Any) -> None:
        nonlocal opened
        opened = True
        record.info[_FILE_IDENTITY] = _file_identity(path)
        # Let SQLAlchemy's "begin" event emit BEGIN itself (the documented pysqlite recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred transaction that reads then writes fails at once with "database is locked";
        # writers take the lock up front so busy_timeout can queue them.
        run_driver_sql(conn, "BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE_OPTION) else "BEGIN")


def create_orion_engine(url: URL | str, *, create: bool = True) -> Engine:
    """Build an engine with the settings ARCHITECTURE.md: stock changes asks for.

    ``create``: a SQLite file (and its folder) may be created. Without it a missing file is
    refused with a sentence (DatabaseUnavailable) instead of becoming a new, empty database.
    """
    if isinstance(url, str):
        url = parse_url(url)
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        path = Path(url.database).expanduser()
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        else:
            refuse_missing_sqlite_file(path)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine, Path(url.database), create=create)
        return engine
    engine = create_engine(
        url,
        pool_size=5,
        max_overflow=5,
        isolation_level="READ COMMITTED",
        connect_args={
            "connect_timeout": 5,
            "options": f"-c lock_timeout={POSTGRES_LOCK_TIMEOUT}",
            "application_name": "orion-desktop",
        },
    )
    ping_connections_after_idle(engine)  # survive a database restart, without a round trip per transaction
    return engine


def translate_db_error(error: exc.DBAPIError) -> OrionError:
    """Map a driver error to a sentence. Unknown errors become DatabaseUnavailable with the reason."""
    orig = error.orig
    code = getattr(orig, "sqlstate", None) or getattr(getattr(orig, "diag", None), "sqlstate", None)
    text = str(orig).lower()
    if code in ("55P03", "40P01", "40001") or "database is locked" in text or "lock timeout" in text:
        return Conflict(CONFLICT_MESSAGE)
    if code == "42501":
        return PermissionDenied(
            f"The database account may not do this ({_first_line(str(orig))}). "
            "Ask whoever set up the shared database (README: Sharing one database between PCs)."
        )
    if isinstance(error, exc.IntegrityError):
        return Conflict(f"The change was refused by the database because it would break a rule ({_constraint(text)}).")
    if isinstance(error, exc.OperationalError | exc.InterfaceError):
        return unreachable(str(orig))
    return reported_problem(str(orig))


def _begin(connection: Connection) -> RootTransaction:
    """``connection.begin()``, a driver error told as a sentence (SQLite: another PC's write lock)."""
    try:
        return connection.begin()
    except exc.DBAPIError as error:
        raise translate_db_error(error) from error


def _close(session: Session) -> None:
    """Close ``session`` when the ORM used it. A Session only the hot paths' statements used
    (db/prepared.py) holds nothing to let go of, and closing it anyway cost 16 us a transaction on
    this machine (issue 12), a tenth of a SQLite write's frame."""
    if session.in_transaction() or session.identity_map or session.new or session.deleted:
        session.close()


def _roll_back(transaction: RootTransaction) -> None:
    """Roll back, even when the connection died meanwhile (a server restart): a transaction that was
    never committed is rolled back by the server, so the error that ended the call is the one to tell."""
    try:
        transaction.rollback()
    except exc.DBAPIError:
        pass


def _constraint(text: str) -> str:
    for token in text.replace('"', " ").split():
        if token.startswith(("ck_", "uq_", "fk_")):
            return token
    return _first_line(text)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "no details"


class CommitGuard(Protocol):
    """Told just before and just after every write transaction's commit on this Database (the SQLite
    change feed uses it to tell this app's own commits from other processes')."""

    def before_commit(self) -> None: ...

    def after_commit(self) -> None: ...


class Database:
    """One engine and the unit of work around it.

    ``write()`` and ``read()`` each yield a Session for one transaction: commit on
    success, roll back on any error, and translate driver errors into OrionError.
    """

    def __init__(self, url: URL | str, engine: Engine | None = None, *, create: bool = True) -> None:
        """``create=False``: refuse a SQLite file that does not exist yet (see create_orion_engine)."""
        self.url = parse_url(url) if isinstance(url, str) else url
        self.engine = engine or create_orion_engine(self.url, create=create)
        self._write_engine = self.engine.execution_options(**{_WRITE_OPTION: True})
        change_recording.watch_writes(self.engine)
        self.commit_listeners: list[Callable[[Changes], object]] = []
        """Called with each write transaction's Changes after its commit (not after a rollback, and
        not when it changed nothing, e.g. a replayed operation key)."""
        self.origin = uuid.uuid4().hex[:16]
        """A random id of this Database object: the change feed's announcements carry it, so an app
        tells its own from other PCs' (ARCHITECTURE.md: the change feed between PCs)."""
        self._announcer = None if self.is_sqlite else Announcer(weakref.WeakMethod(self._notify), self.origin)
        """PostgreSQL: sends each committed write's changes to the other PCs, after the commit, several
        commits as one notice under load (SQLite's feed needs none: it watches the file)."""
        self._kept = None if self.is_sqlite else KeptConnections(self.engine)
        """PostgreSQL: the connections transactions used, kept for the next ones (db/kept_connections.py)."""
        self.commit_guards: list[CommitGuard] = []
        """Told just before and after each write's commit (see CommitGuard)."""
        self.read_scope: frozenset[str] | None = None
        """The store codes every read of the services is limited to (services/read_scope.py, set at
        sign-in); None: every store. One immutable value, replaced whole, so threads need no lock."""
        # Pinned now: a relative path means the folder the program was started in.
        self._sqlite_path = (
            Path(os.path.abspath(os.path.expanduser(self.url.database)))
            if self.url.get_backend_name() == "sqlite" and self.url.database
            else None
        )
        self._kept_sqlite: dict[bool, KeptConnections] = {}
        """SQLite: the connections of reads (False) and of writes (True, which begin IMMEDIATE), kept
        as on PostgreSQL; one whose file is no longer the one at the path is not used again."""
        if self._sqlite_path is not None:
            usable = _same_sqlite_file(self._sqlite_path)
            self._kept_sqlite = {False: KeptConnections(self.engine, usable),
                                 True: KeptConnections(self._write_engine, usable)}

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite database file (absolute), None on PostgreSQL; exports must never write onto it."""
        return self._sqlite_path

    def describe(self) -> str:
        return describe_url(self.url)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction; after its commit, what it changed goes to the commit listeners and to
        the ``change_recording.recording()`` blocks open on this thread."""
        with self._session(self._write_engine, collect=True) as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._session(self.engine) as session:
            yield session

    @contextmanager
    def _session(self, bind: Engine, *, collect: bool = False) -> Iterator[Session]:
        # The Session is bound to a connection checked out and begun here, not left to find one on
        # its first statement: the Session's own way costs about 35 us a transaction (issue 12), and
        # the hot paths' statements (db/prepared.py) take this connection from ``session.info``.
        # On SQLite a write takes the file's write lock here, when the block opens.
        kept = self._keeper(bind)
        connection = self._take(bind)
        changes: Changes | None = None
        actor: str | None = None
        try:
            transaction = _begin(connection)
            session = Session(bind=connection, expire_on_commit=False, autoflush=False,
                              join_transaction_mode="rollback_only")
            session.info[CONNECTION_KEY] = connection
            try:
                yield session
                if collect:
                    session.flush()  # pending ORM rows are written (and noted) before collecting
                    actor = change_recording.actor_of(session)
                    changes = change_recording.collect(session, connection)
                    self._commit_guarded(transaction)
                else:
                    transaction.commit()
            except exc.DBAPIError as error:
                _roll_back(transaction)
                if kept is not None and error.connection_invalidated:
                    kept.forget_all()  # the others were opened before the server went away too
                raise translate_db_error(error) from error
            except BaseException:
                _roll_back(transaction)
                raise
            finally:
                _close(session)
        finally:
            if kept is None:
                connection.close()
            else:
                kept.give_back(connection)
        if changes is not None:
            self._committed(changes, actor)

    @contextmanager
    def one_statement(self) -> Iterator[Session]:
        """PostgreSQL: a write that is one statement (a call of a server function, which does all of
        its work or none of it), sent outside BEGIN and COMMIT: the server commits it as it finishes,
        so the write is one round trip instead of three (docs/performance.md: one-statement writes).

        The Session yields no ORM use (it is bound to nothing) and runs one ``db.prepared`` statement
        at most: a second would commit on its own, so it is refused as a bug. What the statement
        changed goes to the announcer and the commit listeners, as after ``write()``."""
        if self._kept is None:
            raise RuntimeError("one_statement is for PostgreSQL; SQLite writes take write()")
        connection = self._take(self._write_engine)
        driver: Any = connection.connection.driver_connection
        changes: Changes | None = None
        actor: str | None = None
        try:
            try:
                driver.autocommit = True  # psycopg: a client-side switch, no round trip
            except connection.dialect.loaded_dbapi.Error as error:  # a link found broken: told as a sentence
                connection.invalidate(error)
                raise unreachable(str(error)) from error
            session = Session(autoflush=False)
            session.info[CONNECTION_KEY] = connection
            session.info[STATEMENTS_LEFT_KEY] = 1
            try:
                yield session
            except exc.DBAPIError as error:  # the statement failed: the server rolled it back
                if error.connection_invalidated:
                    self._kept.forget_all()
                raise translate_db_error(error) from error
            finally:
                # A statement that returned is committed, even when Python fails after it: told anyway.
                # (A lost link ends with the connection invalidated: nothing to tell, nothing to read.)
                if not connection.invalidated:
                    actor = change_recording.actor_of(session)
                    changes = change_recording.collect(session, connection)
                session.close()
        finally:
            try:
                if not connection.invalidated:
                    driver.autocommit = False
            except connection.dialect.loaded_dbapi.Error:  # the link died meanwhile (a server restart)
                connection.invalidate()  # so it is not kept
            self._kept.give_back(connection)
            if changes is not None:
                self._committed(changes, actor)

    def _keeper(self, bind: Engine) -> KeptConnections | None:
        """Where ``bind``'s connections are kept between transactions (None: the pool, each time)."""
        return self._kept if self._kept is not None else self._kept_sqlite.get(bind is self._write_engine)

    def _take(self, bind: Engine) -> Connection:
        """A connection for one transaction: a kept one, else one checked out of the pool."""
        kept = self._keeper(bind)
        try:
            return bind.connect() if kept is None else kept.take()
        except exc.DBAPIError as error:
            if kept is not None and error.connection_invalidated:
                kept.forget_all()
            raise translate_db_error(error) from error

    def _committed(self, changes: Changes, actor: str | None) -> None:
        """After a write's commit: other PCs and this app's listeners hear what it changed."""
        if changes.is_empty:
            return
        if self._announcer is not None:  # PostgreSQL: other PCs hear of it (db/announcer.py)
            self._announcer.announce(changes, actor)
        self._publish(changes)

    def _commit_guarded(self, transaction: RootTransaction) -> None:
        """Commit, the guards told before and after."""
        guards = list(self.commit_guards)
        for guard in guards:
            guard.before_commit()
        try:
            transaction.commit()
        finally:
            for guard in guards:
                guard.after_commit()

    def _publish(self, changes: Changes) -> None:
        change_recording.deliver(changes)
        for listener in list(self.commit_listeners):
            try:
                listener(changes)
            except Exception:  # the commit stands: a listener's failure must not turn it into an error
                log.exception("A commit listener failed")

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A connection for statements outside the unit of work (a ping, the schema's revision, login
        settings); whatever it left open is rolled back after. On PostgreSQL one of the kept ones, so
        an app holds no second server connection for these."""
        kept = self._kept
        if kept is None:
            with self.engine.connect() as connection:
                yield connection
            return
        connection = kept.take()
        try:
            yield connection
        finally:
            if connection.in_transaction():
                try:
                    connection.rollback()
                except exc.DBAPIError:
                    connection.invalidate()  # lost meanwhile: give_back closes it
            kept.give_back(connection)

    def ping(self) -> None:
        """Raise DatabaseUnavailable unless a trivial query succeeds."""
        try:
            with self.connection() as conn:
                conn.exec_driver_sql("SELECT 1")
        except exc.DBAPIError as error:
            raise translate_db_error(error) from error

    def _notify(self, payload: str) -> None:
        """PostgreSQL: send one announcement (the announcer's thread calls this; a transaction of its own)."""
        with self._session(self.engine) as session:
            session.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": payload})

    def flush_announcements(self) -> None:
        """Wait (a few seconds at most) until the other PCs were told of every commit made so far."""
        if self._announcer is not None:
            self._announcer.flush()

    def dispose(self) -> None:
        self.flush_announcements()
        self.close_idle_connections()

    def close_idle_connections(self) -> None:
        """Close every idle connection, kept or pooled: the next transactions open new ones.

        SQLite reads a file's planner statistics when a connection opens and never again (ANALYZE
        does not make other connections reload them), so after ``db.statistics`` wrote them the
        connections opened before would plan without them for as long as they are reused."""
        for kept in (self._kept, *self._kept_sqlite.values()):
            if kept is not None:
                kept.close_all()
        self.engine.dispose()
