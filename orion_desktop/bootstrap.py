"""Composition root without Qt: config -> Database -> services. The CLI and the GUI both start here."""

from __future__ import annotations

from dataclasses import dataclass, field

from orion_desktop.config import choose_database
from orion_desktop.db.engine import Database
from orion_desktop.db.migrate import ensure_schema
from orion_desktop.services.catalog import CatalogService
from orion_desktop.services.inventory import InventoryService
from orion_desktop.services.stock_queries import StockQueries


@dataclass
class Services:
    """Everything the interfaces may use. They never see the Database or a Session."""

    catalog: CatalogService
    inventory: InventoryService
    stock: StockQueries
    _database: Database = field(repr=False)

    @classmethod
    def on(cls, database: Database) -> Services:
        return cls(
            catalog=CatalogService(database),
            inventory=InventoryService(database),
            stock=StockQueries(database),
            _database=database,
        )

    @property
    def database_description(self) -> str:
        return self._database.describe()

    @property
    def is_shared_database(self) -> bool:
        return not self._database.is_sqlite

    def check_connection(self) -> None:
        """Raise DatabaseUnavailable if the database cannot be reached now."""
        self._database.ping()

    def close(self) -> None:
        self._database.dispose()


def open_database(url: str | None = None, *, migrate: bool = True) -> Database:
    """Open the chosen database; bring SQLite up to date, refuse an outdated PostgreSQL schema."""
    database = Database(choose_database(url).url)
    if migrate:
        try:
            ensure_schema(database)
        except BaseException:
            database.dispose()
            raise
    return database


def open_services(url: str | None = None) -> Services:
    return Services.on(open_database(url))
