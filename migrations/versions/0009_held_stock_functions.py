"""PostgreSQL only: reserve, release and fulfil by hand as server-side functions (issue 12)

Revision ID: 0009_held_stock_functions
Revises: 0008_operations_rls
Create Date: 2026-12-05 19:10:00.000000

A manual reserve, release or fulfil through the services took four to six round trips on
PostgreSQL (find the stock row, change it with its ledger row, read and settle the holds), each one
with Python's work in between while the row stayed locked. ``orion_hold_by_hand`` and
``orion_settle_by_hand`` do the same statements on the server, in one call: the service's
transaction is then BEGIN, the call, and the NOTIFY with the COMMIT.

The functions only do the common case and never explain a refusal: they return no row when the
stock row is not found (the service takes its careful, step-by-step path, which creates nothing
here and says exactly what is missing), and the outcome ``untracked`` or ``short`` without
changing anything when the product has no stock or the units are not there (the service's
careful path then words the refusal from the rows as they are). The rules are the service's own,
stated once more in SQL: the conditional UPDATE that keeps 0 <= reserved <= quantity, the ledger
row with the levels after the change, and the holds settled oldest first
(docs/ARCHITECTURE.md: stock changes). Both run as the calling login (SECURITY INVOKER), so its
row-level security applies as to any statement. The service tests run the same on both databases.

SQLite: nothing to do (its services run the statements themselves; there is no round trip).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = '0009_held_stock_functions'
down_revision: str | None = '0008_operations_rls'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The slot look-up of services/lookup.py (_slot_query): the product by SKU in any case, or by its
# GTIN unless another product of the store has that SKU; the location by its code. No row: nothing is
# returned (the careful path explains); a product without stock: the outcome ``untracked``.
_FIND_TRACKED_SLOT = """
    SELECT p.id AS product_id, p.store_id, s.code AS store_code, p.sku, p.title, p.product_type,
           p.is_placeholder, l.id AS location_id, i.id AS inventory_id
      INTO slot
      FROM products p
      JOIN stores s ON s.id = p.store_id
      JOIN locations l ON l.code = p_location
      JOIN inventory i ON i.product_id = p.id AND i.location_id = l.id
     WHERE s.code = p_store
       AND (lower(p.sku) = lower(p_sku)
            OR (p.gtin = p_gtin AND NOT EXISTS (
                  SELECT 1 FROM products other
                   WHERE other.store_id = p.store_id AND lower(other.sku) = lower(p_sku))))
     LIMIT 1;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF slot.is_placeholder OR slot.product_type <> 'physical' THEN
        RETURN QUERY SELECT {slot}, 'untracked'::text, NULL::integer, NULL::integer;
        RETURN;
    END IF;
"""

# The ledger row of the change, with the levels after it (``quantity_now``, ``reserved_now``).
_LEDGER_ROW = """INSERT INTO inventory_transactions (
        store_id, product_id, location_id, transaction_type, quantity_change, reserved_change,
        quantity_after, reserved_after, reason, created_by, created_at, operation_key)
    VALUES (slot.store_id, slot.product_id, slot.location_id, {kind}, {quantity_change}, {reserved_change},
            quantity_now, reserved_now, p_reason, p_actor, p_now, p_key);"""

_RESULT = """
    RETURNS TABLE (
        product_id integer, store_id integer, store_code varchar, sku varchar, title varchar,
        product_type varchar, is_placeholder boolean, location_id integer, inventory_id integer,
        outcome text, quantity_after integer, reserved_after integer
    )
"""

_SLOT = (
    "slot.product_id, slot.store_id, slot.store_code, slot.sku, slot.title, slot.product_type, slot.is_placeholder, "
    "slot.location_id, slot.inventory_id"
)

_DECLARE = """
    slot record;
    quantity_now integer;
    reserved_now integer;
"""

_HOLD_BY_HAND = f"""
CREATE OR REPLACE FUNCTION orion_hold_by_hand(
    p_store varchar, p_sku varchar, p_gtin varchar, p_location varchar, p_quantity integer,
    p_actor varchar, p_reason text, p_key varchar, p_now timestamptz
) {_RESULT}
LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
#variable_conflict use_column
DECLARE {_DECLARE}
BEGIN
    {_FIND_TRACKED_SLOT.format(slot=_SLOT)}    UPDATE inventory
       SET reserved_quantity = reserved_quantity + p_quantity, updated_at = p_now
     WHERE id = slot.inventory_id AND quantity >= reserved_quantity + p_quantity
    RETURNING quantity, reserved_quantity INTO quantity_now, reserved_now;
    IF NOT FOUND THEN
        RETURN QUERY SELECT {_SLOT}, 'short'::text, NULL::integer, NULL::integer;
        RETURN;
    END IF;
    {_LEDGER_ROW.format(kind="'reserve'", quantity_change='0', reserved_change='p_quantity')}
    INSERT INTO inventory_reservations (
        inventory_id, location_id, quantity_reserved, quantity_fulfilled, quantity_released, status,
        notes, created_by, reserved_at, updated_at)
    VALUES (slot.inventory_id, slot.location_id, p_quantity, 0, 0, 'active', p_reason, p_actor, p_now, p_now);
    RETURN QUERY SELECT {_SLOT}, 'done'::text, quantity_now, reserved_now;
