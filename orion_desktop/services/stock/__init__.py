"""Stock: what is on hand where, and every change to it with its ledger row.

The public face is the two services below; the modules beside them are internals that other
service areas may use but the interfaces never import (an import-linter contract):

- ``writes``: set, adjust, reserve, release, fulfil, transfer, delete (``InventoryService``);
- ``queries``: lists, search, stats and the ledger (``StockQueries``), ``ledger`` its one query;
- ``level_changes``: the one conditional UPDATE that changes stock, plus its ledger row;
- ``reservations``: reservation rows and the stock they hold, changed together (invariant R);
- ``backorders``: stock that arrives goes to waiting order items first;
- ``low_stock``: the one definition of low stock; ``verify``: invariants L and R.
"""

from typing import TYPE_CHECKING

from orion_desktop.services.public_face import lazy_exports

if TYPE_CHECKING:
    from orion_desktop.services.stock.queries import StockQueries
    from orion_desktop.services.stock.writes import InventoryService

__all__ = ["InventoryService", "StockQueries"]
__getattr__ = lazy_exports(__name__, {"StockQueries": "queries", "InventoryService": "writes"})
