"""PostgreSQL only: the ship function with fewer statements on the server (issue 12)

Revision ID: 0011_leaner_ship_function
Revises: 0010_ship_function
Create Date: 2026-12-06 02:40:00.000000

With eight packers on two cores the server's CPU sets the pace of shipping, and ``orion_ship_lines``
(migration 0010) cost it about a fifth more than the hand-written statements: sixteen statements
for a one-line ship against eleven. This version ships exactly the same rows with thirteen:

- the order's shipments so far, its open parcels and its units ordered and shipped are one
  statement, read after the order row is locked (so they see every ship committed before it);
- each line's holds are read one by one in the plan, with their stock rows, so the write loop
  settles them by id without reading them again;
- the status follows from the units read at the start and the units shipped now, without
  summing the items again after the write;
- the rows are handed back with RETURN NEXT instead of one more query.

Anything unusual still returns no row before anything is written (the careful path ships it):
now also a hold with no units open. The rules, the locks and their order are those of 0010;
``tests/integration/test_shipped_on_server.py`` compares every row it writes with the careful path's.

SQLite: nothing to do.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = '0011_leaner_ship_function'
down_revision: str | None = '0010_ship_function'
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
    hold record;
    i integer;
    k integer;
    h integer;
    wanted integer;
    taken integer;
    take integer;
    held integer;
    shipments_so_far integer;
    open_parcels integer;
    units_ordered bigint;
    units_shipped bigint;
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
    -- ... one per stock row a line takes units from (by ascending row id within a line) ...
    row_line integer[] := '{}';
    row_ids integer[] := '{}';
    row_locations integer[] := '{}';
    row_codes varchar[] := '{}';
    row_stores integer[] := '{}';
    row_amounts integer[] := '{}';
    -- ... and one per hold settled (by id within a stock row), with the units it gives.
    hold_rows integer[] := '{}';
    hold_ids integer[] := '{}';
    hold_takes integer[] := '{}';
BEGIN
    -- The locks of every order write (services/orders/service.py lock_order), in the same order.
    SELECT o.id, o.store_id, o.order_number, o.status INTO ord
      FROM orders o WHERE order_number = p_order FOR NO KEY UPDATE;
    IF NOT FOUND OR ord.status NOT IN ('processing', 'partially_shipped') THEN
        RETURN;
    END IF;
    PERFORM 1 FROM inventory
     WHERE product_id IN (SELECT oi.product_id FROM order_items oi WHERE oi.order_id = ord.id)
     ORDER BY id FOR NO KEY UPDATE;
    -- A statement of its own, after the lock: it sees every write committed before the lock was ours.
    SELECT (SELECT count(*) FROM shipments s WHERE s.order_id = ord.id),
           (SELECT count(*) FROM shipments s
             WHERE s.order_id = ord.id AND s.status IN ('pending', 'picking', 'packing', 'ready_to_ship')),
           (SELECT sum(oi.quantity) FROM order_items oi WHERE oi.order_id = ord.id),
           (SELECT sum(oi.shipped_quantity) FROM order_items oi WHERE oi.order_id = ord.id)
      INTO shipments_so_far, open_parcels, units_ordered, units_shipped;
    IF open_parcels > 0 THEN
        RETURN;  -- they may promise these units: the careful path shrinks them
    END IF;
    -- p_quantities NULL: every line with units left to ship, all of them (a person's "shipped").
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
        -- Its holds by stock row, ascending (a row deleted since: no row, last), oldest first within a row:
        -- the units come from the first ones; all of them together may not hold more than remains to ship.
        taken := 0;
        held := 0;
        FOR hold IN
            SELECT r.id, r.inventory_id, r.quantity_reserved - r.quantity_fulfilled - r.quantity_released AS open,
                   inv.location_id, l.code, inv.quantity, inv.reserved_quantity
              FROM inventory_reservations r
              LEFT JOIN inventory inv ON inv.id = r.inventory_id
              LEFT JOIN locations l ON l.id = inv.location_id
             WHERE r.order_item_id = item.id AND r.status = 'active'
             ORDER BY r.inventory_id NULLS LAST, r.id
        LOOP
            IF hold.open <= 0 THEN
                RETURN;  -- an active hold with nothing open: the careful path settles it
            END IF;
            held := held + hold.open;
            CONTINUE WHEN taken = wanted OR hold.inventory_id IS NULL;
            take := least(hold.open, wanted - taken);
            IF cardinality(row_ids) = 0 OR row_ids[cardinality(row_ids)] <> hold.inventory_id
               OR row_line[cardinality(row_line)] <> cardinality(line_items) + 1 THEN
                IF hold.inventory_id = ANY(row_ids) THEN
                    RETURN;  -- two lines from one stock row: the careful path
                END IF;
                row_line := row_line || (cardinality(line_items) + 1);
                row_ids := row_ids || hold.inventory_id;
                row_locations := row_locations || hold.location_id;
                row_codes := row_codes || hold.code;
                row_stores := row_stores || item.store_id;
                row_amounts := row_amounts || 0;
            END IF;
            k := cardinality(row_ids);
            row_amounts[k] := row_amounts[k] + take;
            IF hold.reserved_quantity < row_amounts[k] OR hold.quantity < hold.reserved_quantity THEN
                RETURN;
            END IF;
            hold_rows := hold_rows || k;
            hold_ids := hold_ids || hold.id;
            hold_takes := hold_takes || take;
            taken := taken + take;
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
        FOR h IN 1 .. cardinality(hold_ids) LOOP
            CONTINUE WHEN hold_rows[h] <> k;
            UPDATE inventory_reservations
               SET quantity_fulfilled = quantity_fulfilled + hold_takes[h], fulfilled_at = p_now, updated_at = p_now,
                   status = CASE WHEN quantity_reserved - quantity_fulfilled - quantity_released - hold_takes[h] > 0
                                 THEN 'active' ELSE 'fulfilled' END
             WHERE id = hold_ids[h];
        END LOOP;
        INSERT INTO shipment_lines (shipment_id, order_item_id, location_id, quantity)
        VALUES (ship_id, line_items[row_line[k]], row_locations[k], row_amounts[k]);
    END LOOP;
    FOR i IN 1 .. cardinality(line_items) LOOP
        UPDATE order_items SET shipped_quantity = shipped_quantity + line_units[i]
         WHERE id = line_items[i] AND shipped_quantity + line_units[i] <= quantity;
        IF NOT FOUND THEN  -- planned under the order's lock: a broken promise, never a refusal
            RAISE EXCEPTION 'orion_ship_lines: order line % refused % units', line_items[i], line_units[i];
        END IF;
    END LOOP;

    -- The order: tracking, status with its time stamp (from the units read under the lock), one history row.
    status_after := CASE WHEN units_ordered > 0 AND units_shipped + total_units >= units_ordered
                         THEN 'shipped' ELSE 'partially_shipped' END;
    IF status_after <> ord.status OR p_tracking IS NOT NULL OR p_carrier IS NOT NULL THEN
        UPDATE orders
           SET tracking_number = coalesce(p_tracking, tracking_number), carrier = coalesce(p_carrier, carrier),
               status = status_after,
               updated_at = CASE WHEN status_after <> ord.status THEN p_now ELSE updated_at END,
               partially_shipped_at = CASE WHEN status_after <> ord.status AND status_after = 'partially_shipped'
                                           THEN p_now ELSE partially_shipped_at END,
               shipped_at = CASE WHEN status_after <> ord.status AND status_after = 'shipped'
                                 THEN p_now ELSE shipped_at END
         WHERE id = ord.id;
    END IF;
    INSERT INTO order_history (order_id, action, old_status, new_status, description, created_by, created_at)
    VALUES (ord.id, 'shipped', ord.status, status_after,
            'Shipment ' || ship_number || ': shipped ' || what || ' (' || total_units
            || CASE WHEN total_units = 1 THEN ' unit' ELSE ' units' END || ')'
            || CASE WHEN p_tracking IS NOT NULL THEN ', tracking ' || p_tracking ELSE '' END || '.',
            p_actor, p_now);
    -- One row per stock row the units left from, with its line (a line with two rows comes twice).
    FOR k IN 1 .. cardinality(row_ids) LOOP
        i := row_line[k];
        order_id := ord.id;
        shipment_id := ship_id;
        old_status := ord.status;
        new_status := status_after;
        item_id := line_items[i];
        product_id := line_products[i];
        sku := line_skus[i];
        units := line_units[i];
        shipped_after := line_shipped[i];
        ordered := line_ordered[i];
        location_code := row_codes[k];
        row_units := row_amounts[k];
        RETURN NEXT;
    END LOOP;
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
    # The function as 0010 made it: its text, from that migration's module.
    script = op.get_context().script
    assert script is not None
    before = script.get_revision("0010_ship_function")
    assert before is not None
    op.get_bind().execute(text(before.module._SHIP_LINES))
