"""PostgreSQL only: shipping order lines from their reservations as one server-side function (issue 12)

Revision ID: 0010_ship_function
Revises: 0009_held_stock_functions
Create Date: 2026-12-05 21:40:00.000000

A ship through the services was eleven statements on PostgreSQL (lock the order and its stock
rows, read the items, write the shipment, fulfil each stock row with its ledger row, settle the
reservations, write the shipment lines and shipped units, the status and the history), each a
round trip with Python's work in between while the rows stayed locked. With eight packers on
two cores that work, not the database, set the pace. ``orion_ship_lines`` does the same
statements on the server, in one call.

It ships only the common case: an order in processing or partially shipped, without open
parcels, each named line (or, with no quantities given, every line with units left: a person's
"shipped") of a physical product, shipped from its own reservations, which cover
the units asked for and no more than remain to ship. Anything else (an order to take through
processing first, a parcel to shrink, a location the packer picked, units to take from free
stock, a surplus reservation to release, a line named twice, a refusal to word) returns no row
before anything is written, and the service runs its careful path in the same transaction.

The rules are the service's own (services/orders/transitions.py ``ship_units``), stated once
more in SQL, and held to by the same tests on both databases: the locks in the same order (the
order row, then its products' stock rows by ascending id), the conditional stock UPDATE with its
ledger row, the reservations settled row by row in id order and oldest first, the shipment
numbered after the order's shipments so far, the status and its time stamp, one history row.
SECURITY INVOKER: the calling login's row-level security applies to every statement.

SQLite: nothing to do (one writer at a time, no round trips).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = '0010_ship_function'
down_revision: str | None = '0009_held_stock_functions'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SHIP_LINES = """
CREATE OR REPLACE FUNCTION orion_ship_lines(
    p_order varchar, p_item_ids integer[], p_refs varchar[], p_gtins varchar[], p_quantities integer[],
    p_tracking varchar, p_carrier varchar, p_actor varchar, p_key varchar, p_now timestamptz
) RETURNS TABLE (
    order_id integer, shipment_id integer, old_status varchar, new_status varchar, item_id integer,
    product_id integer, sku varchar, units integer, shipped_after integer, ordered integer,
    location_code varchar, row_units integer
)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
#variable_conflict use_column
DECLARE
    ord record;
    item record;
    grp record;
    hold record;
    i integer;
    k integer;
    wanted integer;
    taken integer;
    amount integer;
    left_to_settle integer;
    take integer;
    held integer;
    shipments_so_far integer;
    open_parcels integer;
    total_units integer := 0;
    what text := '';
    status_after varchar;
    ship_id integer;
    ship_number varchar;
    quantity_now integer;
    reserved_now integer;
    -- The plan, one entry per line shipped (in the order asked) ...
    line_items integer[] := '{}';
    line_products integer[] := '{}';
    line_units integer[] := '{}';
    line_shipped integer[] := '{}';
    line_ordered integer[] := '{}';
    line_skus varchar[] := '{}';
    -- ... and one per stock row a line takes units from (by ascending row id within a line).
    row_line integer[] := '{}';
    row_ids integer[] := '{}';
    row_locations integer[] := '{}';
    row_codes varchar[] := '{}';
    row_stores integer[] := '{}';
    row_amounts integer[] := '{}';
