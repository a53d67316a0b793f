"""Acceptance (issue 14): every public read of the service faces shows only the signed-in user's stores.

Two stores with the same data, ALFA and BRAVO (every name of BRAVO's rows says "bravo"). Each read
runs unscoped (BRAVO's rows must be there, so a case cannot pass by showing nothing) and then
scoped to ALFA: no row, line or name of BRAVO may appear, and every count is exactly half (ALFA's
alone). Looking up one of BRAVO's things by its number or code gives the very sentence a thing
that does not exist gives. The faces' public methods are walked, so a new read without a case here
fails the test.
"""

from __future__ import annotations

import dataclasses
import inspect
import itertools
from collections.abc import Callable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest

from orion_desktop.domain import requests as rq
from orion_desktop.domain.actor import SYSTEM, Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.errors import InvalidInput, NotFound
from orion_desktop.domain.order_results import OrderLine, ShipRequest
from orion_desktop.services.registry import Services

GTINS = {"ALFA": "4006381333931", "BRAVO": "5901234123457"}
PAT = Actor(name="pat", role=Role.MANAGER, store_codes=frozenset({"ALFA"}))

Call = Callable[[Services, Path], Any]
_SPARE_NUMBERS = itertools.count()


def build_scene(services: Services) -> dict[str, str]:
    """The same warehouse in both stores; answers each store's prepared parcel number."""
    do = services.perform
    parcels: dict[str, str] = {}
    for code in ("ALFA", "BRAVO"):
        do(SYSTEM, rq.AddStore(code, f"Store {code.title()}"))
    for code in ("ALFA", "BRAVO"):
        sku, low = f"SKU-{code}", f"LOW-{code}"
        do(SYSTEM, rq.AddProduct(store=code, sku=sku, title=f"Widget {code}", gtin=GTINS[code]))
        do(SYSTEM, rq.AddProduct(store=code, sku=low, title=f"Gadget {code}"))
        do(SYSTEM, rq.SetStock(code, sku, "L1", 40))
        do(SYSTEM, rq.SetStock(code, sku, "L2", 5))
        do(SYSTEM, rq.SetStock(code, low, "L1", 2))
        do(SYSTEM, rq.ReserveStock(code, sku, "L1", 3))
        do(SYSTEM, rq.CreateOrder(code, (OrderLine(sku, 4),), customer=f"Customer {code}", number=f"ORD-{code}"))
        do(SYSTEM, rq.AddOrderNote(f"ORD-{code}", f"Call {code} first"))
        do(SYSTEM, rq.CreateOrder(code, (OrderLine(sku, 2),), number=f"PAR-{code}"))
        parcels[code] = do(SYSTEM, rq.PrepareShipment(f"PAR-{code}", (ShipRequest(sku, 1),))).shipment_number
        do(SYSTEM, rq.CreateOrder(code, (OrderLine(sku, 2),), number=f"SHP-{code}"))
        do(SYSTEM, rq.ShipOrder(f"SHP-{code}", (ShipRequest(sku, 2),)))
        # Five wanted, two on hand: three units backordered.
        do(SYSTEM, rq.CreateOrder(code, (OrderLine(low, 5),), number=f"BACK-{code}"))
        do(SYSTEM, rq.ChangeOrderStatus(f"BACK-{code}", "processing"))
        do(SYSTEM, rq.CreateOrder(code, (OrderLine(sku, 1),), number=f"CAN-{code}"))
        do(SYSTEM, rq.ChangeOrderStatus(f"CAN-{code}", "cancelled"))
    return parcels


def _file(write: Callable[[Services, Path], int]) -> Call:
    """An export's case: the text of the file it wrote (one file per call)."""

    def run(services: Services, folder: Path) -> str:
        target = folder / f"export-{len(list(folder.iterdir()))}.csv"
        written = write(services, target)
        text = target.read_text(encoding="utf-8")
        assert len(text.splitlines()) == written + 1  # the header and every row it counted
        return text

    return run


