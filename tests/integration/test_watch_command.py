"""``orion-desktop watch [--json]`` as a real process (issue 13's acceptance line), on both databases,
and after a PostgreSQL restart on a private server (tests/private_postgres.py)."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import IO

import pytest
from helpers import ADMIN, seed_catalog
from private_postgres import PrivatePostgres
from test_change_feed import write_in_another_process

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.db.migrate import upgrade

WH = "WAREHOUSE_MAIN"


class Watch:
    """A running ``orion-desktop watch``, its stdout and stderr lines read as they come."""

    def __init__(self, url: str, *extra: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "orion_desktop", "--db", url, "watch", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONUNBUFFERED="1"),
        )
        self.out: queue.Queue[tuple[float, str]] = queue.Queue()
        self.err: queue.Queue[tuple[float, str]] = queue.Queue()
        self.stderr_text: list[str] = []
        assert self.process.stdout is not None and self.process.stderr is not None
        for stream, lines in ((self.process.stdout, self.out), (self.process.stderr, self.err)):
            threading.Thread(target=self._read, args=(stream, lines), daemon=True).start()

    def _read(self, stream: IO[str], lines: queue.Queue[tuple[float, str]]) -> None:
        for line in stream:
            if lines is self.err:
                self.stderr_text.append(line)
            lines.put((time.time(), line.rstrip("\n")))

    def wait_err(self, words: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while True:
            _, line = self.err.get(timeout=max(0.01, deadline - time.monotonic()))
            if words in line:
                return line

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=10)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def shop_url(services: Services, database_url: str) -> str:
    seed_catalog(services)
    services.inventory.set_quantity(ADMIN, store="MAIN", product="A", location=WH, quantity=100)
    return database_url


@pytest.fixture
def watch_json(shop_url: str) -> Iterator[Watch]:
    watch = Watch(shop_url, "--json")
    try:
        watch.wait_err("Watching")
        yield watch
    finally:
        watch.close()


def test_watch_json_prints_another_processs_change_within_a_second(
    watch_json: Watch, shop_url: str, services: Services, backend: str
) -> None:
    committed = write_in_another_process(shop_url)
    printed, line = watch_json.out.get(timeout=5)
    assert printed - committed < 1.0, f"watch printed {printed - committed:.3f} s after the commit"
    data = json.loads(line)
    assert data["kinds"][0] == "stock" and data["time"].endswith("+00:00")
    if backend == "postgresql":
        assert data["stock"] == [services.catalog.get_product("MAIN", "A").id] and data["user"] == "anna"
        assert data["kinds"] == ["stock"]
    else:  # SQLite names no details
        assert data["stock"] == "all" and data["user"] is None


def test_ctrl_c_ends_watch_with_status_0_and_no_traceback(watch_json: Watch) -> None:
    assert watch_json.interrupt() == 0
    time.sleep(0.2)  # the reader threads take the last lines
    assert "Traceback" not in "".join(watch_json.stderr_text)
    assert watch_json.out.empty()


def test_watch_in_words(shop_url: str, backend: str, services: Services) -> None:
    watch = Watch(shop_url)
    try:
        _, first = watch.out.get(timeout=30)
        assert "Watching" in first
        write_in_another_process(shop_url, delta=3)
        _, line = watch.out.get(timeout=5)
        if backend == "postgresql":
            product_id = services.catalog.get_product("MAIN", "A").id
            assert line.endswith(f"  anna  stock: 1 product (id {product_id})"), line
        else:
            assert line.endswith("  someone  something changed (this database does not say what): "
                                 "stock, orders, catalog, locations"), line
        assert watch.interrupt() == 0
    finally:
        watch.close()


def test_watch_keeps_printing_after_a_postgres_restart(private_postgres: PrivatePostgres) -> None:
    url = private_postgres.create_database("orion_watch")
    database = Database(url)
    upgrade(database)
    seed_catalog(Services.on(database))
    Services.on(database).inventory.set_quantity(ADMIN, store="MAIN", product="A", location=WH, quantity=100)
    database.dispose()
    watch = Watch(url, "--json")
    try:
        watch.wait_err("Watching")
        write_in_another_process(url)
        assert json.loads(watch.out.get(timeout=5)[1])["user"] == "anna"
        down_for = private_postgres.restart()
        assert "lost" in watch.wait_err("connection")
        watch.wait_err("back", timeout=30)
        reconnected = json.loads(watch.out.get(timeout=5)[1])
        assert reconnected.get("reconnected") is True and reconnected["stock"] == "all"
        committed = write_in_another_process(url, delta=-2)
        printed, line = watch.out.get(timeout=5)
        assert json.loads(line)["user"] == "anna" and printed - committed < 1.0
        assert watch.interrupt() == 0
        assert "Traceback" not in "".join(watch.stderr_text), down_for
    finally:
        watch.close()
