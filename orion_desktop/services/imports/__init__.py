"""CSV files in and out: products, stock levels and orders, plus the stock export.

The public face is ``ImportService`` (every import and export the interfaces call). Beside it:
``csv_files`` (reading a file in chunks, the columns each kind of file may have), ``chunks``
(what an import remembers between chunks), ``lookups`` (stores and products found in batches),
and one module per kind of file: ``products``, ``stock`` (+ ``stock_writes``), ``orders``
(+ ``order_status``), ``stock_export``.
"""

from typing import TYPE_CHECKING

from orion_desktop.services.public_face import lazy_exports

if TYPE_CHECKING:
    from orion_desktop.services.imports.service import ImportService

__all__ = ["ImportService"]
__getattr__ = lazy_exports(__name__, {"ImportService": "service"})
