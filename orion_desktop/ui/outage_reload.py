"""One reload of every page after an outage, however many watchers saw it.

Two watchers see the database go away and come back: the window's ``ConnectionMonitor`` (its own
connection: pages could not load meanwhile) and the change feed (its listening connection: other
PCs' announcements made meanwhile are lost; ``ui/live_feed.py``). Each one alone needs every page
reloaded when it is back. When both saw the outage, one reload once *both* are back is the right
one: a reload while this window's connection is still down fails, and a reload while the feed is
still away could miss a change made before it listens again. Before, each reloaded on its own.
"""

from __future__ import annotations

from collections.abc import Callable


class OutageReload:
    """Calls ``reload_all`` when the last watcher that saw an outage is back."""

    def __init__(self, reload_all: Callable[[], None]) -> None:
        self._reload_all = reload_all
        self._window_down = False
        self._feed_down = False
        self.reloads = 0  # how many times it reloaded (the tests read it)

    @property
    def waiting(self) -> bool:
        """True while one of the watchers is still away."""
        return self._window_down or self._feed_down

    def window_lost(self) -> None:
        self._window_down = True

    def window_back(self) -> None:
        self._window_down = False
        self._reload_unless_waiting()

    def feed_lost(self) -> None:
        self._feed_down = True

    def feed_back(self) -> None:
        """The feed listens again after an outage (its notice that anything may have changed)."""
        self._feed_down = False
        self._reload_unless_waiting()

    def feed_stopped(self) -> None:
        """No feed any more (the window closed it): nothing to wait for from it."""
        self._feed_down = False

    def _reload_unless_waiting(self) -> None:
        if not self.waiting:
            self.reloads += 1
            self._reload_all()
