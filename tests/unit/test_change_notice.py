"""The change feed's announcement text (domain/change_notice.py): it round-trips and always fits NOTIFY."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orion_desktop.domain.change_notice import MAX_PAYLOAD_BYTES, ChangeNotice, notice_payload, parse_notice
from orion_desktop.domain.changes import ID_CAP, Changes

WHEN = datetime(2026, 12, 4, 14, 0, 5, 123000, tzinfo=UTC)


def test_an_announcement_round_trips_and_says_whether_it_is_ones_own() -> None:
    changes = Changes.of(products=[4, 9], orders=[31], locations=True)
    text = notice_payload(changes, "anna", WHEN, "pc-1")
    assert parse_notice(text, own_origin="pc-1") == ChangeNotice(changes, "anna", WHEN, "pc-1", remote=False)
    assert parse_notice(text, own_origin="pc-2").remote


@given(
    products=st.lists(st.integers(10**11, 10**12), max_size=ID_CAP),
    orders=st.lists(st.integers(10**11, 10**12), max_size=ID_CAP),
    user=st.text(max_size=500),
)
def test_an_announcement_always_fits_notify(products: list[int], orders: list[int], user: str) -> None:
    changes = Changes.of(products=products, orders=orders, catalog=True)
    text = notice_payload(changes, user, WHEN, "x" * 16)
    assert len(text.encode()) <= MAX_PAYLOAD_BYTES
    parsed = parse_notice(text, own_origin="")
    # Coarser only, never narrower: whatever changed is still covered.
    assert all(parsed.changes.concerns_product(p) for p in products)
    assert all(parsed.changes.concerns_order(o) for o in orders)


@pytest.mark.parametrize("text", ["", "[]", '{"changes": 1, "origin": "", "time": "x"}', '{"changes": {}}'])
def test_text_that_is_not_an_announcement_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_notice(text, own_origin="")


def test_coalesced_notices_merge_changes_users_and_keep_the_later_time() -> None:
    first = ChangeNotice(Changes.of(products=[1]), "anna", WHEN, "a")
    second = ChangeNotice(Changes.of(orders=[2]), "ben", WHEN + timedelta(seconds=1), "b", remote=False)
    merged = first | second
    assert merged.changes == Changes.of(products=[1], orders=[2])
    assert (merged.user, merged.time, merged.origin, merged.remote) == ("anna, ben", second.time, "", True)
