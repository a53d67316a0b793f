"""ORION_PERF_TABLE: the end-of-run budget table as a Markdown file (table_file.py), checked without
measuring anything: a pytest run inside this test writes the file of its own two budgets."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from . import table_file
from .table_file import ENV_TABLE, write_table

INNER_TEST = '''
from perf.budgets import check_ratio

def test_a_budget_met(perf):
    perf.record("(x) a figure, load average 1.0")
    perf.record("| processes | service | raw |")
    perf.record("|---|---|---|")
    perf.record("| 1 | 10 | 20 |")
    check_ratio("met", database="sqlite", size="1 row", service_ms=2.0, baseline_ms=1.0, budget=3)

def test_a_budget_missed():
    check_ratio("missed", database="postgresql", size="1 row", service_ms=5.0, baseline_ms=1.0, budget=2)
'''


def test_the_file_holds_the_machine_the_table_and_the_figures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(table_file, "POSTGRES_VERSIONS", {"15.99 (test)"})
    path = tmp_path / "out" / "table.md"
    write_table(path, datetime(2026, 12, 4, 17, 0, tzinfo=UTC), ["| budget |", "|---|", "| met |"],
                ["(x) first figure", "| a | b |", "|---|---|", "| 1 | 2 |", "(y) second figure"])
    text = path.read_text(encoding="utf-8")
    assert "- Run: 2026-12-04 17:00-" in text
    assert f"- Machine: {os.cpu_count()} cores, " in text
    assert "SQLite " in text and ", PostgreSQL 15.99 (test)\n" in text
    assert "| budget |\n|---|\n| met |\n" in text
    # Every figure is its own paragraph, but a table's lines stay together (or it would not render).
    assert "(x) first figure\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n(y) second figure\n" in text


def test_a_run_with_the_variable_set_writes_its_budget_rows(tmp_path: Path) -> None:
    """A real pytest run of two budgets (one met, one missed twice: it fails) in a copy of the perf package."""
    tests = tmp_path / "tests"
    package = tests / "perf"
    package.mkdir(parents=True)
    here = Path(__file__).parent
    for name in ("__init__.py", "conftest.py", "budgets.py", "table_file.py"):
        (package / name).write_text((here / name).read_text(encoding="utf-8"), encoding="utf-8")
    (package / "test_inner.py").write_text(INNER_TEST, encoding="utf-8")
    target = tmp_path / "table.md"
    env = {**os.environ, ENV_TABLE: str(target)}
    env.pop("PYTEST_ADDOPTS", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "--rootdir", str(tests),
         "-o", "addopts=", str(package)],
        cwd=tests, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    assert "1 failed, 1 passed, 1 rerun" in done.stdout, done.stdout[-3000:]
    text = target.read_text(encoding="utf-8")
    assert "| met | sqlite | 1 row | 2.00 ms | raw: 1.00 ms | 2.00x | <= 3x | pass |" in text
    # The miss is measured once more (conftest.py), and both attempts are rows.
    assert "| missed | postgresql | 1 row | 5.00 ms | raw: 1.00 ms | 5.00x | <= 2x | MISS |" in text
    assert "| missed (attempt 2) | postgresql |" in text
    assert "(x) a figure, load average 1.0\n\n| processes | service | raw |\n|---|---|---|\n| 1 | 10 | 20 |" in text
