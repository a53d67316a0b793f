"""The change set: one normal form, merging, and a JSON form small enough for a NOTIFY payload."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from orion_desktop.domain.changes import ID_CAP, MAX_JSON_BYTES, NO_CHANGES, Changes


def test_merging_unites_ids_and_flags() -> None:
    merged = Changes.of(products={1}, catalog=True) | Changes.of(products={2}, orders={7})
    assert merged == Changes.of(products={1, 2}, orders={7}, catalog=True)
    assert merged.stock_changed and merged.orders_changed and not merged.locations
    assert NO_CHANGES.is_empty and not merged.is_empty
    assert merged.concerns_product(2) and not merged.concerns_product(3) and merged.concerns_order(7)


def test_an_all_flag_empties_its_ids_and_a_big_set_becomes_the_flag() -> None:
    assert Changes.of(products={1}, all_stock=True) == Changes(all_stock=True)
    big = Changes.of(orders=range(ID_CAP + 1))
    assert big.all_orders and big.orders == frozenset() and big.concerns_order(10**9)
    assert (Changes.of(products={1}) | Changes(all_stock=True)).products == frozenset()


@pytest.mark.parametrize("changes", [
    NO_CHANGES,
    Changes.of(products={3, 1}, orders={2}),
    Changes(all_stock=True, locations=True),
    Changes.everything(),
])
def test_json_round_trip(changes: Changes) -> None:
    assert Changes.from_json(changes.to_json()) == changes


def test_json_stays_under_the_notify_limit() -> None:
    huge_ids = range(10**15, 10**15 + ID_CAP)
    text = Changes.of(products=huge_ids, orders=huge_ids, catalog=True).to_json()
    assert len(text.encode()) <= MAX_JSON_BYTES
    assert Changes.from_json(text).all_stock  # coarser, never wrong
    assert Changes.of(products={1, 2}).to_json() == '{"stock":[1,2]}'


@given(
    products=st.sets(st.integers(0, 10**40), max_size=ID_CAP),
    orders=st.sets(st.integers(0, 10**40), max_size=ID_CAP),
)
@example(products=set(range(10**19, 10**19 + ID_CAP)), orders=set())  # 400 ids of 20 digits: too long
@example(products={10**99 + n for n in range(100)}, orders=set())  # few ids, but of 100 digits: too long
def test_any_change_set_fits_exactly_when_it_keeps_its_ids(products: set[int], orders: set[int]) -> None:
    """Few short ids skip the measuring; long ids (up to 41 digits) and many are measured: either way the
    JSON fits, keeps every id it can and coarsens only when the whole list would not fit."""
    changes = Changes.of(products=products, orders=orders)
    text = changes.to_json()
    assert len(text.encode()) <= MAX_JSON_BYTES
    back = Changes.from_json(text)
    if back == changes:
        return
    whole = json.dumps({"stock": sorted(changes.products), "orders": sorted(changes.orders)}, separators=(",", ":"))
    assert len(whole) > MAX_JSON_BYTES
    assert all(back.concerns_product(p) for p in changes.products)
    assert all(back.concerns_order(o) for o in changes.orders)


@pytest.mark.parametrize("text", ["[]", '{"stock": "some"}', '{"orders": [1.5]}', '{"users": []}'])
def test_json_that_is_no_change_set_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Changes.from_json(text)
