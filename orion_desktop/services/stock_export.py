"""Stock levels to a CSV file that the stock import reads back."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from sqlalchemy import select

from orion_desktop.db.engine import Database
from orion_desktop.db.models import Inventory, Location, Product, Store
from orion_desktop.domain import gtin as gtin_rules
from orion_desktop.domain.errors import InvalidInput
from orion_desktop.services.lookup import resolve_store

EXPORT_COLUMNS = (
    "store",
    "sku",
    "gtin",
    "title",
    "location",
    "quantity",
    "reserved_quantity",
    "available_quantity",
)


def export_stock(database: Database, path: Path, store: str | None = None) -> int:
    """Write every stock row (of one store, or all) as CSV that import_stock reads back.

    The file is written next to the target and moved into place, so a failed export
    never leaves half a file. It is UTF-8 with a BOM so spreadsheet programs show
    accented titles correctly. Returns the number of rows written.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.partial")
    count = 0
    with database.read() as session:
        query = (
            select(
                Store.code,
                Product.sku,
                Product.gtin,
                Product.title,
                Location.code.label("location"),
                Inventory.quantity,
                Inventory.reserved_quantity,
            )
            .join(Product, Product.id == Inventory.product_id)
            .join(Store, Store.id == Inventory.store_id)
            .join(Location, Location.id == Inventory.location_id)
            .order_by(Store.code, Product.sku, Location.sort_key, Location.code)
        )
        if store is not None and str(store).strip():
            query = query.where(Inventory.store_id == resolve_store(session, store).id)
        rows = session.execute(query).all()
    try:
        with temporary.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(EXPORT_COLUMNS)
            for row in rows:
                writer.writerow(
                    (
                        row.code,
                        row.sku,
                        gtin_rules.display_gtin(row.gtin) or "",
                        row.title,
                        row.location,
                        row.quantity,
                        row.reserved_quantity,
                        row.quantity - row.reserved_quantity,
                    )
                )
                count += 1
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise InvalidInput(f"Cannot write {path}: {error.strerror or error}.") from None
    return count
