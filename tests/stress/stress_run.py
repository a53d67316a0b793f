"""Running the stress workers (stress_worker.py) and checking the database afterwards.

Workers start through a ``forkserver`` that has imported the services once: a kill test starts
more than fifty replacement workers, and a spawned interpreter would pay the imports each time.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing import forkserver
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from sqlalchemy import text

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database

WORKERS = int(os.environ.get("ORION_STRESS_WORKERS", "8"))
JOIN_TIMEOUT = 60.0  # a worker still running this long after its deadline is hung: the test fails


@dataclass
class RunReport:
    """What a run did, summed over every worker life."""

    seconds: float
    done: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    calls: int = 0
    kills: int = 0
    kills_in_call: int = 0
    lives: list[dict[str, Any]] = field(default_factory=list)
    examples: dict[str, str] = field(default_factory=dict)
    unexpected: str = ""
    journal: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (kind, final word)
    retried_keys: set[str] = field(default_factory=set)  # keyed calls that met an outage, then got an answer

    def summary(self) -> str:
        by_kind = ", ".join(f"{k} {n}" for k, n in sorted(self.done.items()))
        refusals = ", ".join(f"{k} {n}" for k, n in sorted(self.refused.items()))
        startup = [life["first_call"] - life["began"] for life in self.lives if life.get("first_call")]
        return (f"{sum(self.done.values())} operations in {self.seconds:.1f} s ({self.calls} calls), "
                f"{self.kills} kills ({self.kills_in_call} inside a call), {len(self.lives)} worker lives "
                f"(first call {statistics.median(startup or [0]):.2f} s after start, median)\n  done: {by_kind}\n"
                f"  refused ({sum(self.refused.values())}): {refusals}\n  for example: "
                + "\n    ".join(f"{k}: {v}" for k, v in sorted(self.examples.items())))


def _context() -> Any:
    """The forkserver context, its server started with the worker modules imported.

    Python 3.11's forkserver does not apply the parent's ``sys.path`` before preloading (it passes
    it and drops it), so the modules beside this file would silently not preload and every worker
    would import the services itself. The server is started here with them on PYTHONPATH.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["stress_worker", "stress_run"])
    here = Path(__file__).parent
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(here), str(here.parent), *([before] if before else [])])
    try:
        forkserver.ensure_running()
    finally:
        if before is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = before
    return context


def run_workers(
    url: str,
    folder: Path,
    seconds: float,
    *,
    workers: int = WORKERS,
    kills: int = 0,
    during: Callable[[float], None] | None = None,
    seed: int = 1,
) -> RunReport:
    """Run ``workers`` processes for ``seconds``; SIGKILL about ``kills`` of them along the way (each
    replaced at once by a new life in its slot); ``during(deadline)`` runs in this process meanwhile."""
    context = _context()
    rng = random.Random(seed)
    in_call = context.RawArray("b", workers)  # 1 while a worker is inside a service call, 2 a keyed one
    began = time.time()
    deadline = began + seconds
    stop_at = context.RawValue("d", deadline)  # the kill loop moves it when a loaded machine made it late
    lives = [0] * workers

    def start(slot: int) -> BaseProcess:
        process: BaseProcess = context.Process(
            target=_target,
            args=(url, slot, lives[slot], rng.randrange(1 << 30), str(folder), deadline, in_call, stop_at),
            daemon=True,
        )
        process.start()
        return process

    processes = [start(slot) for slot in range(workers)]
    report = RunReport(seconds=seconds)
    try:
        if during is not None:
            during(deadline)
        if kills:
            _kill_loop(processes, lives, start, in_call, deadline, kills, rng, report)
            # Every kill happens, however loaded the machine: if that took longer than planned, the
            # workers get a last 1.5 s without kills, as they would have had.
            stop_at.value = max(stop_at.value, time.time() + 1.5)
        for process in processes:
            process.join(max(1.0, stop_at.value - time.time()) + JOIN_TIMEOUT)
    finally:
        hung = [p for p in processes if p.is_alive()]
        for process in hung:
            process.kill()
    assert not hung, f"{len(hung)} workers did not finish: hung (a deadlock or a stuck lock)"
    for process in processes:
        assert process.exitcode == 0, f"worker exited with {process.exitcode}"
    report.seconds = time.time() - began
    _collect(folder, report)
    return report