END
$$
"""

_SETTLE_BY_HAND = f"""
CREATE OR REPLACE FUNCTION orion_settle_by_hand(
    p_kind varchar, p_store varchar, p_sku varchar, p_gtin varchar, p_location varchar, p_quantity integer,
    p_actor varchar, p_reason text, p_key varchar, p_now timestamptz
) {_RESULT}
LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
#variable_conflict use_column
DECLARE {_DECLARE}
    held integer;
    remaining integer := p_quantity;
    take integer;
    hold record;
    fulfilling boolean := p_kind = 'fulfill';
BEGIN
    IF p_kind NOT IN ('release', 'fulfill') THEN
        RAISE EXCEPTION 'orion_settle_by_hand: unknown kind %', p_kind;
    END IF;
    {_FIND_TRACKED_SLOT.format(slot=_SLOT)}    -- The stock row locked before its holds are read: two PCs settling at once queue up here, and
    -- the next statement (a new snapshot under READ COMMITTED) sees what the first one committed.
    PERFORM 1 FROM inventory WHERE id = slot.inventory_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN  -- deleted by another PC while this one waited
        RETURN;
    END IF;
    SELECT coalesce(sum(quantity_reserved - quantity_fulfilled - quantity_released), 0) INTO held
      FROM inventory_reservations
     WHERE inventory_id = slot.inventory_id AND status = 'active' AND order_item_id IS NULL;
    IF held < p_quantity THEN
        RETURN QUERY SELECT {_SLOT}, 'short'::text, NULL::integer, NULL::integer;
        RETURN;
    END IF;
    UPDATE inventory
       SET quantity = quantity - CASE WHEN fulfilling THEN p_quantity ELSE 0 END,
           reserved_quantity = reserved_quantity - p_quantity, updated_at = p_now
     WHERE id = slot.inventory_id AND reserved_quantity >= p_quantity
       AND quantity - CASE WHEN fulfilling THEN p_quantity ELSE 0 END >= reserved_quantity - p_quantity
    RETURNING quantity, reserved_quantity INTO quantity_now, reserved_now;
    IF NOT FOUND THEN
        RETURN QUERY SELECT {_SLOT}, 'short'::text, NULL::integer, NULL::integer;
        RETURN;
    END IF;
    {_LEDGER_ROW.format(kind='p_kind', quantity_change='CASE WHEN fulfilling THEN -p_quantity ELSE 0 END', reserved_change='-p_quantity')}
    -- Oldest hold first, as services/stock/reservations.py settles them.
    FOR hold IN
        SELECT id, quantity_reserved - quantity_fulfilled - quantity_released AS open
          FROM inventory_reservations
         WHERE inventory_id = slot.inventory_id AND status = 'active' AND order_item_id IS NULL
         ORDER BY id
    LOOP
        EXIT WHEN remaining = 0;
        take := least(hold.open, remaining);
        UPDATE inventory_reservations
           SET quantity_fulfilled = quantity_fulfilled + CASE WHEN fulfilling THEN take ELSE 0 END,
               quantity_released = quantity_released + CASE WHEN fulfilling THEN 0 ELSE take END,
               fulfilled_at = CASE WHEN fulfilling THEN p_now ELSE fulfilled_at END,
               released_at = CASE WHEN fulfilling THEN released_at ELSE p_now END,
               updated_at = p_now,
               status = CASE
                   WHEN quantity_reserved - quantity_fulfilled - quantity_released - take > 0 THEN 'active'
                   WHEN quantity_fulfilled + CASE WHEN fulfilling THEN take ELSE 0 END > 0 THEN 'fulfilled'
                   ELSE 'released' END
         WHERE id = hold.id;
        remaining := remaining - take;
    END LOOP;
    RETURN QUERY SELECT {_SLOT}, 'done'::text, quantity_now, reserved_now;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.get_bind().execute(text(_HOLD_BY_HAND))
    op.get_bind().execute(text(_SETTLE_BY_HAND))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.get_bind().execute(text("DROP FUNCTION IF EXISTS orion_settle_by_hand"))
    op.get_bind().execute(text("DROP FUNCTION IF EXISTS orion_hold_by_hand"))
