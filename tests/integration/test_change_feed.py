"""The change feed between PCs (ARCHITECTURE.md: the change feed between PCs), on SQLite and PostgreSQL.

Another PC is another process (or, where the test says so, another ``Database`` object, which is
what another PC is to the feed: another connection with another origin).
"""

from __future__ import annotations

import queue
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import ADMIN, seed_catalog
from psycopg import pq
from sqlalchemy import create_engine, event, make_url, text

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.change_notice import ChangeNotice, FeedStatus
from orion_desktop.domain.changes import Changes
from orion_desktop.domain.enums import Role
from orion_desktop.domain.errors import InsufficientStock
from orion_desktop.services.change_feed import ChangeFeed

WH = "WAREHOUSE_MAIN"

WRITER = """
import sys, time
from orion_desktop.db.engine import Database
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.services.registry import Services
services = Services.on(Database(sys.argv[1], create=False))
services.inventory.adjust(Actor("anna", Role.MANAGER), store="MAIN", product="A", location="WAREHOUSE_MAIN",
                          delta=int(sys.argv[2]), reason="counted")
print(time.time(), flush=True)  # the commit is done: the feed's clock starts here
"""


def write_in_another_process(url: str, delta: int = 5) -> float:
    """Adjusts product A by ``delta`` as anna in a new Python process; answers the commit's wall time."""
    done = subprocess.run(
        [sys.executable, "-c", WRITER, url, str(delta)], capture_output=True, text=True, timeout=60, check=True
    )
    return float(done.stdout.split()[-1])


class Collector:
    """What a feed delivered, with the wall time each notice arrived."""

    def __init__(self) -> None:
        self.notices: queue.Queue[tuple[float, ChangeNotice]] = queue.Queue()
        self.statuses: queue.Queue[FeedStatus] = queue.Queue()

    def on_notice(self, notice: ChangeNotice) -> None:
        self.notices.put((time.time(), notice))

    def on_status(self, status: FeedStatus) -> None:
        self.statuses.put(status)

    def next_notice(self, timeout: float = 5.0) -> tuple[float, ChangeNotice]:
        return self.notices.get(timeout=timeout)

    def quiet_for(self, seconds: float) -> list[ChangeNotice]:
        """Every notice delivered within ``seconds`` (an empty list is the expected answer)."""
        found: list[ChangeNotice] = []
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                found.append(self.notices.get(timeout=remaining)[1])
            except queue.Empty:
                break
        return found

    def wait_watching(self) -> FeedStatus:
        status = self.statuses.get(timeout=10)
        assert status.connected and "Watching" in status.detail, status
        return status


@pytest.fixture
def shop(services: Services) -> Services:
    seed_catalog(services)
    services.inventory.set_quantity(ADMIN, store="MAIN", product="A", location=WH, quantity=100)
    return services


@pytest.fixture
def feed(shop: Services) -> Iterator[tuple[ChangeFeed, Collector]]:
    shop.database.flush_announcements()  # the seeding's own notices are out before the feed listens
    collector = Collector()
    change_feed = shop.change_feed()
    change_feed.start(collector.on_notice, collector.on_status)
    collector.wait_watching()
    yield change_feed, collector
    change_feed.stop()
    assert not change_feed.running


def _product_id(services: Services, sku: str) -> int:
    return services.catalog.get_product("MAIN", sku).id


def test_a_commit_in_another_process_reaches_the_feed_within_a_second(
    feed: tuple[ChangeFeed, Collector], shop: Services, database_url: str, backend: str
) -> None:
    _, collector = feed
    committed = write_in_another_process(database_url)
    arrived, notice = collector.next_notice()
    assert arrived - committed < 1.0, f"the feed took {arrived - committed:.3f} s"
    assert notice.remote and not notice.reconnected
    if backend == "postgresql":  # the announcement names what changed and who changed it
        assert notice.changes == Changes.of(products=[_product_id(shop, "A")])
        assert notice.user == "anna"
        assert abs(notice.time.timestamp() - committed) < 1.0
    else:  # SQLite only tells that another connection committed
        assert notice.changes == Changes.everything() and notice.user is None


