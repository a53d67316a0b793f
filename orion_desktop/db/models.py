"""The schema. Every constraint is named (Alembic batch mode on SQLite needs the names)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    literal_column,
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

    if TYPE_CHECKING:
        # Every model here maps one table (none maps a join or a select), so ``__table__`` is a
        # Table, with ``insert()``/``update()``, not just the FromClause SQLAlchemy declares.
        __table__: ClassVar[Table]


class Store(Base):
    __tablename__ = "stores"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Location(Base):
    __tablename__ = "locations"
    # Picking order: the stock list sorted by location walks it, then each location's rows.
    __table_args__ = (Index("ix_locations_sort_key_code", "sort_key", "code"),)

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
        # max(low_stock_threshold) in one probe: the low-stock queries' bound on every threshold.
        Index("ix_products_low_stock_threshold", "low_stock_threshold"),
        # Sorting the stock list by SKU (and a SKU looked up without its store); the title and GTIN
        # sort indexes are expressions, declared after the class.
        Index("ix_products_sku_id", "sku", "id"),
        # The few products with a reorder point, for the low-stock report.
        Index("ix_products_reorder_point", "reorder_point"),
        # Substring search of title and SKU: see SEARCH_TRIGRAM_INDEXES and SEARCH_FTS_TABLES below.
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


# Sorting the stock list by title (case-insensitive) or GTIN (none first): migration 0004.
Index("ix_products_title_lower", func.lower(Product.title), Product.id)
Index("ix_products_gtin_sort", func.coalesce(Product.gtin, literal_column("''")), Product.id)
# SKUs ignore case (migration 0005): one spelling per store whatever the case, and the index of
# every SKU lookup (``lower(sku) = lower(:sku)``, with or without the store). It implies
# uq_products_store_id_sku, which stays only because dropping it on SQLite rebuilds the table.
Index("uq_products_lower_sku_store_id", func.lower(Product.sku), Product.store_id, unique=True)


class Inventory(Base):
    __tablename__ = "inventory"
    __table_args__ = (
        UniqueConstraint("product_id", "location_id"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("reserved_quantity >= 0", name="reserved_not_negative"),
        CheckConstraint("reserved_quantity <= quantity", name="reserved_within_quantity"),
        Index("ix_inventory_store_product", "store_id", "product_id"),
        # A location's rows in id order (the stock list sorted by location), and every column
        # the Locations page totals need, so they are read index-only.
        Index("ix_inventory_location_id", "location_id", "id", "quantity", "reserved_quantity"),
        # Sorting the stock list by quantity or reserved (unique with the id, for keyset paging).
        Index("ix_inventory_quantity_id", "quantity", "id"),
        Index("ix_inventory_reserved_id", "reserved_quantity", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="RESTRICT"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="RESTRICT"))
    quantity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reserved_quantity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


# Available quantity, for the low-stock count, list and filters (the queries must use exactly
# this expression for the index to apply). The other columns make it covering: the low-stock
# queries read no table rows (index-only), and SQLite's stats totals scan it instead of the table.
Index(
    "ix_inventory_available",
    Inventory.quantity - Inventory.reserved_quantity,
    Inventory.product_id,
    Inventory.quantity,
    Inventory.reserved_quantity,
    Inventory.store_id,
    Inventory.location_id,
)


class InventoryTransaction(Base):
    """The ledger. Append-only: one row per change of quantity or reserved_quantity.

    Triggers (migration 0005) refuse UPDATE and DELETE of its rows on both databases.

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
    # SHA-256 (hex) of the call's kind and parameters: the same key with other parameters is
    # refused (services.idempotency). NULL on rows from before migration 0005.
    params_digest: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


# --- orders ---------------------------------------------------------------------------------


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'processing', 'partially_shipped', 'shipped', 'delivered', 'cancelled')",
            name="status_known",
        ),
        Index("ix_orders_status_created", "status", "created_at"),
        Index("ix_orders_status_id", "status", "id"),  # a status filter, newest first
        # Substring search of number and customer: see SEARCH_TRIGRAM_INDEXES and SEARCH_FTS_TABLES below.
        Index("ix_orders_store_created", "store_id", "created_at"),
        Index("ix_orders_customer_name", "customer_name"),
        # The Orders table sorted by creation time (then id, for keyset paging): migration 0004.
        Index("ix_orders_created_id", "created_at", "id"),
        Index("ix_orders_reservation_expires_at", "reservation_expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="RESTRICT"))
    order_number: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(32), default="pending", server_default="pending")
    customer_name: Mapped[str | None] = mapped_column(String(255))
    customer_email: Mapped[str | None] = mapped_column(String(255))
    channel: Mapped[str] = mapped_column(String(32), default="manual", server_default="manual")
    tracking_number: Mapped[str | None] = mapped_column(String(128))
    carrier: Mapped[str | None] = mapped_column(String(64))
    reservation_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    processing_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    partially_shipped_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    shipped_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_by: Mapped[str | None] = mapped_column(String(128))


# The Orders table sorted by customer (no name sorts as the empty text): migration 0004.
Index("ix_orders_customer_sort", func.coalesce(Order.customer_name, literal_column("''")), Order.id)


