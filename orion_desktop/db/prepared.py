"""Hot-path statements compiled once and run straight on the driver's cursor (issue 12).

SQLAlchemy's ``Connection.execute`` costs about 25 us a statement in Python on top of the driver
(events, the compiled-cache look-up, the result set-up); a reserve runs four statements, so on
SQLite, whose own work is about 10 us a statement, that overhead is most of the call.
``Prepared`` keeps the statement's compiled SQL per dialect, applies the same bind and result
conversions SQLAlchemy would, and runs it on the Session's own connection, inside its transaction.
A driver error is raised as SQLAlchemy's wrapped error, so callers and ``translate_db_error``
see what they always saw.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement

from orion_desktop.db.change_recording import note_written
from orion_desktop.db.types import UtcDateTime

Plan = list[tuple[str, str, bool, Any, Callable[[Any], Any] | None]]
"""Per bind, in order: its name in the SQL, the call's key for it, whether the call must give it, the
value fixed in the statement otherwise, and its type's conversion: what ``construct_params`` works
out on every call, worked out once."""


class _Layout(NamedTuple):
    """The SQL sent and how its parameters are laid out (None: by SQLAlchemy, per call)."""

    sql: str
    positional: Sequence[str] | None
    plan: Plan | None


class _Compiled:
    """One statement's SQL for one dialect, with what turns parameters and rows into their types."""

    def __init__(
        self, statement: ClauseElement, dialect: Dialect, insert_columns: Sequence[str] | None, writes: str | None
    ) -> None:
        compiled: Any = statement.compile(dialect=dialect, column_keys=insert_columns)
        dml = compiled.isinsert or compiled.isupdate or compiled.isdelete
        self.written_table: str | None = getattr(getattr(statement, "table", None), "name", None) if dml else writes
        prefetched = [column.name for column in getattr(compiled, "insert_prefetch", [])]
        if prefetched:  # defaults SQLAlchemy computes in Python per call; a bare cursor would skip them
            raise ValueError(f"A prepared insert must give every column with a Python default: {prefetched}")
        self._compiled = compiled
        self._binds: dict[str, Callable[[Any], Any]] = {
            name: _timestamp_memo(dialect, process) if isinstance(compiled.binds[name].type, UtcDateTime) else process
            for name, process in compiled._bind_processors.items()
        }
        positional = list(compiled.positiontup) if compiled.positional else None
        plan = None
        if not compiled.post_compile_params and not any(bind.callable for bind in compiled.binds.values()):
            plan = [(name, bind.key, bind.required, bind.value, self._binds.get(name))
                    for name, bind in compiled.binds.items()]
        self._layout = _Layout(compiled.string, positional, plan)  # replaced whole, never changed: threads
        self._returned: list[Any] = list(compiled._result_columns)
        names = [column.keyname for column in self._returned]
        self.row_type: Any = namedtuple("Row", names, rename=True) if names else None
        self._dialect = dialect
        # (column index, conversion) of the columns that need one, from the first result's description
        self._results: list[tuple[int, Callable[[Any], Any]]] | None = None

    def bound(self, values: Mapping[str, Any]) -> tuple[str, Sequence[Any] | Mapping[str, Any]]:
        """The SQL to send and the driver's parameters for one call, converted by their types."""
        sql, positional, plan = self._layout
        if plan is not None:
            params = {}
            for name, key, required, fixed, process in plan:
                if key in values:
                    value = values[key]
                elif required:
                    raise exc.InvalidRequestError(f"A value is required for bind parameter {key!r}")
                else:
                    value = fixed
                params[name] = value if process is None else process(value)
            return sql, params if positional is None else [params[name] for name in positional]
        if self._compiled.post_compile_params:  # IN lists: one placeholder per value, laid out per call
            expanded = self._compiled.construct_expanded_state(values)
            self._fix_constant_lists(expanded, values)
            sql, params = expanded.statement, dict(expanded.parameters)
            positional = expanded.positiontup
            processors = {**self._binds, **expanded.processors}
        else:
            params = self._compiled.construct_params(values)
            processors = self._binds
        for name, process in processors.items():
            if name in params:
                params[name] = process(params[name])
        if positional is None:
            return sql, params
        return sql, [params[name] for name in positional]

    def _fix_constant_lists(self, expanded: Any, values: Mapping[str, Any]) -> None:
        """When every IN list is written into the statement (a fixed set of statuses, say), its
        layout never changes: keep the expanded SQL and bind from a plan from the next call on."""
        lists = self._compiled.post_compile_params
        if any(bind.callable or bind.key in values for bind in lists):
            return  # a list the caller passes: its length may differ on every call
        plan: Plan = []
        for name, value in expanded.parameters.items():
            bind = self._compiled.binds.get(name)
            if bind is not None and bind not in lists:
                plan.append((name, bind.key, bind.required, bind.value, self._binds.get(name)))
            else:  # one value of a fixed list; a key no call can give
                plan.append((name, "\0", False, value, expanded.processors.get(name)))
        self._layout = _Layout(expanded.statement, expanded.positiontup, plan)

    def rows(self, cursor: Any, raw: Sequence[Sequence[Any]]) -> list[Any]:
        """The driver's rows as named tuples of the values SQLAlchemy would have returned."""
        converters = self._results
        if converters is None:  # as SQLAlchemy's result does: by the type and the driver's column type
            # cursor.description only here: psycopg builds it afresh on every call (a tenth of a
            # reserve's client time when read per statement).
            processors = [column.type._cached_result_processor(self._dialect, described[1])
                          for column, described in zip(self._returned, cursor.description, strict=True)]
            # Only the columns that need it are converted: most are integers and text, which the
            # driver already gives as they are.
            converters = self._results = [(index, convert) for index, convert in enumerate(processors)
                                          if convert is not None]
        make = self.row_type._make
        if not converters:
            return [make(row) for row in raw]
        converted = []
        for row in raw:
            values = list(row)
            for index, convert in converters:
                values[index] = convert(values[index])
            converted.append(make(values))
        return converted


