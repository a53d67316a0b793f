"""Requests: what an interface asks the services to change, as frozen values.

The command line builds a request from its arguments and a dialog from its widgets; both hand it to
``Services.perform(actor, request, operation_key=...)`` (``services/commands.py``), which calls the
service's keyword method. So a change has one shape whichever interface asks for it.

The fields mirror the keyword arguments of that method and may hold raw user values (text as typed,
``"12"`` for a number): the services still validate them and refuse bad input with a sentence.
Each request names the type of its result (``Request[StockChange]``), so ``perform`` is typed.
Adding an action: ARCHITECTURE.md, "Requests".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from orion_desktop.domain.enums import ProductType
from orion_desktop.domain.order_results import (
    ExpiryResult,
    NoteInfo,
    ReturnResult,
    ShipItemResult,
    ShipmentInfo,
    ShipmentResult,
    StatusChangeResult,
)

# The lines of order requests, importable with the requests (``from ... import X as X`` re-exports them).
from orion_desktop.domain.order_results import OrderLine as OrderLine
from orion_desktop.domain.order_results import ShipRequest as ShipRequest
from orion_desktop.domain.orders import OrderStatus, ShipmentStatus
from orion_desktop.domain.results import LocationInfo, ProductInfo, StockChange, StoreInfo, TransferResult

ResultT = TypeVar("ResultT", covariant=True)  # a request only names its answer, so it may widen


class Request(Generic[ResultT]):
    """Base of every request; ``ResultT`` is what performing it returns.

    The operation key (safe retries) is not a field: it names one attempt of the user's action,
    not what is asked, and ``perform`` takes it beside the request. Notes, expiry and catalog
    changes take no key in the services; for them ``perform`` sends none.
    """

    __slots__ = ()


# --- stock (InventoryService) --------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SetStock(Request[StockChange]):
    """Count a location: its quantity becomes ``quantity``."""

    store: str | None
    product: str
    location: str
    quantity: int | str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class AdjustStock(Request[StockChange]):
    """Add (or with a negative ``delta`` take away) units at a location, with a reason."""

    store: str | None
    product: str
    location: str
    delta: int | str
    reason: str


@dataclass(frozen=True, slots=True)
class ReserveStock(Request[StockChange]):
    """Hold units at a location by hand (not for an order)."""

    store: str | None
    product: str
    location: str
    quantity: int | str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ReleaseStock(Request[StockChange]):
    """Give back units held by hand."""

    store: str | None
    product: str
    location: str
    quantity: int | str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class FulfillStock(Request[StockChange]):
    """Units held by hand leave the warehouse."""

    store: str | None
    product: str
    location: str
    quantity: int | str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class TransferStock(Request[TransferResult]):
    """Move available units from one location to another."""

    store: str | None
    product: str
    source: str
    destination: str
    quantity: int | str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class DeleteStock(Request[StockChange | None]):
    """Remove a stock row; the answer is the ledger change writing off its units (None when it was empty)."""

    store: str | None
    product: str
    location: str
    reason: str | None = None


# --- orders (OrderService) ---------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CreateOrder(Request[str]):
    """A new order; the answer is its order number."""

    store: str | None
    lines: tuple[OrderLine, ...]
    customer: str | None = None
    email: str | None = None
    number: str | None = None
    channel: str = "manual"
    strict: bool = False
    reservation_expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ChangeOrderStatus(Request[StatusChangeResult]):
    order_number: str
    target: str | OrderStatus


@dataclass(frozen=True, slots=True)
class ShipOrder(Request[ShipmentResult]):
    """Ship these lines of an order now, as one shipment."""

    order_number: str
    lines: tuple[ShipRequest, ...]
    tracking: str | None = None
    carrier: str | None = None


@dataclass(frozen=True, slots=True)
class ShipItem(Request[ShipItemResult]):
    """Ship one item of an order (``quantity`` None: all of it that is left)."""

    order_number: str
    item: str | int
    quantity: int | str | None = None
    location: str | None = None
    tracking: str | None = None
    carrier: str | None = None


@dataclass(frozen=True, slots=True)
class ReturnItem(Request[ReturnResult]):
    """Shipped units come back: restocked at ``location``, or ``damaged`` (not restocked)."""

    order_number: str
    item: str | int
    quantity: int | str
    location: str | None = None
    damaged: bool = False
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class AddOrderNote(Request[NoteInfo]):
    """A note on an order: internal, or visible to the customer. The services take no operation
    key for a note, so ``perform`` sends none."""

    order_number: str
    text: str
    customer_visible: bool = False


@dataclass(frozen=True, slots=True)
class ExpireReservations(Request[ExpiryResult]):
    """Release the reservations of processing orders past their deadline (``now``: the clock).
    Takes no operation key: a second run finds nothing left to expire."""

    now: datetime | None = None


# --- parcels (OrderService) --------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PrepareShipment(Request[ShipmentInfo]):
    """Start a parcel for these lines of an order; nothing leaves until it is shipped."""

    order_number: str
    lines: tuple[ShipRequest, ...]
    assigned_to: str | None = None
    box_size: str | None = None
    weight_grams: int | str | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class AdvanceShipment(Request[ShipmentInfo]):
    """Move a parcel on to ``status`` (shipped: its units leave, with tracking and carrier)."""

    shipment_number: str
    status: str | ShipmentStatus
    assigned_to: str | None = None
    box_size: str | None = None
    weight_grams: int | str | None = None
    notes: str | None = None
    tracking: str | None = None
    carrier: str | None = None


@dataclass(frozen=True, slots=True)
class AssignShipment(Request[ShipmentInfo]):
    shipment_number: str
    assignee: str


@dataclass(frozen=True, slots=True)
class CancelShipment(Request[ShipmentInfo]):
    """Cancel an open parcel; its order keeps its reserved stock."""

    shipment_number: str
    reason: str | None = None


# --- the pack station (PackingService) ---------------------------------------------------
@dataclass(frozen=True, slots=True)
class CompletePacking(Request[ShipmentResult]):
    """Ship exactly what was packed: ``packed`` pairs an item id with its units."""

    order_number: str
    packed: tuple[tuple[int, int], ...]
    tracking: str | None = None
    carrier: str | None = None


# --- catalog (CatalogService) --------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AddStore(Request[StoreInfo]):
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class AddLocation(Request[LocationInfo]):
    """Create a location, or name and place one that stock operations created on the fly."""

    code: str
    name: str | None = None
    sort_key: int | str | None = None


@dataclass(frozen=True, slots=True)
class UpdateLocation(Request[LocationInfo]):
    """Rename, move along the picking path, or (de)activate a location; None leaves a field as it is."""

    code: str
    name: str | None = None
    sort_key: int | str | None = None
    is_active: bool | None = None


@dataclass(frozen=True, slots=True)
class AddProduct(Request[ProductInfo]):
    store: str | None
    sku: str
    title: str
    gtin: str | None = None
    product_type: str | ProductType | None = None
    low_stock_threshold: int | str | None = None
    reorder_point: int | str | None = None
