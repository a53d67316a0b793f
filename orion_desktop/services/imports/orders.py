"""Orders from a marketplace CSV: one row per line item, grouped by order number, all or nothing.

The file is read a chunk at a time (:mod:`services.imports.csv_files`), all in one transaction: each
chunk's orders are checked and written, every bad line is reported once the whole file is read,
and then the transaction rolls back. A chunk never cuts a run of one order's lines in two; an
order whose lines are further apart (in another chunk) gets the later lines added, with the same
checks as if they had come together. Products are resolved in batches (a few queries per store
and chunk, see :class:`services.imports.lookups.ProductResolver`), not one or two queries per line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from orion_desktop.db.change_recording import ORDERS, STOCK, record_actor, record_all
from orion_desktop.db.dialect import values_table
from orion_desktop.db.engine import Database
from orion_desktop.db.models import Order, OrderItem
from orion_desktop.domain.actor import Actor, Permission
from orion_desktop.domain.errors import OrionError
from orion_desktop.domain.import_job import ImportWatch
from orion_desktop.domain.orders import OrderHistoryAction, OrderStatus
from orion_desktop.domain.results import ImportResult, StoreInfo
from orion_desktop.domain.text_rules import plural
from orion_desktop.domain.validation import check_count, clean_code, clean_email, clean_text
from orion_desktop.services.imports.chunks import FirstLines, IdSet
from orion_desktop.services.imports.csv_files import CsvChunk, CsvFormat, CsvLine, CsvTable, Problems, open_csv
from orion_desktop.services.imports.lookups import LOOKUP_CHUNK, ProductResolver, StoreResolver, chunks
from orion_desktop.services.imports.order_status import ImportedMove, check_imported_status, move_imported
from orion_desktop.services.imports.order_writes import NewOrder, write_new_orders
from orion_desktop.services.orders.history import record

ORDER_FORMAT = CsvFormat(
    kind="orders",
    required=("order_number", "quantity"),
    one_of=("product", "sku", "gtin"),
    optional=("store", "customer", "email", "channel", "status"),
    ignored=("shipped_quantity",),  # what export_orders writes for people; not imported
    example="order_number,store,customer,email,channel,status,product,quantity",
)
_ORDER_FIELDS = ("customer", "email", "channel", "status")
_COLUMNS = {"customer": "customer_name", "email": "customer_email", "channel": "channel"}
_DEFAULT_CHANNEL = "import"


@dataclass
class _PendingOrder:
    number: str
    store_id: int
    first_line: int
    header: dict[str, str | None]
    quantities: dict[int, int] = field(default_factory=dict)
    products: dict[int, Row[Any]] = field(default_factory=dict)  # the lines' products (imports.lookups rows)
    order_id: int | None = None  # set for an order an earlier chunk of the file wrote
    written_header: dict[str, str | None] = field(default_factory=dict)  # its header as written then
    lines: int = 0  # good lines in this chunk


@dataclass(slots=True)
class _OrderLine:
    """A line whose order number and store are good; its product is resolved in a batch later."""

    line: CsvLine
    number: str
    store: StoreInfo
    product: str


@dataclass(slots=True)
class _Written:
    """The orders this file wrote so far: by id, the first line of each and whether its channel was defaulted."""

    first_lines: FirstLines = field(default_factory=FirstLines)
    default_channel: IdSet = field(default_factory=IdSet)
    created: int = 0
    moves: dict[int, _StatusMove] = field(default_factory=dict)  # orders whose file names a status


@dataclass(slots=True)
class _StatusMove:
    """An order the file moves on from pending (its `status` column), gathered over every chunk."""

    line: int
    order_number: str
    store_id: int
    target: str
    product_ids: set[int]


def import_orders(
    database: Database, actor: Actor, path: Path, *, store: str | None = None, watch: ImportWatch | None = None
) -> ImportResult:
    """Create one pending order per order number in the file; a bad file creates none."""
    actor.require(Permission.MANAGE_ORDERS)
    with open_csv(Path(path), ORDER_FORMAT, watch) as table, database.write() as session:
        problems = Problems(table.file_name)
        stores = StoreResolver(session, actor, table, store)
        written = _Written()
        record_all(session, ORDERS, STOCK)  # a bulk write: named as a whole, not order by order
        record_actor(session, actor.name)
        for chunk in _whole_orders(table.chunks()):
            for line_number, message in chunk.shape_problems:
                problems.add(line_number, message)
            _import_chunk(session, actor, table, chunk.lines, stores, written, problems)
            session.expunge_all()  # the chunk's ORM objects are written: keep the session small
        problems.raise_if_any()
        # Statuses are applied once every line is in: an order's lines may come in several chunks.
        moves = [
            ImportedMove(move.line, order_id, move.store_id, move.order_number, OrderStatus(move.target),
                         frozenset(move.product_ids))
            for order_id, move in written.moves.items()
        ]
        move_imported(session, actor, moves, problems)
        return ImportResult(kind="orders", rows=table.rows, created=written.created, updated=0)


def _whole_orders(chunks_: Iterable[CsvChunk]) -> Iterator[CsvChunk]:
    """The chunks, with the last run of lines of one order moved on to the next chunk (if there is
    one), so that a chunk boundary never cuts an order whose lines are together, unless one
    order's lines fill a whole chunk."""
    carried: list[CsvLine] = []
    upcoming = iter(chunks_)
    chunk = next(upcoming, None)
    while chunk is not None:
        following = next(upcoming, None)
        lines = carried + chunk.lines if carried else chunk.lines
        carried = []
        if lines and following is not None:
            last = lines[-1].get("order_number")
            cut = len(lines)
            while cut > 0 and lines[cut - 1].get("order_number") == last:
                cut -= 1
            if cut > 0:
                lines, carried = lines[:cut], lines[cut:]
        yield CsvChunk(lines, chunk.shape_problems)
        chunk = following


