"""The CLI end to end on both databases: JSON shapes, exit codes, sentences instead of tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import GTIN_A

from orion_desktop.__main__ import main


class Cli:
    def __init__(self, url: str, capsys: pytest.CaptureFixture[str]) -> None:
        self.url = url
        self.capsys = capsys

    def __call__(self, *argv: str, expect: int = 0) -> str:
        code = main(["--db", self.url, "--user", "maria", *argv])
        out, err = self.capsys.readouterr()
        assert code == expect, f"exit {code}, stdout={out!r}, stderr={err!r}"
        self.last_error = err
        return out

    def json(self, *argv: str) -> Any:
        """The command's JSON answer (a document whose shape is what the tests check)."""
        return json.loads(self(*argv, "--json"))


@pytest.fixture
def cli(database_url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(database_url, capsys)


@pytest.fixture
def warehouse(cli: Cli) -> Cli:
    cli("store", "add", "--code", "main", "--name", "Main Store")
    cli("product", "add", "--sku", "HP-1", "--gtin", GTIN_A, "--title", "Wireless Headphones", "--low-stock", "5")
    for location, quantity in (("warehouse_main", "100"), ("WAREHOUSE_WEST", "50"), ("STORE_FRONT", "25")):
        cli("stock", "set", "--product", "HP-1", "--location", location, "--quantity", quantity)
    cli("stock", "reserve", "--product", "HP-1", "--location", "WAREHOUSE_MAIN", "--quantity", "10")
    cli("stock", "reserve", "--product", GTIN_A, "--location", "STORE_FRONT", "--quantity", "5")
    return cli


def test_stock_show_json_has_the_seed_shape(warehouse: Cli) -> None:
    shown = warehouse.json("stock", "show", "--store", "MAIN", "--product", "0" + GTIN_A)
    assert shown == {
        "sku": "HP-1",
        "gtin": GTIN_A,
        "title": "Wireless Headphones",
        "product_type": "physical",
        "unlimited": False,
        "total_quantity": 175,
        "total_reserved": 15,
        "total_available": 160,
        "locations": [
            {"location": "STORE_FRONT", "quantity": 25, "reserved_quantity": 5, "available_quantity": 20},
            {"location": "WAREHOUSE_MAIN", "quantity": 100, "reserved_quantity": 10, "available_quantity": 90},
            {"location": "WAREHOUSE_WEST", "quantity": 50, "reserved_quantity": 0, "available_quantity": 50},
        ],
    }


def test_stats_list_low_ledger_verify(warehouse: Cli) -> None:
    stats = warehouse.json("stock", "stats")
    assert stats == {
        "total_entries": 3,
        "total_quantity": 175,
        "total_reserved": 15,
        "total_available": 160,
        "low_stock_count": 0,
        "stores_with_inventory": 1,
        "unique_locations": 3,
    }
    warehouse("stock", "adjust", "--product", "HP-1", "--location", "STORE_FRONT", "--delta=-17", "--reason", "damaged")
    low = warehouse.json("stock", "low")
    assert [(r["location"], r["quantity"], r["available_quantity"]) for r in low] == [("STORE_FRONT", 8, 3)]
    assert set(low[0]) >= {"product_id", "store_name", "product_title", "location", "quantity", "available_quantity"}
    listed = warehouse.json("stock", "list", "--location", "store_front", "--search", "headphones")
    assert [(r["sku"], r["available_quantity"]) for r in listed] == [("HP-1", 3)]
    by_available = warehouse.json("stock", "list", "--sort", "available", "--descending")
    assert [r["available_quantity"] for r in by_available] == [90, 50, 3]
    warehouse("stock", "list", "--sort", "colour", expect=1)
    assert warehouse.last_error.startswith("error: Stock cannot be sorted by 'colour'.")
    ledger = warehouse.json("stock", "ledger", "--product", "HP-1", "--limit", "2")
    assert [e["transaction_type"] for e in ledger] == ["adjust", "reserve"]
    assert ledger[0]["reason"] == "damaged" and ledger[0]["created_by"] == "maria"
    assert "agree" in warehouse("stock", "verify")


def test_transfer_and_human_output(warehouse: Cli) -> None:
    out = warehouse(
        "stock", "transfer", "--product", "HP-1", "--from", "warehouse_west", "--to", "bin-9", "--quantity", "20"
    )
    assert "Moved 20 of HP-1 from WAREHOUSE_WEST (now 30) to BIN-9 (now 20)" in out
    table = warehouse("stock", "show", "--product", "HP-1")
    assert "Total: 175 | Reserved: 15 | Available: 160" in table


def test_insufficient_stock_is_one_sentence_exit_1(warehouse: Cli) -> None:
    warehouse("stock", "reserve", "--product", "HP-1", "--location", "STORE_FRONT", "--quantity", "21", expect=1)
    assert warehouse.last_error == (
        "error: Insufficient stock for Wireless Headphones (HP-1) at STORE_FRONT. Available: 20, Requested: 21.\n"
    )
    assert warehouse.json("stock", "show", "--product", "HP-1")["total_reserved"] == 15


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (("stock", "reserve", "--product", "HP-1", "--location", "STORE_FRONT", "--quantity", "0"), "at least 1"),
        (("stock", "set", "--product", "HP-1", "--location", "STORE_FRONT", "--quantity", "-1"), "negative"),
        (("stock", "set", "--product", "HP-1", "--location", "X", "--quantity", "1000000000000"), "too large"),
        (("stock", "adjust", "--product", "HP-1", "--location", "X", "--delta", "0", "--reason", "r"), "zero"),
        (("stock", "set", "--product", "4006381333932", "--location", "X", "--quantity", "1"), "check digit"),
        (("stock", "set", "--product", "NOPE", "--location", "X", "--quantity", "1"), "No product"),
        (("stock", "set", "--product", "HP-1", "--location", "BAD LOC", "--quantity", "1"), "use only"),
        (("product", "add", "--sku", "X1", "--gtin", "123", "--title", "T"), "3 digits"),
    ],
)
def test_bad_input_exits_1_with_a_sentence_and_changes_nothing(
    warehouse: Cli, argv: tuple[str, ...], fragment: str
) -> None:
    before = warehouse.json("stock", "list")
    ledger_before = warehouse.json("stock", "ledger", "--limit", "1000")
    warehouse(*argv, expect=1)
    assert warehouse.last_error.startswith("error: ") and fragment in warehouse.last_error
    assert "Traceback" not in warehouse.last_error
    assert warehouse.json("stock", "list") == before
    assert warehouse.json("stock", "ledger", "--limit", "1000") == ledger_before


