"""stock commands: changes (set, adjust, reserve, release, fulfill, transfer, delete) and views."""

from __future__ import annotations

from orion_desktop.cli.context import CliContext
from orion_desktop.cli.output import print_json, print_table, to_plain
from orion_desktop.domain.requests import (
    AdjustStock,
    DeleteStock,
    FulfillStock,
    ReleaseStock,
    ReserveStock,
    SetStock,
    TransferStock,
)
from orion_desktop.domain.results import ProductStock, StockChange, StockRow
from orion_desktop.domain.text_rules import plural


def _print_change(ctx: CliContext, change: StockChange) -> None:
    if ctx.json:
        print_json(
            {
                "transaction_type": change.transaction_type.value,
                "sku": change.sku,
                "location": change.location,
                "quantity_change": change.quantity_change,
                "reserved_change": change.reserved_change,
                "quantity": change.quantity_after,
                "reserved_quantity": change.reserved_after,
                "available_quantity": change.available_after,
            }
        )
        return
    print(
        f"{change.transaction_type.value}: {change.sku} at {change.location} now {change.quantity_after} on hand, "
        f"{change.reserved_after} reserved, {change.available_after} available."
    )


def stock_set(ctx: CliContext) -> int:
    a = ctx.args
    request = SetStock(store=a.store, product=a.product, location=a.location, quantity=a.quantity, reason=a.reason)
    change = ctx.services.perform(ctx.actor, request, operation_key=a.operation_key)
    _print_change(ctx, change)
    return 0


def stock_adjust(ctx: CliContext) -> int:
    a = ctx.args
    request = AdjustStock(store=a.store, product=a.product, location=a.location, delta=a.delta, reason=a.reason)
    change = ctx.services.perform(ctx.actor, request, operation_key=a.operation_key)
    _print_change(ctx, change)
    return 0


def stock_reserved_move(ctx: CliContext) -> int:
    a = ctx.args
    kind = {"reserve": ReserveStock, "release": ReleaseStock, "fulfill": FulfillStock}[a.stock_command]
    request = kind(store=a.store, product=a.product, location=a.location, quantity=a.quantity, reason=a.reason)
    change = ctx.services.perform(ctx.actor, request, operation_key=a.operation_key)
    _print_change(ctx, change)
    return 0


def stock_transfer(ctx: CliContext) -> int:
    a = ctx.args
    request = TransferStock(store=a.store, product=a.product, source=a.source, destination=a.destination,
                            quantity=a.quantity, reason=a.reason)
    result = ctx.services.perform(ctx.actor, request, operation_key=a.operation_key)
    if ctx.json:
        print_json(
            {
                "sku": result.source.sku,
                "quantity": -result.source.quantity_change,
                "from": {"location": result.source.location, "quantity": result.source.quantity_after,
                         "reserved_quantity": result.source.reserved_after},
                "to": {"location": result.destination.location, "quantity": result.destination.quantity_after,
                       "reserved_quantity": result.destination.reserved_after},
            }
        )
    else:
        print(
            f"Moved {-result.source.quantity_change} of {result.source.sku} from {result.source.location} "
            f"(now {result.source.quantity_after}) to {result.destination.location} "
            f"(now {result.destination.quantity_after})."
        )
    return 0


def stock_delete(ctx: CliContext) -> int:
    a = ctx.args
    request = DeleteStock(store=a.store, product=a.product, location=a.location, reason=a.reason)
    change = ctx.services.perform(ctx.actor, request, operation_key=a.operation_key)
    written_off = -change.quantity_change if change else 0
    if ctx.json:
        print_json({"deleted": True, "written_off": written_off})
    else:
        extra = f" ({plural(written_off, 'unit')} written off in the ledger)" if written_off else ""
        print(f"Stock entry deleted{extra}.")
    return 0


def product_stock_json(stock: ProductStock) -> dict[str, object]:
    return {
        "sku": stock.product.sku,
        "gtin": stock.product.gtin,
        "title": stock.product.title,
        "product_type": stock.product.product_type.value,
        "unlimited": stock.product.unlimited,
        "total_quantity": stock.total_quantity,
        "total_reserved": stock.total_reserved,
        "total_available": stock.total_available,
        "locations": [
            {
                "location": loc.location,
                "quantity": loc.quantity,
                "reserved_quantity": loc.reserved_quantity,
                "available_quantity": loc.available_quantity,
            }
            for loc in stock.locations
        ],
    }


