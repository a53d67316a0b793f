"""Stress, kill and restart tests: many processes, random work, then the database must be sound.

CI-sized by default; ``ORION_STRESS_SECONDS`` makes each run longer (e.g. 300 for a soak). What
a run did (operations and refusals by kind, kills, outage length) is printed: ``pytest -s`` shows it.
"""

from __future__ import annotations

import os
from pathlib import Path

from stress_run import check_database, run_workers
from stress_worker import seed

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database

SECONDS = float(os.environ.get("ORION_STRESS_SECONDS", "0"))  # 0: the CI-sized default of each test
KILLS = 50


def _seed(url: str) -> None:
    database = Database(url)
    try:
        seed(Services.on(database))
    finally:
        database.dispose()


def test_random_work_by_eight_processes_leaves_a_sound_database(database_url: str, tmp_path: Path) -> None:
    """8 processes × random requests through Services.perform (and imports) on one database."""
    _seed(database_url)
    report = run_workers(database_url, tmp_path, SECONDS or 10)
    problems = check_database(database_url, report)
    assert not problems, "\n".join(problems)
    assert sum(report.done.values()) > 100  # the run did real work, not only refusals
    assert {"create_order", "ship_part", "adjust", "transfer"} <= set(report.done)


def test_workers_killed_at_random_moments_leave_a_sound_database(database_url: str, tmp_path: Path) -> None:
    """SIGKILL of workers (most of them inside a call) while the others carry on; each is replaced and
    first retries its unfinished keyed call with the same key, which must be applied once."""
    _seed(database_url)
    seconds = SECONDS or 14
    report = run_workers(database_url, tmp_path, seconds, kills=max(KILLS, int(KILLS * seconds / 14)))
    problems = check_database(database_url, report)
    assert not problems, "\n".join(problems)
    assert report.kills >= KILLS and report.kills_in_call >= KILLS // 2
    assert sum(life["retried_after_crash"] for life in report.lives) > 0  # some kills hit a keyed call