def test_usage_errors_exit_2(cli: Cli) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["stock", "reserve", "--product", "X"])
    assert caught.value.code == 2


def test_store_can_be_omitted_only_with_one_store(warehouse: Cli) -> None:
    warehouse("--role", "admin", "store", "add", "--code", "OUTLET", "--name", "Outlet")
    warehouse("stock", "show", "--product", "HP-1", expect=1)
    assert "more than one store" in warehouse.last_error
    assert warehouse.json("stock", "show", "--store", "main", "--product", "HP-1")["total_quantity"] == 175


def test_locations_and_products_listing(warehouse: Cli) -> None:
    warehouse("location", "add", "--code", "store_front", "--name", "Shop floor", "--sort-key", "5")
    locations = warehouse.json("location", "list")
    # Picking-path order: the others have sort key 0, so STORE_FRONT (5) comes last.
    assert [loc["code"] for loc in locations] == ["WAREHOUSE_MAIN", "WAREHOUSE_WEST", "STORE_FRONT"]
    assert (locations[-1]["name"], locations[-1]["stock_rows"], locations[-1]["quantity"]) == ("Shop floor", 1, 25)
    assert [p["sku"] for p in warehouse.json("product", "list")] == ["HP-1"]
    assert warehouse.json("product", "show", "--product", GTIN_A)["low_stock_threshold"] == 5


def test_role_is_enforced(warehouse: Cli) -> None:
    warehouse("--role", "packer", "stock", "adjust", "--product", "HP-1", "--location", "X", "--delta", "1",
              "--reason", "found", expect=1)
    assert "may not change stock levels" in warehouse.last_error


def test_db_current_and_upgrade(cli: Cli) -> None:
    assert "up to date" in cli("db", "upgrade")
    status = cli.json("db", "current")
    assert status["up_to_date"] is True and status["current"] == status["head"]


def test_unreachable_and_bad_urls_are_sentences(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cases = [
        ("mysql://x@localhost/db", "SQLite or PostgreSQL"),
        ("not a url", "not a database address"),
        ("postgresql://nobody@127.0.0.1:1/none", "cannot be reached"),
    ]
    for url, fragment in cases:
        assert main(["--db", url, "stock", "stats"]) == 1
        err = capsys.readouterr().err
        assert err.startswith("error: ") and fragment in err and "Traceback" not in err


def test_entry_point_runs_as_a_program(database_url: str) -> None:
    """The installed console script and `python -m orion_desktop` both work, with real exit codes."""
    script = Path(sys.executable).with_name("orion-desktop")
    ok = subprocess.run([str(script), "--db", database_url, "stock", "stats", "--json"], capture_output=True,
                        text=True, timeout=60, check=False)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["total_entries"] == 0
    bad = subprocess.run([sys.executable, "-m", "orion_desktop", "--db", database_url, "stock", "verify", "--nope"],
                         capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode == 2 and "unrecognized arguments" in bad.stderr
