"""Enumerations shared by every layer. Values are the strings stored in the database."""

from __future__ import annotations

from enum import StrEnum


class ProductType(StrEnum):
    PHYSICAL = "physical"
    DIGITAL = "digital"
    SERVICE = "service"
    SUBSCRIPTION = "subscription"

    @property
    def is_stock_tracked(self) -> bool:
        """Only physical goods have stock; the others are unlimited and never reserved."""
        return self is ProductType.PHYSICAL


class TransactionType(StrEnum):
    """Ledger row kinds (inventory_transactions.transaction_type)."""

    RESERVE = "reserve"
    RELEASE = "release"
    FULFILL = "fulfill"
    ADJUST = "adjust"
    SET = "set"
    IMPORT = "import"
    RETURN = "return"
    TRANSFER_IN = "transfer_in"
    TRANSFER_OUT = "transfer_out"


class Role(StrEnum):
    """What a user may do. Ordered from least to most powerful."""

    PACKER = "packer"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)
