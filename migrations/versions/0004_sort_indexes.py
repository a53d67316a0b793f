"""indexes for sorting the stock and order lists by their columns, and for reorder points

Revision ID: 0004_sort_indexes
Revises: 0003_search_indexes
Create Date: 2026-11-21 15:00:00.000000

A header click on the Inventory table sorts ``list_stock`` by that column. Each sort order ends
in columns that make it unique per row (the keyset paging needs that), and each has an index
here that yields rows in that order, so the first page reads one page of rows instead of sorting
every stock row (at 100k rows: 100-290 ms before, a few ms after; tests/perf/RESULTS.md):

- ``ix_products_title_lower`` ``(lower(title), id)``, ``ix_products_sku_id`` ``(sku, id)`` and
  ``ix_products_gtin_sort`` ``(coalesce(gtin, ''), id)``: product, SKU and GTIN order; a product's
  few stock rows are then sorted by picking order among themselves. ``ix_products_sku_id`` also
  serves a scan or typed SKU looked up without its store.
- ``ix_inventory_quantity_id`` ``(quantity, id)`` and ``ix_inventory_reserved_id``
  ``(reserved_quantity, id)``: quantity and reserved order.
- ``ix_locations_sort_key_code`` ``(sort_key, code)`` and ``ix_inventory_location_id``
  ``(location_id, id, quantity, reserved_quantity)``, which replaces ``ix_inventory_location``
  ``(location_id)`` (the same lookups): the locations in picking order, then each location's rows
  in id order. It also holds what the Locations page totals per location, so they are read
  index-only (300k stock rows, SQLite: 390 ms before, about 40 ms after).

``ix_products_reorder_point`` finds the products that have a reorder point, for the low-stock
report (which lists the rows of a product down to its reorder point).

``ix_orders_created_id`` ``(created_at, id)`` and ``ix_orders_customer_sort``
``(coalesce(customer_name, ''), id)``: the Orders table sorted by creation time or customer
(100k orders: 21-89 ms a page before, 7-15 ms after). Number and status use existing indexes.

The available order uses ``ix_inventory_available`` of 0003. Plain ``CREATE INDEX`` on both
databases (no batch "move and copy", so SQLite keeps 0003's triggers and expression indexes).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004_sort_indexes'
down_revision: str | None = '0003_search_indexes'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_products_title_lower', 'products', [sa.text('lower(title)'), 'id'])
    op.create_index('ix_products_sku_id', 'products', ['sku', 'id'])
    op.create_index('ix_products_gtin_sort', 'products', [sa.text("coalesce(gtin, '')"), 'id'])
    op.create_index('ix_products_reorder_point', 'products', ['reorder_point'])
    op.create_index('ix_inventory_quantity_id', 'inventory', ['quantity', 'id'])
    op.create_index('ix_inventory_reserved_id', 'inventory', ['reserved_quantity', 'id'])
    op.create_index('ix_locations_sort_key_code', 'locations', ['sort_key', 'code'])
    op.create_index('ix_orders_created_id', 'orders', ['created_at', 'id'])
    op.create_index('ix_orders_customer_sort', 'orders', [sa.text("coalesce(customer_name, '')"), 'id'])
    op.create_index('ix_inventory_location_id', 'inventory', ['location_id', 'id', 'quantity', 'reserved_quantity'])
    op.drop_index('ix_inventory_location', table_name='inventory')


def downgrade() -> None:
    op.create_index('ix_inventory_location', 'inventory', ['location_id'])
    op.drop_index('ix_inventory_location_id', table_name='inventory')
    op.drop_index('ix_locations_sort_key_code', table_name='locations')
    op.drop_index('ix_orders_customer_sort', table_name='orders')
    op.drop_index('ix_orders_created_id', table_name='orders')
    op.drop_index('ix_inventory_reserved_id', table_name='inventory')
    op.drop_index('ix_inventory_quantity_id', table_name='inventory')
    op.drop_index('ix_products_reorder_point', table_name='products')
    op.drop_index('ix_products_gtin_sort', table_name='products')
    op.drop_index('ix_products_sku_id', table_name='products')
    op.drop_index('ix_products_title_lower', table_name='products')