# Lists, searches, reports and exports: (face.method, the call, the rows or lines it answers).
LISTS: list[tuple[str, Call]] = [
    ("catalog.list_stores", lambda s, _: s.catalog.list_stores()),
    ("catalog.list_products", lambda s, _: s.catalog.list_products()),
    ("catalog.list_products", lambda s, _: s.catalog.list_products(search="widget")),
    ("stock.list_stock", lambda s, _: s.stock.list_stock()),
    ("stock.list_stock", lambda s, _: s.stock.list_stock(search="widget", limit=50)),
    ("stock.list_stock", lambda s, _: s.stock.list_stock(sort="quantity", descending=True)),
    ("stock.list_stock", lambda s, _: s.stock.list_stock(low_stock_only=True)),
    ("stock.low_stock", lambda s, _: s.stock.low_stock()),
    ("stock.low_stock", lambda s, _: s.stock.low_stock(threshold=1000, reorder_points=True)),
    ("stock.ledger", lambda s, _: s.stock.ledger(limit=500)),
    ("stock.ledger", lambda s, _: s.stock.ledger(location="L1", transaction_type="set", limit=500)),
    ("order_queries.list_orders", lambda s, _: s.order_queries.list_orders()),
    ("order_queries.list_orders", lambda s, _: s.order_queries.list_orders(search="customer")),
    ("order_queries.list_orders", lambda s, _: s.order_queries.list_orders(sort="store")),
    ("order_queries.backorders", lambda s, _: s.order_queries.backorders()),
    ("order_queries.open_shipments", lambda s, _: s.order_queries.open_shipments()),
    ("order_queries.list_shipments", lambda s, _: s.order_queries.list_shipments()),
    ("order_queries.list_shipments", lambda s, _: s.order_queries.list_shipments(status="shipped")),
    ("reports.low_stock", lambda s, _: s.reports.low_stock()),
    ("reports.low_stock", lambda s, _: s.reports.low_stock(threshold=1000, limit=100)),
    ("reports.export_low_stock", _file(lambda s, p: s.reports.export_low_stock(p, 1000))),
    ("importing.export_products", _file(lambda s, p: s.importing.export_products(p))),
    ("importing.export_orders", _file(lambda s, p: s.importing.export_orders(p))),
    ("importing.export_ledger", _file(lambda s, p: s.importing.export_ledger(p))),
    ("importing.export_stock", _file(lambda s, p: s.importing.export_stock(p))),
]


def _rows(answer: object) -> int:
    if isinstance(answer, str):
        return len(answer.splitlines()) - 1  # a CSV file: its lines under the header
    assert isinstance(answer, tuple)
    return len(answer)


# Counts (the dashboard's tiles, the stats, the checks): (face.method, the call, its additive figures).
COUNTS: list[tuple[str, Call, Callable[[Any], tuple[int, ...]]]] = [
    ("stock.stats", lambda s, _: s.stock.stats(),
     lambda r: (r.total_entries, r.total_quantity, r.total_reserved, r.total_available, r.low_stock_count,
                r.stores_with_inventory)),
    ("stock.verify", lambda s, _: s.stock.verify(), lambda r: (r.rows_checked, r.ledger_rows)),
    ("order_queries.status_counts", lambda s, _: s.order_queries.status_counts(),
     lambda r: tuple(n for n in r.values() if n)),
    ("reports.low_stock_count", lambda s, _: s.reports.low_stock_count(), lambda n: (n,)),
    ("reports.low_stock_count", lambda s, _: s.reports.low_stock_count(1000, reorder_points=False), lambda n: (n,)),
    ("reports.backorder_summary", lambda s, _: s.reports.backorder_summary(),
     lambda r: (r.units, r.orders, r.items, r.products)),
    ("catalog.list_locations", lambda s, _: s.catalog.list_locations(),
     lambda r: (sum(x.stock_rows for x in r), sum(x.quantity for x in r), sum(x.reserved_quantity for x in r))),
]

