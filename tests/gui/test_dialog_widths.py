"""Dialog layout seen in the screenshots. dialog-ship-items.png at 1024×768: the Ship items dialog of a demo
order was 1032 pixels wide, wider than the smallest screen the window is made for, because each
long product name kept its line's full width. Names now wrap; every open demo order fits."""

from __future__ import annotations

import pytest
from helpers import ADMIN
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.demo import fill_demo
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.ui.dialogs.ship_dialog import ShipDialog, stock_for_shipping
from orion_desktop.ui.dialogs.shipment_dialogs import AdvanceShipmentDialog

from .orders_support import show

SMALLEST_SCREEN = 1024
CLERK = Actor(name="maria", role=Role.MANAGER)


@pytest.mark.usefixtures("background_work_done")
def test_ship_dialogs_of_the_demo_orders_fit_a_1024_pixel_screen(qtbot: QtBot, services: Services) -> None:
    fill_demo(services.database, ADMIN)
    widths = {}
    for status in ("processing", "partially_shipped"):
        for order in services.order_queries.list_orders(status=status, limit=50):
            detail = services.order_queries.get_order(order.order_number)
            dialog = ShipDialog(services, CLERK, detail, stock_for_shipping(services.stock, detail))
            show(qtbot, dialog)
            widths[order.order_number] = dialog.frameGeometry().width()
            for row in dialog.rows:  # a wrapped name shows whole: as tall as its width needs
                assert row.product_label.height() >= row.product_label.heightForWidth(row.product_label.width())
            dialog.reject()
    assert len(widths) >= 10
    assert {number: width for number, width in widths.items() if width > SMALLEST_SCREEN} == {}


def _line_breaks(label: QLabel) -> tuple[str, list[int]]:
    """The label's text as shown and where its wrapped lines start, laid out at the label's width."""
    if not label.wordWrap():
        return label.text(), []
    document = QTextDocument()
    document.setDefaultFont(label.font())
    document.setHtml(label.text())
    document.setDocumentMargin(0)
    document.setTextWidth(label.contentsRect().width())
    document.size()  # lays the text out
    layout = document.begin().layout()
    return document.toPlainText(), [layout.lineAt(i).textStart() for i in range(1, layout.lineCount())]


@pytest.mark.usefixtures("background_work_done")
def test_a_parcel_dialog_never_breaks_an_order_number(qtbot: QtBot, services: Services) -> None:
    """Seen in dialog-advance-parcel.png: "ORD-1-20261204-" on one line and "DZQ7WP" on the next."""
    fill_demo(services.database, ADMIN)
    parcels = services.order_queries.open_shipments()
    assert parcels
    for parcel in parcels:
        dialog = AdvanceShipmentDialog(services, CLERK, parcel)
        show(qtbot, dialog)
        shown = ""
        for label in dialog.findChildren(QLabel):
            if not label.isVisible():
                continue
            text, starts = _line_breaks(label)
            shown += text + " "
            for code in (parcel.shipment_number, parcel.order_number):
                first = text.find(code)
                assert first < 0 or not [s for s in starts if first < s < first + len(code)], (code, text)
        assert f"{parcel.shipment_number} of order {parcel.order_number}:" in shown
        dialog.reject()
