"""Hand-written raw SQL for the write paths the perf suite compares the services against (issue 12).

Each class does one write's whole effect on a bare driver connection (psycopg on PostgreSQL,
the standard ``sqlite3`` module on SQLite), in one transaction, with the same locks and the same
conditional UPDATE the service must use, and leaves a database ``stock verify`` accepts (the
tests check that). The SQL is written once with ``%(name)s`` parameters; SQLite gets the same text
with ``:name`` and without the row-locking clauses (a SQLite writer holds the whole file).
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime
from typing import Any

import psycopg

_LOCK = re.compile(r"\s+FOR NO KEY UPDATE")
_PARAM = re.compile(r"%\((\w+)\)s")


class RawConnection:
    """One bare connection, psycopg or sqlite3, with a transaction helper and dialect-free SQL."""

    def __init__(self, url: str, sqlite_path: str | None) -> None:
        self.sqlite = sqlite_path is not None
        if sqlite_path is not None:
            self._lite = sqlite3.connect(sqlite_path, isolation_level=None)
            for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=10000", "synchronous=NORMAL"):
                self._lite.execute(f"PRAGMA {pragma}")
        else:
            self._pg = psycopg.connect(url)
        self._texts: dict[str, str] = {}

    def sql(self, text: str) -> str:
        """The statement in this driver's dialect (converted once, then cached)."""
        converted = self._texts.get(text)
        if converted is None:
            converted = _PARAM.sub(r":\1", _LOCK.sub("", text)) if self.sqlite else text
            self._texts[text] = converted
        return converted

    def now(self) -> Any:
        """The current time as each database stores it (SQLAlchemy's text form on SQLite)."""
        moment = datetime.now(UTC)
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else moment

    def begin(self) -> Any:
        """Start a writing transaction; returns a cursor."""
        if self.sqlite:
            cursor = self._lite.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            return cursor
        return self._pg.cursor()

    def commit(self) -> None:
        if self.sqlite:
            self._lite.execute("COMMIT")
        else:
            self._pg.commit()

    def rollback(self) -> None:
        if self.sqlite:
            self._lite.execute("ROLLBACK")
        else:
            self._pg.rollback()

    def one(self, cursor: Any, text: str, params: dict[str, Any]) -> tuple[Any, ...]:
        row = cursor.execute(self.sql(text), params).fetchone()
        assert row is not None, text
        return tuple(row)

    def run(self, cursor: Any, text: str, params: dict[str, Any]) -> int:
        return int(cursor.execute(self.sql(text), params).rowcount)

    def close(self) -> None:
        if self.sqlite:
            self._lite.close()
        else:
            self._pg.close()


_LOCK_ORDER = "SELECT id, status FROM orders WHERE order_number = %(number)s FOR NO KEY UPDATE"
_LOCK_STOCK = (
    "SELECT id FROM inventory WHERE product_id IN (SELECT product_id FROM order_items WHERE order_id = %(order)s) "
    "ORDER BY id FOR NO KEY UPDATE"
)
_ITEM = (
    "SELECT oi.id, oi.product_id, p.store_id, oi.quantity - oi.shipped_quantity, r.id, r.inventory_id, "
    "r.location_id, r.quantity_reserved - r.quantity_fulfilled - r.quantity_released "
    "FROM order_items oi JOIN products p ON p.id = oi.product_id "
    "JOIN inventory_reservations r ON r.order_item_id = oi.id AND r.status = 'active' "
    "WHERE oi.order_id = %(order)s AND lower(oi.sku) = lower(%(sku)s)"
)
_FULFIL = (
    "UPDATE inventory SET quantity = quantity - %(n)s, reserved_quantity = reserved_quantity - %(n)s, "
    "updated_at = %(now)s WHERE id = %(row)s AND reserved_quantity - %(n)s >= 0 "
    "AND quantity - %(n)s >= reserved_quantity - %(n)s RETURNING quantity, reserved_quantity"
)
_LEDGER = (
    "INSERT INTO inventory_transactions (store_id, product_id, location_id, transaction_type, quantity_change, "
    "reserved_change, quantity_after, reserved_after, order_id, order_number, reason, created_by, created_at, "
    "operation_key) VALUES (%(store)s, %(product)s, %(location)s, %(kind)s, %(dq)s, %(dr)s, %(qa)s, %(ra)s, "
    "%(order)s, %(number)s, %(reason)s, 'perf', %(now)s, NULL)"
)
_SETTLE = (
    "UPDATE inventory_reservations SET quantity_fulfilled = quantity_fulfilled + %(n)s, status = %(status)s, "
    "fulfilled_at = %(now)s, updated_at = %(now)s WHERE id = %(id)s"
)
_SHIPMENT = (
    "INSERT INTO shipments (shipment_number, order_id, status, created_by, created_at, shipped_at) "
    "VALUES (%(shipment)s, %(order)s, 'shipped', 'perf', %(now)s, %(now)s) RETURNING id"
)
_SHIPMENT_LINE = (
    "INSERT INTO shipment_lines (shipment_id, order_item_id, location_id, quantity) "
    "VALUES (%(shipment)s, %(item)s, %(location)s, %(n)s)"
)
_SHIPPED_UNITS = (
    "UPDATE order_items SET shipped_quantity = shipped_quantity + %(n)s "
    "WHERE id = %(item)s AND shipped_quantity + %(n)s <= quantity"
)
_ORDER_SHIPPED = "UPDATE orders SET status = 'shipped', shipped_at = %(now)s, updated_at = %(now)s WHERE id = %(order)s"
_ORDER_PART_SHIPPED = "UPDATE orders SET status = 'partially_shipped', updated_at = %(now)s WHERE id = %(order)s"
_HISTORY = (
    "INSERT INTO order_history (order_id, action, old_status, new_status, description, created_by, created_at) "
    "VALUES (%(order)s, 'shipped', %(old)s, %(new)s, %(text)s, 'perf', %(now)s)"
)


