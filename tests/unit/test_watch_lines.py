"""How ``orion-desktop watch`` writes a notice for people and for scripts (cli/watch_command.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from orion_desktop.cli.watch_command import notice_json, notice_line
from orion_desktop.domain.change_notice import ChangeNotice
from orion_desktop.domain.changes import Changes

WHEN = datetime(2026, 12, 4, 14, 0, 5, tzinfo=UTC)


def test_a_notice_in_words() -> None:
    notice = ChangeNotice(Changes.of(products=[12, 4, 9], orders=[31], catalog=True), "anna", WHEN)
    line = notice_line(notice)
    assert line.endswith("  anna  stock: 3 products (ids 4, 9, 12)  orders: 1 order (id 31)"
                         "  catalog: stores or products")
    many = notice_line(ChangeNotice(Changes.of(orders=range(1, 21)), None, WHEN))
    assert many.endswith("someone  orders: 20 orders (ids 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 and 8 more)")


def test_a_notice_for_scripts() -> None:
    notice = ChangeNotice(Changes.of(products=[4], all_orders=True), "anna", WHEN)
    assert notice_json(notice) == {
        "time": "2026-12-04T14:00:05.000+00:00", "user": "anna", "kinds": ["stock", "orders"],
        "stock": [4], "orders": "all",
    }
    assert notice_json(ChangeNotice.anything(reconnected=True))["reconnected"] is True
