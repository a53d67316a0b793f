"""CSV import and export of products, stock levels and orders: the service the interfaces call.

Each job lives in its own module:

- :mod:`csv_files`: reading and shape-checking a file in chunks, collecting bad lines;
- :mod:`lookups`: stores, products and GTIN cells resolved in batches;
- :mod:`chunks`: what an import remembers from one chunk to the next;
- :mod:`products`, :mod:`stock`, :mod:`orders`: the three imports;
- :mod:`stock_export`: the stock file the stock import reads back;
- :mod:`exports`: products and orders as their imports read them, and the ledger;
- :mod:`preview`: the first lines of a file and its column mapping, before importing.

An import takes an optional ``watch`` (``domain.import_job.ImportWatch``): it is told the
progress and asked between chunks whether the user cancelled; a cancel raises
``ImportCancelled`` inside the transaction, so a cancelled import imported nothing.

A file is imported whole or not at all, in one transaction, a chunk of lines at a time (so a
file of millions of lines takes bounded memory): each chunk is checked and its good lines
written; once the whole file is read, every bad line is reported with its line number
(``ImportRejected``, the first 100 listed and the others counted) and the transaction rolls
back, so nothing is imported.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from orion_desktop.db.engine import Database
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import TransactionType
from orion_desktop.domain.import_job import CsvPreview, ImportWatch
from orion_desktop.domain.results import ImportResult
from orion_desktop.services.imports import exports, stock_export
from orion_desktop.services.imports import orders as order_import
from orion_desktop.services.imports import products as product_import
from orion_desktop.services.imports import stock as stock_import
from orion_desktop.services.imports.csv_files import CsvFormat, Problems, open_csv
from orion_desktop.services.imports.lookups import StoreResolver, chunks
from orion_desktop.services.imports.preview import preview_csv
from orion_desktop.services.imports.products import PRODUCT_FORMAT
from orion_desktop.services.imports.stock import STOCK_FORMAT
from orion_desktop.services.imports.stock_export import EXPORT_COLUMNS


class ImportService:
    def __init__(self, database: Database) -> None:
        self._db = database

    def import_products(
        self,
        actor: Actor,
        path: Path,
        *,
        store: str | None = None,
        operation_key: str | None = None,
        watch: ImportWatch | None = None,
    ) -> ImportResult:
        """Create or update products from a CSV file, matched by (store, SKU). All lines or none.

        Columns a file does not have are left alone on existing products; an empty cell in a
        column the file has clears the value (e.g. an empty ``low_stock_threshold`` means
        the global default applies). ``store`` is used for lines without a store. Replaying
        an ``operation_key`` returns the first result and changes nothing.
        """
        return product_import.import_products(
            self._db, actor, path, store=store, operation_key=operation_key, watch=watch
        )

    def import_stock(
        self,
        actor: Actor,
        path: Path,
        *,
        store: str | None = None,
        operation_key: str | None = None,
        watch: ImportWatch | None = None,
    ) -> ImportResult:
        """Set on-hand quantities from a CSV file. All lines or none.

        Each changed row gets one ``import`` ledger row; unchanged rows get none, so importing
        the same file twice changes nothing the second time. Missing locations and stock rows
        are created. ``store`` is used for lines without a store. Replaying an
        ``operation_key`` returns the first result and changes nothing.
        """
        return stock_import.import_stock(self._db, actor, path, store=store, operation_key=operation_key, watch=watch)

    def import_orders(
        self, actor: Actor, path: Path, *, store: str | None = None, watch: ImportWatch | None = None
    ) -> ImportResult:
        """Create one pending order per order number in a marketplace CSV (one row per line item,
        grouped by order number); the ``status`` column may move it on. All orders or none."""
        return order_import.import_orders(self._db, actor, path, store=store, watch=watch)

    def preview(self, kind: str, path: Path, lines: int = 10) -> CsvPreview:
        """The first ``lines`` data lines of a ``kind`` file (products, stock, orders) and what the
        import makes of each column; reads only the start of the file and writes nothing."""
        return preview_csv(path, kind, lines)

    def export_stock(self, path: Path, store: str | None = None, *, overwrite: bool = False) -> int:
        """Write every stock row (of one store, or all) as CSV that import_stock reads back.

        Returns the number of rows written; a failed export never leaves half a file. Never
        writes onto the database; replaces an existing file only with ``overwrite``.
        """
        return stock_export.export_stock(self._db, path, store, overwrite=overwrite)

    def export_products(self, path: Path, store: str | None = None, *, overwrite: bool = False) -> int:
        """Write every product (of one store, or all) as CSV that import_products reads back."""
        return exports.export_products(self._db, path, store, overwrite=overwrite)

    def export_orders(
        self, path: Path, store: str | None = None, status: str | None = None, *, overwrite: bool = False
    ) -> int:
        """Write every order item (of one store and status, or all) as CSV that import_orders reads."""
        return exports.export_orders(self._db, path, store, status, overwrite=overwrite)

    def export_ledger(
        self,
        path: Path,
        *,
        store: str | None = None,
        product: str | None = None,
        order_number: str | None = None,
        transaction_type: str | TransactionType | None = None,
        location: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        overwrite: bool = False,
    ) -> int:
        """Write the ledger rows these filters select (as ``stock ledger`` and the Ledger page), all of them."""
        return exports.export_ledger(
            self._db, path, store=store, product=product, order_number=order_number,
            transaction_type=transaction_type, location=location, since=since, until=until, overwrite=overwrite,
        )


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
