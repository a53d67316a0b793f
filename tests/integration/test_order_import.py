"""Orders from CSV on both databases: grouped by order number, line-numbered errors, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import ADMIN, GTIN_A, GTIN_B, GTIN_C, seed_catalog
from sqlalchemy import event

from orion_desktop.__main__ import main
from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
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
    result = services.importing.import_orders(ADMIN, path)
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
        services.importing.import_orders(ADMIN, path)
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


def test_products_resolve_like_a_scan_by_sku_or_any_gtin_form_in_each_store(
    services: Services, tmp_path: Path
) -> None:
    """The batched lookup gives resolve_product's answers: a SKU first, then EAN-13 / GTIN-14, per store."""
    seed_catalog(services)
    services.catalog.add_store(ADMIN, "WEB", "Web Shop")
    services.catalog.add_product(ADMIN, store="WEB", sku="A", title="Web widget", gtin=GTIN_B)
    services.catalog.add_product(ADMIN, store="MAIN", sku=GTIN_C, title="A SKU that looks like a GTIN")
    path = write(tmp_path, "store,order_number,product,quantity\n"
                           f"MAIN,M-1,A,1\nMAIN,M-1,0{GTIN_B},2\nMAIN,M-1,{GTIN_C},3\n"
                           f"WEB,W-1,A,4\nWEB,W-1,{GTIN_B},5\n")
    assert services.importing.import_orders(ADMIN, path).created == 2
    main = services.order_queries.get_order("M-1")
    assert sorted((i.sku, i.quantity) for i in main.items) == [(GTIN_C, 3), ("A", 1), ("B", 2)]  # the SKU wins
    web = services.order_queries.get_order("W-1")
    assert [(i.product_name, i.quantity) for i in web.items] == [("Web widget", 9)]

    bad = write(tmp_path, "store,order_number,sku,quantity\n"
                          "MAIN,N-1,,1\n"                 # line 2: no product
                          "MAIN,N-2,0000000000000,1\n"    # line 3: the placeholder code
                          f"WEB,N-3,{GTIN_A},1\n"         # line 4: a MAIN product, not in WEB
                          "MAIN,N-4,4006381333932,1\n"    # line 5: wrong check digit
                          "MAIN,N-5,B,1\n")               # line 6: fine
    with pytest.raises(ImportRejected) as caught:
        services.importing.import_orders(ADMIN, bad)
    problems = caught.value.problems
    assert [p.split(":")[0] for p in problems] == ["line 2", "line 3", "line 4", "line 5"]
    assert "Say which product" in problems[0] and "placeholder code" in problems[1]
    assert f"No product with SKU or GTIN '{GTIN_A}' in store WEB" in problems[2] and "check digit" in problems[3]


def test_a_big_file_looks_its_products_up_in_a_few_queries(
    services: Services, database: Database, tmp_path: Path
) -> None:
    seed_catalog(services)
    lines = "".join(f"BIG-{n},{'A' if n % 2 else GTIN_B},1\n" for n in range(300))
    lookups: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "FROM products" in statement and "products.sku" in statement:
            lookups.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        created = services.importing.import_orders(ADMIN, write(tmp_path, "order_number,product,quantity\n" + lines))
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    assert created.created == 300
    assert len(lookups) - 300 <= 2, len(lookups)  # insert_order reads each order's products once
