"""CSV import and export of products and stock, on SQLite and PostgreSQL.

Every refusal test checks that a bad file changed nothing: products, stock, locations and
ledger are compared before and after through the services.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, cast

import psycopg
import pytest
from helpers import ADMIN, GTIN_A, GTIN_B, GTIN_C, assert_ledger_consistent, seed_catalog
from sqlalchemy import event

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import ProductType, Role, TransactionType
from orion_desktop.domain.errors import ImportRejected, InvalidInput, PermissionDenied
from orion_desktop.paths import resources_dir
from orion_desktop.services.imports.service import EXPORT_COLUMNS, ImportService

MANAGER = Actor(name="maria", role=Role.MANAGER)


@pytest.fixture
def importer(database: Database) -> ImportService:
    return ImportService(database)


@pytest.fixture
def catalog(services: Services) -> Services:
    seed_catalog(services)
    return services


def write(tmp_path: Path, name: str, text: str, *, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def snapshot(services: Services) -> tuple[object, ...]:
    """Everything an import may change, as the services report it."""
    return (
        services.catalog.list_products(),
        services.stock.list_stock(),
        services.catalog.list_locations(),
        services.stock.verify().ledger_rows,
    )


def levels(services: Services) -> dict[tuple[str, str], tuple[int, int]]:
    return {(r.sku, r.location): (r.quantity, r.reserved_quantity) for r in services.stock.list_stock()}


def rejected(excinfo: pytest.ExceptionInfo[ImportRejected]) -> list[str]:
    return list(excinfo.value.problems)


# --- products ---------------------------------------------------------------------------


def test_import_products_creates_then_updates(services: Services, importer: ImportService, tmp_path: Path) -> None:
    services.catalog.add_store(ADMIN, "MAIN", "Main Store")
    first = write(
        tmp_path,
        "products.csv",
        "sku,title,gtin,product_type,low_stock_threshold,reorder_point\n"
        f"A,Widget A,{GTIN_A},physical,5,10\n"
        "B,Widget B,036000291452,,,\n"  # UPC-A: stored as the same GTIN-14 as its EAN-13 form
        "EBOOK,Manual (PDF),,digital,,\n"
        "UNMATCHED,Unmatched item,0000000000000,,,\n",
    )
    result = importer.import_products(MANAGER, first)
    assert (result.kind, result.rows, result.created, result.updated) == ("products", 4, 4, 0)

    a = services.catalog.get_product("MAIN", "A")
    assert (a.title, a.gtin, a.product_type, a.low_stock_threshold, a.reorder_point) == (
        "Widget A", GTIN_A, ProductType.PHYSICAL, 5, 10
    )
    assert services.catalog.get_product("MAIN", "0036000291452").sku == "B"
    assert services.catalog.get_product("MAIN", "EBOOK").product_type is ProductType.DIGITAL
    placeholder = services.catalog.get_product("MAIN", "UNMATCHED")
    assert placeholder.is_placeholder and placeholder.gtin == "0000000000000"

    second = write(
        tmp_path,
        "products2.csv",
        "sku,title,gtin,product_type,low_stock_threshold,reorder_point\n"
        f"A,Widget A (blue),{GTIN_A},physical,,10\n"  # title changed, threshold cleared
        "B,Widget B,036000291452,,,\n"  # unchanged
        f"C,Widget C,{GTIN_C},physical,3,\n",  # new
    )
    result = importer.import_products(MANAGER, second)
    assert (result.rows, result.created, result.updated) == (3, 1, 1)
    a = services.catalog.get_product("MAIN", "A")
    assert (a.title, a.low_stock_threshold, a.reorder_point) == ("Widget A (blue)", None, 10)
    assert services.catalog.get_product("MAIN", GTIN_C).low_stock_threshold == 3
    assert len(services.catalog.list_products()) == 5


def test_reimporting_products_changes_nothing(services: Services, importer: ImportService, tmp_path: Path) -> None:
    services.catalog.add_store(ADMIN, "MAIN", "Main Store")
    path = write(tmp_path, "p.csv", f"sku,title,gtin\nA,Widget A,{GTIN_A}\nB,Widget B,{GTIN_B}\n")
    assert importer.import_products(MANAGER, path).created == 2
    before = snapshot(services)
    again = importer.import_products(MANAGER, path)
    assert (again.rows, again.created, again.updated) == (2, 0, 0)
    assert snapshot(services) == before


def test_columns_missing_from_the_file_are_left_alone(
    catalog: Services, importer: ImportService, tmp_path: Path
) -> None:
    path = write(tmp_path, "titles.csv", "sku,title\nC,Widget C renamed\n")
    result = importer.import_products(MANAGER, path)
    assert (result.created, result.updated) == (0, 1)
    c = catalog.catalog.get_product("MAIN", "C")
    assert (c.title, c.gtin, c.low_stock_threshold) == ("Widget C renamed", GTIN_C, 5)


def test_products_need_a_store_column_when_there_are_several_stores(
    services: Services, importer: ImportService, tmp_path: Path
) -> None:
    services.catalog.add_store(ADMIN, "MAIN", "Main Store")
    services.catalog.add_store(ADMIN, "WEB", "Web Shop")
    without_store = write(tmp_path, "p.csv", f"sku,title,gtin\nA,Widget A,{GTIN_A}\n")
    with pytest.raises(InvalidInput, match="more than one store; add a store column"):
        importer.import_products(MANAGER, without_store)
    # The same SKU and GTIN may exist once per store.
    with_store = write(
        tmp_path, "p2.csv", f"store,sku,title,gtin\nmain,A,Widget A,{GTIN_A}\nWEB,A,Widget A,{GTIN_A}\n"
    )
    assert importer.import_products(MANAGER, with_store).created == 2
    assert {p.store_code for p in services.catalog.list_products()} == {"MAIN", "WEB"}
    # The store argument applies to lines without a store.
    assert importer.import_products(MANAGER, without_store, store="WEB").created == 0


PRODUCT_HEADER = "sku,title,gtin,product_type,low_stock_threshold\n"
GOOD_PRODUCT_LINE = "NEW-1,New product,,physical,\n"


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("NEW-2,Bad code,4006381333932,,", "4006381333932 has a wrong check digit (last digit should be 1)"),
        ("NEW-2,Spreadsheet code,4.00638E+12,,", "a spreadsheet turned into a number"),
        ("NEW-2,Short code,12345,,", "a GTIN has 8, 12, 13 or 14 digits"),
        ("NEW-2,Taken code,{GTIN_B},,", f"GTIN {GTIN_B} already belongs to B in store MAIN"),
        ("NEW-1,Same SKU again,,,", "SKU NEW-1 is already on line 2"),
        ("NEW-2,,,,", "A product title is required"),
        ("NEW 2,Spaced SKU,,,", "contains spaces"),
        ("NEW-2,Odd type,,gadget,", "'gadget' is not a product type"),
        ("NEW-2,Negative threshold,,,-3", "low-stock threshold cannot be negative"),
        ("A,Widget A,,digital,", "A has stock records, so it cannot become a digital product"),
        ("A,Widget A,0000000000000,,", "A has stock records, so it cannot become a placeholder"),
        ("NEW-2,Too many,,,,surprise", "has 6 values but the first line names only 5 columns"),
    ],
)
def test_a_bad_product_line_is_reported_and_nothing_changes(
    catalog: Services, importer: ImportService, tmp_path: Path, bad_line: str, message: str
) -> None:
    catalog.inventory.set_quantity(MANAGER, store="MAIN", product="A", location="WAREHOUSE_A", quantity=4)
    before = snapshot(catalog)
    path = write(tmp_path, "products.csv", PRODUCT_HEADER + GOOD_PRODUCT_LINE + bad_line.format(GTIN_B=GTIN_B) + "\n")
    with pytest.raises(ImportRejected) as excinfo:
        importer.import_products(MANAGER, path)
    problems = rejected(excinfo)
    assert len(problems) == 1 and problems[0].startswith("line 3: "), problems
    assert message in problems[0]
    assert "products.csv was not imported; nothing was changed" in str(excinfo.value)
    assert snapshot(catalog) == before


def test_a_gtin_twice_in_one_file_is_refused(services: Services, importer: ImportService, tmp_path: Path) -> None:
    services.catalog.add_store(ADMIN, "MAIN", "Main Store")
    # The same number as EAN-13 and as GTIN-14 is the same GTIN.
    path = write(tmp_path, "p.csv", f"sku,title,gtin\nA,Widget A,{GTIN_A}\nB,Widget B,0{GTIN_A}\n")
    with pytest.raises(ImportRejected) as excinfo:
        importer.import_products(MANAGER, path)
    assert rejected(excinfo) == [f"line 3: GTIN {GTIN_A} is already on line 2."]
    assert services.catalog.list_products() == ()


# --- stock --------------------------------------------------------------------------------


def test_import_stock_sets_levels_and_writes_one_ledger_row_each(
    catalog: Services, importer: ImportService, tmp_path: Path
) -> None:
    catalog.inventory.set_quantity(MANAGER, store="MAIN", product="A", location="WAREHOUSE_A", quantity=10)
    path = write(
        tmp_path,
        "stock.csv",
        "product,location,quantity\n"
        "A,warehouse_a,25\n"  # existing row, location typed in lower case
        f"{GTIN_B},WAREHOUSE_A,7\n"  # by EAN-13
        f"0{GTIN_C},STORE_FRONT,3\n"  # by GTIN-14, into a location that does not exist yet
        "C,RETURNS,0\n",  # a new row at zero: created, no ledger row
    )
    ledger_before = catalog.stock.verify().ledger_rows
    result = importer.import_stock(MANAGER, path)
    assert (result.kind, result.rows, result.created, result.updated) == ("stock", 4, 3, 1)
    assert levels(catalog) == {
        ("A", "WAREHOUSE_A"): (25, 0),
        ("B", "WAREHOUSE_A"): (7, 0),
        ("C", "STORE_FRONT"): (3, 0),
        ("C", "RETURNS"): (0, 0),
    }
    assert {loc.code for loc in catalog.catalog.list_locations()} >= {"STORE_FRONT", "RETURNS"}
    entries = catalog.stock.ledger(limit=10)
    imports = [e for e in entries if e.transaction_type is TransactionType.IMPORT]
    assert catalog.stock.verify().ledger_rows == ledger_before + 3 == ledger_before + len(imports)
    by_key = {(e.sku, e.location): e for e in imports}
    a = by_key[("A", "WAREHOUSE_A")]
    assert (a.quantity_change, a.quantity_after, a.reserved_after) == (15, 25, 0)
    assert (a.created_by, a.reason) == ("maria", "imported from stock.csv")
    assert by_key[("C", "STORE_FRONT")].quantity_change == 3
    assert_ledger_consistent(catalog)


def test_reimporting_stock_writes_no_ledger_rows_for_unchanged_rows(
    catalog: Services, importer: ImportService, tmp_path: Path
) -> None:
    path = write(tmp_path, "stock.csv", "sku,location,quantity\nA,WAREHOUSE_A,10\nB,WAREHOUSE_A,5\n")
    assert importer.import_stock(MANAGER, path).created == 2
    before = snapshot(catalog)
    again = importer.import_stock(MANAGER, path)
    assert (again.rows, again.created, again.updated) == (2, 0, 0)
    assert snapshot(catalog) == before

    changed = write(tmp_path, "stock.csv", "sku,location,quantity\nA,WAREHOUSE_A,4\nB,WAREHOUSE_A,5\n")
    result = importer.import_stock(MANAGER, changed)
    assert (result.created, result.updated) == (0, 1)
    newest = catalog.stock.ledger(limit=1)[0]
    assert (newest.sku, newest.transaction_type, newest.quantity_change, newest.quantity_after) == (
        "A", TransactionType.IMPORT, -6, 4
    )
    assert catalog.stock.verify().ledger_rows == cast(int, before[3]) + 1  # snapshot's 4th figure: the ledger rows
    assert_ledger_consistent(catalog)


def test_reserved_units_stay_reserved_when_stock_is_imported(
    catalog: Services, importer: ImportService, tmp_path: Path
) -> None:
    catalog.inventory.set_quantity(MANAGER, store="MAIN", product="A", location="WAREHOUSE_A", quantity=10)
    catalog.inventory.reserve(MANAGER, store="MAIN", product="A", location="WAREHOUSE_A", quantity=4)
    path = write(tmp_path, "stock.csv", "product,location,quantity\nA,WAREHOUSE_A,4\n")  # exactly the reserved
    assert importer.import_stock(MANAGER, path).updated == 1
    assert levels(catalog)[("A", "WAREHOUSE_A")] == (4, 4)
    newest = catalog.stock.ledger(limit=1)[0]
    assert (newest.quantity_change, newest.quantity_after, newest.reserved_after) == (-6, 4, 4)
    assert_ledger_consistent(catalog)


def test_semicolons_a_bom_and_crlf_are_understood(catalog: Services, importer: ImportService, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "excel.csv",
        "Product;Location;Quantity\r\nA;WAREHOUSE_A;12\r\n\r\nB;WAREHOUSE_A;3\r\n",
        encoding="utf-8-sig",
    )
    assert importer.import_stock(MANAGER, path).created == 2
    assert levels(catalog) == {("A", "WAREHOUSE_A"): (12, 0), ("B", "WAREHOUSE_A"): (3, 0)}


STOCK_HEADER = "product,location,quantity\n"
GOOD_STOCK_LINE = "A,WAREHOUSE_A,50\n"


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("4006381333932,WAREHOUSE_A,5", "4006381333932 has a wrong check digit (last digit should be 1)"),
        ("NOPE,WAREHOUSE_A,5", "No product with SKU or GTIN 'NOPE' in store MAIN"),
        ("4012345000009,WAREHOUSE_A,5", "No product with SKU or GTIN '4012345000009' in store MAIN"),
        ("B,WAREHOUSE_A,-1", "The quantity cannot be negative (got -1)"),
        ("B,WAREHOUSE_A,1.5", "The quantity must be a whole number, not '1.5'"),
        ("B,WAREHOUSE_A,ten", "The quantity must be a whole number, not 'ten'"),
        ("B,WAREHOUSE_A,10000000000", "The quantity 10,000,000,000 is too large; the most allowed is 1,000,000,000"),
        ("B,WAREHOUSE_A,", "The quantity is missing"),
        ("B,WAREHOUSE A!,5", "contains ' ' '!'; use only letters, digits, '_', '-' and '.'"),
        ("B,,5", "A location code is required"),
        (",WAREHOUSE_A,5", "Say which product"),
        ("A,warehouse_a,7", "A at WAREHOUSE_A is already on line 2"),
        (f"{GTIN_A},WAREHOUSE_A,7", "A at WAREHOUSE_A is already on line 2"),
        ("C,WAREHOUSE_B,2", "Cannot set Widget C (C) at WAREHOUSE_B to 2: 3 units are reserved there"),
        ("EBOOK,WAREHOUSE_A,5", "is a digital product with unlimited stock"),
        ("UNMATCHED,WAREHOUSE_A,5", "UNMATCHED is a placeholder product"),
        ("0000000000000,WAREHOUSE_A,5", "0000000000000 is the placeholder code"),
    ],
)
def test_a_bad_stock_line_is_reported_and_nothing_changes(
    catalog: Services, importer: ImportService, tmp_path: Path, bad_line: str, message: str
) -> None:
    catalog.inventory.set_quantity(MANAGER, store="MAIN", product="A", location="WAREHOUSE_A", quantity=10)
    catalog.inventory.set_quantity(MANAGER, store="MAIN", product="C", location="WAREHOUSE_B", quantity=5)
    catalog.inventory.reserve(MANAGER, store="MAIN", product="C", location="WAREHOUSE_B", quantity=3)
    before = snapshot(catalog)
    path = write(tmp_path, "stock.csv", STOCK_HEADER + GOOD_STOCK_LINE + bad_line + "\n")
    with pytest.raises(ImportRejected) as excinfo:
        importer.import_stock(MANAGER, path)
    problems = rejected(excinfo)
    assert len(problems) == 1 and problems[0].startswith("line 3: "), problems
    assert message in problems[0]
    assert snapshot(catalog) == before
    assert_ledger_consistent(catalog)


def test_every_bad_line_is_listed_with_its_physical_line_number(
    catalog: Services, importer: ImportService, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "stock.csv",
        "product,location,quantity\n"  # 1
        "A,WAREHOUSE_A,1\n"  # 2 good
        "\n"  # 3 blank: skipped but counted
        "B,WAREHOUSE_A,-5\n"  # 4 bad quantity
        '"NO\nPE",WAREHOUSE_A,1\n'  # 5-6: a quoted value over two lines (unknown product)
        "C,BAD/LOC,x\n",  # 7: two problems
    )
    before = snapshot(catalog)
    with pytest.raises(ImportRejected) as excinfo:
        importer.import_stock(MANAGER, path)
    problems = rejected(excinfo)
    assert [p.split(":")[0] for p in problems] == ["line 4", "line 5", "line 7", "line 7"]
    assert "BAD/LOC" in problems[2] and "whole number" in problems[3]
    assert snapshot(catalog) == before


def test_many_bad_lines_are_all_counted(catalog: Services, importer: ImportService, tmp_path: Path) -> None:
    lines = "".join(f"A,LOC-{n},-1\n" for n in range(30))
    path = write(tmp_path, "stock.csv", STOCK_HEADER + lines)
    with pytest.raises(ImportRejected) as excinfo:
        importer.import_stock(MANAGER, path)
    assert len(excinfo.value.problems) == 30
    assert "… and 10 more" in str(excinfo.value)
    assert catalog.catalog.list_locations() == ()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "stock.csv is empty. The first line must name the columns"),
        (b"\n\n  \n", "stock.csv is empty"),
        (b"product,location,quantity\n", "has only the column names and no data lines"),
        (b"product,location\nA,WAREHOUSE_A\n", "stock.csv has no quantity column"),
        (b"location,quantity\nWAREHOUSE_A,1\n", "stock.csv has no product or sku or gtin column"),
        (b"product,location,quantity,colour\nA,X,1,red\n", "a column this import does not know: 'colour'"),
        (b"product,location,quantity,Quantity\nA,X,1,2\n", "has the column quantity twice"),
        (
            "product,location,quantity\nA,LAGER_Ä,1\n".encode("latin-1"),
            "stock.csv is not UTF-8 text (first odd byte on line 2)"
        ),
        (b"\x00\x01\x02binary", "not a CSV text file"),
    ],
)
def test_a_bad_file_is_one_clear_sentence(
    catalog: Services, importer: ImportService, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "stock.csv"
    path.write_bytes(content)
    before = snapshot(catalog)
    with pytest.raises(InvalidInput) as excinfo:
        importer.import_stock(MANAGER, path)
    assert not isinstance(excinfo.value, ImportRejected)
    assert message in str(excinfo.value)
    assert snapshot(catalog) == before


def test_a_missing_file_or_a_folder_is_a_clear_sentence(importer: ImportService, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="There is no file .*nothing.csv"):
        importer.import_stock(MANAGER, tmp_path / "nothing.csv")
    with pytest.raises(InvalidInput, match="is a folder, not a CSV file"):
        importer.import_products(MANAGER, tmp_path)


def test_imports_need_permission(catalog: Services, importer: ImportService, tmp_path: Path) -> None:
    packer = Actor(name="pat", role=Role.PACKER)
    path = write(tmp_path, "stock.csv", STOCK_HEADER + GOOD_STOCK_LINE)
    with pytest.raises(PermissionDenied, match="may not change stock levels"):
        importer.import_stock(packer, path)
    with pytest.raises(PermissionDenied, match="may not manage products"):
        importer.import_products(packer, write(tmp_path, "p.csv", "sku,title\nX,Thing\n"))
    outsider = Actor(name="olga", role=Role.MANAGER, store_codes=frozenset({"WEB"}))
    with pytest.raises(ImportRejected, match="olga may not work in store MAIN"):
        importer.import_stock(outsider, path)
    assert catalog.stock.list_stock() == ()


def test_stock_lines_name_their_store_when_there_are_several(
    catalog: Services, importer: ImportService, tmp_path: Path
) -> None:
    catalog.catalog.add_store(ADMIN, "WEB", "Web Shop")
    catalog.catalog.add_product(ADMIN, store="WEB", sku="A", title="Web widget", gtin=GTIN_B)
    path = write(
        tmp_path, "stock.csv",
        f"store,product,location,quantity\nMAIN,A,SHELF-1,4\nweb,{GTIN_B},SHELF-1,9\n,A,SHELF-2,1\nNOPE,A,SHELF-1,1\n"
    )
    with pytest.raises(ImportRejected) as excinfo:
        importer.import_stock(MANAGER, path)
    assert rejected(excinfo) == [
        "line 4: The store is missing; this database has more than one store.",
        "line 5: There is no store with code NOPE.",
    ]
    path = write(tmp_path, "stock.csv", f"store,product,location,quantity\nMAIN,A,SHELF-1,4\nweb,{GTIN_B},SHELF-1,9\n")
    assert importer.import_stock(MANAGER, path).created == 2
    rows = {(r.store_code, r.sku, r.location): r.quantity for r in catalog.stock.list_stock()}
    assert rows == {("MAIN", "A", "SHELF-1"): 4, ("WEB", "A", "SHELF-1"): 9}
    assert_ledger_consistent(catalog)


def test_a_value_under_an_unnamed_column_is_refused(catalog: Services, importer: ImportService, tmp_path: Path) -> None:
    # Spreadsheets often end the header with a separator; empty cells there are fine.
    path = write(tmp_path, "stock.csv", "product;location;quantity;\nA;WAREHOUSE_A;4;\nB;WAREHOUSE_A;5;oops\n")
    with pytest.raises(ImportRejected) as excinfo:
        importer.import_stock(MANAGER, path)
    assert rejected(excinfo) == ["line 3: has a value in a column without a name in the first line."]
    path = write(tmp_path, "stock.csv", "product;location;quantity;\nA;WAREHOUSE_A;4;\n")
    assert importer.import_stock(MANAGER, path).created == 1


def test_an_import_replayed_with_its_operation_key_changes_nothing_twice(
    catalog: Services, importer: ImportService, tmp_path: Path
) -> None:
    path = write(tmp_path, "stock.csv", STOCK_HEADER + "A,WAREHOUSE_A,10\n")
    first = importer.import_stock(MANAGER, path, operation_key="key-1")
    assert first.created == 1
    assert catalog.stock.ledger(limit=1)[0].quantity_after == 10
    # Someone changes the stock, then the GUI retries the same action (e.g. after a timeout).
    catalog.inventory.set_quantity(MANAGER, store="MAIN", product="A", location="WAREHOUSE_A", quantity=3)
    before = snapshot(catalog)
    assert importer.import_stock(MANAGER, path, operation_key="key-1") == first
    assert snapshot(catalog) == before
    products = write(tmp_path, "p.csv", "sku,title\nNEW,New thing\n")
    assert importer.import_products(MANAGER, products, operation_key="key-2").created == 1
    assert importer.import_products(MANAGER, products, operation_key="key-2").created == 1  # the first result
    assert len(catalog.catalog.list_products()) == 6



def test_a_large_mixed_file_writes_each_change_and_its_ledger_row_once(
    catalog: Services, importer: ImportService, tmp_path: Path
) -> None:
    """New, raised, lowered, unchanged and zero rows in two stores: one ledger row per change, after-values right."""
    catalog.catalog.add_store(ADMIN, "WEB", "Web Shop")
    for store in ("MAIN", "WEB"):
        for n in range(60):
            catalog.catalog.add_product(ADMIN, store=store, sku=f"P{n:02d}", title=f"Part {n}")
    old = {("MAIN", f"P{n:02d}"): 20 + n for n in range(0, 60, 2)}  # every other product has stock already
    for (store, sku), quantity in old.items():
        catalog.inventory.set_quantity(MANAGER, store=store, product=sku, location="BIN-1", quantity=quantity)
    catalog.inventory.reserve(MANAGER, store="MAIN", product="P10", location="BIN-1", quantity=7)
    wanted: dict[tuple[str, str, str], int] = {}
    for store in ("MAIN", "WEB"):
        for n in range(60):
            wanted[(store, f"P{n:02d}", "BIN-1")] = [20 + n, 20 + n + 5, 7 + n % 3, 0][n % 4]  # same/up/down/zero
            wanted[(store, f"P{n:02d}", "OVERFLOW")] = n % 5  # a new location, some rows at zero
    wanted[("MAIN", "P10", "BIN-1")] = 7  # exactly what is reserved there
    lines = "".join(f"{store},{sku},{location},{quantity}\n" for (store, sku, location), quantity in wanted.items())
    path = write(tmp_path, "stock.csv", "store,sku,location,quantity\n" + lines)
    ledger_before = catalog.stock.verify().ledger_rows

    result = importer.import_stock(MANAGER, path)

    before = {key: old.get(key[:2], 0) if key[2] == "BIN-1" else 0 for key in wanted}
    changed = {key for key in wanted if wanted[key] != before[key]}
    existing = {key for key in wanted if key[2] == "BIN-1" and key[:2] in old}
    assert (result.rows, result.created, result.updated) == (
        len(wanted), len(wanted) - len(existing), len(changed & existing)
    )
    rows = {(r.store_code, r.sku, r.location): r for r in catalog.stock.list_stock()}
    assert {key: row.quantity for key, row in rows.items()} == wanted
    assert rows[("MAIN", "P10", "BIN-1")].reserved_quantity == 7
    imports = [e for e in catalog.stock.ledger(limit=1000) if e.transaction_type is TransactionType.IMPORT]
    assert len(imports) == len(changed) == catalog.stock.verify().ledger_rows - ledger_before
    for entry in imports:
        key = (entry.store_code, entry.sku, entry.location)
        assert (entry.quantity_change, entry.quantity_after) == (wanted[key] - before[key], wanted[key]), entry
        assert entry.reserved_after == rows[key].reserved_quantity
        assert (entry.created_by, entry.reason) == ("maria", "imported from stock.csv")
    assert_ledger_consistent(catalog)


def test_a_stock_import_locks_every_row_of_its_products_in_ascending_id_before_writing(
    catalog: Services, database: Database, importer: ImportService, tmp_path: Path
) -> None:
    """ARCHITECTURE.md: stock changes: the global lock order, so an import and another PC's change never deadlock.

    PostgreSQL: the rows of the file's products, also those at locations the file does not name
    (backorder allocation may reserve there), are locked before the first write. SQLite: the
    import's transaction starts with BEGIN IMMEDIATE, which holds the whole database.
    """
    catalog.inventory.set_quantity(MANAGER, store="MAIN", product="A", location="WAREHOUSE_A", quantity=5)
    catalog.inventory.set_quantity(MANAGER, store="MAIN", product="A", location="STORE_FRONT", quantity=2)
    statements: list[str] = []
    blocked: list[bool] = []

    def sent(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(" ".join(statement.split()))

    def done(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "FOR NO KEY UPDATE" in statement and not blocked:
            blocked.append(_row_is_locked(database, "A", "STORE_FRONT"))

    event.listen(database.engine, "before_cursor_execute", sent)
    event.listen(database.engine, "after_cursor_execute", done)
    try:
        importer.import_stock(MANAGER, write(tmp_path, "stock.csv", STOCK_HEADER + "A,WAREHOUSE_A,9\nB,BIN-9,4\n"))
    finally:
        event.remove(database.engine, "before_cursor_execute", sent)
        event.remove(database.engine, "after_cursor_execute", done)
    writes = [i for i, s in enumerate(statements) if s.startswith(("UPDATE inventory", "INSERT INTO inventory "))]
    assert writes, statements
    if database.is_sqlite:
        assert "BEGIN IMMEDIATE" in statements[: writes[0]]
        return
    locks = [i for i, s in enumerate(statements) if "FOR NO KEY UPDATE" in s and "FROM inventory" in s]
    assert locks and locks[0] < writes[0], statements
    assert "ORDER BY inventory.id" in statements[locks[0]]
    assert blocked == [True]
    assert levels(catalog)[("A", "WAREHOUSE_A")] == (9, 0)


def _row_is_locked(database: Database, sku: str, location: str) -> bool:
    """From a second connection: is this stock row locked by another transaction right now?"""
    url = database.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as other:
        try:
            other.execute(
                "SELECT i.id FROM inventory i JOIN products p ON p.id = i.product_id "
                "JOIN locations l ON l.id = i.location_id WHERE p.sku = %s AND l.code = %s FOR NO KEY UPDATE NOWAIT",
                (sku, location),
            ).fetchone()
        except psycopg.errors.LockNotAvailable:
            return True
    return False


# --- export --------------------------------------------------------------------------------


def test_export_then_import_round_trips(catalog: Services, importer: ImportService, tmp_path: Path) -> None:
    stock = write(
        tmp_path,
        "stock.csv",
        "product,location,quantity\nA,WAREHOUSE_A,10\nA,STORE_FRONT,2\nB,WAREHOUSE_A,0\nC,WAREHOUSE_B,8\n",
    )
    importer.import_stock(MANAGER, stock)
    catalog.inventory.reserve(MANAGER, store="MAIN", product="C", location="WAREHOUSE_B", quantity=3)
    exported = tmp_path / "export.csv"
    assert importer.export_stock(exported) == 4

    with exported.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    c_row = next(r for r in rows if r["sku"] == "C")
    assert c_row == {
        "store": "MAIN",
        "sku": "C",
        "gtin": GTIN_C,
        "title": "Widget C",
        "location": "WAREHOUSE_B",
        "quantity": "8",
        "reserved_quantity": "3",
        "available_quantity": "5",
    }

    before = snapshot(catalog)
    again = importer.import_stock(MANAGER, exported)
    assert (again.rows, again.created, again.updated) == (4, 0, 0)
    assert snapshot(catalog) == before

    # Edit the exported file the way a person would, then import it back.
    text = exported.read_text(encoding="utf-8-sig").replace("WAREHOUSE_A,10,0,10", "WAREHOUSE_A,14,0,10")
    exported.write_text(text, encoding="utf-8-sig")
    result = importer.import_stock(MANAGER, exported)
    assert (result.created, result.updated) == (0, 1)
    assert levels(catalog)[("A", "WAREHOUSE_A")] == (14, 0)
    assert_ledger_consistent(catalog)


def test_export_of_one_store_and_of_nothing(catalog: Services, importer: ImportService, tmp_path: Path) -> None:
    catalog.catalog.add_store(ADMIN, "WEB", "Web Shop")
    catalog.inventory.set_quantity(MANAGER, store="MAIN", product="A", location="WAREHOUSE_A", quantity=1)
    assert importer.export_stock(tmp_path / "web.csv", store="WEB") == 0
    assert (tmp_path / "web.csv").read_text(encoding="utf-8-sig").strip() == ",".join(EXPORT_COLUMNS)
    assert importer.export_stock(tmp_path / "main.csv", store="main") == 1
    with pytest.raises(InvalidInput, match="Cannot write"):
        importer.export_stock(tmp_path / "missing-folder" / "x.csv")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_export_line_whose_sku_and_gtin_disagree_is_refused(
    catalog: Services, importer: ImportService, tmp_path: Path
) -> None:
    path = write(tmp_path, "stock.csv", f"sku,gtin,location,quantity\nA,{GTIN_B},WAREHOUSE_A,1\n")
    with pytest.raises(ImportRejected) as excinfo:
        importer.import_stock(MANAGER, path)
    assert rejected(excinfo) == [f"line 2: sku A and gtin {GTIN_B} name different products; the line must name one."]


# --- the sample files ---------------------------------------------------------------------


def test_the_sample_files_import_cleanly(services: Services, importer: ImportService) -> None:
    services.catalog.add_store(ADMIN, "MAIN", "Main Store")
    samples = resources_dir() / "samples"
    products = importer.import_products(MANAGER, samples / "products.csv")
    assert products.created == products.rows > 0
    stock = importer.import_stock(MANAGER, samples / "stock.csv")
    assert stock.created == stock.rows > 0
    assert services.stock.stats().total_quantity > 0
    assert_ledger_consistent(services)
