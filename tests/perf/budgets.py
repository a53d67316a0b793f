"""What a perf test raises when a figure is outside its budget (ARCHITECTURE.md: budgets).

A missed budget is ``BudgetMissed``, so ``xfail(raises=BudgetMissed)`` marks only a budget the
product truly misses: a wrong result or an error still fails the test. Imported by the perf test
modules (``from .budgets import``: this folder is the ``perf`` package), because markers need the
class at collection time, before any fixture exists.
"""

from __future__ import annotations

import os


class BudgetMissed(AssertionError):
    """A measured figure outside its budget (any other failure is a plain error)."""


def within_budget(ok: bool, message: str) -> None:
    if not ok:
        raise BudgetMissed(message)


def load_average() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())
