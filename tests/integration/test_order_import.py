"""Orders from CSV on both databases: grouped by order number, line-numbered errors, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import ADMIN, GTIN_B, seed_catalog

from orion_desktop.__main__ import main
from orion_desktop.bootstrap import Services
from orion_desktop.domain.errors import ImportRejected
from orion_desktop.domain.orders import OrderStatus


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "orders.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_lines_group_into_pending_orders(services: Services, tmp_path: Path) -> None:
    seed_catalog(services)
    path = write(tmp_path, "order_number;customer;channel;product;quantity\n"
                           "MP-1;Ann;marketplace;A;2\nMP-1;;;" + GTIN_B + ";1\nMP-2;Bo;;A;5\nMP-1;;;A;1\n")
    result = services.order_import.import_orders(ADMIN, path)
    assert (result.rows, result.created) == (4, 2)
    first = services.order_queries.get_order("MP-1")
    assert (first.status, first.customer_name, first.channel) == (OrderStatus.PENDING, "Ann", "marketplace")
    assert sorted((i.sku, i.quantity) for i in first.items) == [("A", 3), ("B", 1)]
    assert services.order_queries.get_order("MP-2").channel == "import"
    assert services.order_queries.history("MP-1")[0].description.startswith("Order created with 2 lines")


def test_a_bad_file_creates_nothing_and_names_every_bad_line(services: Services, tmp_path: Path) -> None:
    seed_catalog(services)
    from orion_desktop.domain.order_results import OrderLine

    services.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 1)], number="OLD-1")
    path = write(tmp_path, "order_number,customer,product,quantity\n"
                           "N-1,Ann,A,2\n"
                           "N-1,Bob,B,1\n"           # line 3: another customer for the same order
                           "N-2,,NOPE,1\n"           # line 4: unknown product
                           "N-3,,A,0\n"              # line 5: zero
                           "N-4,,4006381333932,1\n"  # line 6: bad check digit
                           "OLD-1,,A,1\n")           # line 7: exists already
    with pytest.raises(ImportRejected) as caught:
        services.order_import.import_orders(ADMIN, path)
    problems = caught.value.problems
    assert [p.split(":")[0] for p in problems] == ["line 3", "line 4", "line 5", "line 6", "line 7"]
    assert "customer differs" in problems[0] and "No product" in problems[1] and "at least 1" in problems[2]
    assert "check digit" in problems[3] and "already exists" in problems[4]
    assert [o.order_number for o in services.order_queries.list_orders()] == ["OLD-1"]


def test_cli_import_orders(database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", database_url, "store", "add", "--code", "MAIN", "--name", "Main"]) == 0
    samples = Path(__file__).resolve().parents[2] / "resources" / "samples"
    assert main(["--db", database_url, "import", "products", str(samples / "products.csv")]) == 0
    assert main(["--db", database_url, "import", "orders", str(samples / "orders.csv")]) == 0
    assert "2 new orders" in capsys.readouterr().out
    bad = write(tmp_path, "order_number,product,quantity\nZ-1,NOPE,1\n")
    assert main(["--db", database_url, "import", "orders", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: orders.csv was not imported; nothing was changed.") and "line 2" in err
