"""Tells pages that data changed, so every page shows a change without a manual refresh.

One instance is owned by the main window and handed to each page (no global registry).
What changed is never guessed by a page: every write the window makes runs through the worker
(``ui/worker.py``, ``on_changes``; every ``ActionDialog`` does), which records the ``Changes`` the
services committed; they reach ``announce_changes`` (ARCHITECTURE.md: change sets). Other PCs'
changes arrive there too, from the change feed through ``ui/live_feed.py``.
``topics_for`` is the one place that maps a change set to the topics pages listen for; pages
listening for one of them reload, at once if visible, otherwise the next time they are shown.

Pages and dialogs also ``report_error`` what they could not load or save: the main window
listens, and when it was a ``DatabaseUnavailable`` it checks the connection, shows the
"database not reachable" banner and reloads the pages once the database is back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum

from PySide6.QtCore import QObject, Signal

from orion_desktop.domain.changes import Changes
from orion_desktop.domain.errors import DatabaseUnavailable
from orion_desktop.services.registry import Recorded, Services


class Topic(StrEnum):
    STOCK = "stock"  # quantities, reservations, ledger
    ORDERS = "orders"  # orders, shipments, history, notes
    CATALOG = "catalog"  # stores, locations, products


def topics_for(changes: Changes) -> frozenset[Topic]:
    """The topics a change set concerns: the one mapping from the services' Changes to the GUI's topics."""
    topics = set()
    if changes.stock_changed:
        topics.add(Topic.STOCK)
    if changes.orders_changed:
        topics.add(Topic.ORDERS)
    if changes.catalog or changes.locations:
        topics.add(Topic.CATALOG)
    return frozenset(topics)


class DataEvents(QObject):
    changed = Signal(object)  # frozenset[Topic]
    committed = Signal(object)  # the Changes a write committed, here or on another PC (before ``changed``)
    databaseUnavailable = Signal(object)  # the DatabaseUnavailable error a page or dialog ran into

    def announce(self, *topics: Topic) -> None:
        self.changed.emit(frozenset(topics))

    def announce_changes(self, changes: Changes) -> None:
        """What a write committed: pages showing any of it reload."""
        if changes.is_empty:
            return
        self.committed.emit(changes)
        self.announce(*topics_for(changes))

    @contextmanager
    def recording(self) -> Iterator[Recorded]:
        """A write made on the GUI thread (none should be slow): record it, then announce what it changed."""
        with Services.recording() as recorded:
            try:
                yield recorded
            finally:
                self.announce_changes(recorded.changes)

    def announce_all(self) -> None:
        """Everything may have changed (e.g. the database came back): every listening page reloads."""
        self.announce(*Topic)

    def report_error(self, error: BaseException) -> None:
        """Call with every error a page or dialog shows; the main window watches for a lost database."""
        if isinstance(error, DatabaseUnavailable):
            self.databaseUnavailable.emit(error)
