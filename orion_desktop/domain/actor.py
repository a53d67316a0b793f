"""Who is acting, and what their role allows."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from orion_desktop.domain.enums import Role
from orion_desktop.domain.errors import PermissionDenied


class Permission(StrEnum):
    """Actions a service checks before it changes anything."""

    MOVE_RESERVED_STOCK = "move reserved stock"  # reserve, release, fulfill, ship
    CHANGE_STOCK = "change stock levels"  # set, adjust, transfer, delete, import stock
    MANAGE_CATALOG = "manage products"
    MANAGE_LOCATIONS = "manage locations"
    MANAGE_STORES = "manage stores"
    MANAGE_ORDERS = "manage orders"
    MANAGE_USERS = "manage users"  # add, disable, edit users; read the user audit


_MINIMUM_ROLE: dict[Permission, Role] = {
    Permission.MOVE_RESERVED_STOCK: Role.PACKER,
    Permission.CHANGE_STOCK: Role.MANAGER,
    Permission.MANAGE_CATALOG: Role.MANAGER,
    Permission.MANAGE_LOCATIONS: Role.ADMIN,
    Permission.MANAGE_STORES: Role.ADMIN,
    Permission.MANAGE_ORDERS: Role.MANAGER,
    Permission.MANAGE_USERS: Role.ADMIN,
}


@dataclass(frozen=True, slots=True)
class Actor:
    """The acting user, their role and (optionally) the stores they may work in.

    ``store_codes`` of ``None`` means every store.
    """

    name: str
    role: Role = Role.MANAGER
    store_codes: frozenset[str] | None = None

    def require(self, permission: Permission) -> None:
        needed = _MINIMUM_ROLE[permission]
        if self.role.rank < needed.rank:
            raise PermissionDenied(
                f"{self.name} is signed in as {self.role.value} and may not {permission.value}; "
                f"this needs {'an' if needed.value[0] in 'aeiou' else 'a'} {needed.value}."
            )

    def require_store(self, store_code: str) -> None:
        if self.store_codes is not None and store_code not in self.store_codes:
            raise PermissionDenied(f"{self.name} may not work in store {store_code}.")


SYSTEM = Actor(name="system", role=Role.ADMIN)
"""Used by migrations, demo data and scheduled jobs."""
