"""Requests (domain/requests.py) and their one dispatch (services/commands.py), without a database.

Every request type has a handler, every handler performs a request type, each handler answers the
type its request names, and that answer is a named frozen result (or a documented plain value).
"""

from __future__ import annotations

import dataclasses
import inspect
import types
import typing

import pytest

from orion_desktop.domain import requests
from orion_desktop.domain.requests import AdjustStock, OrderLine, Request, ShipOrder, ShipRequest
from orion_desktop.services import commands

REQUEST_TYPES = sorted(
    (
        value
        for value in vars(requests).values()
        if inspect.isclass(value) and issubclass(value, Request) and value is not Request
        and value.__module__ == requests.__name__
    ),
    key=lambda kind: kind.__name__,
)

PLAIN_RESULTS = {requests.CreateOrder: str}
"""Results that are a documented plain value, not a dataclass: a new order answers its number."""


def _result_type(kind: type) -> object:
    """``X`` of ``class Kind(Request[X])``."""
    (base,) = kind.__orig_bases__  # type: ignore[attr-defined]  # set by Generic subscription
    (result,) = typing.get_args(base)
    return result


def test_the_requests_are_found() -> None:
    assert len(REQUEST_TYPES) >= 20


@pytest.mark.parametrize("kind", REQUEST_TYPES, ids=lambda kind: kind.__name__)
def test_every_request_has_a_handler(kind: type) -> None:
    assert kind in commands.HANDLERS, f"{kind.__name__} has no handler in services/commands.py"


def test_every_handler_performs_a_request_of_the_domain() -> None:
    assert set(commands.HANDLERS) == set(REQUEST_TYPES)


@pytest.mark.parametrize("kind", REQUEST_TYPES, ids=lambda kind: kind.__name__)
def test_a_request_is_a_frozen_slotted_dataclass(kind: type) -> None:
    assert dataclasses.is_dataclass(kind)
    assert kind.__dataclass_params__.frozen  # type: ignore[attr-defined]  # set by @dataclass
    assert "__slots__" in vars(kind)


@pytest.mark.parametrize("kind", REQUEST_TYPES, ids=lambda kind: kind.__name__)
def test_each_handler_answers_what_its_request_names(kind: type) -> None:
    handler = commands.HANDLERS[kind]
    # Annotations are text (postponed evaluation); the return type's names are all module globals.
    returned = eval(handler.__annotations__["return"], vars(commands))
    assert returned == _result_type(kind)
    request_annotation = handler.__annotations__[list(inspect.signature(handler).parameters)[2]]
    assert request_annotation == f"rq.{kind.__name__}"


@pytest.mark.parametrize("kind", REQUEST_TYPES, ids=lambda kind: kind.__name__)
def test_every_result_is_named(kind: type) -> None:
    """Named results out: a frozen dataclass (or None for 'nothing to report'), never a bare tuple."""
    result = _result_type(kind)
    if kind in PLAIN_RESULTS:
        assert result is PLAIN_RESULTS[kind]
        return
    options = typing.get_args(result) if isinstance(result, types.UnionType) else (result,)
    for option in options:
        if option is type(None):
            continue
        assert dataclasses.is_dataclass(option), f"{kind.__name__} answers {option!r}"
        assert option.__dataclass_params__.frozen  # type: ignore[union-attr]  # a dataclass type here


def test_requests_compare_and_hash_by_value() -> None:
    """A dialog tells a retry from a new request by equality (ActionDialog.accept)."""
    first = ShipOrder("SO-1", (ShipRequest(7, 2, "A-1"),), tracking="T")
    assert first == ShipOrder("SO-1", (ShipRequest(7, 2, "A-1"),), tracking="T")
    assert first != ShipOrder("SO-1", (ShipRequest(7, 3, "A-1"),), tracking="T")
    assert len({AdjustStock(None, "A", "L", 1, "r"), AdjustStock(None, "A", "L", 1, "r")}) == 1
    assert hash(requests.CreateOrder("MAIN", (OrderLine("A", 1),)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.tracking = "other"  # type: ignore[misc]  # frozen: the assignment is the point


def test_an_unknown_request_is_a_programming_error() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Stray(Request[int]):
        pass

    with pytest.raises(TypeError, match="Stray"):
        commands.perform(None, None, Stray())  # type: ignore[arg-type]  # never reaches the services
