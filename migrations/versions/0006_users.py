"""users, the stores each may work for, and an audit of sign-ins and user changes

Revision ID: 0006_users
Revises: 0005_data_safety
Create Date: 2026-12-04 14:45:00.000000

- ``users``: user name (lower-case, unique), display name, role (packer/manager/admin), active
  flag, argon2 hashes of the password and the optional PIN (never the secrets), an optional badge
  code (unique), the failed-attempt counter and ``locked_until`` for the lockout.
- ``user_stores``: the stores a user may work for; none means every store.
- ``user_audit``: sign-ins, failed attempts, lockouts and user changes (who, about whom, what, when).

A database without users runs as a single local admin (README: "Who is acting").
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from orion_desktop.db.types import UtcDateTime

revision: str = '0006_users'
down_revision: str | None = '0005_data_safety'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'users',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('display_name', sa.String(length=255), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('is_active', sa.Boolean(), server_default='1', nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('pin_hash', sa.String(length=255), nullable=True),
        sa.Column('badge_code', sa.String(length=64), nullable=True),
        sa.Column('failed_attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('locked_until', UtcDateTime(), nullable=True),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.CheckConstraint("role IN ('packer', 'manager', 'admin')", name=op.f('ck_users_role_known')),
        sa.CheckConstraint('failed_attempts >= 0', name=op.f('ck_users_failed_attempts_not_negative')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
        sa.UniqueConstraint('username', name=op.f('uq_users_username')),
        sa.UniqueConstraint('badge_code', name=op.f('uq_users_badge_code')),
    )
    op.create_table(
        'user_stores',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('store_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_stores_user_id_users'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_user_stores_store_id_stores'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'store_id', name=op.f('pk_user_stores')),
    )
    op.create_table(
        'user_audit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('actor', sa.String(length=128), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=True),
        sa.Column('event', sa.String(length=32), nullable=False),
        sa.Column('detail', sa.Text(), nullable=True),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_audit')),
    )
    op.create_index('ix_user_audit_created_at', 'user_audit', ['created_at'])


def downgrade() -> None:
    op.drop_index('ix_user_audit_created_at', table_name='user_audit')
    op.drop_table('user_audit')
    op.drop_table('user_stores')
    op.drop_table('users')