def test_this_apps_own_commits_are_never_remote(
    feed: tuple[ChangeFeed, Collector], shop: Services, database: Database, database_url: str, backend: str
) -> None:
    _, collector = feed
    shop.inventory.adjust(ADMIN, store="MAIN", product="A", location=WH, delta=2, reason="own")
    own = collector.quiet_for(1.2)
    if backend == "postgresql":
        assert [(n.remote, n.origin, n.user) for n in own] == [(False, database.origin, "admin")]
    else:
        assert own == []  # SQLite: the feed leaves this app's own commits out altogether
    other = Database(database_url)  # another PC: another connection, another origin
    try:
        Services.on(other).inventory.adjust(ADMIN, store="MAIN", product="A", location=WH, delta=1, reason="other")
        _, notice = collector.next_notice()
        assert notice.remote and notice.origin != database.origin
    finally:
        other.dispose()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)  # SQLite's feed never says who changed what
@pytest.mark.parametrize("name", ["o'Brien", "100% sure", "back\\slash \\' E'x'", "Zoë \"Z\" 😀"])
def test_any_user_name_is_announced_as_it_is(
    feed: tuple[ChangeFeed, Collector], shop: Services, database_url: str, name: str
) -> None:
    """Quotes, percent signs, backslashes and any letter in a user's name arrive unchanged."""
    _, collector = feed
    other = Database(database_url)  # another PC
    try:
        Services.on(other).inventory.adjust(Actor(name, Role.MANAGER), store="MAIN", product="A", location=WH,
                                            delta=1, reason="counted")
        _, notice = collector.next_notice()
        assert (notice.user, notice.remote) == (name, True)
        assert notice.changes == Changes.of(products=[_product_id(shop, "A")])
    finally:
        other.dispose()


def test_own_and_remote_commits_close_together_both_arrive(
    feed: tuple[ChangeFeed, Collector], shop: Services, database_url: str
) -> None:
    """The SQLite guard must not swallow another PC's commit that came just before an own one."""
    _, collector = feed
    other = Database(database_url)
    try:
        Services.on(other).inventory.adjust(ADMIN, store="MAIN", product="A", location=WH, delta=1, reason="other")
        shop.inventory.adjust(ADMIN, store="MAIN", product="A", location=WH, delta=1, reason="own")
    finally:
        other.dispose()
    notices = collector.quiet_for(1.5)
    assert [n for n in notices if n.remote], notices


def test_a_rolled_back_write_announces_nothing(
    feed: tuple[ChangeFeed, Collector], shop: Services, database_url: str
) -> None:
    _, collector = feed
    other = Database(database_url)
    try:
        others = Services.on(other)
        with pytest.raises(InsufficientStock):
            others.inventory.adjust(ADMIN, store="MAIN", product="A", location=WH, delta=-1000, reason="too much")
        assert collector.quiet_for(1.5) == []
        # The feed was listening all along: a write that commits is announced.
        others.inventory.adjust(ADMIN, store="MAIN", product="A", location=WH, delta=-1, reason="one")
        assert collector.next_notice()[1].remote
    finally:
        other.dispose()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_announcements_go_out_after_their_commits_a_burst_as_a_few(shop: Services, database: Database) -> None:
    """PostgreSQL: no write sends NOTIFY inside its transaction (that would hold the server's notify
    lock through its commit, db/announcer.py); the announcer sends them afterwards, in autocommit, a
    burst of commits as a few notices."""
    sent: list[tuple[str, pq.TransactionStatus]] = []

    def before(_conn: object, cursor: Any, statement: str, *_rest: object) -> None:
        sent.append((statement, cursor.connection.info.transaction_status))

    event.listen(database.engine, "before_cursor_execute", before)
    try:
        for i in range(30):
            shop.inventory.adjust(ADMIN, store="MAIN", product="ABC"[i % 3], location=WH, delta=1, reason="burst")
        database.flush_announcements()
    finally:
        event.remove(database.engine, "before_cursor_execute", before)
    notices = [status for statement, status in sent if "pg_notify" in statement]
    assert 1 <= len(notices) <= 10, f"30 commits were announced by {len(notices)} NOTIFY statements"
    # psycopg sends BEGIN with a transaction's first statement: IDLE before it means the NOTIFY is
    # the first statement of its own transaction, not one more statement of a write's.
    assert set(notices) == {pq.TransactionStatus.IDLE}, "a NOTIFY was sent inside a write's transaction"
    assert shop.stock.verify().ok


