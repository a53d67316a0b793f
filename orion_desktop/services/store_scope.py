"""Store scoping of every change (issue 14): one check where ``Services.perform`` dispatches.

A user with stores (``Actor.store_codes``) may change only those stores' products, stock rows,
orders and parcels. A request for anything in another store is refused with the very sentence
the service gives when the thing does not exist, so a user cannot even learn that it does.
Stores and locations are shared by every store (admins only, by role); expiring reservations
touches every store, so a user with stores may not run it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from orion_desktop.db.engine import Database
from orion_desktop.db.models import Order, Shipment, Store
from orion_desktop.domain import requests as rq
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.errors import InvalidInput, NotFound, PermissionDenied
from orion_desktop.domain.text_rules import clean_text
from orion_desktop.domain.validation import normalize_store_code

SHARED: frozenset[type[rq.Request[Any]]] = frozenset({rq.AddStore, rq.AddLocation, rq.UpdateLocation})
"""Requests about what every store shares: no store to check (the role check still applies)."""

EVERY_STORE: frozenset[type[rq.Request[Any]]] = frozenset({rq.ExpireReservations})
"""Requests that act on every store at once: refused for a user limited to some stores."""


def check(database: Database, actor: Actor, request: rq.Request[Any]) -> None:
    """Refuse ``request`` if it touches a store ``actor`` does not work for; else do nothing."""
    allowed = actor.store_codes
    kind = type(request)
    if allowed is None or kind in SHARED:
        return
    if kind in EVERY_STORE:
        raise PermissionDenied(
            f"{actor.name} works for {', '.join(sorted(allowed))} only and may not do this for every store."
        )
    with database.read() as session:
        if hasattr(request, "store"):
            _check_store(session, allowed, request.store)
        elif hasattr(request, "order_number"):
            _check_order(session, allowed, str(request.order_number))
        elif hasattr(request, "shipment_number"):
            _check_shipment(session, allowed, str(request.shipment_number))
        else:  # a new request type must be placed here (tests/integration/test_store_scope.py)
            raise TypeError(f"No store rule for {kind.__name__}.")


def _check_store(session: Session, allowed: frozenset[str], store: object) -> None:
    if store is None or not str(store).strip():
        # The service would use the only store; with several it asks which (its own sentence).
        codes = session.execute(select(Store.code).order_by(Store.code).limit(2)).scalars().all()
        if len(codes) == 1 and codes[0] not in allowed:
            raise NotFound("There are no stores yet. Create one first with `orion-desktop store add`.")
        return
    try:
        code = normalize_store_code(store)
    except InvalidInput:
        return  # the service gives the input error
    if code not in allowed:
        raise NotFound(f"There is no store with code {code}.")


def _check_order(session: Session, allowed: frozenset[str], order_number: str) -> None:
    try:
        number = clean_text(order_number, "order number", max_length=64)
    except InvalidInput:
        return
    code = session.execute(
        select(Store.code).join(Order, Order.store_id == Store.id).where(Order.order_number == number)
    ).scalar_one_or_none()
    if code is not None and code not in allowed:
        raise NotFound(f"There is no order {number}.")


def _check_shipment(session: Session, allowed: frozenset[str], number: str) -> None:
    for candidate in dict.fromkeys((number, number.upper())):  # as services/orders/queries.find_shipment
        code = session.execute(
            select(Store.code).join(Order, Order.store_id == Store.id).join(Shipment, Shipment.order_id == Order.id)
            .where(Shipment.shipment_number == candidate)
        ).scalar_one_or_none()
        if code is not None:
            if code not in allowed:
                raise NotFound(f"There is no shipment {number}.")
            return
