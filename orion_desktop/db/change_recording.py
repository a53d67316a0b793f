"""Collecting what a write transaction changed, and handing it on after the commit (ARCHITECTURE.md:
change sets).

The write chokepoints of the services (a stock level change, an order history row, a catalog write,
a bulk import) name what they changed with ``record_*`` on their Session; the names are kept in
``session.info`` until the transaction ends. As a safety net, every INSERT/UPDATE/DELETE on the
write connection notes its table's kind: a kind written while no chokepoint named it is reported
as "all of that kind", so a forgotten chokepoint makes screens reload too much, never too little.

``Database.write`` builds the ``Changes`` just before committing and, once the commit succeeded,
hands it to its commit listeners and to every ``recording()`` open on the current thread.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session

from orion_desktop.domain.changes import NO_CHANGES, Changes

STOCK, ORDERS, CATALOG, LOCATIONS = "stock", "orders", "catalog", "locations"

TABLE_KINDS = {
    "inventory": STOCK,
    "inventory_transactions": STOCK,
    "inventory_reservations": STOCK,
    "orders": ORDERS,
    "order_items": ORDERS,
    "order_history": ORDERS,
    "order_notes": ORDERS,
    "shipments": ORDERS,
    "shipment_lines": ORDERS,
    "stores": CATALOG,
    "products": CATALOG,
    "locations": LOCATIONS,
}
"""The tables whose rows screens show, by kind (``operations`` is bookkeeping: not shown)."""

_SESSION_KEY = "orion_changes"
_WRITTEN_KEY = "orion_written_kinds"
_DML = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


@dataclass
class _Pending:
    """What the chokepoints of one transaction named so far."""

    products: set[int] = field(default_factory=set)
    orders: set[int] = field(default_factory=set)
    kinds: set[str] = field(default_factory=set)  # kinds named by a chokepoint
    everything: set[str] = field(default_factory=set)  # kinds named as "all of it"
    actor: str | None = None  # who made the change, for the change feed's announcement


def _pending(session: Session) -> _Pending:
    pending = session.info.get(_SESSION_KEY)
    if pending is None:
        pending = session.info[_SESSION_KEY] = _Pending()
    assert isinstance(pending, _Pending)
    return pending


def record_stock(session: Session, product_ids: Iterable[int]) -> None:
    """The stock (levels, reservations, ledger, stock rows) of these products changed."""
    pending = _pending(session)
    pending.products.update(product_ids)
    pending.kinds.add(STOCK)


def record_orders(session: Session, order_ids: Iterable[int]) -> None:
    """These orders changed (status, items, history, notes, parcels, shipments)."""
    pending = _pending(session)
    pending.orders.update(order_ids)
    pending.kinds.add(ORDERS)


def record_catalog(session: Session) -> None:
    """Stores or products changed."""
    _pending(session).kinds.add(CATALOG)


def record_locations(session: Session) -> None:
    """Locations changed."""
    _pending(session).kinds.add(LOCATIONS)


def record_all(session: Session, *kinds: str) -> None:
    """A bulk write: anything of these kinds may have changed (no id sets for 100k lines)."""
    pending = _pending(session)
    pending.kinds.update(kinds)
    pending.everything.update(kinds)


def record_actor(session: Session, name: str) -> None:
    """The acting user of this transaction (the change feed tells other PCs who changed what)."""
    _pending(session).actor = name


def actor_of(session: Session) -> str | None:
    """The acting user a chokepoint named in this transaction, if any (read it before ``collect``)."""
    pending = session.info.get(_SESSION_KEY)
    return pending.actor if isinstance(pending, _Pending) else None


def collect(session: Session, connection: Connection) -> Changes:
    """What this transaction changed: what the chokepoints named on ``session``, plus any kind
    written unnamed on ``connection``, the transaction's.

    Call before the commit (the connection, and what it noted, goes back to the pool then)."""
    pending = session.info.pop(_SESSION_KEY, None) or _Pending()
    written: set[str] = connection.info.pop(_WRITTEN_KEY, set())
    everything = pending.everything | (written - pending.kinds)
    kinds = pending.kinds | written
    return Changes.of(
        products=pending.products,
        orders=pending.orders,
        all_stock=STOCK in everything,
        all_orders=ORDERS in everything,
        catalog=CATALOG in kinds,
        locations=LOCATIONS in kinds,
    )


_watched: weakref.WeakSet[Engine] = weakref.WeakSet()


def watch_writes(engine: Engine) -> None:
    """Note the kind of every table a statement on ``engine`` writes (the safety net above)."""
    if engine in _watched:
        return  # several Database objects may share one engine (tests): one pair of listeners
    _watched.add(engine)

    @event.listens_for(engine, "begin")
    def _forget(conn: Any) -> None:
        conn.info.pop(_WRITTEN_KEY, None)  # a pooled connection starts each transaction afresh

    @event.listens_for(engine, "after_cursor_execute")
    def _note(conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool) -> None:
        if context is None:
            return  # a db.prepared statement (SQLAlchemy always gives a context): it notes its own table
        note_written(conn, _written_table(statement, context))


def note_written(connection: Any, table: str | None) -> None:
    """Note that a statement on ``connection`` wrote ``table`` (statements run past SQLAlchemy's
    events, ``db.prepared``, call this themselves, so the safety net stays whole)."""
    kind = TABLE_KINDS.get(table or "")
    if kind is not None:
        connection.info.setdefault(_WRITTEN_KEY, set()).add(kind)


def _written_table(statement: str, context: Any) -> str | None:
    compiled = getattr(context, "compiled", None)
    if compiled is not None and (context.isinsert or context.isupdate or context.isdelete):
        table = getattr(compiled.statement, "table", None)
        name = getattr(table, "name", None)
        if isinstance(name, str):
            return name
    match = _DML.match(statement)
    return match.group(1).lower() if match else None


# --- recording on this thread ----------------------------------------------------------------


@dataclass
class Recorded:
    """What the commits on this thread changed while a ``recording()`` was open."""

    changes: Changes = NO_CHANGES

    def add(self, changes: Changes) -> None:
        self.changes = self.changes | changes


_local = threading.local()


@contextmanager
def recording() -> Iterator[Recorded]:
    """Collect the Changes of every commit made on this thread inside the block (nesting allowed)."""
    stack: list[Recorded] = _local.__dict__.setdefault("stack", [])
    recorded = Recorded()
    stack.append(recorded)
    try:
        yield recorded
    finally:
        stack.remove(recorded)


def deliver(changes: Changes) -> None:
    """Hand a committed transaction's Changes to the recordings open on this thread."""
    for recorded in getattr(_local, "stack", ()):
        recorded.add(changes)
