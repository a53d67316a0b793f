"""The pack station's box, without a widget: scans and keys in, what to show out.

``ScanController`` holds the order on the station (a ``PackSession``), its status and customer,
whether a parcel is being shipped, and the operation key of the parcel about to ship. Each input
(a scan, undo, complete, put aside) returns what the view should show: an ``Outcome`` (a sentence
and its tone, the line that changed), a ``Question`` to ask first, or a ``Shipping`` job for the
view to run in the background. Nothing here touches a widget, so it is driven directly in tests.

The scan path is synchronous: a right item costs no database call; a code that is not on the
order costs one indexed catalog lookup (to tell "wrong item" from "unknown code").
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from orion_desktop.domain.packing import OrderToPack, PackLine, PackSession, ScanResult
from orion_desktop.domain.requests import CompletePacking
from orion_desktop.ui.errors import user_message
from orion_desktop.ui.order_format import STATUS_TEXT
from orion_desktop.ui.plurals import counted

if TYPE_CHECKING:
    from orion_desktop.domain.actor import Actor
    from orion_desktop.domain.order_results import ShipmentResult, ShipmentStatusReport
    from orion_desktop.domain.orders import OrderStatus
    from orion_desktop.domain.print_results import PackingSlip
    from orion_desktop.services.registry import Services

log = logging.getLogger(__name__)

ORDER_NUMBER = re.compile(r"^ORD-\S+$", re.IGNORECASE)
"""What an order number scanned while items are expected looks like (``ORD-{store}-{date}-{tail}``)."""

CUSTOMER_SHOWN_CHARS = 40
"""A longer customer name is cut short beside the order number, so it cannot widen the window."""


class Tone(Enum):
    """What kind of sentence the feedback panel shows (the view picks the colours)."""

    IDLE = "idle"
    COUNTED = "counted"
    REFUSED = "refused"
    INFO = "info"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class StationKeys:
    """The keys the sentences name, as the platform writes them (the view knows the native text)."""

    complete: str = "F12"
    put_aside: str = "Esc"
    packing_slip: str = "Ctrl+P"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one input did: a sentence to show (None: nothing to say) and the line it changed."""

    message: str | None = None
    tone: Tone = Tone.INFO
    item_id: int | None = None  # the line a counted scan or an undo changed
    scan: ScanResult | None = None  # set for every item scan, counted or refused

    @property
    def refused(self) -> bool:
        return self.tone is Tone.REFUSED


@dataclass(frozen=True, slots=True)
class Question:
    """Ask before acting; ``yes`` acts (see ``ScanController.ship`` and ``drop_order``)."""

    title: str
    text: str
    details: str
    yes: str
    no: str
    default_yes: bool


@dataclass(frozen=True, slots=True)
class Completion:
    """What the background completion hands back."""

    order_number: str
    shipment: ShipmentResult
    status: ShipmentStatusReport | None  # None when it could not be read back (the parcel shipped anyway)
    slip: PackingSlip | None  # None when it could not be read back; Ctrl+P loads it then


@dataclass(frozen=True, slots=True)
class Shipping:
    """A parcel ready to ship: run ``work`` off the GUI thread, then hand its answer to
    ``ScanController.shipped`` (or its error to ``shipping_failed``)."""

    work: Callable[[], Completion]
    message: str  # what to show meanwhile


def plural(count: int, noun: str) -> str:
    """``1 unit``, ``3 units``: Qt's plural handling (``tr("%Ln unit(s)", "", n)``)."""
    return counted(f"%Ln {noun}(s)", count)


def shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _stay(units: int) -> str:
    return "stays" if units == 1 else "stay"


