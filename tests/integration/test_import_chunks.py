"""Imports read their file in chunks inside one transaction (issue 9, item 16), on SQLite and PostgreSQL.

The chunks are made three lines long here, so that small files cross several chunk boundaries:
a bad line in the last chunk still leaves nothing imported, a SKU or a stock row named in two
chunks is refused with the first line's number, and an order whose lines fall into different
chunks is still one order. Also: the cap on reported bad lines, and cells that an export
protected from spreadsheets (``'=...``, issue 9, item 3) read back as their text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import ADMIN, GTIN_A, assert_ledger_consistent, seed_catalog

from orion_desktop.bootstrap import Services
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.errors import ImportRejected, InvalidInput
from orion_desktop.domain.order_results import OrderLine
from orion_desktop.services.imports import csv_files

MANAGER = Actor(name="maria", role=Role.MANAGER)


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_files, "CHUNK_LINES", 3)


@pytest.fixture
def catalog(services: Services) -> Services:
    seed_catalog(services)
    return services


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(services: Services) -> tuple[object, ...]:
    return (
        services.catalog.list_products(),
        services.stock.list_stock(),
        services.catalog.list_locations(),
        services.stock.verify().ledger_rows,
        services.order_queries.list_orders(),
    )


# --- products ----------------------------------------------------------------------------


def test_products_over_several_chunks_are_all_imported(catalog: Services, tmp_path: Path) -> None:
    lines = "".join(f"N{n},New {n}\n" for n in range(1, 9)) + "A,Widget A renamed\n"
    result = catalog.importing.import_products(MANAGER, write(tmp_path, "p.csv", "sku,title\n" + lines))
    assert (result.rows, result.created, result.updated) == (9, 8, 1)
    titles = {p.sku: p.title for p in catalog.catalog.list_products()}
    assert titles["N8"] == "New 8" and titles["A"] == "Widget A renamed"


def test_a_bad_product_line_in_the_last_chunk_imports_nothing(catalog: Services, tmp_path: Path) -> None:
    before = snapshot(catalog)
    lines = "".join(f"N{n},New {n}\n" for n in range(1, 9)) + "A,Widget A renamed\nBAD,Bad,123\n"
    with pytest.raises(ImportRejected) as caught:
        catalog.importing.import_products(MANAGER, write(tmp_path, "p.csv", "sku,title,gtin\n" + lines))
    assert [p.split(":")[0] for p in caught.value.problems] == ["line 11"]
    assert snapshot(catalog) == before


def test_a_sku_in_two_chunks_is_refused_with_the_first_line(catalog: Services, tmp_path: Path) -> None:
    before = snapshot(catalog)
    text = (
        "sku,title\n"
        "NEW,First\n"      # line 2: a new SKU...
        "A,Widget A\n"     # line 3: an existing one...
        "X1,x\nX2,x\nX3,x\nX4,x\n"
        "A,Again\n"        # line 8: ...named again in a later chunk
        "NEW,Second\n"     # line 9: ...and again
    )
    with pytest.raises(ImportRejected) as caught:
        catalog.importing.import_products(MANAGER, write(tmp_path, "p.csv", text))
    assert list(caught.value.problems) == [
        "line 8: SKU A is already on line 3.",
        "line 9: SKU NEW is already on line 2.",
    ]
    assert snapshot(catalog) == before


def test_a_gtin_in_two_chunks_is_refused(catalog: Services, tmp_path: Path) -> None:
    before = snapshot(catalog)
    text = "sku,title,gtin\nN1,One,\nN2,Two,\nN3,Three,036000291452\nN4,Four,\nN5,Five,\nN6,Six,036000291452\n"
    with pytest.raises(ImportRejected) as caught:
        catalog.importing.import_products(MANAGER, write(tmp_path, "p.csv", text))
    assert [p.split(":")[0] for p in caught.value.problems] == ["line 7"]
    assert "already belongs to N3" in caught.value.problems[0]
    assert snapshot(catalog) == before


# --- stock ---------------------------------------------------------------------------------


def test_stock_over_several_chunks_is_all_imported_with_its_ledger(catalog: Services, tmp_path: Path) -> None:
    text = "sku,location,quantity\n" + "".join(f"{sku},L{n},{n}\n" for n in range(1, 4) for sku in "ABC")
    result = catalog.importing.import_stock(MANAGER, write(tmp_path, "s.csv", text))
    assert (result.rows, result.created, result.updated) == (9, 9, 0)
    again = "sku,location,quantity\n" + "".join(f"{sku},L{n},{n + 1}\n" for n in range(1, 4) for sku in "ABC")
    result = catalog.importing.import_stock(MANAGER, write(tmp_path, "s2.csv", again))
    assert (result.created, result.updated) == (0, 9)
    assert {(r.sku, r.location): r.quantity for r in catalog.stock.list_stock()} == {
        (sku, f"L{n}"): n + 1 for n in range(1, 4) for sku in "ABC"
    }
    assert_ledger_consistent(catalog)


def test_new_stock_from_a_later_chunk_serves_waiting_orders_once_the_file_is_in(
    catalog: Services, tmp_path: Path
) -> None:
    number = catalog.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("C", 5)], number="BO-1")
    catalog.orders.change_status(ADMIN, number, "processing")  # no stock: 5 backordered
    text = "product,location,quantity\nA,L1,1\nB,L1,1\nA,L2,1\nB,L2,1\nC,L2,2\nC,L1,4\n"
    catalog.importing.import_stock(MANAGER, write(tmp_path, "s.csv", text))
    assert catalog.order_queries.backorders() == ()
    assert [i.reserved for i in catalog.order_queries.get_order(number).items] == [5]
    assert_ledger_consistent(catalog)


def test_a_bad_stock_line_in_the_last_chunk_imports_nothing(catalog: Services, tmp_path: Path) -> None:
    catalog.inventory.set_quantity(ADMIN, store="MAIN", product="A", location="L1", quantity=4)
    before = snapshot(catalog)
    text = "product,location,quantity\n" + "".join(f"{sku},L{n},{n}\n" for n in range(1, 4) for sku in "ABC")
    text += "A,NEW-LOC,5\nNOPE,L1,1\n"  # line 11: a new location (rolled back too); line 12: unknown SKU
    with pytest.raises(ImportRejected) as caught:
        catalog.importing.import_stock(MANAGER, write(tmp_path, "s.csv", text))
    assert list(caught.value.problems) == ["line 12: No product with SKU or GTIN 'NOPE' in store MAIN."]
    assert snapshot(catalog) == before


def test_a_stock_row_in_two_chunks_is_refused_with_the_first_line(catalog: Services, tmp_path: Path) -> None:
    catalog.inventory.set_quantity(ADMIN, store="MAIN", product="B", location="L1", quantity=4)
    before = snapshot(catalog)
    text = (
        "product,location,quantity\n"
        "A,L1,1\n"             # line 2: a new row...
        "B,L1,2\n"             # line 3: an existing row...
        "C,L1,3\nA,L2,1\nB,L2,1\nC,L2,1\n"
        f"{GTIN_A},l1,7\n"     # line 8: row A at L1 again (by GTIN, lower case location)
        "B,L1,9\n"             # line 9: row B at L1 again
    )
    with pytest.raises(ImportRejected) as caught:
        catalog.importing.import_stock(MANAGER, write(tmp_path, "s.csv", text))
    assert list(caught.value.problems) == [
        "line 8: A at L1 is already on line 2; give each product and location once.",
        "line 9: B at L1 is already on line 3; give each product and location once.",
    ]
    assert snapshot(catalog) == before


def test_an_unknown_byte_in_a_later_chunk_imports_nothing(catalog: Services, tmp_path: Path) -> None:
    before = snapshot(catalog)
    path = tmp_path / "s.csv"
    path.write_bytes(b"sku,location,quantity\n" + b"A,L1,1\nB,L1,1\nC,L1,1\nA,L2,1\nB,L2,1\nC,L2,1\nA,L\xe9,1\n")
    with pytest.raises(InvalidInput, match=r"s.csv is not UTF-8 text \(first odd byte on line 8\)"):
        catalog.importing.import_stock(MANAGER, path)
    assert snapshot(catalog) == before


# --- orders --------------------------------------------------------------------------------


def test_an_order_whose_lines_are_in_different_chunks_is_one_order(catalog: Services, tmp_path: Path) -> None:
    text = (
        "order_number,customer,channel,product,quantity\n"
        "O-1,Ann,,A,1\n"        # line 2: O-1 starts
        "O-2,,,B,1\n"
        "O-3,,,A,1\n"
        "O-4,,,C,1\n"
        "O-4,,,A,2\n"          # O-4's lines run across a chunk boundary
        "O-4,,,C,1\n"
        "O-5,,,A,1\n"
        "O-1,,web,A,2\n"      # O-1 goes on two chunks later: the units add up, the channel is filled in
        "O-1,Ann,,C,1\n"
    )
    result = catalog.importing.import_orders(ADMIN, write(tmp_path, "o.csv", text))
    assert (result.rows, result.created) == (9, 5)
    first = catalog.order_queries.get_order("O-1")
    assert sorted((i.sku, i.quantity) for i in first.items) == [("A", 3), ("C", 1)]
    assert (first.customer_name, first.channel) == ("Ann", "web")
    four = catalog.order_queries.get_order("O-4")
    assert sorted((i.sku, i.quantity) for i in four.items) == [("A", 2), ("C", 2)]
    history = [entry.description for entry in catalog.order_queries.history("O-4")]
    assert history == ["Order created with 2 lines, 4 units (channel import)."]  # the run stayed in one chunk
    assert catalog.order_queries.get_order("O-2").channel == "import"


def test_an_order_line_in_a_later_chunk_is_checked_against_the_order(catalog: Services, tmp_path: Path) -> None:
    catalog.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 1)], number="OLD-1")
    before = snapshot(catalog)
    text = (
        "order_number,customer,product,quantity\n"
        "O-1,Ann,A,1\nO-2,,B,1\nO-3,,A,1\nO-4,,C,1\n"
        "O-1,Bob,A,1\n"    # line 6: another customer for O-1, two chunks on
        "OLD-1,,A,1\n"     # line 7: exists already
    )
    with pytest.raises(ImportRejected) as caught:
        catalog.importing.import_orders(ADMIN, write(tmp_path, "o.csv", text))
    assert list(caught.value.problems) == [
        "line 6: the customer differs from line 2 of order O-1",
        "line 7: order OLD-1 already exists",
    ]
    assert snapshot(catalog) == before


def test_a_status_applies_to_the_whole_order_once_all_its_chunks_are_in(catalog: Services, tmp_path: Path) -> None:
    """O-1's status comes with its first line, its C line two chunks later: processing reserves
    both lines; O-2 names its status only on a later line, and its earlier line is reserved too."""
    for sku in ("A", "C"):
        catalog.inventory.set_quantity(ADMIN, store="MAIN", product=sku, location="A-01", quantity=10)
    text = (
        "order_number,status,product,quantity\n"
        "O-1,processing,A,2\n"
        "O-2,,A,1\nO-3,,B,1\nO-4,,A,1\nO-5,,A,1\n"
        "O-1,,C,3\n"  # line 7: O-1 goes on in a later chunk
        "O-2,processing,C,1\n"  # line 8: O-2's status arrives with its second line
    )
    catalog.importing.import_orders(ADMIN, write(tmp_path, "o.csv", text))
    first = catalog.order_queries.get_order("O-1")
    assert first.status.value == "processing"
    assert sorted((i.sku, i.quantity, i.reserved) for i in first.items) == [("A", 2, 2), ("C", 3, 3)]
    second = catalog.order_queries.get_order("O-2")
    assert second.status.value == "processing"
    assert sorted((i.sku, i.reserved) for i in second.items) == [("A", 1), ("C", 1)]
    assert catalog.order_queries.get_order("O-3").status.value == "pending"
    assert_ledger_consistent(catalog)


def test_a_later_chunk_naming_another_status_for_an_order_imports_nothing(catalog: Services, tmp_path: Path) -> None:
    before = snapshot(catalog)
    text = (
        "order_number,status,product,quantity\n"
        "O-1,processing,A,1\nO-2,,A,1\nO-3,,A,1\nO-4,,A,1\n"
        "O-1,cancelled,B,1\n"  # line 6
    )
    with pytest.raises(ImportRejected) as caught:
        catalog.importing.import_orders(ADMIN, write(tmp_path, "o.csv", text))
    assert list(caught.value.problems) == ["line 6: the status differs from line 2 of order O-1"]
    assert snapshot(catalog) == before


# --- the report and the cells ----------------------------------------------------------------


def test_a_file_of_many_bad_lines_reports_the_first_100_and_counts_the_rest(catalog: Services, tmp_path: Path) -> None:
    text = "sku,location,quantity\n" + "A,L1,-1\n" * 250
    with pytest.raises(ImportRejected) as caught:
        catalog.importing.import_stock(MANAGER, write(tmp_path, "s.csv", text))
    problems = caught.value.problems
    assert len(problems) == 100 and caught.value.total == 250
    assert problems[0].startswith("line 2: ") and problems[-1].startswith("line 101: ")
    assert str(caught.value).endswith("… and 230 more")


def test_cells_an_export_protected_from_spreadsheets_read_back_as_their_text(
    catalog: Services, tmp_path: Path
) -> None:
    text = "sku,title\nF1,'=SUM(A1)\nF2,'plain\nF3,'+49 30 1234\nF4,\"'@home\"\nF5,'-3\n"
    catalog.importing.import_products(MANAGER, write(tmp_path, "p.csv", text))
    titles = {p.sku: p.title for p in catalog.catalog.list_products()}
    assert [titles[f"F{n}"] for n in range(1, 6)] == ["=SUM(A1)", "'plain", "+49 30 1234", "@home", "-3"]