class OrderItem(Base):
    __tablename__ = "order_items"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("shipped_quantity >= 0 AND shipped_quantity <= quantity", name="shipped_within_quantity"),
        CheckConstraint(
            "returned_quantity >= 0 AND returned_quantity <= shipped_quantity", name="returned_within_shipped"
        ),
        Index("ix_order_items_order", "order_id"),
        Index("ix_order_items_product", "product_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"))
    product_name: Mapped[str] = mapped_column(String(255))
    sku: Mapped[str] = mapped_column(String(64))
    gtin: Mapped[str | None] = mapped_column(String(14))
    quantity: Mapped[int] = mapped_column(Integer)
    shipped_quantity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    returned_quantity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class InventoryReservation(Base):
    """One allocation of stock at one inventory row: to an order item, or a manual hold (no item).

    Invariant R: per inventory row, reserved_quantity = sum of open parts of its reservations,
    where open = quantity_reserved - quantity_fulfilled - quantity_released.
    """

    __tablename__ = "inventory_reservations"
    __table_args__ = (
        CheckConstraint("quantity_reserved > 0", name="reserved_positive"),
        CheckConstraint(
            "quantity_fulfilled >= 0 AND quantity_released >= 0 "
            "AND quantity_fulfilled + quantity_released <= quantity_reserved",
            name="parts_within_reserved",
        ),
        CheckConstraint("status IN ('active', 'fulfilled', 'released')", name="status_known"),
        Index("ix_inventory_reservations_item_status", "order_item_id", "status"),
        Index("ix_inventory_reservations_inventory_status", "inventory_id", "status"),
        Index("ix_inventory_reservations_order", "order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A deleted stock entry leaves its (closed) reservations behind with their location.
    inventory_id: Mapped[int | None] = mapped_column(ForeignKey("inventory.id", ondelete="SET NULL"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="RESTRICT"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"))
    order_item_id: Mapped[int | None] = mapped_column(ForeignKey("order_items.id", ondelete="RESTRICT"))
    quantity_reserved: Mapped[int] = mapped_column(Integer)
    quantity_fulfilled: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    quantity_released: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    notes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(128))
    reserved_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    fulfilled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Shipment(Base):
    """A parcel (the spec's fulfillment): pending -> picking -> packing -> ready_to_ship -> shipped."""

    __tablename__ = "shipments"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'picking', 'packing', 'ready_to_ship', 'shipped', 'cancelled')",
            name="status_known",
        ),
        CheckConstraint("weight_grams IS NULL OR weight_grams >= 0", name="weight_not_negative"),
        Index("ix_shipments_order", "order_id"),
        Index("ix_shipments_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_number: Mapped[str] = mapped_column(String(64), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    assigned_to: Mapped[str | None] = mapped_column(String(128))
    box_size: Mapped[str | None] = mapped_column(String(64))
    weight_grams: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    tracking_number: Mapped[str | None] = mapped_column(String(128))
    carrier: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    picking_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    packing_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    ready_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    shipped_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ShipmentLine(Base):
    __tablename__ = "shipment_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_shipment_lines_shipment", "shipment_id"),
        Index("ix_shipment_lines_item", "order_item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    order_item_id: Mapped[int] = mapped_column(ForeignKey("order_items.id", ondelete="RESTRICT"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id", ondelete="RESTRICT"))
    quantity: Mapped[int] = mapped_column(Integer)


class OrderHistory(Base):
    """Append-only like the ledger: triggers (migration 0005) refuse UPDATE and DELETE."""

    __tablename__ = "order_history"
    __table_args__ = (Index("ix_order_history_order", "order_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(32))
    old_status: Mapped[str | None] = mapped_column(String(32))
    new_status: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class OrderNote(Base):
    __tablename__ = "order_notes"
    __table_args__ = (Index("ix_order_notes_order", "order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(Text)
    is_internal: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class User(Base):
    """A person who signs in (migration 0006). Only hashes are stored: argon2 for the password and PIN."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('packer', 'manager', 'admin')", name="role_known"),
        CheckConstraint("failed_attempts >= 0", name="failed_attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)  # stored lower-case
    display_name: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    password_hash: Mapped[str] = mapped_column(String(255))
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    badge_code: Mapped[str | None] = mapped_column(String(64), unique=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class UserStore(Base):
    """The stores a user may work for; a user with no rows here works for every store."""

    __tablename__ = "user_stores"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True)


class UserAudit(Base):
    """Sign-ins, failed attempts, lockouts and user changes: who (actor), about whom, what, when."""

    __tablename__ = "user_audit"
    __table_args__ = (Index("ix_user_audit_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(128))
    username: Mapped[str | None] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


# --- search structures outside the models -----------------------------------------------------

SEARCH_TRIGRAM_INDEXES = frozenset(
    {"ix_products_title_trgm", "ix_products_sku_trgm", "ix_orders_order_number_trgm", "ix_orders_customer_name_trgm"}
)
"""PostgreSQL: pg_trgm GIN indexes on the searched expressions (migration 0003_search_indexes)."""

SEARCH_FTS_TABLES = frozenset({"products_search", "orders_search"})
"""SQLite: FTS5 trigram tables over products and orders, kept in sync by triggers (migration 0003).
Each has shadow tables named ``<table>_data``, ``<table>_idx``, ``<table>_docsize``, ``<table>_config``."""


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic's ``include_object`` hook: leave the dialect-specific search structures out.

    A GIN index with an operator class has no SQLite form and an FTS5 table with its triggers has
    no form in the models at all, so both exist in the migration only, and autogenerate must not
    propose to drop them (used by migrations/env.py and the migration tests).
    """
    if type_ == "index":
        return name not in SEARCH_TRIGRAM_INDEXES
    if type_ == "table" and name is not None:
        return not any(name == table or name.startswith(f"{table}_") for table in SEARCH_FTS_TABLES)
    return True
