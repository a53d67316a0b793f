"""PostgreSQL as the authority: group roles, table privileges and row-level security.

Migration 0007 calls :func:`apply`; nothing here runs on SQLite. The grant table below is the one
the README shows, so the two cannot drift apart unnoticed (a test reads both).

How the database knows which Orion user is connected: a per-user login is named by a rule,
``<database>_<username>`` (see :func:`login_name`), so ``orion_user_stores()`` can map
``session_user`` back to a row of ``users`` without a new column. ``session_user`` rather than
``current_user`` because the function is SECURITY DEFINER (``current_user`` is its owner there) and
because a ``SET ROLE orion_packer`` must not shake off the user's stores.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from orion_desktop.domain.errors import InvalidInput

GROUP_ROLES: tuple[str, ...] = ("orion_packer", "orion_manager", "orion_admin")

_ALL = "SELECT, INSERT, UPDATE, DELETE"
_APPEND = "SELECT, INSERT"

# table -> (packer, manager, admin). No role gets TRUNCATE, REFERENCES, TRIGGER or any schema change.
# Packers hold MOVE_RESERVED_STOCK (reserve, release, fulfil, pack, ship): they change reserved
# quantities, reservations, order status and shipments, and add to the ledger and order history.
GRANTS: dict[str, tuple[str, str, str]] = {
    "alembic_version": ("SELECT", "SELECT", "SELECT"),  # the app checks the schema is current
    "stores": ("SELECT", "SELECT", _ALL),
    "locations": ("SELECT", "SELECT", _ALL),
    "products": ("SELECT", _ALL, _ALL),
    "inventory": ("SELECT, UPDATE", _ALL, _ALL),
    "inventory_transactions": (_APPEND, _APPEND, _APPEND),
    "operations": (_ALL, _ALL, _ALL),
    "orders": ("SELECT, UPDATE", _ALL, _ALL),
    "order_items": ("SELECT, UPDATE", _ALL, _ALL),
    "order_history": (_APPEND, _APPEND, _APPEND),
    "order_notes": (_APPEND, _ALL, _ALL),
    "inventory_reservations": (_ALL, _ALL, _ALL),
    # Shipping shrinks or cancels prepared parcels, which deletes their lines.
    "shipments": (_ALL, _ALL, _ALL),
    "shipment_lines": (_ALL, _ALL, _ALL),
    "users": ("SELECT", "SELECT", _ALL),
    "user_stores": ("SELECT", "SELECT", _ALL),
    # SELECT too, because an INSERT … RETURNING needs it; the policy keeps it to their own rows.
    "user_audit": (_APPEND, _APPEND, _APPEND),
}

# Everyone may change their own password, PIN and badge (the users policy keeps it to their row).
COLUMN_GRANTS = "GRANT UPDATE (password_hash, pin_hash, badge_code) ON users TO orion_packer, orion_manager"

# Row-level security. Tables with their own store_id compare it with the user's stores; the others
# ask whether the parent row is visible, and since the parent's own policy filters that sub-select,
# one rule per table is enough.
_STORE_RULE = "(SELECT orion_user_stores()) IS NULL OR store_id = ANY ((SELECT orion_user_stores())::integer[])"
POLICIES: dict[str, str] = {
    "products": _STORE_RULE,
    "inventory": _STORE_RULE,
    "inventory_transactions": _STORE_RULE,
    "orders": _STORE_RULE,
    "order_items": "EXISTS (SELECT 1 FROM orders o WHERE o.id = order_id)",
    "order_history": "EXISTS (SELECT 1 FROM orders o WHERE o.id = order_id)",
    "order_notes": "EXISTS (SELECT 1 FROM orders o WHERE o.id = order_id)",
    "shipments": "EXISTS (SELECT 1 FROM orders o WHERE o.id = order_id)",
    "shipment_lines": "EXISTS (SELECT 1 FROM shipments s WHERE s.id = shipment_id)",
    "inventory_reservations": (
        "(order_id IS NULL OR EXISTS (SELECT 1 FROM orders o WHERE o.id = order_id)) AND "
        "(inventory_id IS NULL OR EXISTS (SELECT 1 FROM inventory i WHERE i.id = inventory_id))"
    ),
    # A user sees their own account; admins (and logins that are not Orion users) see all.
    "users": "(SELECT orion_is_admin()) OR id = (SELECT orion_user_id())",
    "user_stores": "(SELECT orion_is_admin()) OR user_id = (SELECT orion_user_id())",
    "user_audit": (
        "(SELECT orion_is_admin()) OR username = (SELECT u.username FROM users u WHERE u.id = (SELECT orion_user_id()))"
    ),
    # Operation keys hold the results of the calls made with them (codes, SKUs, quantities of a
    # store): a user reads and writes only the keys they used themselves (migration 0008).
    "operations": (
        "(SELECT orion_is_admin()) OR "
        "created_by = (SELECT u.username FROM users u WHERE u.id = (SELECT orion_user_id()))"
    ),
}

# NULL = every store: the session is not an Orion per-user login (the owner, the shared login of
# the simple recipe) or is one whose user has no stores. A member of an orion_* group that is not a
# known, active user gets an empty list: it sees nothing rather than everything.
_FUNCTIONS = """
CREATE OR REPLACE FUNCTION orion_user_id() RETURNS integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF left(session_user, length(current_database()) + 1) <> current_database() || '_' THEN
        RETURN NULL;
    END IF;
    RETURN (SELECT u.id FROM users u
            WHERE u.username = substr(session_user, length(current_database()) + 2) AND u.is_active);
