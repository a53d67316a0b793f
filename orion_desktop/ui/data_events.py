"""Tells pages that data changed, so every page shows a change without a manual refresh.

One instance is owned by the main window and handed to each page (no global registry).
A page that changes something calls ``announce``; pages listening for that topic reload,
at once if visible, otherwise the next time they are shown.

Pages and dialogs also ``report_error`` what they could not load or save: the main window
listens, and when it was a ``DatabaseUnavailable`` it checks the connection, shows the
"database not reachable" banner and reloads the pages once the database is back.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QObject, Signal

from orion_desktop.domain.errors import DatabaseUnavailable


class Topic(StrEnum):
    STOCK = "stock"  # quantities, reservations, ledger
    ORDERS = "orders"  # orders, shipments, history, notes
    CATALOG = "catalog"  # stores, locations, products


class DataEvents(QObject):
    changed = Signal(object)  # frozenset[Topic]
    databaseUnavailable = Signal(object)  # the DatabaseUnavailable error a page or dialog ran into

    def announce(self, *topics: Topic) -> None:
        self.changed.emit(frozenset(topics))

    def announce_all(self) -> None:
        """Everything may have changed (e.g. the database came back): every listening page reloads."""
        self.announce(*Topic)

    def report_error(self, error: BaseException) -> None:
        """Call with every error a page or dialog shows; the main window watches for a lost database."""
        if isinstance(error, DatabaseUnavailable):
            self.databaseUnavailable.emit(error)