def _import_chunk(
    session: Session,
    actor: Actor,
    table: CsvTable,
    chunk: Sequence[CsvLine],
    stores: StoreResolver,
    written: _Written,
    problems: Problems,
) -> None:
    """Check one chunk's lines and write its orders (even after a bad line elsewhere: later chunks
    read them back, and the rollback at the end undoes them)."""
    lines = _order_lines(chunk, stores, problems)
    products = ProductResolver(session)  # one per chunk, so its caches stay a chunk's size
    by_store = {line.store.id: line.store for line in lines}
    for store_id, store_info in by_store.items():
        products.load(store_info, (line.product for line in lines if line.store.id == store_id))
    earlier, existing = _orders_in_database(session, {line.number for line in lines}, written)
    orders = _group(lines, products, problems, earlier)
    for number in sorted(existing & orders.keys()):
        problems.add(orders[number].first_line, f"order {number} already exists")
    to_write = [
        pending for pending in orders.values()
        if pending.number not in existing and pending.lines and pending.order_id is None
    ]
    new_ids = write_new_orders(session, actor, [
        NewOrder(pending.number, pending.store_id, pending.header["customer"], pending.header["email"],
                 pending.header["channel"] or _DEFAULT_CHANNEL, pending.quantities, pending.products)
        for pending in to_write
    ])
    first_lines: dict[int, int] = {}
    for pending in to_write:
        order_id = new_ids[pending.number]
        first_lines[order_id] = pending.first_line
        if not pending.header["channel"]:
            written.default_channel.add(order_id)
    written.created += len(to_write)
    for pending in orders.values():  # in the file's order, so the status moves keep theirs
        if pending.number in existing or not pending.lines:
            continue
        if pending.order_id is None:
            order_id = new_ids[pending.number]
        else:
            order_id = pending.order_id
            _add_lines(session, actor, table, pending, written)
        _gather_status(session, written, order_id, pending)
    written.first_lines.add_chunk(first_lines)


def _gather_status(session: Session, written: _Written, order_id: int, pending: _PendingOrder) -> None:
    """Remember an order the file moves on from pending, and every product its lines name."""
    move = written.moves.get(order_id)
    if move is not None:
        move.product_ids.update(pending.quantities)
        return
    status = pending.header["status"]
    if status in (None, OrderStatus.PENDING.value):
        return
    product_ids = set(pending.quantities)
    if pending.order_id is not None:  # the status comes with a later chunk: the earlier lines count too
        product_ids.update(session.scalars(select(OrderItem.product_id).where(OrderItem.order_id == order_id)))
    written.moves[order_id] = _StatusMove(pending.first_line, pending.number, pending.store_id, status, product_ids)


