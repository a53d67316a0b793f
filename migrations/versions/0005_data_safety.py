"""append-only ledger and order history, case-insensitive SKUs, operation-key digests

Revision ID: 0005_data_safety
Revises: 0004_sort_indexes
Create Date: 2026-12-04 08:00:00.000000

- **Append-only ledger and order history.** Triggers refuse UPDATE and DELETE of
  ``inventory_transactions`` and ``order_history`` rows on both databases (PostgreSQL also
  refuses TRUNCATE). The README's least-privilege grants stay as a second wall. On SQLite a
  later batch-mode ("move and copy") migration of either table loses these triggers, as it
  loses 0003's: it must create them again (``test_append_only`` checks they exist at head).
  ``order_history.order_id`` keeps ``ON DELETE CASCADE``: no code deletes an order, and
  deleting one that has history is now refused by the trigger, which is what should happen.
- **SKUs ignore case.** ``uq_products_lower_sku_store_id`` is a unique index on
  ``(lower(sku), store_id)``: one spelling per store whatever the case, and the index every SKU
  lookup uses (``lower(sku) = lower(:sku)``, with or without the store). The stored spelling is
  kept as entered. ``uq_products_store_id_sku`` stays (dropping it on SQLite means rebuilding
  ``products``, with 0003's search triggers and 0004's expression indexes); it is implied by the
  new index. Where two SKUs of a store differ only in case the upgrade stops with a sentence
  listing them, and changes nothing: which one is right is the user's decision.
- **Operation keys remember their request.** ``operations.params_digest``: SHA-256 of the call's
  kind and parameters, so a key replayed with different parameters is refused. Rows written
  before this revision have none and replay as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from orion_desktop.domain.errors import Conflict

revision: str = '0005_data_safety'
down_revision: str | None = '0004_sort_indexes'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> what the refusal says (one sentence a user can read)
APPEND_ONLY = {
    "inventory_transactions": "The stock ledger is append-only: its entries are never changed or deleted.",
    "order_history": "The order history is append-only: its entries are never changed or deleted.",
}
PG_FUNCTION = "orion_refuse_history_change"
SKU_INDEX = "uq_products_lower_sku_store_id"
MAX_LISTED = 10


def upgrade() -> None:
    _refuse_sku_collisions()
    op.create_index(SKU_INDEX, 'products', [sa.text('lower(sku)'), 'store_id'], unique=True)
    op.add_column('operations', sa.Column('params_digest', sa.String(length=64), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        _create_pg_triggers()
    else:
        _create_sqlite_triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
    else:
        for table in APPEND_ONLY:
            for event in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event}")
    # operations has no triggers or expression indexes, so batch mode may copy it.
    with op.batch_alter_table('operations', schema=None) as batch_op:
        batch_op.drop_column('params_digest')
    op.drop_index(SKU_INDEX, table_name='products')


def sku_collisions(bind: sa.Connection, limit: int | None = None) -> tuple[list[tuple[str, list[str]]], int]:
    """(store code, SKUs spelled alike but for case) for the first ``limit`` such groups, and how many
    groups there are. One grouping pass over products (no index on lower(sku) exists yet), then one
    lookup per listed group."""
    groups = bind.execute(
        sa.text(
            "SELECT s.code, d.store_id, d.folded FROM "
            "(SELECT store_id, lower(sku) AS folded FROM products GROUP BY store_id, lower(sku) "
            "HAVING count(*) > 1) d JOIN stores s ON s.id = d.store_id ORDER BY s.code, d.folded"
        )
    ).all()
    listed = []
    for store_code, store_id, folded in groups[:limit]:
        skus = bind.execute(
            sa.text("SELECT sku FROM products WHERE store_id = :store AND lower(sku) = :folded ORDER BY sku"),
            {"store": store_id, "folded": folded},
        ).scalars().all()
        listed.append((store_code, list(skus)))
    return listed, len(groups)


def _refuse_sku_collisions() -> None:
    groups, count = sku_collisions(op.get_bind(), MAX_LISTED)
    if not groups:
        return
    listed = "; ".join(f"store {store} has {' and '.join(skus)}" for store, skus in groups)
    more = f" (and {count - MAX_LISTED} more)" if count > MAX_LISTED else ""
    # Raised inside the upgrade's transaction: the database stays exactly as it was.
    raise Conflict(
        f"Cannot make SKUs case-insensitive: {listed}{more}; rename one of each so they differ by more "
        "than upper and lower case, then run `orion-desktop db upgrade` again."
    )


def _create_sqlite_triggers() -> None:
    for table, message in APPEND_ONLY.items():
        for event in ("update", "delete"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{event} BEFORE {event.upper()} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )


def _create_pg_triggers() -> None:
    # restrict_violation (23001): drivers report an integrity error, which the services turn
    # into a Conflict carrying the sentence.
    op.execute(
        f"CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION USING MESSAGE = TG_ARGV[0], ERRCODE = 'restrict_violation'; END $$"
    )
    for table, message in APPEND_ONLY.items():
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}('{message}')"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}('{message}')"
        )
