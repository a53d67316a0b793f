"""Tells pages that data changed, so every page shows a change without a manual refresh.

One instance is owned by the main window and handed to each page (no global registry).
A page that changes something calls ``announce``; pages listening for that topic reload,
at once if visible, otherwise the next time they are shown.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QObject, Signal


class Topic(StrEnum):
    STOCK = "stock"  # quantities, reservations, ledger
    ORDERS = "orders"  # orders, shipments, history, notes
    CATALOG = "catalog"  # stores, locations, products


class DataEvents(QObject):
    changed = Signal(object)  # frozenset[Topic]

    def announce(self, *topics: Topic) -> None:
        self.changed.emit(frozenset(topics))
