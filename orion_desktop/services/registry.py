"""The services the interfaces may use, on one database: the CLI and the GUI get one ``Services``.

It lives with the services (the composition roots, ``bootstrap`` and ``app``, only build it), so a
use case and the registry that hands it out sit side by side.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from orion_desktop.db import change_recording
from orion_desktop.db.change_recording import Recorded
from orion_desktop.db.engine import Database
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.requests import Request
from orion_desktop.services import commands, read_scope
from orion_desktop.services.catalog import CatalogService
from orion_desktop.services.change_feed import ChangeFeed, ChangeNotice, in_read_scope
from orion_desktop.services.orders import OrderQueries, OrderService, PackingService
from orion_desktop.services.reports import ReportService
from orion_desktop.services.stock import InventoryService, StockQueries

if TYPE_CHECKING:
    from orion_desktop.services.imports import ImportService
    from orion_desktop.services.pg_logins import PgLogins
    from orion_desktop.services.users import UserService

ResultT = TypeVar("ResultT")


@dataclass
class Services:
    """Everything the interfaces may use. They never see the Database or a Session."""

    catalog: CatalogService
    inventory: InventoryService
    stock: StockQueries
    orders: OrderService
    order_queries: OrderQueries
    packing: PackingService
    reports: ReportService
    _database: Database = field(repr=False)

    @classmethod
    def on(cls, database: Database) -> Services:
        return cls(
            catalog=CatalogService(database),
            inventory=InventoryService(database),
            stock=StockQueries(database),
            orders=(orders := OrderService(database)),
            order_queries=OrderQueries(database),
            packing=PackingService(database, orders),
            reports=ReportService(database),
            _database=database,
        )

    def perform(self, actor: Actor, request: Request[ResultT], *, operation_key: str | None = None) -> ResultT:
        """Carry out a request (domain/requests.py) as ``actor``: the way the CLI and the window
        ask for a change. Answers what the service's keyword method answers (services/commands.py)."""
        return commands.perform(self, actor, request, operation_key)

    @staticmethod
    def recording() -> AbstractContextManager[Recorded]:
        """Collect what the calls made on this thread inside the block changed, once committed::

            with services.recording() as recorded:
                result = services.inventory.adjust(...)
            recorded.changes  # a domain.changes.Changes: here the product, and any order it filled

        A refused call (rolled back) or a replayed operation key adds nothing."""
        return change_recording.recording()

    @cached_property
    def importing(self) -> ImportService:
        """CSV import/export, loaded on first use (most commands never need it)."""
        from orion_desktop.services.imports import ImportService

        return ImportService(self._database)

    def change_feed(self) -> ChangeFeed:
        """A new, not yet started feed of what is committed to this database, here and on other PCs
        (``start(on_notice, on_status=None)``, ``stop()``; ARCHITECTURE.md: the change feed between PCs)."""
        return ChangeFeed(self._database)

    def visible_notice(self, notice: ChangeNotice) -> ChangeNotice | None:
        """``notice`` narrowed to the stores the reads are scoped to; None when it named only others'
        (services/change_feed.py ``in_read_scope``)."""
        return in_read_scope(self._database, notice)

    def scope_reads_to(self, actor: Actor) -> None:
        """From now on every list, search and report shows only ``actor``'s stores (services/read_scope.py)."""
        read_scope.set_scope(self._database, actor.store_codes)

    @cached_property
    def users(self) -> UserService:
        """Accounts, sign-in and the user audit (services/users.py)."""
        from orion_desktop.services.users import UserService

        return UserService(self._database)

    @cached_property
    def pg_logins(self) -> PgLogins | None:
        """Per-user PostgreSQL logins (services/pg_logins.py) when this is PostgreSQL and the connected
        role may create roles, or is a user's own login (``manages`` False); None otherwise."""
        from orion_desktop.services.pg_logins import PgLogins, manages_logins, own_login

        if manages_logins(self._database):
            return PgLogins(self._database)
        return PgLogins(self._database, manages=False) if own_login(self._database) else None

    @property
    def database_description(self) -> str:
        return self._database.describe()

    @property
    def database_file(self) -> Path | None:
        """The open SQLite file (None on PostgreSQL): whatever the app saves must never land on it."""
        return self._database.sqlite_path

    @property
    def is_shared_database(self) -> bool:
        return not self._database.is_sqlite

    def check_connection(self) -> None:
        """Raise DatabaseUnavailable if the database cannot be reached now."""
        self._database.ping()

    @property
    def database(self) -> Database:
        """The open database, for the tools that write in bulk beside the use cases (the demo
        generator). The interfaces never need it: they call the services above."""
        return self._database

    def close(self) -> None:
        self._database.dispose()


__all__ = ["Recorded", "Services"]