END $$;

CREATE OR REPLACE FUNCTION orion_is_group_member() RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN EXISTS (
        SELECT 1 FROM pg_auth_members m
        JOIN pg_roles g ON g.oid = m.roleid
        JOIN pg_roles r ON r.oid = m.member
        WHERE r.rolname = session_user
          AND g.rolname IN ('orion_packer', 'orion_manager', 'orion_admin'));
END $$;

CREATE OR REPLACE FUNCTION orion_user_stores() RETURNS integer[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me integer := orion_user_id();
BEGIN
    IF me IS NULL THEN
        IF orion_is_group_member() THEN
            RETURN ARRAY[]::integer[];
        END IF;
        RETURN NULL;
    END IF;
    RETURN (SELECT array_agg(s.store_id) FROM user_stores s WHERE s.user_id = me);
END $$;

CREATE OR REPLACE FUNCTION orion_is_admin() RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me integer := orion_user_id();
BEGIN
    IF me IS NULL THEN
        RETURN NOT orion_is_group_member();
    END IF;
    RETURN (SELECT u.role = 'admin' FROM users u WHERE u.id = me);
END $$;
"""

_DROP_FUNCTIONS = ("orion_is_admin()", "orion_user_stores()", "orion_is_group_member()", "orion_user_id()")


def login_name(database: str, username: str) -> str:
    """The PostgreSQL login of an Orion user on one database (roles are shared by the whole server)."""
    name = f"{database}_{username}".lower()
    # PostgreSQL would silently cut a longer name to 63 bytes, and two users could then share it.
    if len(name.encode()) > 63:
        raise InvalidInput(
            f"The user name {username} is too long for a database login here; use at most "
            f"{max(63 - len(database.encode()) - 1, 0)} characters."
        )
    return name


def _can_create_roles(conn: Connection) -> bool:
    row = conn.execute(
        text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
    ).scalar_one()
    return bool(row)


def _missing_groups(conn: Connection) -> list[str]:
    present = set(
        conn.execute(text("SELECT rolname FROM pg_roles WHERE rolname = ANY(:names)"), {"names": list(GROUP_ROLES)})
        .scalars()
        .all()
    )
    return [name for name in GROUP_ROLES if name not in present]


def ensure_groups(conn: Connection) -> bool:
    """Create the group roles that are missing; False when some are missing and we may not create them."""
    missing = _missing_groups(conn)
    if missing and not _can_create_roles(conn):
        return False
    for name in missing:
        # Another database's upgrade may create the same role at the same moment: tolerate that.
        conn.execute(
            text(
                "DO $$ BEGIN CREATE ROLE " + name + " NOLOGIN; "
                "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
            )
        )
    return True


def grant_privileges(conn: Connection) -> None:
    """Grant each group exactly its column of :data:`GRANTS` (revoking anything else first)."""
    groups = ", ".join(GROUP_ROLES)
    conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {groups}"))
    conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {groups}"))
    for table, privileges in GRANTS.items():
        conn.execute(text(f"REVOKE ALL ON {table} FROM {groups}"))
        for group, allowed in zip(GROUP_ROLES, privileges, strict=True):
            conn.execute(text(f"GRANT {allowed} ON {table} TO {group}"))
    conn.execute(text(COLUMN_GRANTS))


def enable_row_security(conn: Connection) -> None:
    """The functions and one policy per table; the table owner stays exempt (no FORCE)."""
    conn.execute(text(_FUNCTIONS))
    for table, rule in POLICIES.items():
        conn.execute(text(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"))
        conn.execute(text(f"DROP POLICY IF EXISTS orion_stores ON {table}"))
        conn.execute(text(f"CREATE POLICY orion_stores ON {table} USING ({rule}) WITH CHECK ({rule})"))


def apply(conn: Connection) -> bool:
    """Everything above; returns whether the group roles exist and got their privileges."""
    enable_row_security(conn)
    if not ensure_groups(conn):
        return False
    grant_privileges(conn)
    return True


def remove(conn: Connection) -> None:
    """Undo :func:`apply` on this database. The group roles stay: other databases may use them."""
    for table in POLICIES:
        conn.execute(text(f"DROP POLICY IF EXISTS orion_stores ON {table}"))
        conn.execute(text(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY"))
    for function in _DROP_FUNCTIONS:
        conn.execute(text(f"DROP FUNCTION IF EXISTS {function}"))
    if not _missing_groups(conn):
        groups = ", ".join(GROUP_ROLES)
        for table in GRANTS:
            conn.execute(text(f"REVOKE ALL ON {table} FROM {groups}"))
        conn.execute(text(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {groups}"))
        conn.execute(text(f"REVOKE USAGE ON SCHEMA public FROM {groups}"))
