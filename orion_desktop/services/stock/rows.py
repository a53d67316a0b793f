"""The stock join: a stock row with its store, product and location, written in one place.

The stock lists, the search, paging and the stock export all read stock rows this way.
"""

from __future__ import annotations

from sqlalchemy import select

from orion_desktop.db.models import Inventory, Location, Product, Store
from orion_desktop.db.typing_aliases import AnySelect


def stock_rows() -> AnySelect:
    """Every stock row with the codes and names a person reads, unfiltered and unordered."""
    return (
        select(
            Inventory.id,
            Store.code.label("store_code"),
            Product.id.label("product_id"),
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
    )
