"""Composition root without Qt: config -> Database -> services. The CLI and the GUI both start here."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from orion_desktop.config import choose_database
from orion_desktop.db import migrate
from orion_desktop.db.engine import Database
from orion_desktop.domain.actor import Actor
from orion_desktop.services.catalog import CatalogService
from orion_desktop.services.inventory import InventoryService
from orion_desktop.services.order_queries import OrderQueries
from orion_desktop.services.orders import OrderService
from orion_desktop.services.packing import PackingService
from orion_desktop.services.reports import ReportService
from orion_desktop.services.stock_queries import StockQueries

if TYPE_CHECKING:
    from orion_desktop.services.demo import DemoSummary
    from orion_desktop.services.importing import ImportService
    from orion_desktop.services.order_import import OrderImportService


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

    @cached_property
    def importing(self) -> ImportService:
        """CSV import/export, loaded on first use (most commands never need it)."""
        from orion_desktop.services.importing import ImportService

        return ImportService(self._database)

    @cached_property
    def order_import(self) -> OrderImportService:
        """Orders from a marketplace CSV, loaded on first use."""
        from orion_desktop.services.order_import import OrderImportService

        return OrderImportService(self._database)

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

    def fill_demo(self, actor: Actor) -> DemoSummary:
        """Fill an empty database with the demo warehouse."""
        from orion_desktop.services.demo import fill_demo

        return fill_demo(self._database, actor)

    def close(self) -> None:
        self._database.dispose()


def open_database(url: str | None = None, *, check_schema: bool = True, create: bool = False) -> Database:
    """Open the chosen database; bring SQLite up to date, refuse an outdated PostgreSQL schema.

    A SQLite file that does not exist is created only when a new database is clearly meant:
    ``create`` (``db upgrade``, ``demo``, the GUI's new-file choice) or the default file on first
    start. Otherwise it is refused with a sentence (a typo must not open an empty warehouse).
    """
    choice = choose_database(url)
    database = Database(choice.url, create=create or choice.source == "default")
    if check_schema:
        try:
            migrate.ensure_schema(database)
        except BaseException:
            database.dispose()
            raise
    return database


def open_services(url: str | None = None, *, create: bool = False) -> Services:
    """Services on the chosen database; ``create`` as for :func:`open_database`."""
    return Services.on(open_database(url, create=create))


@dataclass(frozen=True, slots=True)
class DatabaseStatus:
    description: str
    current: str | None
    head: str
    up_to_date: bool


def upgrade_database(url: str | None = None) -> tuple[str | None, str]:
    """`db upgrade`: bring the chosen database's schema to the latest revision (creating it if new)."""
    database = open_database(url, check_schema=False, create=True)
    try:
        database.ping()
        return migrate.upgrade(database)
    finally:
        database.dispose()


def database_status(url: str | None = None) -> DatabaseStatus:
    """`db current`: which revision the chosen database is at."""
    database = open_database(url, check_schema=False)
    try:
        current = migrate.current_revision(database)
        head = migrate.head_revision()
        return DatabaseStatus(database.describe(), current, head, current == head)
    finally:
        database.dispose()
