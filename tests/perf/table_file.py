"""The end-of-run budget table as a Markdown file, when ``ORION_PERF_TABLE`` names a path.

``docs/performance.md`` is refreshed from such a file: it holds the machine (cores, memory,
Python, SQLite, PostgreSQL, load), the table of budgets (one row per budget and attempt, as the
terminal shows it) and every recorded figure, the throughput table included. The file is
written again at the end of each run, so a run that checks no budget leaves no stale rows in it.
"""

from __future__ import annotations

import os
import platform
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

ENV_TABLE = "ORION_PERF_TABLE"

POSTGRES_VERSIONS: set[str] = set()
"""The PostgreSQL server versions the run's perf databases were made on (conftest.perf_database)."""


def _memory_gb() -> str:
    try:
        pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # not every platform names these
        return "unknown"
    return f"{pages * page_size / 2**30:.1f} GB"


def machine_lines(started: datetime) -> list[str]:
    """Where and when the figures were measured (a ratio means little without its machine and load)."""
    postgres = ", ".join(sorted(POSTGRES_VERSIONS)) or "not used by this run's budgets"
    ended = datetime.now(UTC)
    return [
        f"- Run: {started:%Y-%m-%d %H:%M}-{ended:%H:%M} UTC, `{' '.join(['pytest', *sys.argv[1:]])}`",
        f"- Machine: {os.cpu_count()} cores, {_memory_gb()} RAM, {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, PostgreSQL {postgres}",
        "- Load average at the end (1, 5, 15 min): " + ", ".join(f"{x:.1f}" for x in os.getloadavg()),
    ]


def _figure_lines(figures: list[str]) -> list[str]:
    """Each figure its own paragraph; the lines of a Markdown table (the throughput's) stay together."""
    lines: list[str] = []
    for figure in figures:
        in_table = figure.startswith("|") and bool(lines) and lines[-1].startswith("|")
        if lines and not in_table:
            lines.append("")
        lines.append(figure)
    return lines


def write_table(path: Path, started: datetime, table: list[str], figures: list[str]) -> None:
    """Write the machine, the budget table and the figures of this run to ``path`` (replacing it)."""
    lines = [
        "# Performance budgets: one run",
        "",
        *machine_lines(started),
        "",
        "## Budgets: one row per budget and attempt",
        "",
        *(table or ["No budget was checked in this run."]),
        "",
        "## Figures",
        "",
        *(_figure_lines(figures) or ["None recorded."]),
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
