"""orders, reservations, shipments, history, notes

Revision ID: 0002_orders
Revises: 0001_inventory
Create Date: 2026-11-21 12:19:22.656936
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002_orders'
down_revision: str | None = '0001_inventory'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('order_number', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=32), server_default='pending', nullable=False),
    sa.Column('customer_name', sa.String(length=255), nullable=True),
    sa.Column('customer_email', sa.String(length=255), nullable=True),
    sa.Column('channel', sa.String(length=32), server_default='manual', nullable=False),
    sa.Column('tracking_number', sa.String(length=128), nullable=True),
    sa.Column('carrier', sa.String(length=64), nullable=True),
    sa.Column('reservation_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('processing_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('partially_shipped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('shipped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=128), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'processing', 'partially_shipped', 'shipped', 'delivered', 'cancelled')", name=op.f('ck_orders_status_known')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_orders_store_id_stores'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders')),
    sa.UniqueConstraint('order_number', name=op.f('uq_orders_order_number'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_customer_name', ['customer_name'], unique=False)
        batch_op.create_index('ix_orders_reservation_expires_at', ['reservation_expires_at'], unique=False)
        batch_op.create_index('ix_orders_status_created', ['status', 'created_at'], unique=False)
        batch_op.create_index('ix_orders_store_created', ['store_id', 'created_at'], unique=False)

    op.create_table('order_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('old_status', sa.String(length=32), nullable=True),
    sa.Column('new_status', sa.String(length=32), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=128), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_history_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_history'))
    )
    with op.batch_alter_table('order_history', schema=None) as batch_op:
        batch_op.create_index('ix_order_history_order', ['order_id', 'id'], unique=False)

    op.create_table('order_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('product_name', sa.String(length=255), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('gtin', sa.String(length=14), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('shipped_quantity', sa.Integer(), server_default='0', nullable=False),
    sa.Column('returned_quantity', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_order_items_quantity_positive')),
    sa.CheckConstraint('returned_quantity >= 0 AND returned_quantity <= shipped_quantity', name=op.f('ck_order_items_returned_within_shipped')),
    sa.CheckConstraint('shipped_quantity >= 0 AND shipped_quantity <= quantity', name=op.f('ck_order_items_shipped_within_quantity')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_items_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_order_items_product_id_products'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_items'))
    )
    with op.batch_alter_table('order_items', schema=None) as batch_op:
        batch_op.create_index('ix_order_items_order', ['order_id'], unique=False)
        batch_op.create_index('ix_order_items_product', ['product_id'], unique=False)

    op.create_table('order_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('is_internal', sa.Boolean(), server_default='1', nullable=False),
    sa.Column('created_by', sa.String(length=128), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_notes_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_notes'))
    )
    with op.batch_alter_table('order_notes', schema=None) as batch_op:
        batch_op.create_index('ix_order_notes_order', ['order_id'], unique=False)

    op.create_table('shipments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shipment_number', sa.String(length=64), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='pending', nullable=False),
    sa.Column('assigned_to', sa.String(length=128), nullable=True),
    sa.Column('box_size', sa.String(length=64), nullable=True),
    sa.Column('weight_grams', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('tracking_number', sa.String(length=128), nullable=True),
    sa.Column('carrier', sa.String(length=64), nullable=True),
    sa.Column('created_by', sa.String(length=128), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('picking_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('packing_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ready_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('shipped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'picking', 'packing', 'ready_to_ship', 'shipped', 'cancelled')", name=op.f('ck_shipments_status_known')),
    sa.CheckConstraint('weight_grams IS NULL OR weight_grams >= 0', name=op.f('ck_shipments_weight_not_negative')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_shipments_order_id_orders'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipments')),
    sa.UniqueConstraint('shipment_number', name=op.f('uq_shipments_shipment_number'))
    )
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.create_index('ix_shipments_order', ['order_id'], unique=False)
        batch_op.create_index('ix_shipments_status', ['status'], unique=False)

    op.create_table('inventory_reservations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inventory_id', sa.Integer(), nullable=True),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('order_item_id', sa.Integer(), nullable=True),
    sa.Column('quantity_reserved', sa.Integer(), nullable=False),
    sa.Column('quantity_fulfilled', sa.Integer(), server_default='0', nullable=False),
    sa.Column('quantity_released', sa.Integer(), server_default='0', nullable=False),
    sa.Column('status', sa.String(length=16), server_default='active', nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=128), nullable=True),
    sa.Column('reserved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('fulfilled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('active', 'fulfilled', 'released')", name=op.f('ck_inventory_reservations_status_known')),
    sa.CheckConstraint('quantity_fulfilled >= 0 AND quantity_released >= 0 AND quantity_fulfilled + quantity_released <= quantity_reserved', name=op.f('ck_inventory_reservations_parts_within_reserved')),
    sa.CheckConstraint('quantity_reserved > 0', name=op.f('ck_inventory_reservations_reserved_positive')),
    sa.ForeignKeyConstraint(['inventory_id'], ['inventory.id'], name=op.f('fk_inventory_reservations_inventory_id_inventory'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_inventory_reservations_location_id_locations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_inventory_reservations_order_id_orders'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['order_item_id'], ['order_items.id'], name=op.f('fk_inventory_reservations_order_item_id_order_items'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inventory_reservations'))
    )
    with op.batch_alter_table('inventory_reservations', schema=None) as batch_op:
        batch_op.create_index('ix_inventory_reservations_inventory_status', ['inventory_id', 'status'], unique=False)
        batch_op.create_index('ix_inventory_reservations_item_status', ['order_item_id', 'status'], unique=False)
        batch_op.create_index('ix_inventory_reservations_order', ['order_id'], unique=False)

    op.create_table('shipment_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shipment_id', sa.Integer(), nullable=False),
    sa.Column('order_item_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_shipment_lines_quantity_positive')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_shipment_lines_location_id_locations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['order_item_id'], ['order_items.id'], name=op.f('fk_shipment_lines_order_item_id_order_items'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_shipment_lines_shipment_id_shipments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipment_lines'))
    )
    with op.batch_alter_table('shipment_lines', schema=None) as batch_op:
        batch_op.create_index('ix_shipment_lines_item', ['order_item_id'], unique=False)
        batch_op.create_index('ix_shipment_lines_shipment', ['shipment_id'], unique=False)

    # Reservations made before orders existed become manual holds, so that from now on every
    # reserved unit belongs to exactly one reservation row (invariant R).
    op.execute(
        "INSERT INTO inventory_reservations "
        "(inventory_id, location_id, quantity_reserved, quantity_fulfilled, quantity_released, status, notes, "
        "created_by, reserved_at, updated_at) "
        "SELECT id, location_id, reserved_quantity, 0, 0, 'active', 'held before orders existed', 'migration', "
        "updated_at, updated_at FROM inventory WHERE reserved_quantity > 0"
    )


def downgrade() -> None:

    with op.batch_alter_table('shipment_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_shipment_lines_shipment')
        batch_op.drop_index('ix_shipment_lines_item')

    op.drop_table('shipment_lines')
    with op.batch_alter_table('inventory_reservations', schema=None) as batch_op:
        batch_op.drop_index('ix_inventory_reservations_order')
        batch_op.drop_index('ix_inventory_reservations_item_status')
        batch_op.drop_index('ix_inventory_reservations_inventory_status')

    op.drop_table('inventory_reservations')
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_index('ix_shipments_status')
        batch_op.drop_index('ix_shipments_order')

    op.drop_table('shipments')
    with op.batch_alter_table('order_notes', schema=None) as batch_op:
        batch_op.drop_index('ix_order_notes_order')

    op.drop_table('order_notes')
    with op.batch_alter_table('order_items', schema=None) as batch_op:
        batch_op.drop_index('ix_order_items_product')
        batch_op.drop_index('ix_order_items_order')

    op.drop_table('order_items')
    with op.batch_alter_table('order_history', schema=None) as batch_op:
        batch_op.drop_index('ix_order_history_order')

    op.drop_table('order_history')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_store_created')
        batch_op.drop_index('ix_orders_status_created')
        batch_op.drop_index('ix_orders_reservation_expires_at')
        batch_op.drop_index('ix_orders_customer_name')

    op.drop_table('orders')