_CLAIM_KEY = (
    "INSERT INTO operations (key, kind, result_json, params_digest, created_by, created_at) "
    "VALUES (%(key)s, 'order.ship', 'null', %(digest)s, 'perf', %(now)s) ON CONFLICT (key) DO NOTHING RETURNING key"
)
_STORE_RESULT = "UPDATE operations SET result_json = %(result)s WHERE key = %(key)s"


def raw_ship_line(raw: RawConnection, order_number: str, sku: str, units: int | None = None, *,
                  key: str | None = None) -> int:
    """Ship a processing one-line order's line (all of it, or ``units`` of it: a partial ship) from
    its reservation; returns the shipment id. With an operation ``key`` (what the pack station sends),
    the key row is claimed first and the result stored in it last, in the same transaction.

    The order row is locked, then its products' stock rows in ascending id, as the service does.
    """
    cursor = raw.begin()
    try:
        now = raw.now()
        if key is not None:
            raw.one(cursor, _CLAIM_KEY, {"key": key, "digest": f"{order_number}:{sku}", "now": now})
        order_id, status = raw.one(cursor, _LOCK_ORDER, {"number": order_number})
        cursor.execute(raw.sql(_LOCK_STOCK), {"order": order_id}).fetchall()
        item, product, store, n, reservation, row, location, held = raw.one(
            cursor, _ITEM, {"order": order_id, "sku": sku}
        )
        assert held == n, "the raw ship expects the whole line reserved"
        whole = units is None or units == n
        n = n if units is None else units
        quantity, reserved = raw.one(cursor, _FULFIL, {"n": n, "now": now, "row": row})
        _ledger(raw, cursor, (store, product, location, None), "fulfill", -n, -n, (quantity, reserved), now,
                order=order_id, number=order_number, reason="shipped")
        raw.run(cursor, _SETTLE, {"n": n, "now": now, "id": reservation, "status": "fulfilled" if whole else "active"})
        shipment_number = f"SHP-{order_number.removeprefix('ORD-')}-1"
        shipment = raw.one(cursor, _SHIPMENT, {"shipment": shipment_number, "order": order_id, "now": now})[0]
        raw.run(cursor, _SHIPMENT_LINE, {"shipment": shipment, "item": item, "location": location, "n": n})
        assert raw.run(cursor, _SHIPPED_UNITS, {"n": n, "item": item}) == 1
        raw.run(cursor, _ORDER_SHIPPED if whole else _ORDER_PART_SHIPPED, {"now": now, "order": order_id})
        raw.run(cursor, _HISTORY, {
            "order": order_id, "old": status, "new": "shipped" if whole else "partially_shipped",
            "text": f"Shipment {shipment_number}: shipped {n} {sku} ({n} units).", "now": now,
        })
        if key is not None:
            result = f'{{"shipment_id":{shipment},"items":[{{"item_id":{item},"shipped":{n}}}]}}'
            raw.run(cursor, _STORE_RESULT, {"result": result, "key": key})
        raw.commit()
        return int(shipment)
    except BaseException:
        raw.rollback()
        raise