# One thing by its number or code: (face.method, call for a code, ALFA's, BRAVO's and an absent one).
# Scoped to ALFA, BRAVO's must be refused exactly as the absent one (with its code in the sentence).
Lookup = Callable[[Services, str, Path], Any]
LOOKUPS: list[tuple[str, Lookup, str, str, str]] = [
    ("catalog.get_product", lambda s, c, p: s.catalog.get_product(c, f"SKU-{c}"), "ALFA", "BRAVO", "ZULU"),
    ("catalog.list_products", lambda s, c, p: s.catalog.list_products(store=c), "ALFA", "BRAVO", "ZULU"),
    ("stock.product_stock", lambda s, c, p: s.stock.product_stock(c, f"SKU-{c}"), "ALFA", "BRAVO", "ZULU"),
    ("stock.list_stock", lambda s, c, p: s.stock.list_stock(store=c), "ALFA", "BRAVO", "ZULU"),
    ("stock.list_stock", lambda s, c, p: s.stock.list_stock(store=c, sort="sku"), "ALFA", "BRAVO", "ZULU"),
    ("stock.ledger", lambda s, c, p: s.stock.ledger(store=c), "ALFA", "BRAVO", "ZULU"),
    ("stock.ledger", lambda s, c, p: s.stock.ledger(product=c), "SKU-ALFA", "SKU-BRAVO", "SKU-ZULU"),
    ("stock.ledger", lambda s, c, p: s.stock.ledger(order_number=c), "SHP-ALFA", "SHP-BRAVO", "SHP-ZULU"),
    ("order_queries.list_orders", lambda s, c, p: s.order_queries.list_orders(store=c), "ALFA", "BRAVO", "ZULU"),
    ("order_queries.get_order", lambda s, c, p: s.order_queries.get_order(c), "ORD-ALFA", "ORD-BRAVO", "ORD-ZULU"),
    ("order_queries.shipment_status", lambda s, c, p: s.order_queries.shipment_status(c),
     "SHP-ALFA", "SHP-BRAVO", "SHP-ZULU"),
    ("order_queries.history", lambda s, c, p: s.order_queries.history(c), "ORD-ALFA", "ORD-BRAVO", "ORD-ZULU"),
    ("order_queries.notes", lambda s, c, p: s.order_queries.notes(c), "ORD-ALFA", "ORD-BRAVO", "ORD-ZULU"),
    ("order_queries.backorders", lambda s, c, p: s.order_queries.backorders(product=f"LOW-{c}", store=c),
     "ALFA", "BRAVO", "ZULU"),
    ("order_queries.list_shipments", lambda s, c, p: s.order_queries.list_shipments(order=c),
     "PAR-ALFA", "PAR-BRAVO", "PAR-ZULU"),
    ("order_queries.get_shipment", lambda s, c, p: s.order_queries.get_shipment(c), "ALFA", "BRAVO", "ZULU"),
    ("packing.open_order", lambda s, c, p: s.packing.open_order(c), "ORD-ALFA", "ORD-BRAVO", "ORD-ZULU"),
    ("packing.pick_list", lambda s, c, p: s.packing.pick_list([c]), "ORD-ALFA", "ORD-BRAVO", "ORD-ZULU"),
    ("packing.packing_slip", lambda s, c, p: s.packing.packing_slip(c), "SHP-ALFA", "SHP-BRAVO", "SHP-ZULU"),
    ("reports.low_stock", lambda s, c, p: s.reports.low_stock(store=c), "ALFA", "BRAVO", "ZULU"),
    ("reports.low_stock_count", lambda s, c, p: s.reports.low_stock_count(store=c), "ALFA", "BRAVO", "ZULU"),
    ("reports.export_low_stock", lambda s, c, p: s.reports.export_low_stock(_spare(p), store=c),
     "ALFA", "BRAVO", "ZULU"),
    ("importing.export_products", lambda s, c, p: s.importing.export_products(_spare(p), c), "ALFA", "BRAVO", "ZULU"),
    ("importing.export_orders", lambda s, c, p: s.importing.export_orders(_spare(p), c), "ALFA", "BRAVO", "ZULU"),
    ("importing.export_ledger", lambda s, c, p: s.importing.export_ledger(_spare(p), store=c), "ALFA", "BRAVO", "ZULU"),
    ("importing.export_stock", lambda s, c, p: s.importing.export_stock(_spare(p), c), "ALFA", "BRAVO", "ZULU"),
]

# What the pack station makes of a scanned code it cannot place: no title (None), as for an unknown one.
SCANS: list[tuple[str, Lookup, str, str, str]] = [
    ("packing.product_name", lambda s, c, p: s.packing.product_name(c),
     "0" + GTINS["ALFA"], "0" + GTINS["BRAVO"], "04012345678901"),
    ("packing.product_name", lambda s, c, p: s.packing.product_name(c), "sku-alfa", "sku-bravo", "sku-zulu"),
]

# Public methods that are no read of one store's rows, each with the reason.
NOT_STORE_DATA: dict[str, str] = {
    "catalog.location_choices": "locations are shared by every store (codes and names only, no stock)",
    "importing.preview": "reads the start of the user's own file, nothing from the database",
    "users.list_users": "accounts, not store rows: admins only (services/users.py)",
    "users.audit": "the sign-in audit: admins only",
    "users.has_users": "whether sign-in is needed at all",
    "users.actor_for": "the signed-in user's own Actor",
    "users.authenticate": "sign-in",
    "users.authenticate_badge": "sign-in",
}

