"""HTML for the documents. Plain, high-contrast and large enough to read on a cart in a warehouse."""

from __future__ import annotations

from html import escape

from orion_desktop.domain.print_results import PackingSlip, PickList, SlipLine
from orion_desktop.domain.text_rules import plural
from orion_desktop.printing.barcode import barcode_html

_STYLE = """
body { font-family: 'DejaVu Sans', sans-serif; font-size: 10pt; color: #000; }
h1 { font-size: 18pt; margin: 0 0 4pt 0; }
p.meta { color: #333; margin: 0 0 10pt 0; }
table { border-collapse: collapse; border-color: #888; }
th { text-align: left; background-color: #e8e8e8; }
td.num, th.num { text-align: right; }
td.loc { font-weight: bold; font-size: 11pt; white-space: nowrap; }
td.order { white-space: nowrap; }
td.tick { font-size: 16pt; text-align: center; }
h2 { font-size: 12pt; margin: 14pt 0 4pt 0; }
"""


# Qt's rich text honours table and column widths given as HTML attributes, not as CSS.
_TABLE = "<table width='100%' cellpadding='5' cellspacing='0' border='0.5'>"


def _header(*columns: tuple[str, int, bool]) -> str:
    """Header cells: (label, width in percent, right-aligned), in ``<thead>``: Qt makes that the
    table's header row, which it repeats at the top of every page the table runs onto."""
    return "<thead><tr>" + "".join(
        f"<th width='{width}%'" + (" class='num'" if right else "") + f">{escape(label)}</th>"
        for label, width, right in columns
    ) + "</tr></thead>"


def _page(title: str, body: str) -> str:
    return f"<html><head><style>{_STYLE}</style><title>{escape(title)}</title></head><body>{body}</body></html>"


def _codes(numbers: tuple[str, ...] | list[str]) -> str:
    """Each order number as a Code 128 barcode, one under the other (a scanner's line never crosses
    two codes): scanned at the pack station, it opens the order."""
    return "".join(f"<p style='margin: 0 0 8pt 0'>{barcode_html(number)}</p>" for number in numbers)


# Ends every cell of a pick-list row: Qt moves a cell's line that crosses the page's foot to the next
# page cell by cell, so a line taller than its neighbours (the big tick box) went over alone and sat
# above the next page's first line, where a picker would tick it for the wrong product. Lines of one
# height break together.
_ROW_HEIGHT = "<span style='font-size: 16pt'>&nbsp;</span>"


def pick_list_html(pick: PickList) -> str:
    """Portrait A4: location first and never broken across lines (``nowrap``), a tick box per line."""
    orders = ", ".join(pick.order_numbers)
    rows = "".join(
        "<tr>"
        f"<td class='loc'>{escape(row.location or 'NOT RESERVED')}{_ROW_HEIGHT}</td>"
        f"<td>{escape(row.sku)}{_ROW_HEIGHT}</td><td>{escape(row.title)}{_ROW_HEIGHT}</td>"
        f"<td class='num'>{row.quantity}{_ROW_HEIGHT}</td>"
        f"<td class='order'>{escape(row.order_number)}{_ROW_HEIGHT}</td>"
        "<td class='tick'>&#9744;</td>"
        "</tr>"
        for row in pick.rows
    )
    units = sum(row.quantity for row in pick.rows)
    body = (
        f"<h1>Pick list</h1><p class='meta'>Orders: {escape(orders)}<br/>"
        f"{plural(len(pick.rows), 'line')}, {plural(units, 'unit')} · printed {pick.created_at:%Y-%m-%d %H:%M} UTC</p>"
        + _codes(pick.order_numbers)
        + "<p></p>"
        + _TABLE
        + _header(("Location", 18, False), ("SKU", 14, False), ("Product", 30, False), ("Qty", 7, True),
                  ("Order", 23, False), ("Done", 8, False))
        + f"{rows}</table>"
    )
    return _page("Pick list", body)


def packing_slip_html(slip: PackingSlip) -> str:
    def table(lines: tuple[SlipLine, ...]) -> str:
        body = "".join(
            f"<tr><td>{escape(line.sku)}</td><td>{escape(line.title)}</td><td class='num'>{line.quantity}</td></tr>"
            for line in lines
        )
        return _TABLE + _header(("SKU", 22, False), ("Product", 63, False), ("Qty", 15, True)) + f"{body}</table>"

    shipped_on = f"{slip.shipped_at:%Y-%m-%d}" if slip.shipped_at else ""
    tracking = ""
    if slip.tracking_number:
        tracking = f"<br/>Tracking: {escape(slip.tracking_number)}" + (
            f" ({escape(slip.carrier)})" if slip.carrier else "")
    body = (
        f"<h1>{escape(slip.store_name)}</h1>"
        + _codes([slip.order_number])
        + f"<p class='meta'>Packing slip for order <b>{escape(slip.order_number)}</b>"
        + (f"<br/>Customer: {escape(slip.customer_name)}" if slip.customer_name else "")
        + f"<br/>Shipment {escape(slip.shipment_number)} · shipped {shipped_on}{tracking}</p>"
        f"<h2>In this parcel</h2>{table(slip.shipped)}"
    )
    if slip.still_open:
        body += f"<h2>Still to come (sent separately)</h2>{table(slip.still_open)}"
    else:
        body += "<p>This completes your order.</p>"
    return _page(f"Packing slip {slip.order_number}", body)