_SLOT = (
    "SELECT p.store_id, p.id, l.id, i.id FROM stores s JOIN products p ON p.store_id = s.id "
    "JOIN inventory i ON i.product_id = p.id JOIN locations l ON l.id = i.location_id "
    "WHERE s.code = %(store)s AND lower(p.sku) = lower(%(sku)s) AND l.code = %(location)s"
)
_LOCK_PRODUCT = "SELECT id FROM inventory WHERE product_id = %(product)s ORDER BY id FOR NO KEY UPDATE"
_CHANGE = (
    "UPDATE inventory SET quantity = quantity + %(dq)s, reserved_quantity = reserved_quantity + %(dr)s, "
    "updated_at = %(now)s WHERE id = %(row)s AND reserved_quantity + %(dr)s >= 0 "
    "AND quantity + %(dq)s >= reserved_quantity + %(dr)s RETURNING quantity, reserved_quantity"
)
_HOLD = (
    "INSERT INTO inventory_reservations (inventory_id, location_id, order_id, order_item_id, quantity_reserved, "
    "quantity_fulfilled, quantity_released, status, notes, created_by, reserved_at, updated_at) "
    "VALUES (%(row)s, %(location)s, NULL, NULL, %(n)s, 0, 0, 'active', NULL, 'perf', %(now)s, %(now)s)"
)
# Units arriving may fill a waiting order line: the question a transfer must ask (one indexed read).
_WAITING = (
    "SELECT oi.id FROM order_items oi JOIN orders o ON o.id = oi.order_id "
    "WHERE oi.product_id = %(product)s AND o.status IN ('processing', 'partially_shipped') LIMIT 1"
)


def _ledger(raw: RawConnection, cursor: Any, slot: tuple[Any, ...], kind: str, dq: int, dr: int,
            after: tuple[Any, ...], now: Any, *, order: int | None = None, number: str | None = None,
            reason: str | None = None) -> None:
    """The ledger row of one stock change; ``slot`` is (store, product, location, stock row)."""
    store, product, location, _row = slot
    raw.run(cursor, _LEDGER, {
        "store": store, "product": product, "location": location, "kind": kind, "dq": dq, "dr": dr,
        "qa": after[0], "ra": after[1], "order": order, "number": number, "reason": reason, "now": now,
    })


def raw_reserve(raw: RawConnection, sku: str, location: str, n: int) -> None:
    """A manual hold (``stock reserve``): the row found, locked with its product's rows, changed, written down."""
    cursor = raw.begin()
    try:
        now = raw.now()
        slot = raw.one(cursor, _SLOT, {"store": "MAIN", "sku": sku, "location": location})
        if not raw.sqlite:
            cursor.execute(raw.sql(_LOCK_PRODUCT), {"product": slot[1]}).fetchall()
        after = raw.one(cursor, _CHANGE, {"dq": 0, "dr": n, "now": now, "row": slot[3]})
        _ledger(raw, cursor, slot, "reserve", 0, n, after, now)
        raw.run(cursor, _HOLD, {"row": slot[3], "location": slot[2], "n": n, "now": now})
        raw.commit()
    except BaseException:
        raw.rollback()
        raise


def raw_transfer(raw: RawConnection, sku: str, source: str, destination: str, n: int) -> None:
    """Move ``n`` available units: both rows locked (ascending), changed in id order, two ledger rows."""
    cursor = raw.begin()
    try:
        now = raw.now()
        out_slot = raw.one(cursor, _SLOT, {"store": "MAIN", "sku": sku, "location": source})
        in_slot = raw.one(cursor, _SLOT, {"store": "MAIN", "sku": sku, "location": destination})
        if not raw.sqlite:
            cursor.execute(raw.sql(_LOCK_PRODUCT), {"product": out_slot[1]}).fetchall()
        for slot in sorted((out_slot, in_slot), key=lambda s: int(s[3])):
            delta = -n if slot is out_slot else n
            after = raw.one(cursor, _CHANGE, {"dq": delta, "dr": 0, "now": now, "row": slot[3]})
            _ledger(raw, cursor, slot, "transfer_out" if delta < 0 else "transfer_in", delta, 0, after, now)
        cursor.execute(raw.sql(_WAITING), {"product": out_slot[1]}).fetchall()
        raw.commit()
    except BaseException:
        raw.rollback()
        raise


