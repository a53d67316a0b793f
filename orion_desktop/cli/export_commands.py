"""`orion-desktop export products` and `export orders`: CSV files the matching import reads back."""

from __future__ import annotations

from pathlib import Path

from orion_desktop.cli.context import CliContext
from orion_desktop.cli.output import print_json


def _report(ctx: CliContext, path: Path, count: int, what: str) -> int:
    if ctx.json:
        print_json({"file": str(path), "rows": count})
    else:
        print(f"Exported {count} {what}{'' if count == 1 else 's'} to {path}.")
    return 0


def export_products(ctx: CliContext) -> int:
    path = Path(ctx.args.file)
    count = ctx.services.importing.export_products(path, ctx.args.store, overwrite=ctx.args.force)
    return _report(ctx, path, count, "product")


def export_orders(ctx: CliContext) -> int:
    path = Path(ctx.args.file)
    count = ctx.services.importing.export_orders(path, ctx.args.store, ctx.args.status, overwrite=ctx.args.force)
    return _report(ctx, path, count, "order line")
