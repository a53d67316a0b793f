"""``orion-desktop watch [--json]``: the change feed, one line per change as it happens
(ARCHITECTURE.md: the change feed between PCs; README: Watching changes)."""

from __future__ import annotations

import json
import queue
import signal
import sys
from collections.abc import Iterable
from datetime import UTC
from typing import Any

from orion_desktop.cli.context import CliContext, Commands
from orion_desktop.domain.change_notice import ChangeNotice, FeedStatus
from orion_desktop.domain.changes import Changes

SHOWN_IDS = 12
"""The human form lists at most this many ids of one kind, then says how many more."""


def add_command(commands: Commands) -> None:
    watch = commands.add_parser(
        "watch", help="print every change committed to the database as it happens, one line each (Ctrl+C ends)"
    )
    watch.add_argument(
        "--json", action="store_true", help="one JSON object per line (connection news goes to stderr)"
    )
    watch.set_defaults(handler=watch_changes)


def watch_changes(ctx: CliContext) -> int:
    """Print the feed until Ctrl+C (exit 0). Lines are printed on this thread, flushed one by one."""
    # Ctrl+C ends the watch even when started from a shell that ignores SIGINT (`watch &` in a
    # script); SIGTERM (a service manager stopping it) ends it as cleanly.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    items: queue.Queue[ChangeNotice | FeedStatus] = queue.Queue()
    feed = ctx.services.change_feed()
    feed.start(items.put, items.put)
    try:
        while True:
            try:
                item = items.get(timeout=0.5)  # a timeout keeps Ctrl+C prompt on every platform
            except queue.Empty:
                continue
            if isinstance(item, FeedStatus):
                _print_status(item, ctx.json)
                continue
            # A user kept to some stores sees only their stores' ids (issue 14: store scoping everywhere).
            notice = ctx.services.visible_notice(item)
            if notice is None:
                continue
            line = json.dumps(notice_json(notice), separators=(",", ":")) if ctx.json else notice_line(notice)
            print(line, flush=True)
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl+C must not interrupt the tidy-up
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        return 0
    finally:
        feed.stop()


def _print_status(status: FeedStatus, as_json: bool) -> None:
    # In --json mode stdout carries only change objects, so scripts can parse every line.
    line = f"{status.time.astimezone():%H:%M:%S}  {status.detail}"
    if as_json:
        print(line, file=sys.stderr, flush=True)
    else:
        print(line, flush=True)


def notice_json(notice: ChangeNotice) -> dict[str, Any]:
    """One notice for scripts: kinds, ids (or "all"), user, UTC time, and whether the feed was cut."""
    changes = notice.changes
    data: dict[str, Any] = {
        "time": notice.time.astimezone(UTC).isoformat(timespec="milliseconds"),
        "user": notice.user,
        "kinds": _kinds(changes),
    }
    if changes.stock_changed:
        data["stock"] = "all" if changes.all_stock else sorted(changes.products)
    if changes.orders_changed:
        data["orders"] = "all" if changes.all_orders else sorted(changes.orders)
    if notice.reconnected:
        data["reconnected"] = True  # announcements during the outage were lost: reload everything
    return data


def notice_line(notice: ChangeNotice) -> str:
    """One notice for people: ``14:02:07  anna  stock: 2 products (ids 4, 9)  orders: 1 (id 31)``."""
    changes = notice.changes
    parts = [f"{notice.time.astimezone():%H:%M:%S}", notice.user or "someone"]
    if notice.reconnected:
        parts.append("anything may have changed while the connection was lost")
    elif changes == Changes.everything():
        parts.append("something changed (this database does not say what): stock, orders, catalog, locations")
    else:
        if changes.stock_changed:
            stock = "all products" if changes.all_stock else _counted(changes.products, "product")
            parts.append(f"stock: {stock}")
        if changes.orders_changed:
            orders = "all orders" if changes.all_orders else _counted(changes.orders, "order")
            parts.append(f"orders: {orders}")
        if changes.catalog:
            parts.append("catalog: stores or products")
        if changes.locations:
            parts.append("locations")
    return "  ".join(parts)


def _kinds(changes: Changes) -> list[str]:
    flags = (
        ("stock", changes.stock_changed),
        ("orders", changes.orders_changed),
        ("catalog", changes.catalog),
        ("locations", changes.locations),
    )
    return [name for name, changed in flags if changed]


def _counted(ids: Iterable[int], noun: str) -> str:
    ordered = sorted(ids)
    shown = ", ".join(str(i) for i in ordered[:SHOWN_IDS])
    more = f" and {len(ordered) - SHOWN_IDS} more" if len(ordered) > SHOWN_IDS else ""
    plural = "s" if len(ordered) != 1 else ""
    return f"{len(ordered)} {noun}{plural} (id{plural} {shown}{more})"
