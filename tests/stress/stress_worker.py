"""The worker side of the stress, kill and restart tests (tests/stress/test_stress.py).

A worker is a process of its own with its own ``Database`` and ``Services``, like one PC. Until its
deadline it performs random requests through ``Services.perform`` (imports through the import
service, which has no request) on a small warehouse where a few products are hot, so workers
collide all the time. It writes what it did into files in the run's folder, never through a pipe:
the kill test SIGKILLs workers at any moment, and a file line is either there or not.

- ``w<slot>-<life>.json``: counters (operations and refusals by kind, unavailable calls and times),
  rewritten about every half second and at the end; a killed life loses at most that half second.
- ``w<slot>.keys``: a journal of keyed calls, ``pending`` before the call and ``ok``/``refused`` after.
  A worker started in a killed one's slot first retries its pending call with the same key, as a
  real client retries after a crash; the test checks the ledger applied each key once.
- ``unexpected.txt``: any exception that is not a domain error, with its traceback. Must stay empty.
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
import traceback
from collections import Counter
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.domain import requests as rq
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.errors import Conflict, DatabaseUnavailable, OrionError

STORE = "MAIN"
PRODUCTS = ("HOT1", "HOT2", "P3", "P4", "P5", "P6")
PRODUCT_WEIGHTS = (5, 4, 2, 2, 1, 1)  # two hot products: most calls collide on them
LOCATIONS = ("L1", "L2", "L3")
KEYED_KINDS = {"adjust": "AdjustStock", "transfer": "TransferStock"}
ORDER_KINDS = (
    "create_order", "process", "ship_part", "ship_all", "cancel", "return", "prepare_parcel",
    "advance_parcel", "cancel_parcel", "complete_packing",
)
STOCK_KINDS = ("set", "adjust", "transfer", "hold", "release", "fulfill", "delete")
OTHER_KINDS = ("import_stock", "import_orders", "expire")
KIND_WEIGHTS = {
    "set": 2, "adjust": 6, "transfer": 4, "hold": 3, "release": 3, "fulfill": 1, "delete": 1,
    "create_order": 7, "process": 4, "ship_part": 4, "ship_all": 3, "cancel": 2, "return": 2,
    "prepare_parcel": 3, "advance_parcel": 4, "cancel_parcel": 1, "complete_packing": 2,
    "import_stock": 1, "import_orders": 1, "expire": 1,
}
STOP_AT: Any = None  # a shared double: the time to stop, which the kill loop may move later
IN_CALL: Any = None  # a shared byte array: 1 while this slot is in a call, 2 in a keyed one (the kill loop aims at it)
PARCEL_NEXT = {"pending": "picking", "picking": "packing", "packing": "ready_to_ship", "ready_to_ship": "shipped"}


def seed(services: Services) -> None:
    """The warehouse every run starts from: one store, six products, three locations, 40 of each."""
    admin = Actor(name="admin", role=Role.ADMIN)
    services.perform(admin, rq.AddStore(code=STORE, name="Main store"))
    for sku in PRODUCTS:
        services.perform(admin, rq.AddProduct(store=STORE, sku=sku, title=f"Product {sku}"))
    for code in LOCATIONS:
        services.perform(admin, rq.AddLocation(code=code))
    for sku in PRODUCTS:
        for code in LOCATIONS:
            services.perform(admin, rq.SetStock(store=STORE, product=sku, location=code, quantity=40))


class Worker:
    """One process's random walk through the services."""

    def __init__(self, url: str, slot: int, life: int, seed_value: int, folder: Path) -> None:
        self.slot, self.life, self.folder = slot, life, folder
        self.rng = random.Random(seed_value)
        self.database = Database(url)
        self.services = Services.on(self.database)
        self.actor = Actor(name=f"worker-{slot}", role=Role.MANAGER)
        self.done: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()
        self.examples: dict[str, str] = {}  # one sentence per kind of refusal, for the report
        self.unavailable_times: list[float] = []
        self.unavailable_sentences: set[str] = set()
        self.last_success = 0.0
        self.calls = 0
        self.retried_after_crash = 0
        self.retried_after_outage = 0
        self.orders: list[tuple[str, str]] = []  # (number, status)
        self.items: list[tuple[str, int, int, int]] = []  # (order, item id, quantity, shipped)
        self.parcels: list[tuple[str, str]] = []  # (number, status)
        self.journal = (folder / f"w{slot}.keys").open("a", encoding="utf-8")
        self.counter_file = folder / f"w{slot}-{life}.json"
        self.pid = os.getpid()
        self.began = time.time()
        self.first_call = 0.0

    # --- what there is to work on (read with plain SQL: reads are not what is under test) ------

    def refresh_targets(self) -> None:
        with self.database.engine.connect() as conn:
            self.orders = [(r[0], r[1]) for r in conn.execute(text(
                "SELECT order_number, status FROM orders ORDER BY id DESC LIMIT 40"))]
            self.items = [(r[0], r[1], r[2], r[3]) for r in conn.execute(text(
                "SELECT o.order_number, i.id, i.quantity, i.shipped_quantity FROM order_items i "
                "JOIN orders o ON o.id = i.order_id WHERE o.status IN ('pending', 'processing', "
                "'partially_shipped', 'shipped') ORDER BY i.id DESC LIMIT 60"))]
            self.parcels = [(r[0], r[1]) for r in conn.execute(text(
                "SELECT shipment_number, status FROM shipments WHERE status NOT IN ('shipped', 'cancelled') "
                "ORDER BY id DESC LIMIT 20"))]

    # --- choosing a request --------------------------------------------------------------------

    def product(self) -> str:
        return self.rng.choices(PRODUCTS, weights=PRODUCT_WEIGHTS)[0]

    def location(self) -> str:
        return self.rng.choice(LOCATIONS)

    def open_order(self) -> str:
        open_ones = [n for n, s in self.orders if s in ("pending", "processing", "partially_shipped")]
        pool = open_ones or [n for n, _ in self.orders] or ["NONE-1"]
        return self.rng.choice(pool)

    def request_for(self, kind: str, number: int) -> rq.Request[Any]:  # noqa: C901 - one branch per kind
        r, loc, sku = self.rng, self.location(), self.product()
        if kind == "set":
            return rq.SetStock(store=STORE, product=sku, location=loc, quantity=r.randint(0, 60), reason="count")
        if kind == "adjust":
            return rq.AdjustStock(store=STORE, product=sku, location=loc, delta=r.choice((-4, -2, -1, 3, 5, 12)),
                                  reason="stress")
        if kind == "transfer":
            other = r.choice([x for x in LOCATIONS if x != loc])
            return rq.TransferStock(store=STORE, product=sku, source=loc, destination=other, quantity=r.randint(1, 8))
        if kind == "hold":
            return rq.ReserveStock(store=STORE, product=sku, location=loc, quantity=r.randint(1, 5), reason="hold")
        if kind == "release":
            return rq.ReleaseStock(store=STORE, product=sku, location=loc, quantity=r.randint(1, 5))
        if kind == "fulfill":
            return rq.FulfillStock(store=STORE, product=sku, location=loc, quantity=r.randint(1, 3))
        if kind == "delete":
            return rq.DeleteStock(store=STORE, product=sku, location=loc, reason="stress")
        if kind == "create_order":
            count = r.randint(1, 3)
            lines = tuple(rq.OrderLine(product=self.product(), quantity=r.randint(1, 4)) for _ in range(count))
            expires = datetime.now(UTC) + timedelta(seconds=r.uniform(0, 4)) if r.random() < 0.3 else None
            return rq.CreateOrder(store=STORE, lines=lines, number=f"S{self.slot}-{self.life}-{number}",
                                  customer="Stress Test", reservation_expires_at=expires)
        if kind == "process":
            return rq.ChangeOrderStatus(order_number=self.open_order(), target="processing")
        if kind == "cancel":
            return rq.ChangeOrderStatus(order_number=self.open_order(), target="cancelled")
        if kind == "ship_all" and self.items:
            order = r.choice(self.items)[0]
            every = tuple(rq.ShipRequest(item=item) for o, item, _, _ in self.items if o == order)
            return rq.ShipOrder(order_number=order, lines=every, tracking=f"T{number}")
        if kind in ("ship_part", "prepare_parcel", "complete_packing", "return") and self.items:
            order, item, quantity, shipped = r.choice(self.items)
            if kind == "ship_part":
                return rq.ShipItem(order_number=order, item=item, quantity=r.randint(1, max(1, quantity - shipped)))
            if kind == "prepare_parcel":
                return rq.PrepareShipment(order_number=order, lines=(rq.ShipRequest(item=item, quantity=1),),
                                          assigned_to=self.actor.name)
            if kind == "complete_packing":
                return rq.CompletePacking(order_number=order, packed=((item, max(1, quantity - shipped)),))
            return rq.ReturnItem(order_number=order, item=item, quantity=1, location=loc, damaged=r.random() < 0.2)
        if kind in ("advance_parcel", "cancel_parcel") and self.parcels:
            parcel, status = r.choice(self.parcels)
            if kind == "cancel_parcel":
                return rq.CancelShipment(shipment_number=parcel, reason="stress")
            return rq.AdvanceShipment(shipment_number=parcel, status=PARCEL_NEXT.get(status, "shipped"))
        if kind == "expire":
            return rq.ExpireReservations()
        # Nothing to work on yet: a status change of an order that may not exist (a NotFound refusal).
        return rq.ChangeOrderStatus(order_number=self.open_order(), target="processing")

    # --- performing ------------------------------------------------------------------------------

    def mark(self, busy: int) -> None:
        if IN_CALL is not None:
            IN_CALL[self.slot] = busy

    def perform(self, kind: str, request: rq.Request[Any], key: str | None) -> None:
        self.calls += 1
        self.first_call = self.first_call or time.time()
        try:
            self.mark(2 if key else 1)
            self.services.perform(self.actor, request, operation_key=key)
        except DatabaseUnavailable as error:
            self.unavailable_times.append(time.time())
            self.unavailable_sentences.add(str(error))
            raise
        except Conflict as error:
            # A CHECK constraint caught what the service should have refused itself: told apart.
            name = f"{kind}:Conflict" + (":rule" if "break a rule" in str(error) else "")
            self.refused[name] += 1
            self.examples.setdefault(name, str(error)[:300])
            raise
        except OrionError as error:
            self.refused[f"{kind}:{type(error).__name__}"] += 1
            self.examples.setdefault(f"{kind}:{type(error).__name__}", str(error)[:300])
            raise
        finally:
            self.mark(0)
        self.done[kind] += 1
        self.last_success = time.time()

    def keyed(self, kind: str, request: rq.Request[Any], key: str, *, retry_while_down: float) -> None:
        """A keyed call, journalled; retried with the same key while the database is unavailable."""
        self.note({"pending": key, "kind": kind, "request": type(request).__name__, "fields": asdict(request)})  # type: ignore[call-overload]
        deadline = time.monotonic() + retry_while_down
        retried = False
        while True:
            try:
                self.perform(kind, request, key)
            except DatabaseUnavailable:
                if time.monotonic() > deadline:
                    self.note({"unavailable": key})
                    return
                self.retried_after_outage += 1
                retried = True
                time.sleep(0.2)
                continue
            except OrionError:
                self.note({"refused": key, "retried": retried})
                return
            self.note({"ok": key, "retried": retried})
            return

    def note(self, entry: dict[str, Any]) -> None:
        self.journal.write(json.dumps(entry) + "\n")
        self.journal.flush()

    def retry_pending(self) -> None:
        """After a crash of this slot's previous life: retry its unfinished keyed call with the same key."""
        path = self.folder / f"w{self.slot}.keys"
        pending: dict[str, dict[str, Any]] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:  # a line cut by the kill: the call never started
                continue
            if "pending" in entry:
                pending[entry["pending"]] = entry
            else:
                for word in ("ok", "refused", "unavailable"):
                    pending.pop(entry.get(word, ""), None)
        for key, entry in pending.items():
            request_type = getattr(rq, entry["request"])
            self.retried_after_crash += 1
            self.save()  # counted even if this life is killed in turn, inside the retry
            self.keyed(entry["kind"], request_type(**entry["fields"]), key, retry_while_down=30)

    def import_request(self, kind: str, number: int) -> None:
        """A small CSV import through the import service (imports have no request type)."""
        path = self.folder / f"import-{self.slot}-{self.life}-{number}.csv"
        if kind == "import_stock":
            rows = {(self.product(), self.location()) for _ in range(3)}
            path.write_text("product,location,quantity\n" + "".join(
                f"{p},{loc},{self.rng.randint(0, 50)}\n" for p, loc in sorted(rows)), encoding="utf-8")
        else:
            # Two orders of two lines; about half moved on to processing by the file, so their holds are
            # written together (stock/bulk_holds.py) while other workers reserve and ship the same stock.
            orders = [(f"I{self.slot}-{self.life}-{number}-{n}", self.rng.choice(("", "processing"))) for n in range(2)]
            path.write_text("order_number;customer;channel;status;product;quantity\n" + "".join(
                f"{order};Importer;marketplace;{status};{self.product()};{self.rng.randint(1, 3)}\n"
                for order, status in orders for _ in range(2)), encoding="utf-8")
        self.calls += 1
        self.mark(1)
        try:
            if kind == "import_stock":
                self.services.importing.import_stock(self.actor, path, store=STORE)
            else:
                self.services.importing.import_orders(self.actor, path, store=STORE)
        except DatabaseUnavailable as error:
            self.unavailable_times.append(time.time())
            self.unavailable_sentences.add(str(error))
        except OrionError as error:
            self.refused[f"{kind}:{type(error).__name__}"] += 1
            self.examples.setdefault(f"{kind}:{type(error).__name__}", str(error)[:300])
        else:
            self.done[kind] += 1
            self.last_success = time.time()
        finally:
            self.mark(0)
            path.unlink(missing_ok=True)

    def run(self, deadline: float) -> None:
        kinds = list(KIND_WEIGHTS)
        weights = list(KIND_WEIGHTS.values())
        last_save = time.monotonic()
        number = 0
        while time.time() < (STOP_AT.value if STOP_AT is not None else deadline):
            number += 1
            if number % 10 == 1:
                try:
                    self.refresh_targets()
                except Exception:  # the database may be down (restart test): work on what is known
                    pass
            kind = self.rng.choices(kinds, weights=weights)[0]
            try:
                if kind in ("import_stock", "import_orders"):
                    self.import_request(kind, number)
                elif kind in KEYED_KINDS and self.rng.random() < 0.5:
                    self.keyed(kind, self.request_for(kind, number), f"k{self.slot}-{self.life}-{number}",
                               retry_while_down=30)
                else:
                    self.perform(kind, self.request_for(kind, number), None)
            except DatabaseUnavailable:
                time.sleep(0.1)  # counted in perform; the server is away (restart test): try again soon
            except OrionError:
                pass  # counted in perform
            except Exception:
                with (self.folder / "unexpected.txt").open("a", encoding="utf-8") as out:
                    out.write(f"worker {self.slot} life {self.life} {kind}:\n{traceback.format_exc()}\n")
            if time.monotonic() - last_save > 0.5:
                self.save()
                last_save = time.monotonic()
        self.save()

    def save(self) -> None:
        data = {
            "pid": self.pid, "slot": self.slot, "life": self.life, "calls": self.calls,
            "done": dict(self.done), "refused": dict(self.refused), "examples": self.examples,
            "unavailable": len(self.unavailable_times),
            "first_unavailable": min(self.unavailable_times, default=0.0),
            "last_unavailable": max(self.unavailable_times, default=0.0),
            "unavailable_sentences": sorted(self.unavailable_sentences),
            "last_success": self.last_success,
            "retried_after_crash": self.retried_after_crash,
            "retried_after_outage": self.retried_after_outage,
            "began": self.began, "first_call": self.first_call, "saved": time.time(),
        }
        partial = self.counter_file.with_suffix(".tmp")
        partial.write_text(json.dumps(data), encoding="utf-8")
        os.replace(partial, self.counter_file)


def work(url: str, slot: int, life: int, seed_value: int, folder: str, deadline: float) -> None:
    """Entry point of a worker process (multiprocessing target)."""
    # The services log each backorder as a warning; with no handler set up that is noise on stderr.
    logging.getLogger("orion_desktop").setLevel(logging.ERROR)
    worker = Worker(url, slot, life, seed_value, Path(folder))
    worker.save()  # a life killed before its first save still counts as a life
    try:
        if life > 0:
            worker.retry_pending()
        worker.run(deadline)
    except Exception:
        with (Path(folder) / "unexpected.txt").open("a", encoding="utf-8") as out:
            out.write(f"worker {slot} life {life} outside a call:\n{traceback.format_exc()}\n")
    finally:
        worker.journal.close()
        worker.database.dispose()