def _target(
    url: str, slot: int, life: int, seed: int, folder: str, deadline: float, in_call: Any, stop_at: Any
) -> None:
    import stress_worker

    stress_worker.IN_CALL = in_call
    stress_worker.STOP_AT = stop_at
    stress_worker.work(url, slot, life, seed, folder, deadline)


def _kill_loop(
    processes: list[BaseProcess], lives: list[int], start: Callable[[int], BaseProcess], in_call: Any,
    deadline: float, kills: int, rng: random.Random, report: RunReport,
) -> None:
    # Kills spread over the run, leaving its last 1.5 s alone so the final lives do some work. On a
    # loaded machine the loop may run late: it goes on (a kill every ~0.1 s) until all kills are done.
    give_up = deadline + 120
    while report.kills < kills and time.time() < give_up:
        gap = max(0.1, (deadline - time.time() - 1.5) / (kills - report.kills))
        time.sleep(rng.uniform(0.3, 1.5) * gap)
        # Aim at a worker inside a call when one is (a kill inside a transaction), else any. Every
        # fourth kill waits longer for a keyed call, so the retry with the same key after a crash is
        # always exercised, not left to chance (a tenth of the calls are keyed).
        slot = rng.randrange(len(processes))
        want_keyed = report.kills % 4 == 0
        aim_until = time.time() + (0.5 if want_keyed else 0.15 if rng.random() < 0.8 else 0.0)
        while True:
            busy = [slot for slot in range(len(processes)) if in_call[slot] == 2 or (in_call[slot] and not want_keyed)]
            if busy or time.time() >= aim_until:
                break
            time.sleep(0.002)
        if not busy:
            busy = [slot for slot in range(len(processes)) if in_call[slot]]
        slot = rng.choice(busy) if busy else slot
        victim = processes[slot]
        was_in_call = in_call[slot] != 0
        if victim.pid is None or not victim.is_alive():
            continue
        os.kill(victim.pid, signal.SIGKILL)
        victim.join(10)
        report.kills += 1
        report.kills_in_call += was_in_call
        in_call[slot] = 0
        lives[slot] += 1
        processes[slot] = start(slot)


def _collect(folder: Path, report: RunReport) -> None:
    for path in sorted(folder.glob("w*-*.json")):
        life = json.loads(path.read_text(encoding="utf-8"))
        report.lives.append(life)
        report.done.update(life["done"])
        report.refused.update(life["refused"])
        report.calls += life["calls"]
        for kind, sentence in life.get("examples", {}).items():
            report.examples.setdefault(kind, sentence)
    unexpected = folder / "unexpected.txt"
    report.unexpected = unexpected.read_text(encoding="utf-8") if unexpected.exists() else ""
    for path in folder.glob("w*.keys"):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue  # cut by a kill
            if "pending" in entry:
                report.journal.setdefault(entry["pending"], (entry["kind"], "pending"))
            for word in ("ok", "refused", "unavailable"):
                if word in entry:
                    kind = report.journal.get(entry[word], ("?", ""))[0]
                    report.journal[entry[word]] = (kind, word)
                    if entry.get("retried"):
                        report.retried_keys.add(entry[word])


# --- the checks ---------------------------------------------------------------------------------

