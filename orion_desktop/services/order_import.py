"""Orders from a marketplace CSV: one row per line item, grouped by order number, all or nothing.

Products are resolved in batches (a few queries per store for the whole file, see
:class:`services.import_lookups.ProductResolver`), not one or two queries per line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from orion_desktop.db.engine import Database
from orion_desktop.db.models import Order
from orion_desktop.domain.actor import Actor, Permission
from orion_desktop.domain.errors import OrionError
from orion_desktop.domain.orders import OrderStatus
from orion_desktop.domain.results import ImportResult, StoreInfo
from orion_desktop.domain.validation import check_count, clean_code, clean_email, clean_text
from orion_desktop.services.csv_files import CsvFormat, CsvLine, CsvTable, Problems, read_csv
from orion_desktop.services.import_lookups import LOOKUP_CHUNK, ProductResolver, StoreResolver, chunks
from orion_desktop.services.lookup import matches_any
from orion_desktop.services.order_import_status import ImportedMove, check_imported_status, move_imported
from orion_desktop.services.orders import insert_order

ORDER_FORMAT = CsvFormat(
    kind="orders",
    required=("order_number", "quantity"),
    one_of=("product", "sku", "gtin"),
    optional=("store", "customer", "email", "channel", "status"),
    example="order_number,store,customer,email,channel,status,product,quantity",
)
_ORDER_FIELDS = ("customer", "email", "channel", "status")


@dataclass
class _PendingOrder:
    number: str
    store_id: int
    first_line: int
    header: dict[str, str | None]
    quantities: dict[int, int] = field(default_factory=dict)


@dataclass(slots=True)
class _OrderLine:
    """A line whose order number and store are good; its product is resolved in a batch later."""

    line: CsvLine
    number: str
    store: StoreInfo
    product: str


class OrderImportService:
    def __init__(self, database: Database) -> None:
        self._db = database

    def import_orders(self, actor: Actor, path: Path, *, store: str | None = None) -> ImportResult:
        """Create one order per order number in the file; a bad file creates none.

        Orders start pending; a ``status`` column moves them on through the status machine
        (processing reserves, shipped fulfils, cancelled) as `order status --set` would.
        """
        actor.require(Permission.MANAGE_ORDERS)
        table = read_csv(path, ORDER_FORMAT)
        problems = Problems(table.file_name)
        for line_number, message in table.shape_problems:
            problems.add(line_number, message)
        with self._db.write() as session:
            lines = _order_lines(table, StoreResolver(session, actor, table, store), problems)
            products = ProductResolver(session)
            stores = {line.store.id: line.store for line in lines}
            for store_id, store_info in stores.items():
                products.load(store_info, (line.product for line in lines if line.store.id == store_id))
            orders = _group(lines, products, problems)
            existing = {
                number
                for batch in chunks(orders, LOOKUP_CHUNK)
                for number in session.scalars(
                    select(Order.order_number).where(matches_any(session, Order.order_number, batch))
                )
            }
            for number in sorted(existing):
                problems.add(orders[number].first_line, f"order {number} already exists")
            problems.raise_if_any()
            created: dict[str, int] = {}
            for pending in orders.values():
                created[pending.number] = insert_order(
                    session, actor, store_id=pending.store_id, order_number=pending.number,
                    quantities=pending.quantities, customer=pending.header["customer"],
                    email=pending.header["email"], channel=pending.header["channel"] or "import",
                )
            moves = [
                ImportedMove(pending.first_line, created[pending.number], pending.store_id, pending.number,
                             OrderStatus(status), frozenset(pending.quantities))
                for pending in orders.values()
                if (status := pending.header["status"]) not in (None, OrderStatus.PENDING.value)
            ]
            move_imported(session, actor, moves, problems)
            return ImportResult(kind="orders", rows=len(table.lines), created=len(orders), updated=0)


def _order_lines(table: CsvTable, stores: StoreResolver, problems: Problems) -> list[_OrderLine]:
    """Lines with a good order number and store; the others are reported."""
    lines: list[_OrderLine] = []
    for line in table.lines:
        try:
            number = clean_code(line.get("order_number"), "order number")
            assert number is not None
            store_info = stores.for_line(line)
        except OrionError as error:
            problems.add(line.number, error)
            continue
        product = line.get("product") or line.get("sku") or line.get("gtin")
        lines.append(_OrderLine(line, number, store_info, product))
    return lines


def _group(lines: list[_OrderLine], products: ProductResolver, problems: Problems) -> dict[str, _PendingOrder]:
    """Lines grouped into orders by number, each line's first problem reported (product, quantity, header)."""
    orders: dict[str, _PendingOrder] = {}
    for order_line in lines:
        line, number = order_line.line, order_line.number
        try:
            product_id = products.find(order_line.store, order_line.product).id
            quantity = check_count(line.get("quantity"))
            header = _header_fields(line)
            header["status"] = check_imported_status(number, header["status"])
        except OrionError as error:
            problems.add(line.number, error)
            continue
        pending = orders.setdefault(number, _PendingOrder(number, order_line.store.id, line.number, header))
        if pending.store_id != order_line.store.id:
            problems.add(line.number, f"order {number} already has lines for another store (line {pending.first_line})")
            continue
        for name, value in header.items():
            if value and pending.header[name] and value != pending.header[name]:
                problems.add(line.number, f"the {name} differs from line {pending.first_line} of order {number}")
            elif value:
                pending.header[name] = value
        pending.quantities[product_id] = pending.quantities.get(product_id, 0) + quantity
    return orders


def _header_fields(line: CsvLine) -> dict[str, str | None]:
    """The order's customer, e-mail and channel on this line (domain text rules)."""
    return {
        "customer": clean_text(line.get("customer"), "customer", required=False),
        "email": clean_email(line.get("email"), "e-mail address"),
        "channel": clean_text(line.get("channel"), "channel", required=False),
        "status": clean_text(line.get("status"), "status", required=False),
    }
