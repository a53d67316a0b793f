"""Store scoping of the change feed (issue 14: every list shows only the user's stores).

PostgreSQL's NOTIFY reaches every listener whatever its stores, so what a person is shown of an
announcement is narrowed to their stores: ``Services.visible_notice`` and ``orion-desktop watch``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from test_read_scope import build_scene
from test_watch_command import Watch

from orion_desktop.db.engine import Database
from orion_desktop.domain import requests as rq
from orion_desktop.domain.actor import SYSTEM, Actor
from orion_desktop.domain.change_notice import ChangeNotice
from orion_desktop.domain.changes import Changes
from orion_desktop.domain.enums import Role
from orion_desktop.services.registry import Services

POSTGRES_ONLY = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
PAT = Actor(name="pat", role=Role.PACKER, store_codes=frozenset({"ALFA"}))


def _ids(services: Services) -> dict[str, int]:
    """Product and order ids of both stores, read with every store in sight."""
    found: dict[str, int] = {}
    for code in ("ALFA", "BRAVO"):
        found[f"SKU-{code}"] = services.catalog.get_product(code, f"SKU-{code}").id
        found[f"ORD-{code}"] = services.order_queries.get_order(f"ORD-{code}").id
    return found


def test_a_store_bound_user_is_shown_only_their_stores_ids(services: Services) -> None:
    build_scene(services)
    ids = _ids(services)
    now = datetime.now(UTC)
    both = ChangeNotice(Changes.of(products=[ids["SKU-ALFA"], ids["SKU-BRAVO"]],
                                   orders=[ids["ORD-ALFA"], ids["ORD-BRAVO"]]), "anna", now)
    only_bravo = ChangeNotice(Changes.of(products=[ids["SKU-BRAVO"]], orders=[ids["ORD-BRAVO"]]), "bo", now)
    bulk = ChangeNotice(Changes(all_stock=True), "anna", now)
    assert services.visible_notice(both) is both  # every store: nothing narrowed
    services.scope_reads_to(PAT)
    seen = services.visible_notice(both)
    assert seen is not None and seen.user == "anna"
    assert (seen.changes.products, seen.changes.orders) == (frozenset({ids["SKU-ALFA"]}), frozenset({ids["ORD-ALFA"]}))
    assert services.visible_notice(only_bravo) is None  # not even who changed something in BRAVO
    assert services.visible_notice(bulk) is bulk  # no ids to narrow ("all stock")
    reconnected = ChangeNotice.anything(reconnected=True)
    assert services.visible_notice(reconnected) is reconnected


@POSTGRES_ONLY
def test_watch_as_a_packer_of_one_store_prints_only_that_stores_changes(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = Database(database_url)
    services = Services.on(database)
    try:
        build_scene(services)
        ids = _ids(services)
        services.users.create(SYSTEM, username="root", password="Admin-pass-5150", role=Role.ADMIN)
        services.users.create(Actor("root", Role.ADMIN), username="pat", password="Packer-pass-6061",
                              role=Role.PACKER, stores=["ALFA"])
        monkeypatch.setenv("ORION_USER", "pat")
        monkeypatch.setenv("ORION_PASSWORD", "Packer-pass-6061")
        watch = Watch(database_url, "--json")
        try:
            watch.wait_err("Watching")
            services.perform(SYSTEM, rq.AdjustStock("BRAVO", "SKU-BRAVO", "L1", 1, "found one"))
            services.perform(SYSTEM, rq.AdjustStock("ALFA", "SKU-ALFA", "L1", 1, "found one"))
            first = json.loads(watch.out.get(timeout=5)[1])
            assert first["stock"] == [ids["SKU-ALFA"]], first  # BRAVO's change was never printed
            assert watch.interrupt() == 0
            assert watch.out.empty()
        finally:
            watch.close()
    finally:
        database.dispose()
