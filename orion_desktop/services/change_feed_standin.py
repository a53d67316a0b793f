"""STAND-IN, to be deleted when the real change feed (helper "feed", issue 13 item 1) is merged.

The GUI's bridge (``ui/live_feed.py``) is written against the feed's agreed contract:

- ``ChangeNotice`` (frozen): ``changes``, ``user``, ``time``, ``origin`` (an id of the announcing
  ``Database`` object) and ``remote``;
- a Qt-free feed with ``start(on_notice)`` and ``stop()``, calling ``on_notice`` on its own thread.

Until the real one lands, this module gives the same shapes: ``open_change_feed(services)`` answers a
feed that announces only what is handed to ``deliver`` (from any thread). At the merge: delete this
file; in ``ui/live_feed.py`` import ``ChangeNotice`` from ``orion_desktop.services.change_feed`` and let
``LiveFeed.for_services`` call ``services.change_feed()``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from orion_desktop.domain.changes import Changes
from orion_desktop.services.registry import Services


@dataclass(frozen=True)
class ChangeNotice:
    """One (coalesced) announcement of committed changes (the real one: ``domain/change_notice.py``)."""

    changes: Changes
    user: str | None
    time: datetime
    origin: str = ""
    remote: bool = True  # False only for what this app's own Database announced
    reconnected: bool = False


class ChangeFeed:
    """Calls ``on_notice`` for each notice handed to ``deliver``; ``stop`` ends delivery."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._on_notice: Callable[[ChangeNotice], None] | None = None

    @property
    def running(self) -> bool:
        return self._on_notice is not None

    def start(self, on_notice: Callable[[ChangeNotice], None], on_status: object = None) -> None:
        with self._lock:
            self._on_notice = on_notice

    def stop(self) -> None:
        with self._lock:
            self._on_notice = None

    def deliver(self, notice: ChangeNotice) -> None:
        """As the real feed does from its listening thread: hand ``notice`` on, unless stopped."""
        with self._lock:  # stop() waits for a delivery under way, as the real feed joins its thread
            if self._on_notice is not None:
                self._on_notice(notice)


def open_change_feed(services: Services) -> ChangeFeed:  # noqa: ARG001 - as ``services.change_feed()`` will
    """The feed of ``services``' database (the real one: ``Services.change_feed()``)."""
    return ChangeFeed()