def _orders_in_database(
    session: Session, numbers: set[str], written: _Written
) -> tuple[dict[str, _PendingOrder], set[str]]:
    """Of these order numbers: the orders an earlier chunk of this file wrote (to add lines to),
    and the numbers of orders that existed before."""
    earlier: dict[str, _PendingOrder] = {}
    existing: set[str] = set()
    for batch in chunks(sorted(numbers), LOOKUP_CHUNK):
        # Joined as a table, not ``order_number = ANY(...)``: PostgreSQL answers that from the trigram
        # index of the search box, and with numbers that share their characters (SO-000123 ...) each
        # one scans most of it: 18 s for 2,500 numbers against 20k orders, 7 ms as a join.
        wanted = values_table(session, batch)
        rows = session.execute(
            select(
                Order.id, Order.order_number, Order.store_id, Order.customer_name, Order.customer_email, Order.channel
            ).join(wanted, Order.order_number == wanted.c.value)
        ).all()
        for order_id, number, store_id, customer, email, channel in rows:
            first_line = written.first_lines.line_of(order_id)
            if first_line is None:
                existing.add(number)
                continue
            move = written.moves.get(order_id)
            header = {
                "customer": customer,
                "email": email,
                "channel": None if order_id in written.default_channel else channel,
                "status": move.target if move is not None else None,
            }
            earlier[number] = _PendingOrder(
                number, store_id, first_line, dict(header), order_id=order_id, written_header=header
            )
    return earlier, existing


def _order_lines(chunk: Sequence[CsvLine], stores: StoreResolver, problems: Problems) -> list[_OrderLine]:
    """Lines with a good order number and store; the others are reported."""
    lines: list[_OrderLine] = []
    for line in chunk:
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


def _group(
    lines: list[_OrderLine], products: ProductResolver, problems: Problems, earlier: dict[str, _PendingOrder]
) -> dict[str, _PendingOrder]:
    """Lines grouped into orders by number, each line's first problem reported (product, quantity, header).

    ``earlier`` holds the orders earlier chunks wrote: a line of one of them is checked against it.
    """
    orders: dict[str, _PendingOrder] = dict(earlier)
    for order_line in lines:
        line, number = order_line.line, order_line.number
        try:
            product = products.find(order_line.store, order_line.product)
            product_id = product.id
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
        pending.products[product_id] = product
        pending.lines += 1
    return orders


def _header_fields(line: CsvLine) -> dict[str, str | None]:
    """The order's customer, e-mail, channel and status on this line (domain text rules)."""
    return {
        "customer": clean_text(line.get("customer"), "customer", required=False),
        "email": clean_email(line.get("email"), "e-mail address"),
        "channel": clean_text(line.get("channel"), "channel", required=False),
        "status": clean_text(line.get("status"), "status", required=False),
    }


def _add_lines(session: Session, actor: Actor, table: CsvTable, pending: _PendingOrder, written: _Written) -> None:
    """Add a later chunk's lines to an order an earlier chunk wrote, as if they had come together:
    the same product's units add up, and header values the order lacked are filled in."""
    assert pending.order_id is not None
    order_id = pending.order_id
    items = dict(
        session.execute(
            select(OrderItem.product_id, OrderItem.id).where(
                OrderItem.order_id == order_id, OrderItem.product_id.in_(list(pending.quantities))
            )
        ).all()
    )
    for product_id, quantity in pending.quantities.items():
        if product_id in items:
            session.execute(
                update(OrderItem).where(OrderItem.id == items[product_id]).values(
                    quantity=OrderItem.quantity + quantity
                )
            )
        else:
            product = pending.products[product_id]
            session.add(OrderItem(order_id=order_id, product_id=product_id, product_name=product.title,
                                  sku=product.sku, gtin=product.gtin, quantity=quantity))
    filled = {
        _COLUMNS[name]: value
        for name, value in pending.header.items()
        if name in _COLUMNS and value and value != pending.written_header.get(name)
    }
    if filled:
        session.execute(update(Order).where(Order.id == order_id).values(**filled))
        if "channel" in filled:
            written.default_channel.discard(order_id)
    session.flush()
    units = sum(pending.quantities.values())
    record(session, order_id, OrderHistoryAction.EDITED,
           f"{plural(pending.lines, 'more line', 'more lines')}, {plural(units, 'unit')}, "
           f"added from further down {table.file_name}.", actor)