class _LastTimestamp:
    """A timestamp column type's bind conversion that remembers its last value and result.

    A service call stamps one moment (``now``) into most of its statements; converting it costs
    about 5 us each time on SQLite (to UTC, then to text), so one call converts it once. Every
    ``UtcDateTime`` bind of a dialect shares one of these (the type takes no arguments, so its
    conversion is the same for every column). Only the same object counts (``is``: a datetime never
    changes), and the pair is read and replaced whole, so threads need no lock."""

    def __init__(self, process: Callable[[Any], Any]) -> None:
        self._process = process
        self._last: tuple[Any, Any] = (None, None)

    def __call__(self, value: Any) -> Any:
        last_value, last_result = self._last
        if value is last_value and value is not None:
            return last_result
        result = self._process(value)
        self._last = (value, result)
        return result


_TIMESTAMP_MEMOS: dict[str, _LastTimestamp] = {}


def _timestamp_memo(dialect: Dialect, process: Callable[[Any], Any]) -> _LastTimestamp:
    """The shared conversion of ``UtcDateTime`` binds on ``dialect`` (by name: every engine of one
    dialect converts timestamps alike), made from the first such bind's ``process``."""
    memo = _TIMESTAMP_MEMOS.get(dialect.name)
    if memo is None:
        memo = _TIMESTAMP_MEMOS.setdefault(dialect.name, _LastTimestamp(process))
    return memo


class Prepared:
    """A Core statement for the hot paths: ``run(session, params)`` returns its rows (named tuples).

    ``columns``: for a bare ``table.insert()``, the columns every call gives values for. Make such
    an insert ``.inline()``: PostgreSQL would otherwise return the new row's id, SQLite nothing.
    An IN list fixed in the statement is laid out once; a list a call passes, per call.
    ``writes``: the table a SELECT writes through its WITH clauses (an INSERT, UPDATE or DELETE
    names its own), noted for the change-recording safety net."""

    def __init__(
        self, statement: ClauseElement, columns: Sequence[str] | None = None, *, writes: str | None = None
    ) -> None:
        self.statement = statement
        self._columns = list(columns) if columns is not None else None
        self._writes = writes
        self._by_dialect: dict[str, _Compiled] = {}

    def run(self, session: Session, params: Mapping[str, Any]) -> list[Any]:
        """Every row the statement returns (none for a write without RETURNING)."""
        return self._execute(session, [params], rows=True)[0]

    def first(self, session: Session, params: Mapping[str, Any]) -> Any:
        """The first row, or None."""
        rows = self.run(session, params)
        return rows[0] if rows else None

    def count(self, session: Session, params: Mapping[str, Any]) -> int:
        """How many rows a write changed (the driver's rowcount)."""
        return self._execute(session, [params], rows=False)[1]

    def run_many(self, session: Session, many: Sequence[Mapping[str, Any]]) -> None:
        """A write without RETURNING, once per mapping, sent as one ``executemany`` (psycopg pipelines
        it on PostgreSQL: one round trip for all of them); a single mapping is a plain execute."""
        if many:
            self._execute(session, many, rows=False)

    def _compiled_for(self, dialect: Dialect) -> _Compiled:
        compiled = self._by_dialect.get(dialect.name)
        if compiled is None:
            compiled = self._by_dialect[dialect.name] = _Compiled(self.statement, dialect, self._columns, self._writes)
        return compiled

    def _execute(
        self, session: Session, calls: Sequence[Mapping[str, Any]], *, rows: bool
    ) -> tuple[list[Any], int]:
        info = session.info
        left = info.get(STATEMENTS_LEFT_KEY)
        if left is not None:  # Database.one_statement: outside a transaction each statement commits alone
            if left < 1 or len(calls) > 1:
                raise RuntimeError("A one-statement write ran a second statement; it must take Database.write()")
            info[STATEMENTS_LEFT_KEY] = left - 1
        route = info.get(ROUTE_KEY)
        if route is None or route.connection.closed:
            route = info[ROUTE_KEY] = _route(session_connection(session))
        connection = route.connection
        compiled = self._compiled_for(connection.dialect)
        many = len(calls) > 1
        values: Any  # one call's parameters, or (many) a list of them
        if many:
            bound = [compiled.bound(params) for params in calls]
            sql, values = bound[0][0], [params for _sql, params in bound]
            if any(other != sql for other, _params in bound):
                raise ValueError("run_many needs the same SQL for every call (an IN list a call passes varies it)")
        else:
            sql, values = compiled.bound(calls[0])
        cursor = _send(route, sql, values, many)
        try:
            if compiled.written_table is not None:  # also for a WITH ... INSERT, which no pattern names
                note_written(connection, compiled.written_table)
            if not rows or compiled.row_type is None:
                return [], cursor.rowcount
            return compiled.rows(cursor, cursor.fetchall()), cursor.rowcount
        except connection.dialect.loaded_dbapi.Error as error:  # SQLite steps on as the rows are fetched
            raise _wrapped(error, route, cursor, sql, values, many) from error
        finally:
            cursor.close()


