"""What a committed write changed: a small, frozen, serialisable change set (ARCHITECTURE.md: change sets).

Every write transaction reports one ``Changes`` after its commit. It names things by database id:

- ``products``: products whose stock changed (quantities, reservations, ledger rows, stock rows);
- ``orders``: orders that changed (status, items, history, notes, parcels and shipments);
- ``all_stock`` / ``all_orders``: "any of this kind may have changed" (bulk writes, or a write no
  chokepoint named); the id set of that kind is then empty;
- ``catalog``: stores or products; ``locations``: locations.

Id sets collapse into their "all" flag above ``ID_CAP`` ids, so an import of 100k lines stays a few
bytes, and ``to_json`` stays under PostgreSQL's NOTIFY payload limit. Which screen shows what is not
the domain's business: the GUI maps a ``Changes`` to its own topics.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

ID_CAP = 400
"""Above this many ids of one kind, the kind is reported as "all" (two full kinds of 8-digit ids stay
under ``MAX_JSON_BYTES``)."""

MAX_JSON_BYTES = 7900
"""PostgreSQL's NOTIFY payload must stay below 8000 bytes; ``to_json`` collapses id sets to fit."""

_SURELY_FITTING_IDS = 100
"""So many ids of up to 20 characters each, with the keys, are far under ``MAX_JSON_BYTES``."""


def _ids(values: Iterable[int]) -> frozenset[int]:
    return frozenset(int(value) for value in values)


@dataclass(frozen=True)
class Changes:
    """What one or more committed transactions changed. Build it with ``Changes.of`` or ``|``."""

    products: frozenset[int] = frozenset()
    orders: frozenset[int] = frozenset()
    all_stock: bool = False
    all_orders: bool = False
    catalog: bool = False
    locations: bool = False

    def __post_init__(self) -> None:
        # One normal form: an "all" flag empties its id set, a set above the cap becomes the flag.
        # Frozen, so the fields are set through object.__setattr__ (the dataclass docs' way).
        if self.all_stock or len(self.products) > ID_CAP:
            object.__setattr__(self, "all_stock", True)
            object.__setattr__(self, "products", frozenset())
        if self.all_orders or len(self.orders) > ID_CAP:
            object.__setattr__(self, "all_orders", True)
            object.__setattr__(self, "orders", frozenset())

    @classmethod
    def of(
        cls,
        *,
        products: Iterable[int] = (),
        orders: Iterable[int] = (),
        all_stock: bool = False,
        all_orders: bool = False,
        catalog: bool = False,
        locations: bool = False,
    ) -> Changes:
        """A change set from any iterables of ids."""
        return cls(_ids(products), _ids(orders), all_stock, all_orders, catalog, locations)

    @classmethod
    def everything(cls) -> Changes:
        """Anything may have changed (e.g. the database came back after an outage)."""
        return cls(all_stock=True, all_orders=True, catalog=True, locations=True)

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            self.products | other.products,
            self.orders | other.orders,
            self.all_stock or other.all_stock,
            self.all_orders or other.all_orders,
            self.catalog or other.catalog,
            self.locations or other.locations,
        )

    @property
    def is_empty(self) -> bool:
        return not (self.stock_changed or self.orders_changed or self.catalog or self.locations)

    @property
    def stock_changed(self) -> bool:
        """Stock of some product changed."""
        return self.all_stock or bool(self.products)

    @property
    def orders_changed(self) -> bool:
        """Some order changed."""
        return self.all_orders or bool(self.orders)

    def concerns_product(self, product_id: int) -> bool:
        return self.all_stock or product_id in self.products

    def concerns_order(self, order_id: int) -> bool:
        return self.all_orders or order_id in self.orders

    def as_data(self) -> dict[str, Any]:
        """The JSON object ``to_json`` writes: only what is set, coarsened to stay under ``MAX_JSON_BYTES``."""
        data: dict[str, Any] = {}
        if self.all_stock:
            data["stock"] = "all"
        elif self.products:
            data["stock"] = sorted(self.products)
        if self.all_orders:
            data["orders"] = "all"
        elif self.orders:
            data["orders"] = sorted(self.orders)
        if self.catalog:
            data["catalog"] = True
        if self.locations:
            data["locations"] = True
        if self._fits_unmeasured() or len(json.dumps(data, separators=(",", ":"))) <= MAX_JSON_BYTES:
            return data  # the JSON is ASCII: its length in characters is its length in bytes
        # Very large ids: give up the longer list first (still correct, only coarser).
        if len(self.products) >= len(self.orders):
            return (self | Changes(all_stock=True)).as_data()
        return (self | Changes(all_orders=True)).as_data()

    def _fits_unmeasured(self) -> bool:
        """A few ids of at most 19 digits (a 64-bit id) always fit: the common write, not serialised twice."""
        ids = len(self.products) + len(self.orders)
        return ids <= _SURELY_FITTING_IDS and all(abs(i) < 10**19 for i in (*self.products, *self.orders))

    def to_json(self) -> str:
        """A compact JSON object (only what is set), at most ``MAX_JSON_BYTES`` long."""
        return json.dumps(self.as_data(), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Changes:
        """The change set ``to_json`` wrote; ValueError for anything else."""
        data = json.loads(text)
        if not isinstance(data, dict) or not set(data) <= {"stock", "orders", "catalog", "locations"}:
            raise ValueError(f"not a change set: {text[:80]!r}")
        stock, orders = data.get("stock", []), data.get("orders", [])
        for value in (stock, orders):
            if value != "all" and not (isinstance(value, list) and all(type(i) is int for i in value)):
                raise ValueError(f"not a change set: {text[:80]!r}")
        return cls.of(
            products=() if stock == "all" else stock,
            orders=() if orders == "all" else orders,
            all_stock=stock == "all",
            all_orders=orders == "all",
            catalog=data.get("catalog") is True,
            locations=data.get("locations") is True,
        )


NO_CHANGES = Changes()