# Changes: scoped where Services.perform dispatches (tests/integration/test_store_scope.py), or by role.
WRITES = {
    *(f"inventory.{name}" for name in ("adjust", "delete_entry", "fulfill", "release", "reserve", "set_quantity",
                                       "transfer")),
    *(f"orders.{name}" for name in ("add_note", "advance_shipment", "assign_shipment", "cancel_shipment",
                                    "change_status", "create_order", "expire_reservations", "prepare_shipment",
                                    "return_item", "ship", "ship_item")),
    "catalog.add_location", "catalog.add_product", "catalog.add_store", "catalog.update_location",
    "packing.complete",
    # Imports refuse another store's lines themselves (services/imports/lookups.py: require_store).
    "importing.import_orders", "importing.import_products", "importing.import_stock",
    # Accounts, admins only by role (and the user's own password or PIN).
    "users.create", "users.set_active", "users.set_pin", "users.set_role", "users.set_stores",
    "users.change_password", "users.set_display_name", "users.update",
}

FACES_LOADED_ON_USE = ("importing", "users")  # Services' cached properties that are faces
NOT_FACES = {"pg_logins": "PostgreSQL logins of users (admins), no store rows"}


def _spare(folder: Path) -> Path:
    """A fresh file path in ``folder`` for an export (each call its own)."""
    return folder / f"spare-{next(_SPARE_NUMBERS)}.csv"


def _faces(services: Services) -> dict[str, object]:
    names = [f.name for f in dataclasses.fields(Services) if not f.name.startswith("_")]
    return {name: getattr(services, name) for name in (*names, *FACES_LOADED_ON_USE)}


def test_every_public_read_has_a_case() -> None:
    """A new public method of a face, or a new face, must be placed in one of the tables above."""
    lazy = {name for name, value in vars(Services).items() if isinstance(value, cached_property)}
    assert lazy == {*FACES_LOADED_ON_USE, *NOT_FACES}
    methods: set[str] = set()
    for field in dataclasses.fields(Services):
        if field.name.startswith("_"):
            continue
        methods |= {f"{field.name}.{m}" for m in _public_methods(field.type)}
    from orion_desktop.services.imports import ImportService
    from orion_desktop.services.users import UserService

    methods |= {f"importing.{m}" for m in _public_methods(ImportService)}
    methods |= {f"users.{m}" for m in _public_methods(UserService)}
    covered = {n for n, *_ in LISTS} | {n for n, *_ in COUNTS} | {n for n, *_ in LOOKUPS} | {n for n, *_ in SCANS}
    placed = covered | set(NOT_STORE_DATA) | WRITES
    assert methods - placed == set(), "public methods without a case here"
    assert placed - methods == set(), "cases for methods that are gone"
    assert not covered & (set(NOT_STORE_DATA) | WRITES)


def _public_methods(face: object) -> set[str]:
    if isinstance(face, str):  # the dataclass field's annotation (from __future__ import annotations)
        import orion_desktop.services.registry as registry

        face = getattr(registry, face)
    return {name for name, value in inspect.getmembers(face) if not name.startswith("_") and callable(value)}


@pytest.fixture
def scene(services: Services) -> Iterator[dict[str, str]]:
    parcels = build_scene(services)
    yield parcels
    services.scope_reads_to(SYSTEM)


def _text(answer: object) -> str:
    return answer if isinstance(answer, str) else repr(answer)


@pytest.mark.parametrize(("name", "call"), LISTS, ids=[f"{n}-{i}" for i, (n, _c) in enumerate(LISTS)])
def test_lists_reports_and_exports_show_only_the_users_stores(
    services: Services, scene: dict[str, str], tmp_path: Path, name: str, call: Call
) -> None:
    everything = call(services, tmp_path)
    assert "bravo" in _text(everything).lower(), f"{name}: the case shows no BRAVO row even unscoped"
    services.scope_reads_to(PAT)
    mine = call(services, tmp_path)
    assert "bravo" not in _text(mine).lower(), f"{name} shows a row of another store"
    assert _rows(mine) * 2 == _rows(everything), f"{name}: not exactly ALFA's rows"


@pytest.mark.parametrize(("name", "call", "figures"), COUNTS, ids=[f"{n}-{i}" for i, (n, *_r) in enumerate(COUNTS)])
def test_counts_are_the_users_stores_alone(
    services: Services, scene: dict[str, str], tmp_path: Path, name: str, call: Call,
    figures: Callable[[Any], tuple[int, ...]],
) -> None:
    everything = figures(call(services, tmp_path))
    assert everything and all(n > 0 for n in everything), f"{name}: a figure is 0 even unscoped: {everything}"
    services.scope_reads_to(PAT)
    mine = figures(call(services, tmp_path))
    assert tuple(n * 2 for n in mine) == everything, f"{name}: {mine} is not ALFA's half of {everything}"


