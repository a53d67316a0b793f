"""db upgrade/current, import, export and demo."""

from __future__ import annotations

from pathlib import Path

from orion_desktop.bootstrap import database_status, upgrade_database
from orion_desktop.cli.context import CliContext
from orion_desktop.cli.output import print_json
from orion_desktop.demo import fill_demo
from orion_desktop.domain.text_rules import plural


def db_upgrade(ctx: CliContext) -> int:
    before, after = upgrade_database(ctx.args.db)
    if ctx.json:
        print_json({"before": before, "after": after})
    elif before == after:
        print(f"The database is already up to date (revision {after}).")
    else:
        print(f"Database upgraded from {before or 'empty'} to {after}.")
    return 0


def db_current(ctx: CliContext) -> int:
    status = database_status(ctx.args.db)
    if ctx.json:
        print_json(status)
    else:
        state = "up to date" if status.up_to_date else "needs `orion-desktop db upgrade`"
        print(f"{status.description}: revision {status.current or 'none (empty)'}, latest {status.head} — {state}.")
    return 0


def import_file(ctx: CliContext) -> int:
    path = Path(ctx.args.file)
    importer = ctx.services.importing
    kind = ctx.args.import_kind
    if kind == "orders":
        result = ctx.services.importing.import_orders(ctx.actor, path)
        if ctx.json:
            print_json(result)
        else:
            lines, created = plural(result.rows, "line"), plural(result.created, "new order")
            print(f"Imported {path.name}: {lines}, {created} (pending).")
        return 0
    if kind == "products":
        result = importer.import_products(ctx.actor, path)
    else:
        result = importer.import_stock(ctx.actor, path)
    if ctx.json:
        print_json(result)
    else:
        print(f"Imported {path.name}: {plural(result.rows, 'row')}, {result.created} new, {result.updated} changed.")
    return 0


def export_stock(ctx: CliContext) -> int:
    path = Path(ctx.args.file)
    count = ctx.services.importing.export_stock(path, ctx.args.store, overwrite=ctx.args.force)
    if ctx.json:
        print_json({"file": str(path), "rows": count})
    else:
        print(f"Exported {count} stock rows to {path}.")
    return 0


def demo(ctx: CliContext) -> int:
    summary = fill_demo(ctx.services.database, ctx.actor)
    if ctx.json:
        print_json(summary)
    else:
        print(
            f"Demo warehouse created in {ctx.services.database_description}: {summary.stores} stores, "
            f"{summary.locations} locations, {summary.products} products, {summary.stock_rows} stock rows, "
            f"{summary.orders} orders."
        )
    return 0
