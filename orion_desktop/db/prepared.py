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
from typing import Any

from sqlalchemy import exc
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement


class _Compiled:
    """One statement's SQL for one dialect, with what turns parameters and rows into their types."""

    def __init__(self, statement: ClauseElement, dialect: Dialect, insert_columns: Sequence[str] | None) -> None:
        compiled: Any = statement.compile(dialect=dialect, column_keys=insert_columns)
        self.sql: str = compiled.string
        prefetched = [column.name for column in getattr(compiled, "insert_prefetch", [])]
        if prefetched:  # defaults SQLAlchemy computes in Python per call; a bare cursor would skip them
            raise ValueError(f"A prepared insert must give every column with a Python default: {prefetched}")
        self._compiled = compiled
        self._positional: list[str] | None = list(compiled.positiontup) if compiled.positional else None
        self._binds: dict[str, Callable[[Any], Any]] = dict(compiled._bind_processors)
        self._returned: list[Any] = list(compiled._result_columns)
        names = [column.keyname for column in self._returned]
        self.row_type: Any = namedtuple("Row", names, rename=True) if names else None
        self._dialect = dialect
        self._results: list[Callable[[Any], Any] | None] | None = None  # from the first result's description

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | Mapping[str, Any]:
        params: dict[str, Any] = self._compiled.construct_params(values)
        for name, process in self._binds.items():
            if name in params:
                params[name] = process(params[name])
        if self._positional is None:
            return params
        return [params[name] for name in self._positional]

    def rows(self, description: Sequence[Any], raw: Sequence[Sequence[Any]]) -> list[Any]:
        """The driver's rows as named tuples of the values SQLAlchemy would have returned."""
        if self._results is None:  # as SQLAlchemy's result does: by the type and the driver's column type
            self._results = [column.type._cached_result_processor(self._dialect, described[1])
                             for column, described in zip(self._returned, description, strict=True)]
        converters = self._results
        return [self.row_type(*(value if convert is None else convert(value)
                                for value, convert in zip(row, converters, strict=True))) for row in raw]


class Prepared:
    """A Core statement for the hot paths: ``run(session, params)`` returns its rows (named tuples).

    ``columns``: for a bare ``table.insert()``, the columns every call gives values for. Make such
    an insert ``.inline()``: PostgreSQL would otherwise return the new row's id, SQLite nothing.
    Not for statements with "expanding" IN lists (``matches_any`` binds one value instead)."""

    def __init__(self, statement: ClauseElement, columns: Sequence[str] | None = None) -> None:
        self.statement = statement
        self._columns = list(columns) if columns is not None else None
        self._by_dialect: dict[str, _Compiled] = {}

    def run(self, session: Session, params: Mapping[str, Any]) -> list[Any]:
        connection = session.connection()
        dialect = connection.dialect
        compiled = self._by_dialect.get(dialect.name)
        if compiled is None:
            compiled = self._by_dialect[dialect.name] = _Compiled(self.statement, dialect, self._columns)
        driver = connection.connection.driver_connection
        assert driver is not None
        values = compiled.parameters(params)
        cursor = driver.cursor()
        try:
            cursor.execute(compiled.sql, values)
            if compiled.row_type is None:
                return []
            return compiled.rows(cursor.description, cursor.fetchall())
        except dialect.loaded_dbapi.Error as error:
            # As SQLAlchemy's own execute: a lost connection leaves the pool, and the error is wrapped.
            lost = bool(dialect.is_disconnect(error, driver, cursor))
            if lost:
                connection.invalidate(error)
            raise exc.DBAPIError.instance(compiled.sql, values, error, dialect.loaded_dbapi.Error,
                                          connection_invalidated=lost) from error
        finally:
            cursor.close()