@pytest.mark.parametrize(("name", "call", "own", "foreign", "absent"), LOOKUPS,
                         ids=[f"{n}-{i}" for i, (n, *_r) in enumerate(LOOKUPS)])
def test_another_stores_thing_is_not_found_as_if_it_did_not_exist(
    services: Services, scene: dict[str, str], tmp_path: Path, name: str, call: Lookup, own: str, foreign: str,
    absent: str,
) -> None:
    if name == "order_queries.get_shipment":  # parcel numbers are made by the app
        own, foreign, absent = scene["ALFA"], scene["BRAVO"], "NOPE-" + scene["BRAVO"]
    with pytest.raises(NotFound) as missing:
        call(services, absent, tmp_path)
    unscoped = call(services, foreign, tmp_path)  # BRAVO's exists: the refusal below is the scope's
    assert unscoped is not None
    services.scope_reads_to(PAT)
    assert "bravo" not in _text(call(services, own, tmp_path)).lower()
    with pytest.raises(NotFound) as refused:
        call(services, foreign, tmp_path)
    assert str(refused.value).replace(foreign, absent) == str(missing.value)
    assert str(missing.value).replace(absent, foreign) == str(refused.value)


@pytest.mark.parametrize(("name", "call", "own", "foreign", "absent"), SCANS,
                         ids=[f"{n}-{i}" for i, (n, *_r) in enumerate(SCANS)])
def test_a_scanned_code_of_another_store_is_unknown(
    services: Services, scene: dict[str, str], tmp_path: Path, name: str, call: Lookup, own: str, foreign: str,
    absent: str,
) -> None:
    assert call(services, absent, tmp_path) is None
    assert call(services, foreign, tmp_path) == "Widget BRAVO"
    services.scope_reads_to(PAT)
    assert call(services, own, tmp_path) == "Widget ALFA"
    assert call(services, foreign, tmp_path) is None


def test_a_user_with_one_store_need_not_name_it(services: Services, scene: dict[str, str]) -> None:
    """With two stores a read that needs one asks which; scoped to one store, that one is meant."""
    with pytest.raises(InvalidInput, match="more than one store"):
        services.stock.product_stock(None, "SKU-ALFA")
    services.scope_reads_to(PAT)
    assert services.stock.product_stock(None, "SKU-ALFA").product.store_code == "ALFA"
    with pytest.raises(NotFound):
        services.stock.product_stock(None, "SKU-BRAVO")


def test_the_cli_of_a_store_bound_user_shows_only_their_stores(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--user`` of a packer of ALFA: lists, an export and a lookup of BRAVO's order, as a command."""
    from orion_desktop.__main__ import main
    from orion_desktop.db.engine import Database

    database = Database(database_url)
    try:
        build_scene(Services.on(database))
    finally:
        database.dispose()
    for env in ("ORION_USER", "ORION_ROLE", "ORION_PASSWORD", "ORION_NEW_PASSWORD", "ORION_NEW_PIN"):
        monkeypatch.delenv(env, raising=False)

    def run(*argv: str, expect: int = 0) -> tuple[str, str]:
        code = main(["--db", database_url, *argv])
        out, err = capsys.readouterr()
        assert code == expect, f"exit {code}, stdout={out!r}, stderr={err!r}"
        return out, err

    monkeypatch.setenv("ORION_NEW_PASSWORD", "Admin-pass-5150")
    run("user", "add", "--username", "root", "--role", "admin")
    monkeypatch.setenv("ORION_PASSWORD", "Admin-pass-5150")
    monkeypatch.setenv("ORION_NEW_PASSWORD", "Packer-pass-6061")
    run("--user", "root", "user", "add", "--username", "pat", "--role", "packer", "--store", "ALFA")
    out, _ = run("--user", "root", "stock", "list")
    assert "BRAVO" in out  # the admin of every store sees both
    monkeypatch.setenv("ORION_PASSWORD", "Packer-pass-6061")
    out, _ = run("--user", "pat", "stock", "list")
    assert "ALFA" in out and "BRAVO" not in out
    out, _ = run("--user", "pat", "order", "list")
    assert "ORD-ALFA" in out and "BRAVO" not in out
    exported = tmp_path / "stock.csv"
    run("--user", "pat", "export", "stock", str(exported))
    text = exported.read_text(encoding="utf-8")
    assert "SKU-ALFA" in text and "BRAVO" not in text
    _, err = run("--user", "pat", "order", "show", "--order", "ORD-BRAVO", expect=1)
    assert "There is no order ORD-BRAVO." in err
