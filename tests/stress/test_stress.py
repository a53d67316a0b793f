"""Stress, kill and restart tests: many processes, random work, then the database must be sound.

The three runs are long (marker ``long``): in the default run (README), CI-sized, and left out of the
quick one (``-m 'not perf and not long'``); ``ORION_STRESS_SECONDS`` makes each run longer (e.g. 300 for a soak). What
a run did (operations and refusals by kind, kills, outage length) is printed: ``pytest -s`` shows it.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from private_postgres import PrivatePostgres
from sqlalchemy import text
from stress_run import RunReport, check_database, run_workers
from stress_worker import seed

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.db.migrate import upgrade

SECONDS = float(os.environ.get("ORION_STRESS_SECONDS", "0"))  # 0: the CI-sized default of each test
KILLS = 50


def _seed(url: str) -> None:
    database = Database(url)
    try:
        seed(Services.on(database))
    finally:
        database.dispose()


@pytest.mark.long
def test_random_work_by_eight_processes_leaves_a_sound_database(database_url: str, tmp_path: Path) -> None:
    """8 processes × random requests through Services.perform (and imports) on one database."""
    _seed(database_url)
    report = run_workers(database_url, tmp_path, SECONDS or 10)
    problems = check_database(database_url, report)
    assert not problems, "\n".join(problems)
    assert sum(report.done.values()) > 100  # the run did real work, not only refusals
    assert {"create_order", "ship_part", "adjust", "transfer"} <= set(report.done)


@pytest.mark.long
def test_workers_killed_at_random_moments_leave_a_sound_database(database_url: str, tmp_path: Path) -> None:
    """SIGKILL of workers (most of them inside a call) while the others carry on; each is replaced and
    first retries its unfinished keyed call with the same key, which must be applied once."""
    _seed(database_url)
    seconds = SECONDS or 14
    report = run_workers(database_url, tmp_path, seconds, kills=max(KILLS, int(KILLS * seconds / 14)))
    problems = check_database(database_url, report)
    assert not problems, "\n".join(problems)
    assert report.kills >= KILLS and report.kills_in_call >= KILLS // 5
    retried = sum(life["retried_after_crash"] for life in report.lives)
    print(f"  keyed calls retried with their key after a kill: {retried}")
    assert retried > 0  # the kill loop aims every fourth kill at a keyed call


SENTENCE = re.compile(r"[A-Z][^\n]*[.!?]")


@pytest.mark.long
def test_postgres_restart_in_mid_run(private_postgres: PrivatePostgres, tmp_path: Path) -> None:
    """The private server (never the shared one) stops for two seconds in mid-run: calls meanwhile get
    DatabaseUnavailable with a sentence, the same processes carry on when it is back, and keyed calls
    retried after the outage are applied once (the ledger holds each key's rows once)."""
    url = private_postgres.create_database("stress")
    database = Database(url)
    upgrade(database)
    database.dispose()
    _seed(url)
    outage: dict[str, float] = {}

    def restart(deadline: float) -> None:
        time.sleep(4)
        outage["began"] = time.time()
        private_postgres.stop()  # "fast": open connections are cut, their transactions rolled back
        time.sleep(2)
        private_postgres.start()
        outage["ended"] = time.time()

    report = run_workers(url, tmp_path, SECONDS or 12, during=restart)
    problems = check_database(url, report)
    assert not problems, "\n".join(problems)

    down = outage["ended"] - outage["began"]
    unavailable = sum(life["unavailable"] for life in report.lives)
    seen = [life for life in report.lives if life["unavailable"]]
    first = min(life["first_unavailable"] for life in seen)
    last = max(life["last_unavailable"] for life in seen)
    sentences = {s for life in report.lives for s in life["unavailable_sentences"]}
    retried = sum(life["retried_after_outage"] for life in report.lives)
    print(f"  outage: server down {down:.1f} s; {unavailable} calls refused as unavailable over {last - first:.1f} s "
          f"by {len(seen)} of {len(report.lives)} workers; {retried} keyed retries; sentences: {sorted(sentences)}")
    assert len(seen) >= len(report.lives) // 2, "most workers should have met the outage"
    bad = [s for s in sentences if not SENTENCE.fullmatch(s) or "Traceback" in s]
    assert not bad, f"DatabaseUnavailable without a plain sentence: {bad}"
    # The same processes carried on: one life per slot, each with successes after the server came back.
    assert len(report.lives) == len({life["slot"] for life in report.lives})
    assert all(life["last_success"] > outage["ended"] for life in report.lives)
    # Keyed calls that met the outage and were retried with their key: each is in the ledger once
    # (check_database compared every key's ledger rows with its answer).
    retried_ok = [key for key in report.retried_keys if report.journal[key][1] == "ok"]
    print(f"  keyed calls retried across the outage: {len(report.retried_keys)}, applied: {len(retried_ok)}")
    assert retried_ok, "no keyed call was retried across the outage"


def test_the_checks_find_a_broken_database(database_url: str) -> None:
    """The checks above can fail: one stock row changed behind the services' back breaks L and the
    per-product totals, and an unexpected error in a worker is reported."""
    _seed(database_url)
    database = Database(database_url)
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE inventory SET quantity = quantity + 1 WHERE id = (SELECT MIN(id) FROM inventory)"))
    database.dispose()
    problems = check_database(database_url, RunReport(seconds=0, unexpected="worker 1: KeyError"))
    assert any(p.startswith("stock verify") for p in problems), problems
    assert any(p.startswith("products whose stock differs") for p in problems), problems
    assert any("other than a domain error" in p for p in problems), problems