BEGIN
    -- p_quantities NULL: every line with units left to ship, all of them (a person's "shipped").
    -- The locks of every order write (services/orders/service.py lock_order), in the same order.
    SELECT o.id, o.store_id, o.order_number, o.status INTO ord
      FROM orders o WHERE order_number = p_order FOR NO KEY UPDATE;
    IF NOT FOUND OR ord.status NOT IN ('processing', 'partially_shipped') THEN
        RETURN;
    END IF;
    PERFORM 1 FROM inventory
     WHERE product_id IN (SELECT oi.product_id FROM order_items oi WHERE oi.order_id = ord.id)
     ORDER BY id FOR NO KEY UPDATE;
    SELECT count(*), count(*) FILTER (WHERE s.status IN ('pending', 'picking', 'packing', 'ready_to_ship'))
      INTO shipments_so_far, open_parcels
      FROM shipments s WHERE s.order_id = ord.id;
    IF open_parcels > 0 THEN
        RETURN;  -- they may promise these units: the careful path shrinks them
    END IF;
    IF p_quantities IS NULL THEN
        SELECT array_agg(oi.id ORDER BY oi.id) INTO p_item_ids
          FROM order_items oi WHERE oi.order_id = ord.id AND oi.quantity > oi.shipped_quantity;
        p_quantities := array_fill(NULL::integer, ARRAY[cardinality(p_item_ids)]);
    END IF;
    IF coalesce(cardinality(p_quantities), 0) = 0 THEN
        RETURN;
    END IF;

    -- Plan, writing nothing: any line outside the common case sends the whole ship to the careful path.
    FOR i IN 1 .. cardinality(p_quantities) LOOP
        IF p_item_ids[i] IS NOT NULL THEN
            SELECT oi.id, oi.quantity, oi.shipped_quantity, p.id AS product_id, p.store_id, p.sku, p.product_type,
                   p.is_placeholder
              INTO item
              FROM order_items oi JOIN products p ON p.id = oi.product_id
             WHERE oi.order_id = ord.id AND oi.id = p_item_ids[i];
        ELSE  -- a SKU in any case first (the first line in id order), then a GTIN
            SELECT oi.id, oi.quantity, oi.shipped_quantity, p.id AS product_id, p.store_id, p.sku, p.product_type,
                   p.is_placeholder
              INTO item
              FROM order_items oi JOIN products p ON p.id = oi.product_id
             WHERE oi.order_id = ord.id AND (lower(p.sku) = lower(p_refs[i]) OR p.gtin = p_gtins[i])
             ORDER BY lower(p.sku) = lower(p_refs[i]) DESC, oi.id
             LIMIT 1;
        END IF;
        IF NOT FOUND OR item.id = ANY(line_items) OR item.is_placeholder OR item.product_type <> 'physical' THEN
            RETURN;
        END IF;
        wanted := coalesce(p_quantities[i], item.quantity - item.shipped_quantity);
        IF wanted <= 0 OR wanted > item.quantity - item.shipped_quantity THEN
            RETURN;
        END IF;
        -- Its reservations by stock row, ascending (a row deleted since: no row, last): the units come
        -- from the first ones; all of them together may not hold more than remains to ship.
        taken := 0;
        held := 0;
        FOR grp IN
            SELECT r.inventory_id, sum(r.quantity_reserved - r.quantity_fulfilled - r.quantity_released) AS open,
                   inv.location_id, l.code, inv.quantity, inv.reserved_quantity
              FROM inventory_reservations r
              LEFT JOIN inventory inv ON inv.id = r.inventory_id
              LEFT JOIN locations l ON l.id = inv.location_id
             WHERE r.order_item_id = item.id AND r.status = 'active'
             GROUP BY r.inventory_id, inv.location_id, l.code, inv.quantity, inv.reserved_quantity
             ORDER BY r.inventory_id NULLS LAST
        LOOP
            held := held + grp.open;
            CONTINUE WHEN taken = wanted OR grp.inventory_id IS NULL;
            amount := least(grp.open, wanted - taken);
            IF amount <= 0 OR grp.inventory_id = ANY(row_ids) OR grp.reserved_quantity < amount
               OR grp.quantity < grp.reserved_quantity THEN
                RETURN;
            END IF;
            row_line := row_line || (cardinality(line_items) + 1);
            row_ids := row_ids || grp.inventory_id;
            row_locations := row_locations || grp.location_id;
            row_codes := row_codes || grp.code;
            row_stores := row_stores || item.store_id;
            row_amounts := row_amounts || amount;
            taken := taken + amount;
        END LOOP;
        IF taken < wanted OR held > item.quantity - item.shipped_quantity THEN
            RETURN;  -- free stock to take, or a surplus reservation to release: the careful path
        END IF;
        line_items := line_items || item.id;
        line_products := line_products || item.product_id;
        line_units := line_units || wanted;
        line_shipped := line_shipped || (item.shipped_quantity + wanted);
        line_ordered := line_ordered || item.quantity;
        line_skus := line_skus || item.sku;
        what := what || CASE WHEN i > 1 THEN ', ' ELSE '' END || wanted || ' ' || item.sku;
        total_units := total_units + wanted;
    END LOOP;

    -- Write: the shipment, numbered after the order's shipments so far (the order row is locked).
    INSERT INTO shipments (shipment_number, order_id, status, tracking_number, carrier, created_by, created_at,
                           shipped_at)
    VALUES ('SHP-' || CASE WHEN left(ord.order_number, 4) = 'ORD-' THEN substr(ord.order_number, 5)
                           ELSE ord.order_number END || '-' || (shipments_so_far + 1),
            ord.id, 'shipped', p_tracking, p_carrier, p_actor, p_now, p_now)
    RETURNING id, shipment_number INTO ship_id, ship_number;
    FOR k IN 1 .. cardinality(row_ids) LOOP
        UPDATE inventory
           SET quantity = quantity - row_amounts[k], reserved_quantity = reserved_quantity - row_amounts[k],
               updated_at = p_now
         WHERE id = row_ids[k] AND reserved_quantity >= row_amounts[k] AND quantity >= reserved_quantity
        RETURNING quantity, reserved_quantity INTO quantity_now, reserved_now;
        IF NOT FOUND THEN  -- checked above under the row locks: a broken promise, never a refusal
            RAISE EXCEPTION 'orion_ship_lines: stock row % refused a planned fulfilment', row_ids[k];
        END IF;
        INSERT INTO inventory_transactions (
            store_id, product_id, location_id, transaction_type, order_id, order_number, reason, created_by,
            operation_key, quantity_change, reserved_change, quantity_after, reserved_after, created_at)
        VALUES (row_stores[k], line_products[row_line[k]], row_locations[k], 'fulfill', ord.id, ord.order_number,
                'shipped', p_actor, p_key, -row_amounts[k], -row_amounts[k], quantity_now, reserved_now, p_now);
        left_to_settle := row_amounts[k];
        FOR hold IN
            SELECT r.id, r.quantity_reserved - r.quantity_fulfilled - r.quantity_released AS open
              FROM inventory_reservations r
             WHERE r.order_item_id = line_items[row_line[k]] AND r.inventory_id = row_ids[k] AND r.status = 'active'
             ORDER BY r.id
        LOOP
            EXIT WHEN left_to_settle = 0;
            take := least(hold.open, left_to_settle);
            UPDATE inventory_reservations
               SET quantity_fulfilled = quantity_fulfilled + take, fulfilled_at = p_now, updated_at = p_now,
                   status = CASE WHEN quantity_reserved - quantity_fulfilled - quantity_released - take > 0
                                 THEN 'active' ELSE 'fulfilled' END
             WHERE id = hold.id;
            left_to_settle := left_to_settle - take;
        END LOOP;
        INSERT INTO shipment_lines (shipment_id, order_item_id, location_id, quantity)
        VALUES (ship_id, line_items[row_line[k]], row_locations[k], row_amounts[k]);
    END LOOP;
    FOR i IN 1 .. cardinality(line_items) LOOP
        UPDATE order_items SET shipped_quantity = shipped_quantity + line_units[i]
         WHERE id = line_items[i] AND shipped_quantity + line_units[i] <= quantity;
    END LOOP;

    -- The order: tracking, status with its time stamp, and one history row.
    SELECT CASE WHEN sum(oi.quantity) > 0 AND sum(oi.shipped_quantity) >= sum(oi.quantity)
                THEN 'shipped' ELSE 'partially_shipped' END
      INTO status_after
      FROM order_items oi WHERE oi.order_id = ord.id;
    IF p_tracking IS NOT NULL OR p_carrier IS NOT NULL THEN
        UPDATE orders SET tracking_number = coalesce(p_tracking, tracking_number),
                          carrier = coalesce(p_carrier, carrier)
         WHERE id = ord.id;
    END IF;
    IF status_after <> ord.status THEN
        UPDATE orders
           SET status = status_after, updated_at = p_now,
               partially_shipped_at = CASE WHEN status_after = 'partially_shipped' THEN p_now
                                           ELSE partially_shipped_at END,
               shipped_at = CASE WHEN status_after = 'shipped' THEN p_now ELSE shipped_at END
         WHERE id = ord.id;
    END IF;
    INSERT INTO order_history (order_id, action, old_status, new_status, description, created_by, created_at)
    VALUES (ord.id, 'shipped', ord.status, status_after,
            'Shipment ' || ship_number || ': shipped ' || what || ' (' || total_units
            || CASE WHEN total_units = 1 THEN ' unit' ELSE ' units' END || ')'
            || CASE WHEN p_tracking IS NOT NULL THEN ', tracking ' || p_tracking ELSE '' END || '.',
            p_actor, p_now);
    -- One row per stock row the units left from, with its line (a line with two rows comes twice).
    RETURN QUERY
        SELECT ord.id, ship_id, ord.status, status_after, line_items[row_line[r]], line_products[row_line[r]],
               line_skus[row_line[r]], line_units[row_line[r]], line_shipped[row_line[r]], line_ordered[row_line[r]],
               row_codes[r], row_amounts[r]
          FROM generate_subscripts(row_ids, 1) AS r
         ORDER BY r;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.get_bind().execute(text(_SHIP_LINES))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.get_bind().execute(text("DROP FUNCTION IF EXISTS orion_ship_lines"))