_PENDING_ITEM = (
    "SELECT oi.id, oi.product_id, p.store_id, oi.quantity - oi.shipped_quantity FROM order_items oi "
    "JOIN products p ON p.id = oi.product_id WHERE oi.order_id = %(order)s"
)
_STOCK_AT = (
    "SELECT i.id, l.id, l.code FROM inventory i JOIN locations l ON l.id = i.location_id "
    "WHERE i.product_id = %(product)s AND l.is_active AND i.quantity - i.reserved_quantity >= %(n)s "
    "ORDER BY l.sort_key, l.code LIMIT 1"
)
_ORDER_HOLD = (
    "INSERT INTO inventory_reservations (inventory_id, location_id, order_id, order_item_id, quantity_reserved, "
    "quantity_fulfilled, quantity_released, status, notes, created_by, reserved_at, updated_at) "
    "VALUES (%(row)s, %(location)s, %(order)s, %(item)s, %(n)s, 0, 0, 'active', 'order processing', 'perf', "
    "%(now)s, %(now)s)"
)
_ORDER_PROCESSING = (
    "UPDATE orders SET status = 'processing', processing_at = %(now)s, updated_at = %(now)s WHERE id = %(order)s"
)
_HISTORY_ROW = (
    "INSERT INTO order_history (order_id, action, old_status, new_status, description, created_by, created_at) "
    "VALUES (%(order)s, %(action)s, %(old)s, %(new)s, %(text)s, 'perf', %(now)s)"
)


def raw_process_order(raw: RawConnection, order_number: str) -> None:
    """``order status processing`` of a pending one-line order whose stock is at one shelf."""
    cursor = raw.begin()
    try:
        now = raw.now()
        order_id, status = raw.one(cursor, _LOCK_ORDER, {"number": order_number})
        cursor.execute(raw.sql(_LOCK_STOCK), {"order": order_id}).fetchall()
        item, product, store, n = raw.one(cursor, _PENDING_ITEM, {"order": order_id})
        row, location, code = raw.one(cursor, _STOCK_AT, {"product": product, "n": n})
        after = raw.one(cursor, _CHANGE, {"dq": 0, "dr": n, "now": now, "row": row})
        _ledger(raw, cursor, (store, product, location, None), "reserve", 0, n, after, now,
                order=order_id, number=order_number, reason="order processing")
        raw.run(cursor, _ORDER_HOLD, {"row": row, "location": location, "order": order_id, "item": item, "n": n,
                                      "now": now})
        raw.run(cursor, _ORDER_PROCESSING, {"now": now, "order": order_id})
        for action, old, new, text in (
            ("processing_started", status, "processing", f"Reserved {n} units."),
            ("inventory_reserved", None, None, f"Reserved {n} at {code}."),
        ):
            raw.run(cursor, _HISTORY_ROW, {"order": order_id, "action": action, "old": old, "new": new, "text": text,
                                           "now": now})
        raw.commit()
    except BaseException:
        raw.rollback()
        raise


# The oldest order line still missing units of a product (what a stock increase must fill first).
_OLDEST_WAITING = (
    "SELECT o.id, o.order_number, oi.id, oi.quantity - oi.shipped_quantity - COALESCE(("
    "SELECT SUM(r.quantity_reserved - r.quantity_fulfilled - r.quantity_released) FROM inventory_reservations r "
    "WHERE r.order_item_id = oi.id AND r.status = 'active'), 0) AS missing "
    "FROM order_items oi JOIN orders o ON o.id = oi.order_id "
    "WHERE oi.product_id = %(product)s AND o.status IN ('processing', 'partially_shipped') "
    "AND oi.quantity - oi.shipped_quantity > COALESCE(("
    "SELECT SUM(r.quantity_reserved - r.quantity_fulfilled - r.quantity_released) FROM inventory_reservations r "
    "WHERE r.order_item_id = oi.id AND r.status = 'active'), 0) "
    "ORDER BY o.created_at, o.id, oi.id LIMIT 1"
)


