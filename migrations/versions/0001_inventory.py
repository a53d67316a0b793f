"""catalog, inventory and ledger

Revision ID: 0001_inventory
Revises:
Create Date: 2026-11-21 12:11:14.066156
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0001_inventory'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('locations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('sort_key', sa.Integer(), server_default='0', nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_locations')),
    sa.UniqueConstraint('code', name=op.f('uq_locations_code'))
    )
    op.create_table('operations',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('result_json', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=128), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_operations'))
    )
    op.create_table('stores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stores')),
    sa.UniqueConstraint('code', name=op.f('uq_stores_code'))
    )
    op.create_table('products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('gtin', sa.String(length=14), nullable=True),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('product_type', sa.String(length=16), server_default='physical', nullable=False),
    sa.Column('is_placeholder', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('low_stock_threshold', sa.Integer(), nullable=True),
    sa.Column('reorder_point', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("product_type IN ('physical', 'digital', 'service', 'subscription')", name=op.f('ck_products_product_type_known')),
    sa.CheckConstraint('low_stock_threshold IS NULL OR low_stock_threshold >= 0', name=op.f('ck_products_threshold_not_negative')),
    sa.CheckConstraint('reorder_point IS NULL OR reorder_point >= 0', name=op.f('ck_products_reorder_point_not_negative')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_products_store_id_stores'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products')),
    sa.UniqueConstraint('store_id', 'gtin', name=op.f('uq_products_store_id_gtin')),
    sa.UniqueConstraint('store_id', 'sku', name=op.f('uq_products_store_id_sku'))
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index('ix_products_gtin', ['gtin'], unique=False)
        batch_op.create_index('ix_products_title', ['title'], unique=False)

    op.create_table('inventory',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), server_default='0', nullable=False),
    sa.Column('reserved_quantity', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quantity >= 0', name=op.f('ck_inventory_quantity_not_negative')),
    sa.CheckConstraint('reserved_quantity <= quantity', name=op.f('ck_inventory_reserved_within_quantity')),
    sa.CheckConstraint('reserved_quantity >= 0', name=op.f('ck_inventory_reserved_not_negative')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_inventory_location_id_locations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_inventory_product_id_products'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_inventory_store_id_stores'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inventory')),
    sa.UniqueConstraint('product_id', 'location_id', name=op.f('uq_inventory_product_id_location_id'))
    )
    with op.batch_alter_table('inventory', schema=None) as batch_op:
        batch_op.create_index('ix_inventory_location', ['location_id'], unique=False)
        batch_op.create_index('ix_inventory_store_product', ['store_id', 'product_id'], unique=False)

    op.create_table('inventory_transactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('transaction_type', sa.String(length=16), nullable=False),
    sa.Column('quantity_change', sa.Integer(), nullable=False),
    sa.Column('reserved_change', sa.Integer(), nullable=False),
    sa.Column('quantity_after', sa.Integer(), nullable=False),
    sa.Column('reserved_after', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('order_number', sa.String(length=64), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=128), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('operation_key', sa.String(length=64), nullable=True),
    sa.CheckConstraint("transaction_type IN ('reserve', 'release', 'fulfill', 'adjust', 'set', 'import', 'return', 'transfer_in', 'transfer_out')", name=op.f('ck_inventory_transactions_transaction_type_known')),
    sa.CheckConstraint('quantity_after >= 0 AND reserved_after >= 0', name=op.f('ck_inventory_transactions_after_not_negative')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_inventory_transactions_location_id_locations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_inventory_transactions_product_id_products'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_inventory_transactions_store_id_stores'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inventory_transactions'))
    )
    with op.batch_alter_table('inventory_transactions', schema=None) as batch_op:
        batch_op.create_index('ix_inventory_transactions_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_inventory_transactions_order_id', ['order_id'], unique=False)
        batch_op.create_index('ix_inventory_transactions_product_location', ['product_id', 'location_id', 'id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('inventory_transactions', schema=None) as batch_op:
        batch_op.drop_index('ix_inventory_transactions_product_location')
        batch_op.drop_index('ix_inventory_transactions_order_id')
        batch_op.drop_index('ix_inventory_transactions_created_at')

    op.drop_table('inventory_transactions')
    with op.batch_alter_table('inventory', schema=None) as batch_op:
        batch_op.drop_index('ix_inventory_store_product')
        batch_op.drop_index('ix_inventory_location')

    op.drop_table('inventory')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index('ix_products_title')
        batch_op.drop_index('ix_products_gtin')

    op.drop_table('products')
    op.drop_table('stores')
    op.drop_table('operations')
    op.drop_table('locations')