class ScanController:
    """The box on the station and the rules for what each scan or key does to it."""

    def __init__(
        self,
        services: Services,
        actor: Actor,
        *,
        report: Callable[[BaseException], None] = lambda _error: None,
        keys: StationKeys = StationKeys(),  # noqa: B008 - frozen
    ) -> None:
        self._services = services
        self._actor = actor
        self._report = report  # told about every error shown (the window watches for a lost database)
        self.keys = keys
        self._session: PackSession | None = None
        self._status: OrderStatus | None = None
        self._customer: str | None = None
        self._busy = False
        self._operation_key: str | None = None

    # --- state ----------------------------------------------------------------------------
    @property
    def session(self) -> PackSession | None:
        """The order being packed (None while the station waits for an order number)."""
        return self._session

    @property
    def busy(self) -> bool:
        """True while a parcel is being shipped."""
        return self._busy

    @property
    def operation_key(self) -> str | None:
        """The key of the parcel being completed: kept while its box is unchanged, so a retry cannot ship twice."""
        return self._operation_key

    def order_text(self) -> str:
        """``Order N · Status · for Customer`` (the customer cut short), or that no order is here."""
        session = self._session
        if session is None:
            return "No order on the station"
        status = f" · {STATUS_TEXT[self._status]}" if self._status is not None else ""
        customer = f" · for {shortened(self._customer, CUSTOMER_SHOWN_CHARS)}" if self._customer else ""
        return f"Order {session.order_number}{status}{customer}"

    @property
    def customer(self) -> str | None:
        return self._customer

    def progress_text(self) -> str:
        """Units packed and left, lines complete ("" with no order on the station)."""
        session = self._session
        if session is None:
            return ""
        physical = [line for line in session.lines if line.physical]
        total = sum(line.to_pack for line in physical)
        packed = sum(session.packed.values())
        lines_done = sum(1 for line in physical if session.packed_for(line.item_id) >= line.to_pack)
        return (f"{packed} of {plural(total, 'unit')} packed · {total - packed} left · "
                f"{lines_done} of {plural(len(physical), 'line')} complete")

    # --- scanning -------------------------------------------------------------------------
    def handle_scan(self, text: str) -> Outcome:
        """One entry of the scan field: an order number, or an item of the order being packed."""
        session = self._session
        if self._busy:
            return self._refusal("Wait a moment: the parcel is being shipped. Scan again when it is done.")
        if session is None:
            return self.open_order(text)
        if ORDER_NUMBER.match(text) and text.upper() != session.order_number.upper():
            if session.is_empty:
                return self.open_order(text)
            return self._refusal(f"Order {session.order_number} is still on the station. Complete it "
                                 f"({self.keys.complete}) or put it aside ({self.keys.put_aside}) "
                                 f"before scanning {text}.")
        return self._scan_item(session, text)

    def open_order(self, number: str) -> Outcome:
        """Load the open lines of order ``number``; on a refusal the station keeps what it had."""
        try:
            order = self._services.packing.open_order(number)
        except Exception as error:  # noqa: BLE001 - every refusal is a sentence on the panel
            return self._refusal(self._sentence(error))
        self._start(order)
        lines = order.lines
        units = sum(line.to_pack for line in lines if line.physical)
        return Outcome(f"Order {order.order_number}: {plural(units, 'unit')} to pack on "
                       f"{plural(len(lines), 'line')}. Scan the items.")

    def _start(self, order: OrderToPack) -> None:
        self._session = PackSession(order.order_number, order.lines)
        self._status = order.status
        self._customer = order.customer_name
        self._operation_key = None

    def _scan_item(self, session: PackSession, text: str) -> Outcome:
        try:
            result = session.scan(text, self._services.packing.product_name)
        except Exception as error:  # noqa: BLE001 - the lookup failed: nothing was counted
            return self._refusal(self._sentence(error))
        if not result.accepted:
            return Outcome(f"✗ {result.message}", Tone.REFUSED, scan=result)
        self._operation_key = None  # a different parcel now: a new completion
        message = f"✓ {result.message}"
        if session.is_complete:
            message += f" Everything is packed: press {self.keys.complete} to ship."
        return Outcome(message, Tone.COUNTED, item_id=result.item_id, scan=result)

    def undo(self) -> Outcome:
        """Take back the last counted scan."""
        if self._busy or self._session is None:
            return Outcome()
        result = self._session.undo_last()
        if result is None:
            return Outcome("Nothing to undo: no scan has been counted on this order.")
        self._operation_key = None
        return Outcome(f"↶ {result.message}", item_id=result.item_id)

    # --- putting aside --------------------------------------------------------------------
    def put_aside(self) -> Outcome | Question:
        """Leave the order without shipping; a question first when something is packed."""
        session = self._session
        if self._busy or session is None:
            return Outcome()
        if session.is_empty:
            return self.drop_order()
        packed = sum(session.packed.values())
        return Question(
            "Put the order aside?",
            f"Put order {session.order_number} aside? The {plural(packed, 'unit')} scanned so far "
            f"{'is' if packed == 1 else 'are'} forgotten and nothing ships.",
            "Take the items out of the box and put them back.",
            yes="Put aside",
            no="Keep packing",
            default_yes=False,  # a scanner's Enter must not throw the packing away
        )

    def quit_question(self) -> Question | None:
        """Before the window closes: a question when units are in the box (quitting forgets them)."""
        session = self._session
        if session is None or session.is_empty:
            return None
        packed = sum(session.packed.values())
        return Question(
            "Quit with a box half packed?",
            f"{plural(packed, 'unit')} of order {session.order_number} {'is' if packed == 1 else 'are'} in the box "
            "but not shipped. Quit anyway? Nothing ships and the scans are forgotten.",
            f"Keep packing and press {self.keys.complete} to ship them, or put the order aside first.",
            yes="Quit",
            no="Keep packing",
            default_yes=False,  # Ctrl+Q then Enter must not throw the packing away
        )

    def drop_order(self) -> Outcome:
        """Put the order aside now: nothing ships."""
        if self._session is None:
            return Outcome()
        number = self._session.order_number
        self._reset()
        return Outcome(f"Order {number} was put aside; nothing was shipped. Scan the next order.")

    def _reset(self) -> None:
        self._session = None
        self._status = None
        self._customer = None
        self._operation_key = None

    # --- completing -----------------------------------------------------------------------
    def complete(self, tracking: str | None) -> Outcome | Question | Shipping:
        """Ship what is packed; with lines still open, a question naming them first."""
        session = self._session
        if self._busy:
            return Outcome()
        if session is None:
            return self._refusal("Scan an order number first; then scan its items into the box.")
        if session.is_empty:
            return self._refusal("Nothing is packed yet; scan the items into the box first.")
        left_open = session.left_open()
        if not left_open:
            return self.ship(tracking) or Outcome()
        packed = sum(session.packed.values())
        remaining = sum(units for _line, units in left_open)
        return Question(
            "Ship a partial parcel?",
            f"Ship {plural(packed, 'unit')} of order {session.order_number} now? "
            f"{plural(remaining, 'unit')} {_stay(remaining)} open:",
            "\n".join(self._open_line_text(line, units) for line, units in left_open)
            + "\n\nThey remain on the order for a later parcel.",
            yes="Ship partial parcel",
            no="Keep packing",
            default_yes=True,
        )

    def ship(self, tracking: str | None) -> Shipping | None:
        """The packed quantities as one shipment, with one operation key per parcel (kept for its retry)."""
        session = self._session
        if session is None or session.is_empty or self._busy:
            return None
        number = session.order_number
        packed = dict(session.packed)
        if self._operation_key is None:
            self._operation_key = str(uuid.uuid4())
        key = self._operation_key
        services, actor = self._services, self._actor  # the work runs on a worker thread: no self in it

        def work() -> Completion:
            request = CompletePacking(number, tuple(packed.items()), tracking=tracking)
            shipped = services.perform(actor, request, operation_key=key)
            # The parcel has shipped; what follows only reads it back for the sentence and the slip.
            status: ShipmentStatusReport | None = None
            slip: PackingSlip | None = None
            try:
                status = services.order_queries.shipment_status(number)
                slip = services.packing.packing_slip(number)
            except Exception:  # noqa: BLE001 - Ctrl+P loads the slip again
                log.warning("Could not read back order %s after shipping it", number, exc_info=True)
            return Completion(number, shipped, status, slip)

        self._busy = True
        return Shipping(work, f"Shipping {plural(sum(packed.values()), 'unit')} of order {number}…")

    def shipped(self, completion: Completion) -> Outcome:
        """The parcel went out: the station is ready for the next order."""
        self._busy = False
        session = self._session
        items = completion.shipment.items
        names = {line.item_id: line.title for line in session.lines} if session is not None else {}
        contents = ", ".join(f"{r.fulfilled_quantity} × {names.get(r.item_id, 'item')}" for r in items)
        self._reset()
        message = (f"Shipped {plural(completion.shipment.units, 'unit')} of order {completion.order_number}: "
                   f"{contents}.")
        report = completion.status
        if report is not None:
            left = report.total_ordered_units - report.total_shipped_units
            if left > 0:
                message += (f" {plural(left, 'unit')} {_stay(left)} open; the order is "
                            f"{STATUS_TEXT[report.order_status].lower()}.")
            else:
                message += " The order is complete."
        message += f" {self.keys.packing_slip} saves the packing slip. Scan the next order."
        return Outcome(message, Tone.DONE)

    def shipping_failed(self, error: BaseException) -> Outcome:
        """Nothing shipped: the box stays packed, and a retry uses the same key."""
        self._busy = False
        return self._refusal(f"Not shipped: {self._sentence(error)}")

    # --- reloading ------------------------------------------------------------------------
    def refresh(self) -> Outcome:
        """Reload the order's lines while nothing is packed (packed units are never thrown away)."""
        session = self._session
        if session is None or not session.is_empty or self._busy:
            return Outcome()
        try:
            order = self._services.packing.open_order(session.order_number)
        except Exception as error:  # noqa: BLE001 - e.g. shipped or cancelled meanwhile elsewhere
            self._reset()
            return Outcome(f"Order {session.order_number} left the station: {self._sentence(error)}")
        self._start(order)
        return Outcome()

    # --- helpers --------------------------------------------------------------------------
    def _refusal(self, message: str) -> Outcome:
        return Outcome(f"✗ {message}", Tone.REFUSED)

    def _sentence(self, error: BaseException) -> str:
        self._report(error)
        return user_message(error)

    @staticmethod
    def _open_line_text(line: PackLine, units: int) -> str:
        return f"• {units} × {line.title} ({line.sku})"
