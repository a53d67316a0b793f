"""The schema. Every constraint is named (Alembic batch mode on SQLite needs the names)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from orion_desktop.db.types import UtcDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Store(Base):
    __tablename__ = "stores"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Location(Base):
    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(255))
    sort_key: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("store_id", "sku"),
        UniqueConstraint("store_id", "gtin"),
        CheckConstraint(
            "product_type IN ('physical', 'digital', 'service', 'subscription')", name="product_type_known"
        ),
        CheckConstraint("low_stock_threshold IS NULL OR low_stock_threshold >= 0", name="threshold_not_negative"),
        CheckConstraint("reorder_point IS NULL OR reorder_point >= 0", name="reorder_point_not_negative"),
        Index("ix_products_gtin", "gtin"),
        Index("ix_products_title", "title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="RESTRICT"))
    sku: Mapped[str] = mapped_column(String(64))
    # Canonical 14-digit GTIN. Placeholders share one GTIN, so they are stored as NULL here
    # and flagged by is_placeholder (a unique GTIN per store must still hold for real codes).
    gtin: Mapped[str | None] = mapped_column(String(14))
    title: Mapped[str] = mapped_column(String(255))
    product_type: Mapped[str] = mapped_column(String(16), default="physical", server_default="physical")
    is_placeholder: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    low_stock_threshold: Mapped[int | None] = mapped_column(Integer)
    reorder_point: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Inventory(Base):
    __tablename__ = "inventory"
    __table_args__ = (
        UniqueConstraint("product_id", "location_id"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("reserved_quantity >= 0", name="reserved_not_negative"),
        CheckConstraint("reserved_quantity <= quantity", name="reserved_within_quantity"),
        Index("ix_inventory_store_product", "store_id", "product_id"),
        Index("ix_inventory_location", "location_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="RESTRICT"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="RESTRICT"))
    quantity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reserved_quantity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class InventoryTransaction(Base):
    """The ledger. Append-only: one row per change of quantity or reserved_quantity.

    Rows point at (product, location) rather than at the inventory row, so the ledger
    survives the deletion of an entry (which first writes a row bringing it to zero).
    """

    __tablename__ = "inventory_transactions"
    __table_args__ = (
        CheckConstraint(
            "transaction_type IN ('reserve', 'release', 'fulfill', 'adjust', 'set', 'import', 'return', "
            "'transfer_in', 'transfer_out')",
            name="transaction_type_known",
        ),
        CheckConstraint("quantity_after >= 0 AND reserved_after >= 0", name="after_not_negative"),
        Index("ix_inventory_transactions_product_location", "product_id", "location_id", "id"),
        Index("ix_inventory_transactions_created_at", "created_at"),
        Index("ix_inventory_transactions_order_id", "order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="RESTRICT"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="RESTRICT"))
    transaction_type: Mapped[str] = mapped_column(String(16))
    quantity_change: Mapped[int] = mapped_column(Integer)
    reserved_change: Mapped[int] = mapped_column(Integer)
    quantity_after: Mapped[int] = mapped_column(Integer)
    reserved_after: Mapped[int] = mapped_column(Integer)
    # Orders arrive with the orders schema; the columns exist now so the ledger never changes shape.
    order_id: Mapped[int | None] = mapped_column(Integer)
    order_number: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    operation_key: Mapped[str | None] = mapped_column(String(64))


class Operation(Base):
    """Idempotency record: the result of each keyed mutating call, so a retry replays it."""

    __tablename__ = "operations"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    result_json: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
