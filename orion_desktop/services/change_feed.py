"""The change feed's face for the interfaces (ARCHITECTURE.md: the change feed between PCs).

The feed itself lives with the database code (``db/change_feed.py``: psycopg's LISTEN, SQLite's
``data_version``); the window and the CLI get one through ``Services.change_feed()``.

Announcements name every store's products and orders by id (PostgreSQL's NOTIFY reaches every
listener, whatever its stores). ``in_read_scope`` narrows one to what a user kept to some stores
may see, for what is shown to people (``orion-desktop watch``).
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from orion_desktop.db.change_feed import ChangeFeed, NoticeHandler, StatusHandler
from orion_desktop.db.engine import Database
from orion_desktop.db.models import Order, Product
from orion_desktop.domain.change_notice import ChangeNotice, FeedStatus
from orion_desktop.domain.changes import Changes
from orion_desktop.services.read_scope import in_stores, scope_of


def in_read_scope(database: Database, notice: ChangeNotice) -> ChangeNotice | None:
    """``notice`` as the reads of ``database`` may show it: other stores' product and order ids left
    out, and None when it named only other stores' rows (then nothing of it, not even who, is shown).

    A notice naming no ids (bulk "all" changes, the catalog, locations, SQLite's "something
    changed", a reconnection) is kept whole: there is nothing in it to narrow."""
    stores = scope_of(database)
    changes = notice.changes
    if stores is None or notice.reconnected or not (changes.products or changes.orders):
        return notice
    with database.read() as session:
        products = frozenset(session.scalars(
            select(Product.id).where(Product.id.in_(sorted(changes.products)), in_stores(Product.store_id, stores))
        )) if changes.products else frozenset()
        orders = frozenset(session.scalars(
            select(Order.id).where(Order.id.in_(sorted(changes.orders)), in_stores(Order.store_id, stores))
        )) if changes.orders else frozenset()
    if not products and not orders:
        return None
    narrowed = Changes(products=products, orders=orders, all_stock=changes.all_stock, all_orders=changes.all_orders,
                       catalog=changes.catalog, locations=changes.locations)
    return replace(notice, changes=narrowed)


__all__ = ["ChangeFeed", "ChangeNotice", "FeedStatus", "NoticeHandler", "StatusHandler", "in_read_scope"]
