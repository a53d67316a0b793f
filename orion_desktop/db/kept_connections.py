"""Connections kept open between transactions instead of going back to the pool (issue 12).

Checking a connection out of SQLAlchemy's pool and back in costs about 20 us of Python a
transaction on PostgreSQL, with its events, and a write transaction there is only 200-250 us of
client work in all; on SQLite the checkout, the check-in and the Connection object were half of a
write transaction's frame (about 60 of 150 us, against 9 us for the same statements on bare
``sqlite3``). So ``Database`` keeps the connections its transactions used, checked out, in a list of
its own, and takes the last one given back (the warmest) for the next transaction, from any
thread: a connection is never used by two transactions at once, only one after the other.

What the pool's checkout did is done here instead, by the ``usable`` check the Database gives: on
PostgreSQL a connection idle longer than ``idle_ping.IDLE_SECONDS`` is pinged before use, and a
dead one replaced (a server restart); on SQLite the file at the path must still be the one the
connection opened (a moved or replaced file), else the pool's checkout finds out again and says so.
A connection invalidated by an error, or left in a transaction, is closed, not kept. When one
transaction finds the server gone, ``forget_all`` closes every kept connection, as the pool drops
every connection opened before such a failure, so the next call reconnects. A forked child keeps
none of its parent's, kept or pooled (their sockets are the parent's). ``close_all`` gives them back to the pool
(``Database.dispose``). How many are kept is how many transactions ran at once at most, within the
pool's own limit.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from sqlalchemy import Connection, Engine

from orion_desktop.db import idle_ping


def answers_after_idle(connection: Connection, idle_since: float) -> bool:
    """PostgreSQL's check: a connection idle for long is pinged (False: its server went away)."""
    return time.monotonic() - idle_since <= idle_ping.IDLE_SECONDS or idle_ping.answers(connection)


class KeptConnections:
    """The idle connections of one engine, most recently used last."""

    def __init__(self, engine: Engine, usable: Callable[[Connection, float], bool] = answers_after_idle) -> None:
        """``usable(connection, idle_since)``: whether a kept connection may serve the next transaction
        (``idle_since``: the ``time.monotonic()`` it was given back); one that may not is invalidated."""
        self._engine = engine
        self._usable = usable
        self._idle: list[tuple[Connection, float]] = []  # (connection, time.monotonic() it was given back)
        self._pid = os.getpid()

    def take(self) -> Connection:
        """A connection outside any transaction: a kept one when there is one, else a new checkout."""
        if self._pid != os.getpid():  # a forked child: the parent's connections are not its own,
            self._idle, self._pid = [], os.getpid()
            self._engine.dispose(close=False)  # the pooled ones neither (SQLAlchemy's advice for a fork)
        while True:
            try:
                connection, since = self._idle.pop()  # atomic under the GIL: threads need no lock
            except IndexError:
                return self._engine.connect()
            if connection.invalidated or connection.closed:
                continue
            if self._usable(connection, since):
                return connection
            connection.invalidate()  # dead after an idle spell, or its file moved: the pool opens a new one
            connection.close()

    def give_back(self, connection: Connection) -> None:
        """Keep ``connection`` for the next transaction, unless it is unusable or still in one."""
        if connection.invalidated or connection.closed or connection.in_transaction():
            connection.close()
            return
        self._idle.append((connection, time.monotonic()))

    def forget_all(self) -> None:
        """The server was lost: close every kept connection (invalidated), so none is tried again."""
        idle, self._idle = self._idle, []
        for connection, _since in idle:
            connection.invalidate()
            connection.close()

    def close_all(self) -> None:
        """Give every kept connection back to the pool."""
        idle, self._idle = self._idle, []
        for connection, _since in idle:
            connection.close()
