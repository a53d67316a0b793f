"""The argument parser. Each subcommand names its handler with set_defaults(handler=...)."""

from __future__ import annotations

import argparse
from typing import NoReturn

from orion_desktop import __version__
from orion_desktop.cli import (
    admin_commands,
    catalog_commands,
    export_commands,
    order_commands,
    shipment_commands,
    stock_commands,
    user_commands,
    watch_command,
)
from orion_desktop.cli.context import Commands


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors read as sentences (still exit code 2)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage()
        self.exit(2, f"error: {message}\n")


def _database_url(text: str) -> str:
    """``--db``: never empty; an empty value would quietly fall back to another database."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "the database address is empty; give sqlite:///path/to/file.db or postgresql://user@host/dbname"
        )
    return text.strip()


def _sort(parser: argparse.ArgumentParser, keys: str) -> None:
    parser.add_argument("--sort", metavar="KEY", help=f"order by {keys}")
    parser.add_argument("--descending", action="store_true", help="with --sort: largest or latest first")


def _json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def _store(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", metavar="CODE", help="store code (may be left out when there is only one store)")


def _product(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument("--product", metavar="P", required=required, help="SKU or GTIN (EAN-8, UPC-A, EAN-13, GTIN-14)")


def _op_key(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--operation-key", metavar="KEY", help="idempotency key: repeating a command with the same key changes nothing"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="orion-desktop",
        description="Orion Desktop: warehouse stock, orders and shipping. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--db", metavar="URL", type=_database_url, help="database URL (sqlite:///file.db or postgresql://user@host/db)")
    parser.add_argument("--user", help="who signs in (default: ORION_USER); password: ORION_PASSWORD or a prompt")
    parser.add_argument(
        "--role", choices=["packer", "manager", "admin"], help="act with less than your role (default: ORION_ROLE)"
    )
    parser.add_argument("--demo", action="store_true", help="open the window on a fresh demo database")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail to the log file")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    _db_commands(commands)
    _store_commands(commands)
    _location_commands(commands)
    _product_commands(commands)
    _stock_commands(commands)
    _order_commands(commands)
    shipment_commands.add_commands(commands, _group, _json, _op_key)
    user_commands.add_commands(commands, _group, _json)
    _io_commands(commands)
    _printing_commands(commands)
    demo = commands.add_parser("demo", help="fill the selected (empty) database with a demo warehouse")
    _json(demo)
    demo.set_defaults(handler=admin_commands.demo, creates_database=True)  # a new database is meant
    watch_command.add_command(commands)
    return parser


def _group(commands: Commands, name: str, help_text: str, dest: str) -> Commands:
    group: argparse.ArgumentParser = commands.add_parser(name, help=help_text)
    sub = group.add_subparsers(dest=dest, metavar="ACTION", required=True, parser_class=_Parser)
    return sub


def _db_commands(commands: Commands) -> None:
    sub = _group(commands, "db", "database schema: upgrade, current", "db_command")
    upgrade = sub.add_parser("upgrade", help="create or upgrade the schema to the latest version")
    _json(upgrade)
    upgrade.set_defaults(handler=admin_commands.db_upgrade)
    current = sub.add_parser("current", help="show the schema revision of the database")
    _json(current)
    current.set_defaults(handler=admin_commands.db_current)


def _store_commands(commands: Commands) -> None:
    sub = _group(commands, "store", "stores: add, list", "store_command")
    add = sub.add_parser("add", help="add a store")
    add.add_argument("--code", required=True, help="short code, e.g. MAIN")
    add.add_argument("--name", required=True, help="display name")
    _json(add)
    add.set_defaults(handler=catalog_commands.store_add)
    lst = sub.add_parser("list", help="list stores")
    _json(lst)
    lst.set_defaults(handler=catalog_commands.store_list)


def _location_commands(commands: Commands) -> None:
    sub = _group(commands, "location", "locations: add, list", "location_command")
    add = sub.add_parser("add", help="add a location, or name and place an existing one")
    add.add_argument("--code", required=True, help="e.g. WAREHOUSE_A (letters, digits, _ - .)")
    add.add_argument("--name", help="display name")
    add.add_argument("--sort-key", help="position along the picking path (0, 10, 20, ...)")
    _json(add)
    add.set_defaults(handler=catalog_commands.location_add)
    lst = sub.add_parser("list", help="list locations with their stock")
    _json(lst)
    lst.set_defaults(handler=catalog_commands.location_list)


def _product_commands(commands: Commands) -> None:
    sub = _group(commands, "product", "products: add, list, show", "product_command")
    add = sub.add_parser("add", help="add a product")
    _store(add)
    add.add_argument("--sku", required=True)
    add.add_argument("--gtin", help="barcode (EAN-8, UPC-A, EAN-13 or GTIN-14); 0000000000000 marks a placeholder")
    add.add_argument("--title", required=True)
    add.add_argument("--type", default="physical", help="physical (default), digital, service or subscription")
    add.add_argument("--low-stock", metavar="N", help="low-stock threshold for this product")
    add.add_argument("--reorder-point", metavar="N")
    _json(add)
    add.set_defaults(handler=catalog_commands.product_add)
    lst = sub.add_parser("list", help="list products")
    _store(lst)
    lst.add_argument("--search", metavar="TEXT", help="part of the title or SKU, or a GTIN")
    lst.add_argument("--limit", metavar="N")  # checked by the service, like every other number
    _json(lst)
    lst.set_defaults(handler=catalog_commands.product_list)
    show = sub.add_parser("show", help="show one product")
    _store(show)
    _product(show)
    _json(show)
    show.set_defaults(handler=catalog_commands.product_show)


def _stock_commands(commands: Commands) -> None:
    sub = _group(
        commands, "stock", "stock: set, adjust, reserve, release, fulfill, transfer, show, list, ...", "stock_command"
    )

    def change(name: str, help_text: str) -> argparse.ArgumentParser:
        cmd: argparse.ArgumentParser = sub.add_parser(name, help=help_text)
        _store(cmd)
        _product(cmd)
        _json(cmd)
        return cmd

    set_cmd = change("set", "set the exact quantity on hand at a location")
    set_cmd.add_argument("--location", required=True)
    set_cmd.add_argument("--quantity", required=True, metavar="N")
    set_cmd.add_argument("--reason", metavar="R")
    _op_key(set_cmd)
    set_cmd.set_defaults(handler=stock_commands.stock_set)

    adjust = change("adjust", "add (+N) or remove (-N) stock at a location")
    adjust.add_argument("--location", required=True)
    adjust.add_argument("--delta", required=True, metavar="N", help="e.g. 25 or -3 (write --delta=-3 for negatives)")
    adjust.add_argument("--reason", required=True, metavar="R", help="why, for the ledger")
    _op_key(adjust)
    adjust.set_defaults(handler=stock_commands.stock_adjust)

    for name, help_text in (
        ("reserve", "set units aside (reserved goes up)"),
        ("release", "give reserved units back (reserved goes down)"),
        ("fulfill", "reserved units leave the warehouse (on hand and reserved go down)"),
    ):
        cmd = change(name, help_text)
        cmd.add_argument("--location", required=True)
        cmd.add_argument("--quantity", required=True, metavar="N")
        cmd.add_argument("--reason", metavar="R")
        _op_key(cmd)
        cmd.set_defaults(handler=stock_commands.stock_reserved_move)

    transfer = change("transfer", "move available units between two locations")
    transfer.add_argument("--from", dest="source", required=True, metavar="L1")
    transfer.add_argument("--to", dest="destination", required=True, metavar="L2")
    transfer.add_argument("--quantity", required=True, metavar="N")
    transfer.add_argument("--reason", metavar="R")
    _op_key(transfer)
    transfer.set_defaults(handler=stock_commands.stock_transfer)

    delete = change("delete", "delete a product's entry at a location (refused while anything is reserved)")
    delete.add_argument("--location", required=True)
    delete.add_argument("--reason", metavar="R")
    _op_key(delete)
    delete.set_defaults(handler=stock_commands.stock_delete)

    show = change("show", "a product's stock at every location, with totals")
    show.set_defaults(handler=stock_commands.stock_show)

    lst = sub.add_parser("list", help="stock rows with filters")
    _store(lst)
    lst.add_argument("--location", metavar="L")
    lst.add_argument("--low-stock", metavar="N", help="only rows with at most N available")
    lst.add_argument("--search", metavar="TEXT", help="part of the title or SKU, or a GTIN")
    lst.add_argument("--limit", metavar="N")
    _sort(lst, "product, sku, gtin, location, quantity, reserved or available (default: store, SKU, picking order)")
    _json(lst)
    lst.set_defaults(handler=stock_commands.stock_list)

    low = sub.add_parser("low", help="rows at or below their low-stock threshold")
    low.add_argument("--threshold", metavar="N", help="one threshold for all (default: each product's own, else 10)")
    low.add_argument("--limit", metavar="N")
    low.add_argument("--reorder-points", action="store_true",
                     help="also every location of a product down to its reorder point (as the Dashboard counts)")
    _json(low)
    low.set_defaults(handler=stock_commands.stock_low)

    stats = sub.add_parser("stats", help="totals over all stock")
    _json(stats)
    stats.set_defaults(handler=stock_commands.stock_stats)

    ledger = sub.add_parser("ledger", help="the stock ledger, newest first")
    _store(ledger)
    _product(ledger, required=False)
    ledger.add_argument("--location", metavar="L")
    ledger.add_argument("--limit", default="50", metavar="N")
    _json(ledger)
    ledger.set_defaults(handler=stock_commands.stock_ledger)

    verify = sub.add_parser("verify", help="check that every stock row matches its ledger (exit 1 if not)")
    _json(verify)
    verify.set_defaults(handler=stock_commands.stock_verify)


def _order(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--order", required=True, metavar="N", help="order number, e.g. ORD-1-20260101-ABC123")


def _order_commands(commands: Commands) -> None:
    sub = _group(commands, "order", "orders: create, list, show, status, ship, return, notes, history, ...",
                 "order_command")

    create = sub.add_parser("create", help="create a pending order")
    _store(create)
    create.add_argument(
        "--item", action="append", required=True, metavar="P=QTY",
        help="product (SKU or GTIN) and quantity, e.g. HP-1=2; repeat for more lines",
    )
    create.add_argument("--customer", metavar="NAME", help="customer name")
    create.add_argument("--email", metavar="E", help="customer e-mail")
    create.add_argument("--number", metavar="N", help="order number (default: ORD-{store}-{YYYYMMDD}-{6 chars})")
    create.add_argument("--strict", action="store_true", help="refuse the order when stock is short")
    create.add_argument("--expires-in", metavar="HOURS", help="reservations expire this many hours from now")
    _op_key(create)
    _json(create)
    create.set_defaults(handler=order_commands.order_create)

    lst = sub.add_parser("list", help="list orders, newest first")
    _store(lst)
    lst.add_argument("--status", metavar="S",
                     help="pending, processing, partially_shipped, shipped, delivered or cancelled")
    lst.add_argument("--search", metavar="TEXT", help="order number (or its start) or part of the customer name")
    lst.add_argument("--limit", default="200", metavar="N")
    _sort(lst, "number, status, customer, store or created (default: newest first)")
    _json(lst)
    lst.set_defaults(handler=order_commands.order_list)

    show = sub.add_parser("show", help="one order: items, reservations, shipments")
    _order(show)
    _json(show)
    show.set_defaults(handler=order_commands.order_show)

    status = sub.add_parser("status", help="move an order to processing (reserve), shipped, delivered or cancelled")
    _order(status)
    status.add_argument("--set", dest="target", required=True,
                        choices=["processing", "shipped", "delivered", "cancelled"])
    _op_key(status)
    _json(status)
    status.set_defaults(handler=order_commands.order_status)

    ship = sub.add_parser("ship", help="ship one line of an order (all that remains unless --quantity)")
    _order(ship)
    ship.add_argument("--item", required=True, metavar="P|ITEM_ID", help="SKU, GTIN or item id of the order line")
    ship.add_argument("--quantity", metavar="Q", help="how many (default: all that remains)")
    ship.add_argument("--location", metavar="L", help="ship from this location instead of the reserved one")
    ship.add_argument("--tracking", metavar="T", help="tracking number")
    ship.add_argument("--carrier", metavar="C")
    _op_key(ship)
    _json(ship)
    ship.set_defaults(handler=order_commands.order_ship)

    shipment_status = sub.add_parser("shipment-status", help="what is shipped and what remains, item by item")
    _order(shipment_status)
    _json(shipment_status)
    shipment_status.set_defaults(handler=order_commands.order_shipment_status)

    ret = sub.add_parser("return", help="take shipped units back onto a shelf or as damaged")
    _order(ret)
    ret.add_argument("--item", required=True, metavar="P|ITEM_ID", help="SKU, GTIN or item id of the order line")
    ret.add_argument("--quantity", required=True, metavar="Q")
    where = ret.add_mutually_exclusive_group(required=True)
    where.add_argument("--location", metavar="L", help="restock at this location")
    where.add_argument("--damaged", action="store_true", help="record as damaged; stock is not changed")
    ret.add_argument("--reason", metavar="R")
    _op_key(ret)
    _json(ret)
    ret.set_defaults(handler=order_commands.order_return)

    note = sub.add_parser("note", help="add a note to an order")
    _order(note)
    note.add_argument("--text", required=True, metavar="T")
    note.add_argument("--customer-visible", action="store_true", help="the customer may see it (default: internal)")
    _json(note)
    note.set_defaults(handler=order_commands.order_note)

    notes = sub.add_parser("notes", help="an order's notes")
    _order(notes)
    notes.add_argument("--customer-visible-only", action="store_true")
    _json(notes)
    notes.set_defaults(handler=order_commands.order_notes)

    history = sub.add_parser("history", help="everything that happened to an order, oldest first")
    _order(history)
    _json(history)
    history.set_defaults(handler=order_commands.order_history)

    backorders = sub.add_parser("backorders", help="units waiting for stock, in the order they will be served")
    _store(backorders)
    _product(backorders, required=False)
    _json(backorders)
    backorders.set_defaults(handler=order_commands.order_backorders)

    expire = sub.add_parser("expire-reservations",
                            help="release reservations past their deadline (those orders go back to pending)")
    _json(expire)
    expire.set_defaults(handler=order_commands.order_expire_reservations)


def _io_commands(commands: Commands) -> None:
    imp = _group(commands, "import", "import products or stock levels from CSV", "import_kind")
    for kind, help_text in (
        ("products", "CSV: store,sku,title,gtin,product_type,low_stock_threshold,reorder_point"),
        ("stock", "CSV: store,product,location,quantity (sets the quantity on hand)"),
        ("orders", "CSV: order_number,store,customer,email,channel,status,product,quantity (one row per line item; "
                   "status, optional: pending, processing (reserves), shipped or cancelled)"),
    ):
        cmd = imp.add_parser(kind, help=help_text)
        cmd.add_argument("file", metavar="FILE")
        _json(cmd)
        cmd.set_defaults(handler=admin_commands.import_file)
    exp = _group(commands, "export", "export stock levels, products or orders to CSV", "export_kind")
    stock = exp.add_parser("stock", help="write every stock row to a CSV file")
    stock.add_argument("file", metavar="FILE")
    _force(stock)
    _store(stock)
    _json(stock)
    stock.set_defaults(handler=admin_commands.export_stock)
    products = exp.add_parser("products", help="write every product to a CSV file that `import products` reads")
    orders = exp.add_parser("orders", help="write every order line to a CSV file that `import orders` reads")
    orders.add_argument("--status", help="only orders with this status (pending, processing, shipped, …)")
    for cmd, handler in ((products, export_commands.export_products), (orders, export_commands.export_orders)):
        cmd.add_argument("file", metavar="FILE")
        _force(cmd)
        _store(cmd)
        _json(cmd)
        cmd.set_defaults(handler=handler)


def _force(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true", help="replace the file if it already exists")


def _printing_commands(commands: Commands) -> None:
    """PDF commands. Their handlers load Qt, so __main__ resolves them (``printing_command``)."""
    pick = commands.add_parser("picklist", help="a pick list PDF for one or more orders, in walking order")
    pick.add_argument("--order", action="append", required=True, metavar="N", help="order number (repeat for a batch)")
    pick.add_argument("--pdf", required=True, metavar="FILE")
    _force(pick)
    _json(pick)
    pick.set_defaults(printing_command="picklist")
    slip = commands.add_parser("packing-slip", help="the packing slip PDF of an order's shipment")
    slip.add_argument("--order", required=True, metavar="N")
    slip.add_argument("--shipment", metavar="ID", help="shipment number (default: the latest shipped one)")
    slip.add_argument("--pdf", required=True, metavar="FILE")
    _force(slip)
    _json(slip)
    slip.set_defaults(printing_command="packing_slip")