def raw_restock_for_backorder(raw: RawConnection, sku: str, location: str, n: int) -> None:
    """``stock adjust +n`` where an order waits for the product: the units arrive (ledger row), then go
    to the oldest waiting line (a reservation for it, its ledger row, the order's history row)."""
    cursor = raw.begin()
    try:
        now = raw.now()
        slot = raw.one(cursor, _SLOT, {"store": "MAIN", "sku": sku, "location": location})
        store, product, location_id, row = slot
        if not raw.sqlite:
            cursor.execute(raw.sql(_LOCK_PRODUCT), {"product": product}).fetchall()
        after = raw.one(cursor, _CHANGE, {"dq": n, "dr": 0, "now": now, "row": row})
        _ledger(raw, cursor, slot, "adjust", n, 0, after, now)
        order_id, order_number, item, missing = raw.one(cursor, _OLDEST_WAITING, {"product": product})
        take = min(n, int(missing))
        after = raw.one(cursor, _CHANGE, {"dq": 0, "dr": take, "now": now, "row": row})
        _ledger(raw, cursor, (store, product, location_id, None), "reserve", 0, take, after, now,
                order=order_id, number=order_number, reason="backorder allocated")
        raw.run(cursor, _ORDER_HOLD, {"row": row, "location": location_id, "order": order_id, "item": item,
                                      "n": take, "now": now})
        raw.run(cursor, _HISTORY_ROW, {"order": order_id, "action": "inventory_reserved", "old": None, "new": None,
                                       "text": f"Backorder of {sku}: reserved {take} ({take} at {location}) from "
                                               "new stock.", "now": now})
        raw.commit()
    except BaseException:
        raw.rollback()
        raise


_RETURN_ITEM = (
    "SELECT oi.id, oi.product_id, p.store_id, oi.shipped_quantity - oi.returned_quantity, p.sku "
    "FROM order_items oi JOIN products p ON p.id = oi.product_id WHERE oi.order_id = %(order)s"
)
_ROW_AT = (
    "SELECT l.id, i.id FROM locations l JOIN inventory i ON i.location_id = l.id AND i.product_id = %(product)s "
    "WHERE l.code = %(location)s"
)
_RETURNED_UNITS = (
    "UPDATE order_items SET returned_quantity = returned_quantity + %(n)s "
    "WHERE id = %(item)s AND returned_quantity + %(n)s <= shipped_quantity"
)


def raw_return(raw: RawConnection, order_number: str, location: str, n: int) -> None:
    """``order return`` of ``n`` shipped units of a one-line order back onto the shelf at ``location``:
    the stock comes back with its ledger row, the line counts them returned, the order's history
    says so, and waiting orders are asked about (as any stock increase does)."""
    cursor = raw.begin()
    try:
        now = raw.now()
        order_id, _status = raw.one(cursor, _LOCK_ORDER, {"number": order_number})
        cursor.execute(raw.sql(_LOCK_STOCK), {"order": order_id}).fetchall()
        item, product, store, returnable, sku = raw.one(cursor, _RETURN_ITEM, {"order": order_id})
        assert returnable >= n, "the raw return expects the units shipped"
        location_id, row = raw.one(cursor, _ROW_AT, {"product": product, "location": location})
        after = raw.one(cursor, _CHANGE, {"dq": n, "dr": 0, "now": now, "row": row})
        _ledger(raw, cursor, (store, product, location_id, None), "return", n, 0, after, now,
                order=order_id, number=order_number, reason="customer return")
        assert raw.run(cursor, _RETURNED_UNITS, {"n": n, "item": item}) == 1
        raw.run(cursor, _HISTORY_ROW, {"order": order_id, "action": "returned", "old": None, "new": None,
                                       "text": f"Returned {n} {sku} back to {location}.", "now": now})
        cursor.execute(raw.sql(_WAITING), {"product": product}).fetchall()
        raw.commit()
    except BaseException:
        raw.rollback()
        raise


_EXPIRED = (
    "SELECT id, order_number FROM orders WHERE status = 'processing' AND reservation_expires_at < %(cutoff)s "
    "ORDER BY id FOR NO KEY UPDATE"
)
_LOCK_ORDERS_STOCK = (
    "SELECT id FROM inventory WHERE product_id IN "
    "(SELECT product_id FROM order_items WHERE order_id = ANY(%(orders)s)) ORDER BY id FOR NO KEY UPDATE"
)
_ORDER_HOLDS = (
    "SELECT r.id, r.inventory_id, r.location_id, r.quantity_reserved - r.quantity_fulfilled - r.quantity_released, "
    "i.store_id, i.product_id FROM inventory_reservations r JOIN inventory i ON i.id = r.inventory_id "
    "WHERE r.order_id = %(order)s AND r.status = 'active' ORDER BY r.id"
)
_RELEASE_HOLD = (
    "UPDATE inventory_reservations SET quantity_released = quantity_released + %(n)s, status = 'released', "
    "released_at = %(now)s, updated_at = %(now)s WHERE id = %(id)s"
)
_BACK_TO_PENDING = (
    "UPDATE orders SET status = 'pending', reservation_expires_at = NULL, updated_at = %(now)s WHERE id = %(order)s"
)


