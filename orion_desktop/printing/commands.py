"""`orion-desktop picklist` and `packing-slip`: the only commands that load Qt (for its PDF writer)."""

from __future__ import annotations

from pathlib import Path

from orion_desktop.cli.context import CliContext
from orion_desktop.cli.output import print_json
from orion_desktop.domain.text_rules import plural
from orion_desktop.printing.layout import packing_slip_html, pick_list_html
from orion_desktop.printing.pdf import write_pdf
from orion_desktop.services.safe_files import check_target


def _target(ctx: CliContext) -> Path:
    """The --pdf file, refused before any work if it is the database or exists without --force."""
    path = Path(ctx.args.pdf)
    check_target(path, database_file=ctx.services.database_file, overwrite=ctx.args.force)
    return path


def picklist(ctx: CliContext) -> int:
    target = _target(ctx)
    pick = ctx.services.packing.pick_list(ctx.args.order)
    # Portrait, as paper on a clipboard is held; location codes never wrap (layout.pick_list_html).
    path = write_pdf(pick_list_html(pick), target, "Pick list",
                     database_file=ctx.services.database_file, overwrite=ctx.args.force)
    if ctx.json:
        print_json({"file": str(path), "orders": list(pick.order_numbers), "lines": len(pick.rows)})
    else:
        orders, lines = plural(len(pick.order_numbers), "order"), plural(len(pick.rows), "line")
        print(f"Pick list for {orders} ({lines}) written to {path}.")
    return 0


def packing_slip(ctx: CliContext) -> int:
    target = _target(ctx)
    slip = ctx.services.packing.packing_slip(ctx.args.order, ctx.args.shipment)
    path = write_pdf(packing_slip_html(slip), target, f"Packing slip {slip.order_number}",
                     database_file=ctx.services.database_file, overwrite=ctx.args.force)
    if ctx.json:
        print_json({"file": str(path), "order_number": slip.order_number, "shipment": slip.shipment_number})
    else:
        print(f"Packing slip for {slip.order_number} (shipment {slip.shipment_number}) written to {path}.")
    return 0
