"""What a perf test raises when a figure is outside its budget, and the one table of budgets (ARCHITECTURE.md: budgets).

A missed budget is ``BudgetMissed``, so ``xfail(raises=BudgetMissed)`` marks only a budget the
product truly misses: a wrong result or an error still fails the test. Imported by the perf test
modules (``from .budgets import``: this folder is the ``perf`` package), because markers need the
class at collection time, before any fixture exists.

Every budget checked in a run becomes one row of one table, printed at the end of the run
(``conftest.pytest_terminal_summary``) in the shape ``docs/performance.md`` records: name,
database, size, the service's figure, the baseline's, their ratio, the budget and pass/miss.
A missed budget is measured once more (conftest.py); each attempt is its own row, the second
named "(attempt 2)", so a pass on the second attempt never hides the first figure.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


class BudgetMissed(AssertionError):
    """A measured figure outside its budget (any other failure is a plain error)."""


@dataclass(frozen=True)
class BudgetRow:
    """One checked budget, as the table at the end of the run shows it."""

    name: str
    database: str
    size: str
    service: str
    baseline: str
    ratio: str
    budget: str
    passed: bool
    load: str


BUDGET_ROWS: list[BudgetRow] = []
"""Every budget checked in this run, in order (read by the terminal summary)."""

ATTEMPT = 1
"""Which attempt of the running test this is (set by conftest.py before each test)."""


def _named(name: str) -> str:
    return name if ATTEMPT == 1 else f"{name} (attempt {ATTEMPT})"


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _current_test() -> str:
    """The running test's name, from pytest's own variable ("path::name (call)")."""
    current = os.environ.get("PYTEST_CURRENT_TEST", "?")
    return current.split("::")[-1].removesuffix(" (call)")


def check_ratio(
    name: str, *, database: str, size: str, service_ms: float, baseline_ms: float, budget: float,
    baseline: str = "raw",
) -> float:
    """Record ``service / baseline`` against its budget (a ratio); raise BudgetMissed when over it."""
    ratio = service_ms / baseline_ms
    passed = ratio <= budget
    BUDGET_ROWS.append(BudgetRow(
        _named(name), database, size, f"{service_ms:.2f} ms", f"{baseline}: {baseline_ms:.2f} ms", f"{ratio:.2f}x",
        f"<= {budget:g}x", passed, _load(),
    ))
    if not passed:
        raise BudgetMissed(f"{name} on {database} ({size}): {ratio:.2f}x {baseline} (budget {budget:g}x)")
    return ratio


def check_floor(name: str, *, database: str, size: str, service: float, baseline: float, floor: float,
                unit: str) -> float:
    """Record ``service / baseline`` against a lower bound (throughput); raise BudgetMissed when under it."""
    ratio = service / baseline
    passed = ratio >= floor
    BUDGET_ROWS.append(BudgetRow(
        _named(name), database, size, f"{service:.1f} {unit}", f"raw: {baseline:.1f} {unit}", f"{ratio:.2f}x",
        f">= {floor:g}x", passed, _load(),
    ))
    if not passed:
        raise BudgetMissed(f"{name} on {database} ({size}): {ratio:.2f}x raw (budget at least {floor:g}x)")
    return ratio


def within_budget(ok: bool, message: str) -> None:
    """A budget checked by a test that states its own figure; it still gets its row in the table."""
    BUDGET_ROWS.append(BudgetRow(_named(_current_test()), "", "", message, "", "", "", ok, _load()))
    if not ok:
        raise BudgetMissed(message)


def load_average() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def budget_table() -> list[str]:
    """The rows as a Markdown table (copied into docs/performance.md as it is)."""
    lines = [
        "| budget | database | size | service | baseline | ratio | budget | result | load |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in BUDGET_ROWS:
        result = "pass" if row.passed else "MISS"
        lines.append(
            f"| {row.name} | {row.database} | {row.size} | {row.service} | {row.baseline} | {row.ratio} | "
            f"{row.budget} | {result} | {row.load} |"
        )
    return lines
