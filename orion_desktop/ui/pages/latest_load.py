"""One kind of background query of a page, of which only the newest answer is shown.

A page reloads when the user changes a filter or another page announces a change; a slow answer
to an older request must never overwrite the answer to a newer one, so every ``start`` makes the
answers of earlier ones obsolete (and ``cancel`` all of them).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject

from orion_desktop.ui.worker import run_in_background

T = TypeVar("T")


def _weak(callback: Callable[..., Any]) -> Callable[[], Callable[..., Any] | None]:
    # The page keeps this object; strong references back to the page would make a reference
    # cycle, which the cyclic collector may free on a worker thread (Qt objects die on theirs).
    if hasattr(callback, "__self__") and hasattr(callback, "__func__"):
        return weakref.WeakMethod(callback)
    return lambda: callback


class LatestLoad(Generic[T]):
    def __init__(
        self, owner: QObject, on_done: Callable[[T], object], on_error: Callable[[BaseException], object]
    ) -> None:
        """``owner`` is the page: when it is gone, answers are dropped."""
        self._owner = weakref.ref(owner)
        self._on_done = _weak(on_done)
        self._on_error = _weak(on_error)
        self._generation = 0
        self._loading = False

    @property
    def loading(self) -> bool:
        """True from ``start`` until the newest request was answered (or cancelled)."""
        return self._loading

    def start(self, work: Callable[[], T]) -> None:
        """Run ``work`` off the GUI thread; earlier requests' answers will be ignored."""
        owner = self._owner()
        if owner is None:
            return
        self._generation += 1
        generation = self._generation
        self._loading = True
        run_in_background(
            owner,
            work,
            on_done=lambda result: self._answered(generation, self._on_done, result),
            on_error=lambda error: self._answered(generation, self._on_error, error),
        )

    def cancel(self) -> None:
        """Ignore the answers of every request made so far."""
        self._generation += 1
        self._loading = False

    def _answered(self, generation: int, handler: Callable[[], Callable[..., Any] | None], value: object) -> None:
        if generation != self._generation:
            return  # a newer request is under way (or everything was cancelled)
        self._loading = False
        handle = handler()
        if handle is not None:
            handle(value)
