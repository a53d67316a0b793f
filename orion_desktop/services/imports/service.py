"""CSV import and export of products, stock levels and orders: the service the interfaces call.

Each job lives in its own module:

- :mod:`csv_files`: reading and shape-checking a file in chunks, collecting bad lines;
- :mod:`lookups`: stores, products and GTIN cells resolved in batches;
- :mod:`chunks`: what an import remembers from one chunk to the next;
- :mod:`products`, :mod:`stock`, :mod:`orders`: the three imports;
- :mod:`stock_export`: the stock file the stock import reads back.

A file is imported whole or not at all, in one transaction, a chunk of lines at a time (so a
file of millions of lines takes bounded memory): each chunk is checked and its good lines
written; once the whole file is read, every bad line is reported with its line number
(``ImportRejected``, the first 100 listed and the others counted) and the transaction rolls
back, so nothing is imported.
"""

from __future__ import annotations

from pathlib import Path

from orion_desktop.db.engine import Database
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.results import ImportResult
from orion_desktop.services.imports import orders as order_import
from orion_desktop.services.imports import products as product_import
from orion_desktop.services.imports import stock as stock_import
from orion_desktop.services.imports import stock_export
from orion_desktop.services.imports.csv_files import CsvFormat, Problems, open_csv
from orion_desktop.services.imports.lookups import StoreResolver, chunks
from orion_desktop.services.imports.products import PRODUCT_FORMAT
from orion_desktop.services.imports.stock import STOCK_FORMAT
from orion_desktop.services.imports.stock_export import EXPORT_COLUMNS


class ImportService:
    def __init__(self, database: Database) -> None:
        self._db = database

    def import_products(
        self, actor: Actor, path: Path, *, store: str | None = None, operation_key: str | None = None
    ) -> ImportResult:
        """Create or update products from a CSV file, matched by (store, SKU). All lines or none.

        Columns a file does not have are left alone on existing products; an empty cell in a
        column the file has clears the value (e.g. an empty ``low_stock_threshold`` means
        the global default applies). ``store`` is used for lines without a store. Replaying
        an ``operation_key`` returns the first result and changes nothing.
        """
        return product_import.import_products(self._db, actor, path, store=store, operation_key=operation_key)

    def import_stock(
        self, actor: Actor, path: Path, *, store: str | None = None, operation_key: str | None = None
    ) -> ImportResult:
        """Set on-hand quantities from a CSV file. All lines or none.

        Each changed row gets one ``import`` ledger row; unchanged rows get none, so importing
        the same file twice changes nothing the second time. Missing locations and stock rows
        are created. ``store`` is used for lines without a store. Replaying an
        ``operation_key`` returns the first result and changes nothing.
        """
        return stock_import.import_stock(self._db, actor, path, store=store, operation_key=operation_key)

    def import_orders(self, actor: Actor, path: Path, *, store: str | None = None) -> ImportResult:
        """Create one pending order per order number in a marketplace CSV (one row per line item,
        grouped by order number); the ``status`` column may move it on. All orders or none."""
        return order_import.import_orders(self._db, actor, path, store=store)

    def export_stock(self, path: Path, store: str | None = None, *, overwrite: bool = False) -> int:
        """Write every stock row (of one store, or all) as CSV that import_stock reads back.

        Returns the number of rows written; a failed export never leaves half a file. Never
        writes onto the database; replaces an existing file only with ``overwrite``.
        """
        return stock_export.export_stock(self._db, path, store, overwrite=overwrite)


# The names other modules imported from here before the split keep working.
__all__ = [
    "EXPORT_COLUMNS",
    "PRODUCT_FORMAT",
    "STOCK_FORMAT",
    "CsvFormat",
    "ImportService",
    "Problems",
    "StoreResolver",
    "chunks",
    "open_csv",
]