def stock_show(ctx: CliContext) -> int:
    stock = ctx.services.stock.product_stock(ctx.args.store, ctx.args.product)
    if ctx.json:
        print_json(product_stock_json(stock))
        return 0
    p = stock.product
    print(f"{p.title}  SKU {p.sku}" + (f"  GTIN {p.gtin}" if p.gtin else "") + f"  ({p.product_type.value})")
    if p.unlimited:
        print("Unlimited stock: this product is not stock-tracked.")
        return 0
    print_table(
        ["LOCATION", "QTY", "RESERVED", "AVAILABLE"],
        [(loc.location, loc.quantity, loc.reserved_quantity, loc.available_quantity) for loc in stock.locations],
    )
    print(f"Total: {stock.total_quantity} | Reserved: {stock.total_reserved} | Available: {stock.total_available}")
    return 0


def _row_json(row: StockRow) -> dict[str, object]:
    return {
        "store": row.store_code,
        "sku": row.sku,
        "gtin": row.gtin,
        "title": row.title,
        "location": row.location,
        "quantity": row.quantity,
        "reserved_quantity": row.reserved_quantity,
        "available_quantity": row.available_quantity,
    }


def stock_list(ctx: CliContext) -> int:
    a = ctx.args
    rows = ctx.services.stock.list_stock(
        store=a.store, location=a.location, low_stock=a.low_stock, search=a.search, limit=a.limit,
        sort=a.sort, descending=a.descending,
    )
    if ctx.json:
        print_json([_row_json(r) for r in rows])
    else:
        print_table(
            ["STORE", "SKU", "TITLE", "LOCATION", "QTY", "RESERVED", "AVAILABLE"],
            [(r.store_code, r.sku, r.title, r.location, r.quantity, r.reserved_quantity, r.available_quantity)
             for r in rows],
        )
    return 0


def stock_low(ctx: CliContext) -> int:
    """Thresholds only, as the spec's low-stock alerts; ``--reorder-points`` lists what the
    Dashboard counts and the Low stock page shows as it opens (services/stock/low_stock.py)."""
    a = ctx.args
    rows = ctx.services.stock.low_stock(a.threshold, limit=a.limit, reorder_points=a.reorder_points)
    if ctx.json:
        print_json(
            [
                {
                    "product_id": r.product_id,
                    "store_name": r.store_name,
                    "store": r.store_code,
                    "sku": r.sku,
                    "product_title": r.product_title,
                    "location": r.location,
                    "quantity": r.quantity,
                    "available_quantity": r.available_quantity,
                    "threshold": r.threshold,
                }
                for r in rows
            ]
        )
    else:
        print_table(
            ["STORE", "SKU", "TITLE", "LOCATION", "QTY", "AVAILABLE", "THRESHOLD"],
            [(r.store_code, r.sku, r.product_title, r.location, r.quantity, r.available_quantity, r.threshold)
             for r in rows],
        )
    return 0


def stock_stats(ctx: CliContext) -> int:
    stats = ctx.services.stock.stats()
    if ctx.json:
        print_json(stats)
    else:
        for key, value in to_plain(stats).items():
            print(f"{key:>22}: {value}")
    return 0


def stock_ledger(ctx: CliContext) -> int:
    a = ctx.args
    entries = ctx.services.stock.ledger(store=a.store, product=a.product, location=a.location, limit=a.limit)
    if ctx.json:
        print_json(entries)
    else:
        print_table(
            ["ID", "WHEN (UTC)", "TYPE", "SKU", "LOCATION", "QTY±", "RES±", "QTY", "RES", "ORDER", "BY", "REASON"],
            [
                (e.id, e.created_at.strftime("%Y-%m-%d %H:%M:%S"), e.transaction_type.value, e.sku, e.location,
                 f"{e.quantity_change:+d}", f"{e.reserved_change:+d}", e.quantity_after, e.reserved_after,
                 e.order_number or "", e.created_by or "", e.reason or "")
                for e in entries
            ],
        )
    return 0


def stock_verify(ctx: CliContext) -> int:
    report = ctx.services.stock.verify()
    if ctx.json:
        print_json({"ok": report.ok, "rows_checked": report.rows_checked, "ledger_rows": report.ledger_rows,
                    "mismatches": report.mismatches, "reservation_mismatches": report.reservation_mismatches})
    elif report.ok:
        print(
            f"Stock, ledger and reservations agree: {report.rows_checked} stock rows, "
            f"{report.ledger_rows} ledger rows checked."
        )
    else:
        problems = report.problems()
        print(f"{len(problems)} stock rows do not match their ledger or their reservations:")
        for problem in problems:
            print(f"  {problem}")
    return 0 if report.ok else 1
