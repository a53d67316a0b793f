"""Seen in the screenshots (dialog-ship-items.png at 1024×768): the Ship items dialog of a demo
order was 1032 pixels wide, wider than the smallest screen the window is made for, because each
long product name kept its line's full width. Names now wrap; every open demo order fits."""

from __future__ import annotations

import pytest
from helpers import ADMIN
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.demo import fill_demo
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.ui.dialogs.ship_dialog import ShipDialog, stock_for_shipping

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