def test_a_burst_of_commits_is_coalesced(feed: tuple[ChangeFeed, Collector], shop: Services, database_url: str) -> None:
    _, collector = feed
    other = Database(database_url)
    skus = ("A", "B", "C")
    try:
        others = Services.on(other)
        for i in range(30):
            others.inventory.adjust(
                ADMIN, store="MAIN", product=skus[i % 3], location=WH, delta=1, reason="burst"
            )
    finally:
        other.dispose()
    notices = collector.quiet_for(1.5)
    assert 1 <= len(notices) <= 10, f"30 commits arrived as {len(notices)} notices"
    merged = notices[0]
    for notice in notices[1:]:
        merged = merged | notice
    for sku in skus:
        assert merged.changes.concerns_product(_product_id(shop, sku))


def test_a_big_import_is_one_notice(
    feed: tuple[ChangeFeed, Collector], shop: Services, database_url: str, tmp_path: Path
) -> None:
    _, collector = feed
    lines = 20_000
    csv = tmp_path / "products.csv"
    csv.write_text("store,sku,title\n" + "".join(f"MAIN,BULK{i},Bulk {i}\n" for i in range(lines)), encoding="utf-8")
    other = Database(database_url)
    try:
        result = Services.on(other).importing.import_products(ADMIN, csv)
    finally:
        other.dispose()
    assert result.created == lines
    notices = collector.quiet_for(1.5)
    assert len(notices) == 1 and notices[0].changes.catalog, notices


def test_stop_is_prompt_and_a_stopped_feed_delivers_nothing(shop: Services, database_url: str) -> None:
    """Closing a window stops its feed: at once, not after the feed's next wait runs out (on
    PostgreSQL a wait on the server used to last up to half a second, 0.3 s in the middle)."""
    took = []
    for _ in range(5):
        collector = Collector()
        change_feed = shop.change_feed()
        change_feed.start(collector.on_notice, collector.on_status)
        collector.wait_watching()
        began = time.monotonic()
        change_feed.stop()
        took.append(time.monotonic() - began)
        assert not change_feed.running
    assert max(took) < 0.25, took
    write_in_another_process(database_url)
    assert collector.quiet_for(1.0) == []


def test_a_feed_that_starts_during_an_outage_says_when_the_database_is_back(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The database is away before the feed first connects: "lost", then "back" with a notice that
    anything may have changed. Before, the first connection only said "Watching", and a window that
    had heard "lost" waited for "back" for ever and never reloaded its pages after the outage."""
    if backend == "sqlite":
        path = tmp_path / "later.db"
        url = f"sqlite:///{path}"

        def database_arrives() -> None:
            with sqlite3.connect(path) as conn:
                conn.execute("CREATE TABLE anything (x INTEGER)")
    else:
        name = f"orion_later_{uuid.uuid4().hex[:8]}"
        server = make_url(request.getfixturevalue("pg_admin_url"))
        url = server.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
        admin = create_engine(server.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")

        def database_arrives() -> None:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))

    collector = Collector()
    change_feed = ChangeFeed(url, poll=0.05, backoff=(0.05, 0.1))
    change_feed.start(collector.on_notice, collector.on_status)
    try:
        lost = collector.statuses.get(timeout=10)
        assert not lost.connected, lost
        database_arrives()
        back = collector.statuses.get(timeout=10)
        assert back.connected and "back" in back.detail, back
        assert collector.next_notice()[1].reconnected
    finally:
        change_feed.stop()
        if backend == "postgresql":
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