def raw_expire(raw: RawConnection, cutoff: Any) -> int:
    """``order expire``: every processing order whose deadline is before ``cutoff`` gives its held units
    back (ledger rows, reservations released) and goes back to pending with a history row; the orders,
    then their products' stock rows, are locked first. Returns the number of orders expired."""
    cursor = raw.begin()
    try:
        now = raw.now()
        orders = [tuple(row) for row in cursor.execute(raw.sql(_EXPIRED), {"cutoff": cutoff}).fetchall()]
        if orders and not raw.sqlite:
            cursor.execute(_LOCK_ORDERS_STOCK, {"orders": [order_id for order_id, _ in orders]}).fetchall()
        for order_id, order_number in orders:
            holds = cursor.execute(raw.sql(_ORDER_HOLDS), {"order": order_id}).fetchall()
            units = 0
            for hold, row, location, n, store, product in holds:
                after = raw.one(cursor, _CHANGE, {"dq": 0, "dr": -n, "now": now, "row": row})
                _ledger(raw, cursor, (store, product, location, None), "release", 0, -n, after, now,
                        order=order_id, number=order_number, reason="reservation expired")
                raw.run(cursor, _RELEASE_HOLD, {"n": n, "now": now, "id": hold})
                units += n
            raw.run(cursor, _BACK_TO_PENDING, {"now": now, "order": order_id})
            raw.run(cursor, _HISTORY_ROW, {
                "order": order_id, "action": "inventory_released", "old": "processing", "new": "pending",
                "text": f"Reservation expired; released {units} units and moved back to pending.", "now": now,
            })
        raw.commit()
        return len(orders)
    except BaseException:
        raw.rollback()
        raise


_HELD_ITEMS = (
    "SELECT oi.id, oi.product_id, p.store_id, oi.quantity - oi.shipped_quantity, r.id, r.inventory_id, "
    "r.location_id, r.quantity_reserved - r.quantity_fulfilled - r.quantity_released, p.sku "
    "FROM order_items oi JOIN products p ON p.id = oi.product_id "
    "JOIN inventory_reservations r ON r.order_item_id = oi.id AND r.status = 'active' "
    "WHERE oi.order_id = %(order)s ORDER BY oi.id"
)


def raw_ship_order(raw: RawConnection, order_number: str) -> None:
    """``order status shipped`` of a processing order whose every line is reserved at one shelf: one
    shipment with a line per item, each line's units out of stock (ledger rows, reservations
    fulfilled), the order shipped with one history row. Locks as the service does."""
    cursor = raw.begin()
    try:
        now = raw.now()
        order_id, status = raw.one(cursor, _LOCK_ORDER, {"number": order_number})
        cursor.execute(raw.sql(_LOCK_STOCK), {"order": order_id}).fetchall()
        items = cursor.execute(raw.sql(_HELD_ITEMS), {"order": order_id}).fetchall()
        shipment_number = f"SHP-{order_number.removeprefix('ORD-')}-1"
        shipment = raw.one(cursor, _SHIPMENT, {"shipment": shipment_number, "order": order_id, "now": now})[0]
        shipped = []
        for item, product, store, n, reservation, row, location, held, sku in items:
            assert held == n, "the raw ship expects every line reserved whole"
            quantity, reserved = raw.one(cursor, _FULFIL, {"n": n, "now": now, "row": row})
            _ledger(raw, cursor, (store, product, location, None), "fulfill", -n, -n, (quantity, reserved), now,
                    order=order_id, number=order_number, reason="shipped")
            raw.run(cursor, _SETTLE, {"n": n, "now": now, "id": reservation, "status": "fulfilled"})
            raw.run(cursor, _SHIPMENT_LINE, {"shipment": shipment, "item": item, "location": location, "n": n})
            assert raw.run(cursor, _SHIPPED_UNITS, {"n": n, "item": item}) == 1
            shipped.append(f"{n} {sku}")
        raw.run(cursor, _ORDER_SHIPPED, {"now": now, "order": order_id})
        raw.run(cursor, _HISTORY, {
            "order": order_id, "old": status, "new": "shipped",
            "text": f"Shipment {shipment_number}: shipped {', '.join(shipped)}.", "now": now,
        })
        raw.commit()
    except BaseException:
        raw.rollback()
        raise
