"""The stores whose rows the lists, searches and reports of one database show (issue 14).

Set once per sign-in (``Services.scope_reads_to``) from the signed-in user's stores, and read by
the query modules as one extra filter, so no screen or command has to pass it along. Kept on the
``Database`` (``Database.read_scope``), not per thread: the window's worker threads must see the
same scope. ``None`` means every store (the local admin, or a user with no stores).

Another store's row is treated as if it did not exist: a list leaves it out, and looking it up by
its number or code gives the very sentence a real not-found gives.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, SQLColumnExpression, select

from orion_desktop.db.engine import Database
from orion_desktop.db.models import Store


def set_scope(database: Database, store_codes: frozenset[str] | None) -> None:
    database.read_scope = None if store_codes is None else frozenset(store_codes)


def scope_of(database: Database) -> frozenset[str] | None:
    """The store codes the reads of ``database`` are limited to; None: every store."""
    return database.read_scope


def in_stores(store_id: SQLColumnExpression[int], stores: frozenset[str]) -> ColumnElement[bool]:
    """``store_id`` is the id of one of ``stores``: an ``IN (SELECT id FROM stores WHERE code IN ...)``
    the planner turns into a semi-join on the few stores, for tables that carry a store id but are
    not joined to ``stores`` (the filter stays in SQL, never in Python)."""
    return store_id.in_(select(Store.id).where(Store.code.in_(sorted(stores))).scalar_subquery())
