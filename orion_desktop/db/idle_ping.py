"""Check a pooled PostgreSQL connection before use only when it sat idle (ARCHITECTURE.md: stock changes).

SQLAlchemy's ``pool_pre_ping`` sends ``SELECT 1`` at every checkout: one round trip more for every
transaction, and about a third of a short write's client time (measured: 130-150 us of the 360 us of
a one-statement write transaction). A connection given back to the pool moments ago is as alive as
the work it just did, so it is used as is; one that sat idle longer than ``IDLE_SECONDS`` (the server
may have restarted meanwhile) is pinged, and a dead one is replaced before anyone uses it.

A server restart shorter than ``IDLE_SECONDS`` between two uses of a connection is the one case left
to the normal path: the statement fails, the call is told "The database cannot be reached ... Try
again", and SQLAlchemy discards every connection opened before the failure, so the retry reconnects.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Connection, Engine, event, exc
from sqlalchemy.engine import Dialect

IDLE_SECONDS = 1.0
"""A connection idle longer than this is pinged before use; a restart takes longer than this."""

_RETURNED_AT = "orion_returned_at"


def ping_connections_after_idle(engine: Engine) -> None:
    """Install the check on ``engine``'s pool (instead of ``pool_pre_ping``)."""
    dialect = engine.dialect

    @event.listens_for(engine, "connect")
    def _opened(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = time.monotonic()  # just connected: alive

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get(_RETURNED_AT, 0.0) <= IDLE_SECONDS:
            return
        lost = _lost_link(dialect, dbapi_connection)
        if lost is not None:  # the pool discards this connection and checks out (and checks) a new one
            raise exc.DisconnectionError(str(lost)) from lost


def answers(connection: Connection) -> bool:
    """Whether ``connection``'s server still answers a ping (False: the link is dead); any other
    driver error is raised as SQLAlchemy's wrapped error."""
    dialect = connection.dialect
    driver_connection = connection.connection.dbapi_connection
    if driver_connection is None:  # already given up
        return False
    try:
        return _lost_link(dialect, driver_connection) is None
    except dialect.loaded_dbapi.Error as error:
        raise exc.DBAPIError.instance(None, None, error, dialect.loaded_dbapi.Error) from error


def _lost_link(dialect: Dialect, dbapi_connection: Any) -> Exception | None:
    """Ping: None when the server answers, the driver's error when the link is dead; any other
    driver error is raised."""
    try:
        dialect.do_ping(dbapi_connection)
    except dialect.loaded_dbapi.Error as error:
        if dialect.is_disconnect(error, dbapi_connection, None):
            return error
        raise
    return None
