"""Order status machine and allocation planning: pure rules, no database."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orion_desktop.domain.errors import InvalidInput, InvalidTransition
from orion_desktop.domain.orders import (
    Allocation,
    OrderStatus,
    StockCandidate,
    check_transition,
    new_order_number,
    parse_status,
    plan_allocation,
    status_after_shipping,
)

S = OrderStatus


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.PENDING, S.PROCESSING),
        (S.PENDING, S.SHIPPED),
        (S.PENDING, S.CANCELLED),
        (S.PROCESSING, S.SHIPPED),
        (S.PROCESSING, S.CANCELLED),
        (S.PARTIALLY_SHIPPED, S.SHIPPED),
        (S.PARTIALLY_SHIPPED, S.CANCELLED),
        (S.SHIPPED, S.DELIVERED),
    ],
)
def test_allowed_transitions(current: OrderStatus, target: OrderStatus) -> None:
    check_transition("ORD-1", current, target)


@pytest.mark.parametrize(
    ("current", "target", "fragment"),
    [
        (S.SHIPPED, S.CANCELLED, "only orders not yet shipped can be cancelled"),
        (S.DELIVERED, S.CANCELLED, "can no longer change"),
        (S.CANCELLED, S.PROCESSING, "can no longer change"),
        (S.PENDING, S.DELIVERED, "cannot go from pending to delivered"),
        (S.PROCESSING, S.PENDING, "cannot go from processing to pending"),
        (S.PROCESSING, S.PARTIALLY_SHIPPED, "cannot go"),
        (S.PROCESSING, S.PROCESSING, "already processing"),
    ],
)
def test_refused_transitions_say_why(current: OrderStatus, target: OrderStatus, fragment: str) -> None:
    with pytest.raises(InvalidTransition, match=fragment):
        check_transition("ORD-1", current, target)


def test_parse_status() -> None:
    assert parse_status(" Processing ") is S.PROCESSING
    with pytest.raises(InvalidInput, match="not an order status"):
        parse_status("done")


def test_status_after_shipping() -> None:
    assert status_after_shipping(2, 5) is S.PARTIALLY_SHIPPED
    assert status_after_shipping(5, 5) is S.SHIPPED


def test_order_number_format() -> None:
    assert new_order_number(1, date(2026, 1, 1), "ABC123") == "ORD-1-20260101-ABC123"
    generated = new_order_number(7, date(2026, 11, 21))
    prefix, store, day, tail = generated.split("-")
    assert (prefix, store, day, len(tail)) == ("ORD", "7", "20261121", 6) and tail.isalnum()


def _c(inventory_id: int, location: str, sort_key: int, available: int) -> StockCandidate:
    return StockCandidate(inventory_id, location, sort_key, available)


def test_a_location_that_covers_the_whole_item_wins() -> None:
    candidates = [_c(1, "A", 10, 3), _c(2, "B", 20, 8), _c(3, "C", 30, 20)]
    assert plan_allocation(5, candidates) == ([Allocation(2, "B", 5)], 0)


def test_otherwise_split_along_the_picking_path() -> None:
    candidates = [_c(3, "C", 30, 4), _c(1, "A", 10, 3), _c(2, "B", 20, 0)]
    assert plan_allocation(6, candidates) == ([Allocation(1, "A", 3), Allocation(3, "C", 3)], 0)


def test_shortfall_is_reported() -> None:
    assert plan_allocation(10, [_c(1, "A", 0, 4)]) == ([Allocation(1, "A", 4)], 6)
    assert plan_allocation(3, []) == ([], 3)


@given(
    st.integers(min_value=1, max_value=500),
    st.lists(st.tuples(st.integers(0, 100), st.integers(0, 200)), max_size=8),
)
def test_allocation_never_overdraws_and_accounts_for_every_unit(needed: int, spec: list[tuple[int, int]]) -> None:
    candidates = [_c(i + 1, f"L{i}", sort_key, available) for i, (sort_key, available) in enumerate(spec)]
    allocations, shortfall = plan_allocation(needed, candidates)
    by_id = {c.inventory_id: c for c in candidates}
    assert sum(a.quantity for a in allocations) + shortfall == needed
    assert all(0 < a.quantity <= by_id[a.inventory_id].available for a in allocations)
    assert len({a.inventory_id for a in allocations}) == len(allocations)
    assert shortfall == max(0, needed - sum(c.available for c in candidates))
