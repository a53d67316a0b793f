"""The pack station's watch on its order: a change made elsewhere is checked against the box at once.

When a change names the order on the station (or "all orders"), or the stock of a product in its
box, ``OrderWatch`` reads the order again off the GUI thread and asks ``box_problem`` whether the box
can still ship: not when the order was cancelled, shipped by someone else, or the stock its packed
units need was taken. Then it says so in one sentence (``warn``) and ``blocks`` is true, which keeps
Complete off; the scanned counts stay as they are, so the packer sees what to put back. A box that
is still fine says nothing; a box that becomes fine again (the stock came back) says that once.

Changes come through ``DataEvents.committed``: this window's own writes and, through
``ui/live_feed.py``, other PCs'. Checks never queue: changes during a check cause one more check.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject

from orion_desktop.domain.orders import OrderStatus
from orion_desktop.ui.pack_station.scan_controller import Tone
from orion_desktop.ui.worker import run_in_background

if TYPE_CHECKING:
    from orion_desktop.domain.changes import Changes
    from orion_desktop.domain.order_results import OrderDetail
    from orion_desktop.domain.packing import PackSession
    from orion_desktop.services.registry import Services
    from orion_desktop.ui.data_events import DataEvents
    from orion_desktop.ui.pack_station.scan_controller import ScanController

log = logging.getLogger(__name__)

class StationView(Protocol):
    """What the watch needs of the pack station page (its own methods, so the page needs no new ones)."""

    def _refuse(self, message: str) -> None: ...  # red panel, flash, sound

    def _show_feedback(self, message: str, tone: Tone) -> None: ...

    def _update_state(self) -> None: ...  # re-reads ``blocks`` for Complete


PUT_BACK = "Do not ship this box: put the items back and put the order aside (Esc)."
NOTHING_PACKED = "Nothing is packed for it: put the order aside (Esc) and scan the next one."


def _units(count: int) -> str:
    return f"{count} unit" if count == 1 else f"{count} units"


def box_problem(detail: OrderDetail, packed: Mapping[int, int], available: Mapping[int, int]) -> str | None:
    """Why the packed box can no longer ship, as one sentence; None while it can.

    ``packed``: units in the box per order item; ``available``: per product id, the units available
    besides every reservation (only the products the order's reservations do not cover need one).
    """
    number = detail.order_number
    then = PUT_BACK if any(units > 0 for units in packed.values()) else NOTHING_PACKED
    if detail.status is OrderStatus.CANCELLED:
        return f"Order {number} was cancelled while it was being packed. {then}"
    if not detail.status.is_open:
        return f"Order {number} was {detail.status.value} while it was being packed. {then}"
    items = {item.id: item for item in detail.items}
    for item_id, units in packed.items():
        item = items.get(item_id)
        if units <= 0 or item is None:
            continue
        if units > item.remaining_quantity:
            left = item.remaining_quantity
            return (f"{item.product_name} ({item.sku}) of order {number} was shipped meanwhile: "
                    f"{_units(left)} of it {'is' if left == 1 else 'are'} still to ship, and the box holds "
                    f"{_units(units)}. Take out what is too many, put the order aside (Esc) and scan it again.")
        if item.stock_tracked and units > item.reserved + available.get(item.product_id, 0):
            have = item.reserved + available.get(item.product_id, 0)
            return (f"The stock for {item.product_name} ({item.sku}) was taken meanwhile: "
                    f"the box holds {_units(units)}, but only {have} can ship now. Complete stays off until "
                    f"the stock is back; or put the order aside (Esc).")
    return None


@dataclass(frozen=True)
class _Reading:
    detail: OrderDetail
    available: dict[int, int]


def _read(services: Services, number: str, packed: Mapping[int, int]) -> _Reading:
    """On a worker thread: the order, and the free stock of each product its reservations do not cover."""
    detail = services.order_queries.get_order(number)
    available: dict[int, int] = {}
    for item in detail.items:
        if item.stock_tracked and packed.get(item.id, 0) > item.reserved and item.product_id not in available:
            stock = services.stock.product_stock(detail.store_code, item.sku)
            available[item.product_id] = stock.total_available
    return _Reading(detail, available)


class OrderWatch(QObject):
    """Checks the station's box whenever a change concerns its order; ``blocks`` keeps Complete off."""

    def __init__(
        self,
        services: Services,
        controller: ScanController,
        events: DataEvents,
        station: StationView,
    ) -> None:
        """``station``: the page that shows what the watch finds (and owns the watch, being a QObject)."""
        super().__init__(station if isinstance(station, QObject) else None)
        self._services = services
        self._controller = controller
        self._station = station
        self._order_id: int | None = None  # learnt by the first check of the session below
        self._products: frozenset[int] = frozenset()
        self._known_for: PackSession | None = None
        self._problem: str | None = None
        self._problem_for: PackSession | None = None
        self._checking = False
        self._check_again = False
        self.checks = 0  # answers handled (tests wait for it)
        events.committed.connect(self.changed)

    @property
    def problem(self) -> str | None:
        """The sentence of the box's problem while the box on the station has one."""
        return self._problem if self._problem_for is self._controller.session else None

    @property
    def blocks(self) -> bool:
        return self.problem is not None

    def changed(self, changes: Changes) -> None:
        """A committed change (here or elsewhere): check the box if it may concern it."""
        session = self._controller.session
        if session is None or self._controller.busy:
            return  # nothing on the station, or its own completion is under way
        if self._known_for is session and self._order_id is not None:
            concerned = changes.concerns_order(self._order_id) or any(
                changes.concerns_product(product) for product in self._products)
        else:
            concerned = changes.orders_changed or changes.stock_changed
        if concerned:
            self.check()

    def check(self) -> None:
        """Read the order again in the background and judge the box (one check at a time)."""
        session = self._controller.session
        if session is None:
            return
        if self._checking:
            self._check_again = True
            return
        self._checking, self._check_again = True, False
        services, number, packed = self._services, session.order_number, dict(session.packed)
        run_in_background(
            self,
            lambda: _read(services, number, packed),
            on_done=lambda reading: self._judged(session, packed, reading),
            on_error=self._failed,
        )

    def _judged(self, session: PackSession, packed: dict[int, int], reading: _Reading) -> None:
        self._checking = False
        self.checks += 1
        if session is self._controller.session and not self._controller.busy:
            self._known_for = session
            self._order_id = reading.detail.id
            self._products = frozenset(item.product_id for item in reading.detail.items)
            # Judged on the box as it was read (scans that came meanwhile get a check of their own below).
            problem = box_problem(reading.detail, packed, reading.available)
            was = self.problem
            self._problem, self._problem_for = problem, session
            if problem is not None and problem != was:
                self._station._refuse(problem)
            elif problem is None and was is not None:
                self._station._show_feedback(f"Order {session.order_number} can be completed again.", Tone.INFO)
            self._station._update_state()
        if self._check_again or (session is self._controller.session and dict(session.packed) != packed):
            self._check_again = False
            self.check()

    def _failed(self, error: BaseException) -> None:
        # Not the packer's business now: a lost database shows its own banner, Complete says the rest.
        self._checking = False
        self.checks += 1
        log.info("Could not check the order on the pack station again: %s", error)
        if self._check_again:
            self._check_again = False
            self.check()
