"""search and low-stock indexes

Revision ID: 0003_search_indexes
Revises: 0002_orders
Create Date: 2026-11-21 14:00:00.000000

Portable indexes (declared on the models too, so autogenerate compares them):

- ``ix_inventory_available``: ``inventory ((quantity - reserved_quantity), product_id, quantity,
  reserved_quantity, store_id, location_id)``, for the low-stock count, ``low_stock()`` (ordered
  by available) and the ``low_stock`` filters of ``list_stock``. It covers them (index-only, no
  table rows read), and SQLite's stats totals scan it instead of the table.
- ``ix_products_low_stock_threshold``: makes ``max(low_stock_threshold)`` one index probe; the
  low-stock queries use it as an upper bound on every product's threshold (ARCHITECTURE.md: budgets).
- ``ix_orders_status_id``: ``orders (status, id)``, so a status filter walks its orders newest
  first (``list_orders`` orders by id).

Substring search (``LIKE '%text%'``) needs a different index on each database. These objects are
created here only; ``SEARCH_TRIGRAM_INDEXES`` and ``SEARCH_FTS_TABLES`` in orion_desktop/db/models.py
name them so that autogenerate leaves them out of the comparison (migrations/env.py):

- PostgreSQL: ``pg_trgm`` GIN indexes on the expressions the queries search. ``pg_trgm`` is a
  trusted extension (PostgreSQL 13+), so the database owner of the README's least-privilege
  recipe can create it. When the extension cannot be installed (not shipped with the server, or
  the role may not create it) the indexes are skipped with a warning: searches stay correct,
  they just scan.
- SQLite: FTS5 tables with the trigram tokenizer (SQLite 3.34+), external-content tables over
  ``products`` and ``orders``, kept in sync by triggers. The services use them only to narrow
  the candidates and still apply the LIKE, so results are exactly those of the plain LIKE.

**Note for later migrations on SQLite:** batch mode ("move and copy") recreates a table, and the
copy has neither the old table's triggers nor its expression indexes (SQLAlchemy cannot reflect
those on SQLite). A migration that batch-alters ``inventory`` must create ``ix_inventory_available``
again, and one that batch-alters ``products`` or ``orders`` their ``*_search_*`` triggers
(``test_migrations`` checks that both exist at head).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003_search_indexes'
down_revision: str | None = '0002_orders'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger(__name__)

# name -> (table, indexed expression)
TRIGRAM_INDEXES = {
    "ix_products_title_trgm": ("products", "lower(title)"),
    "ix_products_sku_trgm": ("products", "lower(sku)"),
    "ix_orders_order_number_trgm": ("orders", "order_number"),
    "ix_orders_customer_name_trgm": ("orders", "lower(customer_name)"),
}

# FTS5 table -> (content table, indexed columns)
FTS_TABLES = {
    "products_search": ("products", ("title", "sku")),
    "orders_search": ("orders", ("order_number", "customer_name")),
}


def upgrade() -> None:
    with op.batch_alter_table('inventory', schema=None) as batch_op:
        batch_op.create_index(
            'ix_inventory_available',
            [
                sa.text('(quantity - reserved_quantity)'),
                'product_id', 'quantity', 'reserved_quantity', 'store_id', 'location_id',
            ],
            unique=False,
        )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index('ix_products_low_stock_threshold', ['low_stock_threshold'], unique=False)
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_status_id', ['status', 'id'], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        _create_trigram_indexes()
    elif dialect == "sqlite":
        for table, (content, columns) in FTS_TABLES.items():
            _create_fts_table(table, content, columns)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        # The extension stays: other objects may use it, and dropping it needs its owner.
        for name in TRIGRAM_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    elif dialect == "sqlite":
        for table in FTS_TABLES:
            for suffix in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {table}")

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_status_id')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index('ix_products_low_stock_threshold')
    with op.batch_alter_table('inventory', schema=None) as batch_op:
        batch_op.drop_index('ix_inventory_available')


def _create_trigram_indexes() -> None:
    if not _pg_trgm_installed():
        log.warning(
            "The pg_trgm extension is not available to this role: substring searches will scan the tables. "
            "The trigram indexes can be added later by hand (see migrations/versions/0003_search_indexes.py)."
        )
        return
    for name, (table, expression) in TRIGRAM_INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {table} USING gin ({expression} gin_trgm_ops)")


def _pg_trgm_installed() -> bool:
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first():
        return True
    if not bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).first():
        return False
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as error:
        savepoint.rollback()
        log.warning("CREATE EXTENSION pg_trgm failed: %s", error.orig)
        return False
    savepoint.commit()
    return True


def _create_fts_table(table: str, content: str, columns: tuple[str, ...]) -> None:
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    # Case-insensitive trigrams (the tokenizer's default); every character, spaces included.
    op.execute(
        f"CREATE VIRTUAL TABLE {table} USING fts5({names}, content='{content}', content_rowid='id', "
        "tokenize='trigram')"
    )
    op.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
    op.execute(
        f"CREATE TRIGGER {table}_insert AFTER INSERT ON {content} BEGIN "
        f"INSERT INTO {table}(rowid, {names}) VALUES (new.id, {new}); END"
    )
    op.execute(
        f"CREATE TRIGGER {table}_delete AFTER DELETE ON {content} BEGIN "
        f"INSERT INTO {table}({table}, rowid, {names}) VALUES ('delete', old.id, {old}); END"
    )
    op.execute(
        f"CREATE TRIGGER {table}_update AFTER UPDATE OF {names} ON {content} BEGIN "
        f"INSERT INTO {table}({table}, rowid, {names}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {table}(rowid, {names}) VALUES (new.id, {new}); END"
    )