CONNECTION_KEY = "orion_connection"
STATEMENTS_LEFT_KEY = "orion_statements_left"
"""In ``session.info`` of a ``Database.one_statement`` write: how many statements it may still run."""


def session_connection(session: Session) -> Connection:
    """The connection of ``session``'s transaction: the one ``Database`` put in ``session.info``
    when it opened the transaction (asking the Session costs about 20 us of its state machine a
    statement); for a Session made elsewhere, ``session.connection()``, kept the same way."""
    connection: Connection | None = session.info.get(CONNECTION_KEY)
    if connection is None or connection.closed:
        connection = session.info[CONNECTION_KEY] = session.connection()
    return connection


ROUTE_KEY = "orion_route"
"""In ``session.info``: the session's ``_Route``, worked out at its first hot-path statement."""


class _Route(NamedTuple):
    """Where a transaction's hot-path statements go: worked out once, not per statement (asking the
    pool for the driver's connection and the engine's event lists for listeners cost about 4 us a
    statement, a sixth of what the Python of one statement cost on SQLite)."""

    connection: Connection
    driver: Any  # the DBAPI connection under ``connection``
    watched: bool  # something listens before the engine's statements (a test watching the SQL sent)


def _route(connection: Connection) -> _Route:
    driver = connection.connection.driver_connection
    assert driver is not None
    # The engine's cursor events see these statements while something listens before them, then after
    # them too. Otherwise neither is sent: the one listener after them in production, the
    # change-recording net, ignores them (they note their own table), and calling it cost about 8 us a
    # statement. A listener added in the middle of a transaction sees its statements from the next one on.
    return _Route(connection, driver, bool(connection.dispatch.before_cursor_execute))


def run_driver_sql(connection: Connection, sql: str) -> None:
    """A statement without parameters or rows (``BEGIN IMMEDIATE``) straight on the driver's cursor:
    SQLAlchemy's ``exec_driver_sql`` costs about 25 us in Python, more than SQLite's own work."""
    _send(_route(connection), sql, (), False).close()


def _send(route: _Route, sql: str, values: Any, many: bool) -> Any:
    """Send ``sql`` on the route's driver connection, inside its transaction; the cursor, to read and close."""
    connection = route.connection
    cursor = route.driver.cursor()
    try:
        if route.watched:
            events = connection.dispatch
            events.before_cursor_execute(connection, cursor, sql, values, None, many)
        if many:
            cursor.executemany(sql, values)
        else:
            cursor.execute(sql, values)
        if route.watched and events.after_cursor_execute:
            events.after_cursor_execute(connection, cursor, sql, values, None, many)
    except connection.dialect.loaded_dbapi.Error as error:
        cursor.close()
        raise _wrapped(error, route, cursor, sql, values, many) from error
    except BaseException:
        cursor.close()
        raise
    return cursor


def _wrapped(error: Any, route: _Route, cursor: Any, sql: str, values: Any, many: bool) -> Any:
    """The driver's error as SQLAlchemy's own execute raises it: a lost connection leaves the pool,
    and the error is wrapped (so callers and ``translate_db_error`` see what they always saw)."""
    dialect = route.connection.dialect
    lost = bool(dialect.is_disconnect(error, route.driver, cursor))
    if lost:
        route.connection.invalidate(error)
    return exc.DBAPIError.instance(sql, values, error, dialect.loaded_dbapi.Error,
                                   connection_invalidated=lost, ismulti=many)
