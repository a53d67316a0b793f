"""PostgreSQL only: a user's login reads and writes only the operation keys that user used

Revision ID: 0008_operations_rls
Revises: 0007_pg_roles
Create Date: 2026-12-04 17:58:00.000000

The ``operations`` table keeps each keyed call's result (store codes, SKUs, quantities), so since
0007 every login of an ``orion_*`` group could read every store's results there. Its row-level
security policy (``pg_security.POLICIES["operations"]``): admins see all, anyone else the rows
whose ``created_by`` is their own user name. The table owner stays exempt, as in 0007.

SQLite: nothing to do.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

from orion_desktop.db import pg_security

revision: str = '0008_operations_rls'
down_revision: str | None = '0007_pg_roles'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    pg_security.enable_row_security(op.get_bind())  # idempotent: (re)creates every table's policy


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.get_bind().execute(text("DROP POLICY IF EXISTS orion_stores ON operations"))
    op.get_bind().execute(text("ALTER TABLE operations DISABLE ROW LEVEL SECURITY"))
