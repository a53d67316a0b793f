"""The announcer's coalescing, with a fake NOTIFY (db/announcer.py; no database)."""

from __future__ import annotations

import time

import pytest

from orion_desktop.db import announcer as announcer_module
from orion_desktop.db.announcer import Announcer
from orion_desktop.domain.change_notice import ChangeNotice, parse_notice
from orion_desktop.domain.changes import Changes
from orion_desktop.domain.errors import DatabaseUnavailable


class FakeNotify:
    """Records each payload as the notice a listener on another PC would read."""

    def __init__(self) -> None:
        self.notices: list[ChangeNotice] = []
        self.fail_next = False

    def __call__(self, payload: str) -> None:
        if self.fail_next:
            self.fail_next = False
            raise DatabaseUnavailable("The database cannot be reached.")
        self.notices.append(parse_notice(payload, own_origin="another PC"))


def test_a_lone_commit_goes_at_once_and_a_burst_after_it_as_one_notice_naming_every_user(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(announcer_module, "GAP", 0.3)  # wide, so the burst surely falls into one gap
    notify = FakeNotify()
    announcer = Announcer(lambda: notify, "this-pc")
    announcer.announce(Changes.of(products=[1]), "anna")
    assert announcer.flush()
    assert [(n.changes, n.user, n.origin) for n in notify.notices] == [(Changes.of(products=[1]), "anna", "this-pc")]
    for i in range(6):  # 6 commits 20 ms apart: well inside one gap after the first notice
        announcer.announce(Changes.of(products=[10 + i], orders=[i]), "bob" if i % 2 else "cid")
        time.sleep(0.02)
    assert announcer.flush()
    assert len(notify.notices) == 2, f"6 commits in one gap went out as {len(notify.notices) - 1} notices"
    merged = notify.notices[1]
    assert merged.changes == Changes.of(products=range(10, 16), orders=range(6))
    assert merged.user is not None and set(merged.user.split(", ")) == {"bob", "cid"}


def test_a_failed_send_is_dropped_and_the_next_commit_is_announced(caplog: pytest.LogCaptureFixture) -> None:
    notify = FakeNotify()
    notify.fail_next = True
    announcer = Announcer(lambda: notify, "this-pc")
    announcer.announce(Changes.of(orders=[7]), "anna")
    assert announcer.flush()
    assert notify.notices == [] and "could not announce" in caplog.text
    announcer.announce(Changes.of(orders=[8]), "anna")
    assert announcer.flush()
    assert [n.changes for n in notify.notices] == [Changes.of(orders=[8])]


def test_nothing_is_sent_once_the_database_is_gone() -> None:
    announcer = Announcer(lambda: None, "this-pc")  # the Database's weak reference is dead
    announcer.announce(Changes.of(products=[1]), "anna")
    assert announcer.flush()