CHECKS = {
    "stock rows negative or over-reserved": (
        "SELECT id, quantity, reserved_quantity FROM inventory "
        "WHERE quantity < 0 OR reserved_quantity < 0 OR reserved_quantity > quantity"),
    "order lines shipped or returned out of range": (
        "SELECT id, quantity, shipped_quantity, returned_quantity FROM order_items WHERE shipped_quantity < 0 "
        "OR shipped_quantity > quantity OR returned_quantity < 0 OR returned_quantity > shipped_quantity"),
    "order lines whose shipped units differ from their shipped parcels' lines": (
        "SELECT i.id, i.shipped_quantity, s.units FROM order_items i LEFT JOIN (SELECT l.order_item_id, "
        "SUM(l.quantity) AS units FROM shipment_lines l JOIN shipments p ON p.id = l.shipment_id "
        "WHERE p.status = 'shipped' GROUP BY l.order_item_id) s ON s.order_item_id = i.id "
        "WHERE i.shipped_quantity <> COALESCE(s.units, 0)"),
    "orders whose shipped units differ from their fulfil ledger rows": (
        "SELECT o.id, i.units, f.units FROM orders o "
        "LEFT JOIN (SELECT order_id, SUM(shipped_quantity) AS units FROM order_items GROUP BY order_id) i "
        "ON i.order_id = o.id LEFT JOIN (SELECT order_id, -SUM(quantity_change) AS units "
        "FROM inventory_transactions WHERE transaction_type = 'fulfill' GROUP BY order_id) f ON f.order_id = o.id "
        "WHERE COALESCE(i.units, 0) <> COALESCE(f.units, 0)"),
    "fulfil ledger rows of orders that do not exist": (
        "SELECT t.id FROM inventory_transactions t WHERE t.transaction_type = 'fulfill' AND t.order_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = t.order_id)"),
    "products whose stock differs from the ledger's totals": (
        "SELECT p.id, s.q, s.r, l.q, l.r FROM products p "
        "LEFT JOIN (SELECT product_id, SUM(quantity) AS q, SUM(reserved_quantity) AS r FROM inventory "
        "GROUP BY product_id) s ON s.product_id = p.id "
        "LEFT JOIN (SELECT product_id, SUM(quantity_change) AS q, SUM(reserved_change) AS r "
        "FROM inventory_transactions GROUP BY product_id) l ON l.product_id = p.id "
        "WHERE COALESCE(s.q, 0) <> COALESCE(l.q, 0) OR COALESCE(s.r, 0) <> COALESCE(l.r, 0)"),
    "order lines whose open reservations and shipped units exceed the line": (
        "SELECT i.id, i.quantity, i.shipped_quantity, r.open_units FROM order_items i JOIN (SELECT order_item_id, "
        "SUM(quantity_reserved - quantity_fulfilled - quantity_released) AS open_units "
        "FROM inventory_reservations GROUP BY order_item_id) r ON r.order_item_id = i.id "
        "WHERE i.shipped_quantity + r.open_units > i.quantity"),
    "reservations with a negative open part": (
        "SELECT id FROM inventory_reservations "
        "WHERE quantity_reserved - quantity_fulfilled - quantity_released < 0"),
}
LEDGER_ROWS_PER_KEY = {"adjust": 1, "transfer": 2}


def check_database(url: str, report: RunReport) -> list[str]:
    """Every problem found (empty when the database is sound); prints what the run did."""
    problems: list[str] = []
    if report.unexpected:
        problems.append("operations raised something other than a domain error:\n" + report.unexpected[:6000])
    database = Database(url)
    try:
        verify = Services.on(database).stock.verify()
        if not verify.ok:
            problems.append("stock verify: " + "; ".join(verify.problems()[:20]))
        with database.engine.connect() as conn:
            for name, sql in CHECKS.items():
                rows = conn.execute(text(sql)).fetchall()
                if rows:
                    problems.append(f"{name}: {[tuple(r) for r in rows[:10]]} ({len(rows)} in all)")
            ledger_keys: dict[str, int] = dict(conn.execute(text(
                "SELECT operation_key, COUNT(*) FROM inventory_transactions WHERE operation_key IS NOT NULL "
                "GROUP BY operation_key")).fetchall())
            counts = conn.execute(text(
                "SELECT (SELECT COUNT(*) FROM orders), (SELECT COUNT(*) FROM shipments), "
                "(SELECT COUNT(*) FROM inventory_transactions), (SELECT COUNT(*) FROM inventory)")).one()
    finally:
        database.dispose()
    problems += _check_keys(report, ledger_keys)
    print(f"\n{report.summary()}\n  database: {counts[0]} orders, {counts[1]} shipments, {counts[2]} ledger rows, "
          f"{counts[3]} stock rows, {verify.rows_checked} rows verified; {len(report.journal)} keyed calls")
    return problems


def _check_keys(report: RunReport, ledger_keys: dict[str, int]) -> list[str]:
    """Each keyed call is in the ledger once: all its rows when it succeeded, none when refused."""
    problems = []
    for key, (kind, word) in report.journal.items():
        rows, full = ledger_keys.get(key, 0), LEDGER_ROWS_PER_KEY[kind]
        if (word == "ok" and rows != full) or (word == "refused" and rows != 0) or rows not in (0, full):
            problems.append(f"keyed {kind} {key} ended {word} with {rows} ledger rows (expected {full} or 0)")
    return problems[:20]
