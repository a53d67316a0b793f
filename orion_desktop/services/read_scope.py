"""The stores whose rows the lists, searches and reports of one database show (issue 14).

Set once per sign-in (``Services.scope_reads_to``) from the signed-in user's stores, and read by
the query modules as one extra filter, so no screen or command has to pass it along. Kept per
``Database`` (weakly), not per thread: the window's worker threads must see the same scope.
``None`` means every store (the local admin, or a user with no stores).
"""

from __future__ import annotations

import threading
from weakref import WeakKeyDictionary

from orion_desktop.db.engine import Database

_SCOPES: WeakKeyDictionary[Database, frozenset[str]] = WeakKeyDictionary()
_LOCK = threading.Lock()


def set_scope(database: Database, store_codes: frozenset[str] | None) -> None:
    with _LOCK:
        if store_codes is None:
            _SCOPES.pop(database, None)
        else:
            _SCOPES[database] = frozenset(store_codes)


def scope_of(database: Database) -> frozenset[str] | None:
    """The store codes the reads of ``database`` are limited to; None: every store."""
    with _LOCK:
        return _SCOPES.get(database)
