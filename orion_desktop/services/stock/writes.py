"""Stock changes: set, adjust, reserve, release, fulfill, transfer, delete. One transaction per call."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import delete
from sqlalchemy.orm import Session

from orion_desktop.db.change_recording import record_stock
from orion_desktop.db.engine import Database
from orion_desktop.db.models import Inventory
from orion_desktop.domain.actor import Actor, Permission
from orion_desktop.domain.enums import TransactionType
from orion_desktop.domain.errors import Conflict, InvalidInput
from orion_desktop.domain.results import StockChange, TransferResult
from orion_desktop.domain.text_rules import agreeing, plural
from orion_desktop.domain.validation import (
    check_count,
    check_delta,
    check_level,
    clean_text,
    normalize_location_code,
)
from orion_desktop.services.idempotency import run_once
from orion_desktop.services.lookup import (
    ProductRef,
    Slot,
    find_locked_slot,
    find_slot,
    find_slot_pair,
    inventory_id,
    location_id,
    resolve_product,
    resolve_store,
)
from orion_desktop.services.stock.backorders import allocate_backorders
from orion_desktop.services.stock.held_on_server import move_held_on_server
from orion_desktop.services.stock.level_changes import (
    LedgerNote,
    apply_change,
    current_levels,
    lock_product_rows,
    lock_slot,
    missing_stock,
    require_stock_tracked,
)
from orion_desktop.services.stock.reservations import hold, manual_holds, settle


def open_slot(session: Session, actor: Actor, store: str | None, product: str, location: str, *, create: bool) -> Slot:
    """Resolve store, product and location into one inventory row (created empty when ``create``).

    The common case (the row exists) is one joined query; anything else takes the step-by-step
    path, which creates what is missing or explains precisely what is not there.
    """
    return _open(session, actor, store, product, location, create=create, lock=False)[0]


def open_locked_slot(
    session: Session, actor: Actor, store: str | None, product: str, location: str
) -> tuple[Slot, tuple[int, int]]:
    """:func:`open_slot` with ``create``, holding every stock row of the product locked (PostgreSQL).

    The rows are locked by one ascending-id statement (the global order, ARCHITECTURE.md: stock changes) that also
    reads the slot's (quantity, reserved), and before a missing row is created, so a PC never
    waits for another's uncommitted new row while holding locks that PC waits for.
    """
    slot, levels = _open(session, actor, store, product, location, create=True, lock=True)
    assert levels is not None
    return slot, levels


def open_locked_row(session: Session, actor: Actor, store: str | None, product: str, location: str) -> Slot:
    """:func:`open_locked_slot` for a caller that needs the lock but not the levels (an increase, a
    transfer's destination): on SQLite, whose writer holds the whole file, nothing more is read."""
    return _open(session, actor, store, product, location, create=True, lock=True, levels_wanted=False)[0]


def _open(
    session: Session, actor: Actor, store: str | None, product: str, location: str, *, create: bool, lock: bool,
    levels_wanted: bool = True,
) -> tuple[Slot, tuple[int, int] | None]:
    # PostgreSQL reads the levels with the lock anyway; SQLite would need a query of its own.
    read_levels = lock and (levels_wanted or session.get_bind().dialect.name == "postgresql")
    code = normalize_location_code(location)
    found = _quick_slot(find_slot, session, actor, store, product, code)
    if found is not None:
        return found, lock_slot(session, found) if read_levels else None
    store_info = resolve_store(session, store)
    actor.require_store(store_info.code)
    ref = resolve_product(session, store_info, product)
    require_stock_tracked(ref)
    loc_id = location_id(session, code, create=False)
    inv_id = None if loc_id is None else inventory_id(session, ref, loc_id, create=False)
    levels: dict[int, tuple[int, int]] = {}
    if lock or (create and inv_id is None):
        levels = lock_product_rows(session, {ref.id})
    if create and inv_id is None:
        loc_id = location_id(session, code, create=True)
        assert loc_id is not None
        inv_id = inventory_id(session, ref, loc_id, create=True)
    if loc_id is None or inv_id is None:
        raise missing_stock(ref, code)
    slot = Slot(product=ref, location_id=loc_id, location_code=code, inventory_id=inv_id)
    if not read_levels:
        return slot, None
    # SQLite, a row created just now, or one another PC deleted while we waited (NotFound).
    return slot, levels[inv_id] if inv_id in levels else current_levels(session, slot)


def _quick_slot(
    finder: Callable[[Session, str, str, str], Slot | None],
    session: Session, actor: Actor, store: str | None, product: str, code: str,
) -> Slot | None:
    """The slot by ``finder``'s one joined query when the store is named and the row exists, checked
    (the actor's store, a stock-tracked product); None: take the careful, step-by-step path."""
    if store is None or not str(store).strip():
        return None
    found = finder(session, str(store), str(product), code)
    if found is not None:
        actor.require_store(found.product.store_code)
        require_stock_tracked(found.product)
    return found


def _locked_row(session: Session, actor: Actor, store: str | None, product: str, location: str) -> Slot:
    """The existing slot with its stock row (that row only) locked: found and locked by one statement
    when the store is named; otherwise the careful path (:func:`open_slot`), then the lock."""
    found = _quick_slot(find_locked_slot, session, actor, store, product, normalize_location_code(location))
    if found is not None:
        return found
    slot = open_slot(session, actor, store, product, location, create=False)
    current_levels(session, slot, lock=True)
    return slot


def _transfer_slots(
    session: Session, actor: Actor, store: str | None, product: str, source: str, destination: str
) -> tuple[Slot, Slot]:
    """The source's and the destination's stock rows, every row of the product locked (PostgreSQL).

    Both rows found by one query when they exist (the common case: one statement fewer than a
    look-up per location); otherwise the source must exist and the destination is created."""
    if store is not None and str(store).strip():
        pair = find_slot_pair(
            session, str(store), str(product), normalize_location_code(source), normalize_location_code(destination)
        )
        if pair is not None:
            actor.require_store(pair[0].product.store_code)
            require_stock_tracked(pair[0].product)
            if session.get_bind().dialect.name == "postgresql":  # SQLite: the writer holds the whole file already
                lock_slot(session, pair[1])  # every row of the product, the source's too, in one statement
            return pair
    out_slot = open_slot(session, actor, store, product, source, create=False)
    # Locks every row of the product, the source's too, in one statement.
    in_slot = open_locked_row(session, actor, store, product, destination)
    return out_slot, in_slot


class InventoryService:
    def __init__(self, database: Database) -> None:
        self._db = database

    def set_quantity(
        self,
        actor: Actor,
        *,
        store: str | None,
        product: str,
        location: str,
        quantity: int | str,
        reason: str | None = None,
        operation_key: str | None = None,
    ) -> StockChange:
        """Set the exact on-hand quantity (a count). Refused below what is reserved there."""
        actor.require(Permission.CHANGE_STOCK)
        target = check_level(quantity)
        note_reason = clean_text(reason, "reason", required=False)
        with self._db.write() as session:

            def action() -> StockChange:
                # The product's rows locked (PostgreSQL) so the delta we record is the delta we apply,
                # and so backorder allocation below takes no lock of its own.
                slot, (before, _reserved) = open_locked_slot(session, actor, store, product, location)
                change = apply_change(
                    session,
                    slot,
                    TransactionType.SET,
                    quantity_change=target - before,
                    reserved_change=0,
                    note=LedgerNote(actor, note_reason, operation_key),
                    expected_quantity=before,
                )
                if change.quantity_change > 0:
                    allocate_backorders(session, {slot.product.id}, actor)
                return change

            return run_once(
                session, operation_key, "stock.set", actor, StockChange, action,
                params={
                    "store": store, "product": product, "location": location, "quantity": target, "reason": note_reason
                },
            )

    def adjust(
        self,
        actor: Actor,
        *,
        store: str | None,
        product: str,
        location: str,
        delta: int | str,
        reason: str,
        operation_key: str | None = None,
    ) -> StockChange:
        """Add (positive delta) or remove (negative) stock, with a reason for the ledger."""
        actor.require(Permission.CHANGE_STOCK)
        change = check_delta(delta)
        note_reason = clean_text(reason, "reason for the adjustment")
        with self._db.write() as session:

            def action() -> StockChange:
                if change > 0:  # may serve backorders: every row of the product locked first
                    slot = open_locked_row(session, actor, store, product, location)
                else:  # one row, changed by one conditional UPDATE
                    slot = open_slot(session, actor, store, product, location, create=False)
                result = apply_change(
                    session,
                    slot,
                    TransactionType.ADJUST,
                    quantity_change=change,
                    reserved_change=0,
                    note=LedgerNote(actor, note_reason, operation_key),
                )
                if change > 0:
                    allocate_backorders(session, {slot.product.id}, actor)  # oldest waiting order first
                return result

            return run_once(
                session, operation_key, "stock.adjust", actor, StockChange, action,
                params={
                    "store": store, "product": product, "location": location, "delta": change, "reason": note_reason
                },
            )

    def reserve(
        self, actor: Actor, *, store: str | None, product: str, location: str, quantity: int | str,
        reason: str | None = None, operation_key: str | None = None,
    ) -> StockChange:
        """Hold units aside by hand (not for an order): reserved goes up, on-hand stays."""
        return self._reserved_move(
            actor, TransactionType.RESERVE, store, product, location, quantity, reason, operation_key
        )

    def release(
        self, actor: Actor, *, store: str | None, product: str, location: str, quantity: int | str,
        reason: str | None = None, operation_key: str | None = None,
    ) -> StockChange:
        """Give manually held units back to available: reserved goes down, on-hand stays."""
        return self._reserved_move(
            actor, TransactionType.RELEASE, store, product, location, quantity, reason, operation_key
        )

    def fulfill(
        self, actor: Actor, *, store: str | None, product: str, location: str, quantity: int | str,
        reason: str | None = None, operation_key: str | None = None,
    ) -> StockChange:
        """Manually held units leave the warehouse: on-hand and reserved both go down."""
        return self._reserved_move(
            actor, TransactionType.FULFILL, store, product, location, quantity, reason, operation_key
        )

    def _reserved_move(
        self,
        actor: Actor,
        kind: TransactionType,
        store: str | None,
        product: str,
        location: str,
        quantity: int | str,
        reason: str | None,
        operation_key: str | None,
    ) -> StockChange:
        actor.require(Permission.MOVE_RESERVED_STOCK)
        count = check_count(quantity)
        note_reason = clean_text(reason, "reason", required=False)
        on_server = not self._db.is_sqlite  # PostgreSQL: the common case in one call of a server function
        if on_server and operation_key is None:  # ... as a statement of its own (no key row to write with it)
            with self._db.one_statement() as session:
                done = move_held_on_server(session, kind, store, product, normalize_location_code(location), count,
                                           LedgerNote(actor, note_reason, None))
            if done is not None:
                return done
            on_server = False  # not the common case: the careful path, in a transaction, without a second try
        with self._db.write() as session:

            def action() -> StockChange:
                note = LedgerNote(actor, note_reason, operation_key)
                if on_server:
                    done = move_held_on_server(session, kind, store, product, normalize_location_code(location),
                                               count, note)
                    if done is not None:
                        return done
                if kind is TransactionType.RESERVE:
                    return hold(session, open_slot(session, actor, store, product, location, create=False), count, note)
                # Lock the stock row before reading its holds, so two PCs releasing at once queue up
                # instead of both planning to take the same hold.
                slot = _locked_row(session, actor, store, product, location)
                # Only manual holds: units reserved for an order move through that order.
                holds = manual_holds(session, slot.inventory_id)
                return settle(session, slot, holds, count, kind, note)

            return run_once(
                session, operation_key, f"stock.{kind.value}", actor, StockChange, action,
                params={
                    "store": store, "product": product, "location": location, "quantity": count, "reason": note_reason
                },
            )

    def transfer(
        self,
        actor: Actor,
        *,
        store: str | None,
        product: str,
        source: str,
        destination: str,
        quantity: int | str,
        reason: str | None = None,
        operation_key: str | None = None,
    ) -> TransferResult:
        """Move available units between locations: both ledger rows or neither."""
        actor.require(Permission.CHANGE_STOCK)
        count = check_count(quantity)
        note_reason = clean_text(reason, "reason", required=False)
        if normalize_location_code(source) == normalize_location_code(destination):
            raise InvalidInput("The source and destination locations are the same; choose two different locations.")
        with self._db.write() as session:

            def action() -> TransferResult:
                out_slot, in_slot = _transfer_slots(session, actor, store, product, source, destination)
                note = LedgerNote(actor, note_reason, operation_key)
                changes: dict[str, StockChange] = {}
                # Touch rows in ascending primary-key order so two PCs cannot deadlock.
                for slot in sorted((out_slot, in_slot), key=lambda s: s.inventory_id):
                    outgoing = slot is out_slot
                    changes["out" if outgoing else "in"] = apply_change(
                        session,
                        slot,
                        TransactionType.TRANSFER_OUT if outgoing else TransactionType.TRANSFER_IN,
                        quantity_change=-count if outgoing else count,
                        reserved_change=0,
                        note=note,
                    )
                # Units arriving at an active location may be what a waiting order needs.
                allocate_backorders(session, {out_slot.product.id}, actor)
                return TransferResult(source=changes["out"], destination=changes["in"])

            return run_once(
                session, operation_key, "stock.transfer", actor, TransferResult, action,
                params={"store": store, "product": product, "source": source, "destination": destination,
                        "quantity": count, "reason": note_reason},
            )

    def delete_entry(
        self,
        actor: Actor,
        *,
        store: str | None,
        product: str,
        location: str,
        reason: str | None = None,
        operation_key: str | None = None,
    ) -> StockChange | None:
        """Remove a product's row at a location. Refused while units there are reserved.

        Remaining units are first written off with a ``set`` ledger row to zero, so the
        ledger still adds up for the (product, location) after the row is gone.
        """
        actor.require(Permission.CHANGE_STOCK)
        note_reason = clean_text(reason, "reason", required=False) or "entry deleted"
        with self._db.write() as session:

            def action() -> StockChange | None:
                slot = open_slot(session, actor, store, product, location, create=False)
                # FOR UPDATE, the lock the DELETE below needs: taken now, it never has to be upgraded.
                quantity, reserved = current_levels(session, slot, deleting=True)
                if reserved:
                    raise Conflict(
                        f"Cannot delete {slot.product.sku} at {slot.location_code}: {plural(reserved, 'unit')} "
                        f"{agreeing(reserved, 'is', 'are')} reserved for orders there. Release them first."
                    )
                change = None
                if quantity:
                    change = apply_change(
                        session,
                        slot,
                        TransactionType.SET,
                        quantity_change=-quantity,
                        reserved_change=0,
                        note=LedgerNote(actor, note_reason, operation_key),
                        expected_quantity=quantity,
                    )
                record_stock(session, (slot.product.id,))  # the row goes, even when it held nothing
                session.execute(
                    delete(Inventory).where(Inventory.id == slot.inventory_id, Inventory.reserved_quantity == 0)
                )
                return change

            # Keyed, a retry after a lost answer gets the first answer instead of "no stock there".
            return run_once(
                # A union is no ``type[T]`` to mypy; run_once only hands it to decode(), which reads unions.
                session, operation_key, "stock.delete", actor, StockChange | None, action,  # type: ignore[arg-type]
                params={"store": store, "product": product, "location": location, "reason": note_reason},
            )


__all__ = ["InventoryService", "ProductRef", "open_locked_slot", "open_slot"]
