"""Orders: creation, the status machine, shipping and parcels, returns, notes, expiry, packing.

The public face is the three services below; the modules beside them are internals:

- ``service``: every order write (``OrderService``), one transaction per call;
- ``queries``: the read-only views (``OrderQueries``); ``packing``: the pack station (``PackingService``);
- ``transitions``: the status machine at work, with each status's stock hook;
- ``creation``, ``ship_planning``, ``item_stock``, ``parcels``, ``parcel_lines``, ``history``:
  writing a new order, planning a shipment, stock on behalf of an item, the parcel workflow,
  keeping parcels true, and the order history rows.
"""

from typing import TYPE_CHECKING

from orion_desktop.services.public_face import lazy_exports

if TYPE_CHECKING:
    from orion_desktop.services.orders.packing import PackingService
    from orion_desktop.services.orders.queries import OrderQueries
    from orion_desktop.services.orders.service import OrderService

__all__ = ["OrderQueries", "OrderService", "PackingService"]
__getattr__ = lazy_exports(
    __name__, {"PackingService": "packing", "OrderQueries": "queries", "OrderService": "service"}
)
