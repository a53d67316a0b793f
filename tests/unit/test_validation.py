"""Input rules and permissions: pure domain, no database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orion_desktop.domain.actor import Actor, Permission
from orion_desktop.domain.enums import Role
from orion_desktop.domain.errors import InvalidInput, PermissionDenied
from orion_desktop.domain.validation import (
    MAX_QUANTITY,
    check_count,
    check_delta,
    check_level,
    clean_sku,
    normalize_location_code,
    normalize_store_code,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(" warehouse_a ", "WAREHOUSE_A"), ("store-01", "STORE-01"), ("a.1", "A.1"), ("Bin_7", "BIN_7")],
)
def test_location_codes_are_trimmed_and_uppercased(raw: str, expected: str) -> None:
    assert normalize_location_code(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "AISLE 3", "BIN#1", "Lager/2", "Ä-1", None, 12])
def test_bad_location_codes_are_refused(raw: object) -> None:
    with pytest.raises(InvalidInput):
        normalize_location_code(raw)


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.", min_size=1, max_size=40))
def test_location_normalization_is_idempotent(raw: str) -> None:
    once = normalize_location_code(raw)
    assert normalize_location_code(once) == once == raw.upper()


def test_counts() -> None:
    assert check_count(5) == 5
    assert check_count("7") == 7
    assert check_count(MAX_QUANTITY) == MAX_QUANTITY
    for bad in (0, -1, MAX_QUANTITY + 1, 10**12, "1.5", "", True, None, 2.0):
        with pytest.raises(InvalidInput):
            check_count(bad)


def test_levels_allow_zero() -> None:
    assert check_level(0) == 0
    with pytest.raises(InvalidInput, match="negative"):
        check_level(-1)


def test_deltas() -> None:
    assert check_delta("-3") == -3
    assert check_delta(+4) == 4
    for bad in (0, "0", 10**12, -(10**12)):
        with pytest.raises(InvalidInput):
            check_delta(bad)


def test_store_codes_and_skus() -> None:
    assert normalize_store_code(" main ") == "MAIN"
    with pytest.raises(InvalidInput):
        normalize_store_code("MAIN STORE")
    assert clean_sku(" ABC-1 ") == "ABC-1"
    with pytest.raises(InvalidInput, match="spaces"):
        clean_sku("ABC 1")


def test_roles_grant_in_order() -> None:
    packer = Actor("pat", Role.PACKER)
    packer.require(Permission.MOVE_RESERVED_STOCK)
    with pytest.raises(PermissionDenied, match="pat is signed in as packer"):
        packer.require(Permission.CHANGE_STOCK)
    Actor("maria", Role.MANAGER).require(Permission.CHANGE_STOCK)
    with pytest.raises(PermissionDenied):
        Actor("maria", Role.MANAGER).require(Permission.MANAGE_STORES)
    Actor("root", Role.ADMIN).require(Permission.MANAGE_STORES)
    scoped = Actor("sam", Role.MANAGER, frozenset({"MAIN"}))
    scoped.require_store("MAIN")
    with pytest.raises(PermissionDenied, match="OUTLET"):
        scoped.require_store("OUTLET")


def test_operation_results_round_trip_through_json() -> None:
    """Replaying an operation key rebuilds exactly the first result, nested tuples included."""
    import json

    from orion_desktop.domain.order_results import ShipItemResult
    from orion_desktop.services.idempotency import decode, encode

    value = (7, (ShipItemResult(1, 2, 3, 3, 0, True), ShipItemResult(1, 4, 1, 1, 2, False)))
    kind = tuple[int, tuple[ShipItemResult, ...]]
    assert decode(kind, json.loads(json.dumps(encode(value)))) == value


def test_a_shipment_result_round_trips_through_json_and_reads_its_old_tuple_shape() -> None:
    """A keyed ship stores a ShipmentResult; keys stored as ``(shipment id, items)`` still decode."""
    import json

    from orion_desktop.domain.order_results import ShipItemResult, ShipmentResult
    from orion_desktop.services.idempotency import decode, encode

    value = ShipmentResult(7, (ShipItemResult(1, 2, 3, 3, 0, True), ShipItemResult(1, 4, 1, 1, 2, False)))
    assert decode(ShipmentResult, json.loads(json.dumps(encode(value)))) == value
    assert value.units == 4
    old = (7, value.items)
    assert decode(ShipmentResult, json.loads(json.dumps(encode(old)))) == value
