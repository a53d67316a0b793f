"""Performing a request (domain/requests.py): the one place that turns a request into a service call.

Each request type has one handler here, which calls the keyword method of the service that owns the
action. The keyword methods stay the services' own interface (tests and the services call them);
the interfaces build requests and call ``Services.perform``, so the CLI and the window cannot drift
apart in how they ask for the same change.

Adding an action: a request class in domain/requests.py, a handler below (``tests/unit/test_request_dispatch.py``
fails while one is missing), then the CLI command and the dialog build that request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from orion_desktop.domain import requests as rq
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.order_results import (
    ExpiryResult,
    NoteInfo,
    ReturnResult,
    ShipItemResult,
    ShipmentInfo,
    ShipmentResult,
    StatusChangeResult,
)
from orion_desktop.domain.results import LocationInfo, ProductInfo, StockChange, StoreInfo, TransferResult
from orion_desktop.services import store_scope

if TYPE_CHECKING:  # the registry imports this module to offer ``Services.perform``
    from orion_desktop.services.registry import Services

ResultT = TypeVar("ResultT")
RequestT = TypeVar("RequestT", bound=rq.Request[Any])
Key = str | None
Handler = Callable[["Services", Actor, Any, Key], Any]

HANDLERS: dict[type[rq.Request[Any]], Handler] = {}
"""Request type -> the function that performs it (filled by ``@handles`` below)."""


def perform(services: Services, actor: Actor, request: rq.Request[ResultT], operation_key: Key = None) -> ResultT:
    """Perform ``request`` as ``actor`` with the services it belongs to; answer the service's result.

    ``operation_key`` makes a retry safe (ARCHITECTURE.md: stock changes); requests whose service
    takes no key ignore it.
    """
    handler = HANDLERS.get(type(request))
    if handler is None:  # a programming error, not a user's: every request type has a handler (a test)
        raise TypeError(f"No service performs {type(request).__name__}.")
    store_scope.check(services.database, actor, request)  # another store's things "do not exist"
    return cast(ResultT, handler(services, actor, request, operation_key))


def handles(kind: type[RequestT]) -> Callable[[Callable[[Services, Actor, RequestT, Key], object]], Handler]:
    """Register the decorated function as the performer of ``kind``."""

    def register(function: Callable[[Services, Actor, RequestT, Key], object]) -> Handler:
        HANDLERS[kind] = function
        return function

    return register


# --- stock -------------------------------------------------------------------------------
@handles(rq.SetStock)
def _set_stock(s: Services, actor: Actor, r: rq.SetStock, key: Key) -> StockChange:
    return s.inventory.set_quantity(actor, store=r.store, product=r.product, location=r.location,
                                    quantity=r.quantity, reason=r.reason, operation_key=key)


@handles(rq.AdjustStock)
def _adjust_stock(s: Services, actor: Actor, r: rq.AdjustStock, key: Key) -> StockChange:
    return s.inventory.adjust(actor, store=r.store, product=r.product, location=r.location, delta=r.delta,
                              reason=r.reason, operation_key=key)


@handles(rq.ReserveStock)
def _reserve_stock(s: Services, actor: Actor, r: rq.ReserveStock, key: Key) -> StockChange:
    return s.inventory.reserve(actor, store=r.store, product=r.product, location=r.location, quantity=r.quantity,
                               reason=r.reason, operation_key=key)


@handles(rq.ReleaseStock)
def _release_stock(s: Services, actor: Actor, r: rq.ReleaseStock, key: Key) -> StockChange:
    return s.inventory.release(actor, store=r.store, product=r.product, location=r.location, quantity=r.quantity,
                               reason=r.reason, operation_key=key)


@handles(rq.FulfillStock)
def _fulfill_stock(s: Services, actor: Actor, r: rq.FulfillStock, key: Key) -> StockChange:
    return s.inventory.fulfill(actor, store=r.store, product=r.product, location=r.location, quantity=r.quantity,
                               reason=r.reason, operation_key=key)


@handles(rq.TransferStock)
def _transfer_stock(s: Services, actor: Actor, r: rq.TransferStock, key: Key) -> TransferResult:
    return s.inventory.transfer(actor, store=r.store, product=r.product, source=r.source,
                                destination=r.destination, quantity=r.quantity, reason=r.reason, operation_key=key)


@handles(rq.DeleteStock)
def _delete_stock(s: Services, actor: Actor, r: rq.DeleteStock, key: Key) -> StockChange | None:
    return s.inventory.delete_entry(actor, store=r.store, product=r.product, location=r.location, reason=r.reason,
                                    operation_key=key)


# --- orders ------------------------------------------------------------------------------
@handles(rq.CreateOrder)
def _create_order(s: Services, actor: Actor, r: rq.CreateOrder, key: Key) -> str:
    return s.orders.create_order(actor, store=r.store, lines=r.lines, customer=r.customer, email=r.email,
                                 number=r.number, channel=r.channel, strict=r.strict,
                                 reservation_expires_at=r.reservation_expires_at, operation_key=key)


@handles(rq.ChangeOrderStatus)
def _change_status(s: Services, actor: Actor, r: rq.ChangeOrderStatus, key: Key) -> StatusChangeResult:
    return s.orders.change_status(actor, r.order_number, r.target, operation_key=key)


@handles(rq.ShipOrder)
def _ship_order(s: Services, actor: Actor, r: rq.ShipOrder, key: Key) -> ShipmentResult:
    return s.orders.ship(actor, r.order_number, r.lines, tracking=r.tracking, carrier=r.carrier, operation_key=key)


@handles(rq.ShipItem)
def _ship_item(s: Services, actor: Actor, r: rq.ShipItem, key: Key) -> ShipItemResult:
    return s.orders.ship_item(actor, r.order_number, r.item, r.quantity, location=r.location, tracking=r.tracking,
                              carrier=r.carrier, operation_key=key)


@handles(rq.ReturnItem)
def _return_item(s: Services, actor: Actor, r: rq.ReturnItem, key: Key) -> ReturnResult:
    return s.orders.return_item(actor, r.order_number, r.item, r.quantity, location=r.location, damaged=r.damaged,
                                reason=r.reason, operation_key=key)


@handles(rq.AddOrderNote)
def _add_note(s: Services, actor: Actor, r: rq.AddOrderNote, _key: Key) -> NoteInfo:
    return s.orders.add_note(actor, r.order_number, r.text, customer_visible=r.customer_visible)


@handles(rq.ExpireReservations)
def _expire(s: Services, actor: Actor, r: rq.ExpireReservations, _key: Key) -> ExpiryResult:
    return s.orders.expire_reservations(actor, r.now)


# --- parcels -----------------------------------------------------------------------------
@handles(rq.PrepareShipment)
def _prepare_shipment(s: Services, actor: Actor, r: rq.PrepareShipment, key: Key) -> ShipmentInfo:
    return s.orders.prepare_shipment(actor, r.order_number, r.lines, assigned_to=r.assigned_to, box_size=r.box_size,
                                     weight_grams=r.weight_grams, notes=r.notes, operation_key=key)


@handles(rq.AdvanceShipment)
def _advance_shipment(s: Services, actor: Actor, r: rq.AdvanceShipment, key: Key) -> ShipmentInfo:
    return s.orders.advance_shipment(actor, r.shipment_number, r.status, assigned_to=r.assigned_to,
                                     box_size=r.box_size, weight_grams=r.weight_grams, notes=r.notes,
                                     tracking=r.tracking, carrier=r.carrier, operation_key=key)


@handles(rq.AssignShipment)
def _assign_shipment(s: Services, actor: Actor, r: rq.AssignShipment, key: Key) -> ShipmentInfo:
    return s.orders.assign_shipment(actor, r.shipment_number, r.assignee, operation_key=key)


@handles(rq.CancelShipment)
def _cancel_shipment(s: Services, actor: Actor, r: rq.CancelShipment, key: Key) -> ShipmentInfo:
    return s.orders.cancel_shipment(actor, r.shipment_number, reason=r.reason, operation_key=key)


@handles(rq.CompletePacking)
def _complete_packing(s: Services, actor: Actor, r: rq.CompletePacking, key: Key) -> ShipmentResult:
    return s.packing.complete(actor, r.order_number, dict(r.packed), tracking=r.tracking, carrier=r.carrier,
                              operation_key=key)


# --- catalog -----------------------------------------------------------------------------
@handles(rq.AddStore)
def _add_store(s: Services, actor: Actor, r: rq.AddStore, _key: Key) -> StoreInfo:
    return s.catalog.add_store(actor, r.code, r.name)


@handles(rq.AddLocation)
def _add_location(s: Services, actor: Actor, r: rq.AddLocation, _key: Key) -> LocationInfo:
    return s.catalog.add_location(actor, r.code, r.name, r.sort_key)


@handles(rq.UpdateLocation)
def _update_location(s: Services, actor: Actor, r: rq.UpdateLocation, _key: Key) -> LocationInfo:
    return s.catalog.update_location(actor, r.code, name=r.name, sort_key=r.sort_key, is_active=r.is_active)


@handles(rq.AddProduct)
def _add_product(s: Services, actor: Actor, r: rq.AddProduct, _key: Key) -> ProductInfo:
    return s.catalog.add_product(actor, store=r.store, sku=r.sku, title=r.title, gtin=r.gtin,
                                 product_type=r.product_type, low_stock_threshold=r.low_stock_threshold,
                                 reorder_point=r.reorder_point)
