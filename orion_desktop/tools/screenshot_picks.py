"""What the screenshots select: demo rows worth showing, found through the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Picks:
    """The demo rows the screenshots select (found through the services; any may be None)."""

    def __init__(self, services: Any) -> None:
        self.product = self._product(services)  # (store, sku) stored at several locations, some reserved
        orders = services.order_queries
        self.partial = self._order(orders, "partially_shipped", lambda d: (
            len(d.items), sum(i.backordered + i.reserved for i in d.items)))
        self.to_pack = self._order(orders, "processing", lambda d: (
            len([i for i in d.items if i.stock_tracked and i.gtin]), sum(i.remaining_quantity for i in d.items)),
            skip=self._in_workflow(orders))
        self.pending = self._order(orders, "pending", lambda d: (len(d.items), sum(i.quantity for i in d.items)))
        self.other_gtin = self._other_gtin(services)

    @staticmethod
    def _product(services: Any) -> tuple[str, str] | None:
        rows: dict[tuple[str, str], list[Any]] = {}
        for row in services.stock.list_stock(limit=5000):
            rows.setdefault((row.store_code, row.sku), []).append(row)
        if not rows:
            return None
        return max(rows, key=lambda key: (
            min(len(rows[key]), 3), any(r.reserved_quantity for r in rows[key]), -list(rows).index(key)))

    @staticmethod
    def _in_workflow(orders: Any) -> set[str]:
        return {shipment.order_number for shipment in orders.open_shipments()}

    @staticmethod
    def _order(orders: Any, status: str, score: Callable[[Any], tuple[int, ...]], skip: set[str] | None = None) -> Any:
        found = [orders.get_order(o.order_number) for o in orders.list_orders(status=status, limit=50)
                 if not skip or o.order_number not in skip]
        return max(found, key=score) if found else None

    def _other_gtin(self, services: Any) -> str | None:
        """A product that is not on the order being packed (for the refused scan)."""
        if self.to_pack is None:
            return None
        on_order = {item.sku for item in self.to_pack.items}
        for row in services.stock.list_stock(store=self.to_pack.store_code, limit=200):
            if row.sku not in on_order and row.gtin:
                return str(row.gtin)
        return None
