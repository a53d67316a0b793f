"""PostgreSQL only: group roles with their privileges, and row-level security by store

Revision ID: 0007_pg_roles
Revises: 0006_users
Create Date: 2026-12-04 15:05:00.000000

- Group roles ``orion_packer``, ``orion_manager``, ``orion_admin`` (NOLOGIN). Roles belong to the
  whole server, so they are created only when missing and never dropped by a downgrade (another
  database may use them). When the upgrading role may not create roles and they are missing, the
  grants are skipped with a warning: create the three roles as the README says, then
  ``db downgrade 0006_users`` and ``db upgrade`` again (or upgrade once as a role with CREATEROLE).
- Privileges per group: orion_desktop/db/pg_security.py ``GRANTS`` (the README shows the table).
- Row-level security on every table with store rows; the table owner is not subject to it, so the
  single shared-login recipe keeps working.

SQLite: nothing to do (one file, one person; see the README).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from alembic import op

from orion_desktop.db import pg_security

revision: str = '0007_pg_roles'
down_revision: str | None = '0006_users'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_log = logging.getLogger(__name__)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    if not pg_security.apply(op.get_bind()):
        _log.warning(
            "The roles orion_packer, orion_manager and orion_admin are missing and this login may not "
            "create them; per-user logins will not work until they exist (see the README)."
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    pg_security.remove(op.get_bind())
