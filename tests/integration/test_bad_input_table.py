"""Issue 9, acceptance: a table of bad inputs, on SQLite and PostgreSQL.

Each row goes in through the CLI (in process, as tests/integration/test_cli.py does), a direct
service call, or a CSV import, and must come back as exit code 1 (CLI) or a domain error
(services), with one plain sentence (one line, ending with a period, no traceback, no Python
repr), and must change nothing: every table's row count and every stock level are the same before
and after.

A refused import lists its bad lines (``ImportRejected``): each listed problem is held to the same
one-sentence rule, and a row here has exactly one bad line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers import ADMIN, GTIN_A, seed_catalog
from sqlalchemy import select, text

from orion_desktop.__main__ import main
from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.db.models import Base, Inventory
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.errors import ImportRejected, OrionError
from orion_desktop.domain.order_results import OrderLine

MARIA = Actor(name="maria", role=Role.MANAGER)
ORDER = "WEB-1001"
HUGE = "9" * 5000
RAW_PYTHON = ("Traceback", "invalid literal", "object at 0x", "NoneType", "Error:", "sqlalchemy", "psycopg",
              "sqlite3", "something unexpected", "Background on this error", "ValueError", "KeyError")


# --- the rows ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    """One bad input: through the CLI (``argv``), a service call (``call``) or an import (``csv``)."""

    id: str
    argv: tuple[str, ...] | None = None
    call: Callable[[Services], object] | None = None
    csv: tuple[str, str | bytes] | None = None  # (kind, file content)
    fragment: str = ""  # a part of the sentence that says what is wrong


def cli(id: str, *argv: str, fragment: str = "") -> Row:
    return Row(id, argv=argv, fragment=fragment)


def svc(id: str, call: Callable[[Services], object], fragment: str = "") -> Row:
    return Row(id, call=call, fragment=fragment)


def csv(id: str, kind: str, content: str | bytes, fragment: str = "") -> Row:
    return Row(id, csv=(kind, content), fragment=fragment)


def _set(*extra: str, product: str = "A", location: str = "WAREHOUSE_A", quantity: str = "7") -> tuple[str, ...]:
    return ("stock", "set", "--store", "MAIN", "--product", product, "--location", location, "--quantity", quantity,
            *extra)


def _adjust(delta: str = "5", reason: str = "count", *extra: str) -> tuple[str, ...]:
    return ("stock", "adjust", "--product", "A", "--location", "WAREHOUSE_A", f"--delta={delta}", "--reason", reason,
            *extra)


def _product(sku: str = "NEW-1", title: str = "New thing", *extra: str) -> tuple[str, ...]:
    return ("product", "add", "--store", "MAIN", "--sku", sku, "--title", title, *extra)


def _order(*extra: str, item: str = "A=1") -> tuple[str, ...]:
    return ("order", "create", "--store", "MAIN", "--item", item, *extra)


def _ship(*extra: str, item: str = "A") -> tuple[str, ...]:
    return ("order", "ship", "--order", ORDER, "--item", item, *extra)


DIGITS = "digits other than 0-9"
HIDDEN = "invisible control character"

CLI_ROWS = [
    # numbers: Unicode digits, huge and long numbers, signs
    cli("set-arabic-indic", *_set(quantity="١٢"), fragment=DIGITS),
    cli("set-full-width", *_set(quantity="１２"), fragment=DIGITS),
    cli("set-superscript", *_set(quantity="²"), fragment=DIGITS),
    cli("set-devanagari", *_set(quantity="१२"), fragment=DIGITS),
    cli("set-5000-digits", *_set(quantity=HUGE), fragment="5,000 digits"),
    cli("set-13-digits", *_set(quantity="1000000000000"), fragment="too large"),
    cli("set-above-10^9", *_set(quantity="1000000001"), fragment="too large"),
    cli("set-negative", *_set(quantity="-1"), fragment="negative"),
    cli("set-decimal", *_set(quantity="1.5"), fragment="whole number"),
    cli("set-exponent", *_set(quantity="1e3"), fragment="whole number"),
    cli("set-empty", *_set(quantity=""), fragment="missing"),
    cli("adjust-zero", *_adjust("0"), fragment="zero"),
    cli("adjust-arabic-negative", *_adjust("-٣"), fragment=DIGITS),
    cli("adjust-5000-digits", *_adjust("-" + HUGE), fragment="5,000 digits"),
    cli("adjust-below-stock", *_adjust("-1000"), fragment="at most 17 can be removed"),
    cli("reserve-zero", "stock", "reserve", "--product", "A", "--location", "WAREHOUSE_A", "--quantity", "0",
        fragment="at least 1"),
    cli("reserve-more-than-available", "stock", "reserve", "--product", "A", "--location", "WAREHOUSE_A",
        "--quantity", "1000"),
    cli("release-more-than-reserved", "stock", "release", "--product", "A", "--location", "WAREHOUSE_A",
        "--quantity", "99"),
    cli("transfer-fraction", "stock", "transfer", "--product", "A", "--from", "WAREHOUSE_A", "--to", "WAREHOUSE_B",
        "--quantity", "1.5", fragment="whole number"),
    cli("product-list-limit-arabic", "product", "list", "--limit", "٥", fragment=DIGITS),
    cli("product-list-limit-5000-digits", "product", "list", "--limit", HUGE, fragment="5,000 digits"),
    cli("stock-list-limit-zero", "stock", "list", "--limit", "0", fragment="at least 1"),
    cli("stock-low-threshold-superscript", "stock", "low", "--threshold", "¹²", fragment=DIGITS),
    cli("ledger-limit-huge", "stock", "ledger", "--limit", HUGE, fragment="5,000 digits"),
    cli("product-low-stock-arabic", *_product("NEW-1", "New", "--low-stock", "١٠"), fragment=DIGITS),
    # free text: control, bidi and zero-width characters, over-long text
    cli("reason-bidi-override", *_adjust("5", "damaged\u202e"), fragment=HIDDEN),
    cli("reason-only-zero-width", *_adjust("5", "\u200b"), fragment=HIDDEN),
    cli("reason-escape-sequence", *_adjust("5", "\x1b[31mred"), fragment=HIDDEN),
    cli("set-reason-nul", *_set("--reason", "count\x01"), fragment=HIDDEN),
    cli("title-bidi", *_product("NEW-1", "Widget\u202eA"), fragment=HIDDEN),
    cli("title-zero-width-joiner", *_product("NEW-1", "Wid\u200dget"), fragment=HIDDEN),
    cli("title-bom", *_product("NEW-1", "\ufeffWidget"), fragment=HIDDEN),
    cli("title-too-long", *_product("NEW-1", "x" * 300), fragment="too long"),
    cli("customer-bidi", *_order("--customer", "Anna\u202eBerg"), fragment=HIDDEN),
    cli("customer-too-long", *_order("--customer", "A" * 5000), fragment="too long"),
    cli("note-nul", "order", "note", "--order", ORDER, "--text", "call back\x00", fragment=HIDDEN),
    cli("note-only-bidi", "order", "note", "--order", ORDER, "--text", "\u2066", fragment=HIDDEN),
    cli("tracking-escape", *_ship("--tracking", "1Z\x1b[2J"), fragment=HIDDEN),
    cli("carrier-zero-width", *_ship("--carrier", "DHL\u200b"), fragment=HIDDEN),
    cli("location-name-bidi", "location", "add", "--code", "SHELF-9", "--name", "Shelf\u202e9", fragment=HIDDEN),
    cli("store-name-bell", "store", "add", "--code", "OUTLET", "--name", "Outlet\x07", fragment=HIDDEN),
    cli("user-name-bidi", "--user", "maria\u202e", *_set(), fragment=HIDDEN),
    # codes: SKUs, order numbers, operation keys, location and store codes
    cli("sku-space", *_product("HP 1"), fragment="spaces"),
    cli("sku-emoji", *_product("HP-1🙂"), fragment="🙂"),
    cli("sku-accent", *_product("Ä-1"), fragment="Ä"),
    cli("sku-zero-width", *_product("HP\u200b1"), fragment=HIDDEN),
    cli("sku-too-long", *_product("S" * 65), fragment="too long"),
    cli("order-number-space", *_order("--number", "WEB 2"), fragment="spaces"),
    cli("order-number-emoji", *_order("--number", "WEB-2📦"), fragment="📦"),
    cli("operation-key-space", *_set("--operation-key", "my key"), fragment="operation key"),
    cli("operation-key-too-long", *_set("--operation-key", "k" * 65), fragment="operation key"),
    cli("location-space", *_set(location="BAD LOC"), fragment="use only"),
    cli("location-emoji", *_set(location="LAGER🙂"), fragment="use only"),
    cli("location-ligature", *_set(location="\ufb01LE"), fragment="use only"),
    cli("location-code-zero-width", "location", "add", "--code", "BIN\u200b1", fragment="use only"),
    cli("store-code-space", "store", "add", "--code", "MAIN STORE", "--name", "Main", fragment="not valid"),
    # e-mail addresses
    cli("email-no-at", *_order("--email", "anna.example.com"), fragment="e-mail"),
    cli("email-no-domain", *_order("--email", "anna@"), fragment="e-mail"),
    cli("email-no-dot", *_order("--email", "anna@example"), fragment="e-mail"),
    cli("email-space", *_order("--email", "an na@example.com"), fragment="e-mail"),
    # GTINs
    cli("gtin-check-digit", *_set(product="4006381333932"), fragment="check digit"),
    cli("gtin-arabic-indic", *_set(product="٤٠٠٦٣٨١٣٣٣٩٣١"), fragment=DIGITS),
    cli("gtin-wrong-length", *_product("NEW-1", "New", "--gtin", "123"), fragment="3 digits"),
    cli("gtin-letters", *_product("NEW-1", "New", "--gtin", "40063813339AB"), fragment="only digits"),
    # unknown things
    cli("unknown-sku", *_set(product="NOPE"), fragment="No product"),
    cli("unknown-store", *_set("--store", "NOPE"), fragment="no store"),
    cli("unknown-order", "order", "status", "--order", "ORD-NOPE", "--set", "processing", fragment="no order"),
    cli("unknown-location-delete", "stock", "delete", "--product", "A", "--location", "NOWHERE"),
    cli("unknown-item-5000-digits", *_ship(item=HUGE), fragment="no line"),
    cli("unknown-item-arabic-id", *_ship(item="١"), fragment=DIGITS),
    cli("order-unknown-product", *_order(item="NOPE=1"), fragment="No product"),
    # order lines, dates, statuses
    cli("order-item-arabic", *_order(item="A=١"), fragment=DIGITS),
    cli("order-item-zero", *_order(item="A=0"), fragment="at least 1"),
    cli("order-item-5000-digits", *_order(item="A=" + HUGE), fragment="5,000 digits"),
    cli("order-item-no-quantity", *_order(item="A"), fragment="PRODUCT=QUANTITY"),
    cli("expires-in-word", *_order("--expires-in", "soon"), fragment="hours"),
    cli("expires-in-arabic", *_order("--expires-in", "١٢"), fragment=DIGITS),
    cli("expires-in-negative", *_order("--expires-in", "-5"), fragment="positive"),
    cli("expires-in-infinite", *_order("--expires-in", "1e400"), fragment="hours"),
    cli("expires-in-ten-thousand-years", *_order("--expires-in", "99999999999"), fragment="too long"),
    cli("ship-quantity-arabic", *_ship("--quantity", "١"), fragment=DIGITS),
    cli("ship-quantity-14-digits", *_ship("--quantity", "99999999999999"), fragment="too large"),
    cli("return-zero", "order", "return", "--order", ORDER, "--item", "A", "--quantity", "0", "--damaged",
        fragment="at least 1"),
    cli("list-bad-status", "order", "list", "--status", "lost", fragment="not an order status"),
    # files
    cli("import-missing-file", "import", "stock", "/nonexistent/folder/stock.csv"),
]


def _inventory(s: Services, **changes: object) -> object:
    values: dict[str, Any] = {"store": "MAIN", "product": "A", "location": "WAREHOUSE_A", "quantity": 7}
    values.update(changes)
    return s.inventory.set_quantity(ADMIN, **values)


SERVICE_ROWS = [
    svc("svc-set-arabic", lambda s: _inventory(s, quantity="١٢"), DIGITS),
    svc("svc-set-full-width", lambda s: _inventory(s, quantity="３"), DIGITS),
    svc("svc-set-bool", lambda s: _inventory(s, quantity=True), "whole number"),
    svc("svc-set-float", lambda s: _inventory(s, quantity=2.0), "whole number"),
    svc("svc-set-huge-int", lambda s: _inventory(s, quantity=10**5000), "too large"),
    svc("svc-set-key-accent", lambda s: _inventory(s, operation_key="clé-1"), "operation key"),
    svc("svc-adjust-5000", lambda s: s.inventory.adjust(ADMIN, store="MAIN", product="A", location="WAREHOUSE_A",
                                                          delta=HUGE, reason="x"), "5,000 digits"),
    svc("svc-transfer-same-place", lambda s: s.inventory.transfer(
        ADMIN, store="MAIN", product="A", source="WAREHOUSE_A", destination="WAREHOUSE_A", quantity=1)),
    svc("svc-reserve-superscript", lambda s: s.inventory.reserve(ADMIN, store="MAIN", product="A",
                                                                   location="WAREHOUSE_A", quantity="³"), DIGITS),
    svc("svc-product-sku-zwj", lambda s: s.catalog.add_product(ADMIN, store="MAIN", sku="SKU\u200d1", title="T"),
        HIDDEN),
    svc("svc-product-title-lone-surrogate", lambda s: s.catalog.add_product(ADMIN, store="MAIN", sku="S-2",
                                                                              title="T\udc80"), HIDDEN),
    svc("svc-product-bad-type", lambda s: s.catalog.add_product(ADMIN, store="MAIN", sku="S-3", title="T",
                                                                  product_type="weapon")),
    svc("svc-product-duplicate-gtin", lambda s: s.catalog.add_product(ADMIN, store="MAIN", sku="S-4", title="T",
                                                                        gtin=GTIN_A)),
    svc("svc-store-umlaut", lambda s: s.catalog.add_store(ADMIN, "LÄDEN", "Läden"), "not valid"),
    svc("svc-location-sharp-s", lambda s: s.catalog.add_location(ADMIN, "STRAßE", None, None), "use only"),
    svc("svc-location-sort-key-arabic", lambda s: s.catalog.add_location(ADMIN, "SHELF-1", None, "٣"), DIGITS),
    svc("svc-order-email", lambda s: s.orders.create_order(MARIA, store="MAIN", lines=[OrderLine("A", 1)],
                                                             email="anna@@example.com"), "e-mail"),
    svc("svc-order-line-arabic", lambda s: s.orders.create_order(MARIA, store="MAIN",
                                                                   lines=[OrderLine("A", "١")]), DIGITS),
    svc("svc-order-no-lines", lambda s: s.orders.create_order(MARIA, store="MAIN", lines=[]), "at least one line"),
    svc("svc-order-channel-bidi", lambda s: s.orders.create_order(MARIA, store="MAIN", lines=[OrderLine("A", 1)],
                                                                    channel="web\u202e"), HIDDEN),
    svc("svc-note-too-long", lambda s: s.orders.add_note(MARIA, ORDER, "x" * 4001), "too long"),
    svc("svc-note-soft-hyphen", lambda s: s.orders.add_note(MARIA, ORDER, "ship\u00adping"), HIDDEN),
    svc("svc-status-bogus", lambda s: s.orders.change_status(MARIA, ORDER, "lost"), "not an order status"),
    svc("svc-status-impossible", lambda s: s.orders.change_status(MARIA, ORDER, "delivered")),
    svc("svc-return-negative", lambda s: s.orders.return_item(MARIA, ORDER, "A", "-1", damaged=True), "at least 1"),
    svc("svc-ship-item-fullwidth-id", lambda s: s.orders.ship_item(MARIA, ORDER, "１"), DIGITS),
    svc("svc-ship-tracking-nul", lambda s: s.orders.ship_item(MARIA, ORDER, "A", 1, tracking="1Z\x00"), HIDDEN),
    svc("svc-advance-unknown-parcel", lambda s: s.orders.advance_shipment(MARIA, "SHP-NOPE", "picking")),
    svc("svc-low-stock-arabic", lambda s: s.stock.low_stock("١"), DIGITS),
    svc(
        "svc-list-products-limit-zero",
        lambda s: s.catalog.list_products(limit="0"),  # type: ignore[arg-type]  # text, as a caller may send
        "at least 1",
    ),
]

STOCK_HEADER = "store,product,location,quantity\n"
PRODUCT_HEADER = "store,sku,title,gtin\n"
ORDER_HEADER = "order_number,store,customer,email,product,quantity\n"

IMPORT_ROWS = [
    csv("csv-empty-file", "stock", "", "empty"),
    csv("csv-only-blank-lines", "stock", "\n\n  \n", "empty"),
    csv("csv-header-only", "stock", STOCK_HEADER, "no data lines"),
    csv("csv-unknown-column", "stock", "store,product,location,quantity,colour\nMAIN,A,WAREHOUSE_A,3,red\n", "colour"),
    csv("csv-missing-quantity-column", "stock", "store,product,location\nMAIN,A,WAREHOUSE_A\n", "no quantity column"),
    csv("csv-not-utf8", "stock", STOCK_HEADER.encode() + "MAIN,A,LAGER_Ä,3\n".encode("latin-1"), "UTF-8"),
    csv("csv-nul-bytes", "stock", STOCK_HEADER + "MAIN,A,WAREHOUSE_A,3\x00\n", "not a CSV text file"),
    csv("csv-quantity-arabic", "stock", STOCK_HEADER + "MAIN,A,WAREHOUSE_A,١٢\n", DIGITS),
    csv("csv-quantity-full-width", "stock", STOCK_HEADER + "MAIN,A,WAREHOUSE_A,１２\n", DIGITS),
    csv("csv-quantity-5000-digits", "stock", STOCK_HEADER + f"MAIN,A,WAREHOUSE_A,{HUGE}\n", "5,000 digits"),
    csv("csv-quantity-negative", "stock", STOCK_HEADER + "MAIN,A,WAREHOUSE_A,-5\n", "negative"),
    csv("csv-quantity-missing", "stock", STOCK_HEADER + "MAIN,A,WAREHOUSE_A,\n", "missing"),
    csv("csv-location-space", "stock", STOCK_HEADER + "MAIN,A,BAD LOC,3\n", "use only"),
    csv("csv-unknown-product", "stock", STOCK_HEADER + "MAIN,NOPE,WAREHOUSE_A,3\n"),
    csv("csv-too-many-values", "stock", STOCK_HEADER + "MAIN,A,WAREHOUSE_A,3,4\n", "5 values"),
    csv("csv-sku-space", "products", PRODUCT_HEADER + "MAIN,HP 1,Headphones,\n", "spaces"),
    csv("csv-sku-emoji", "products", PRODUCT_HEADER + "MAIN,HP-🎧,Headphones,\n", "🎧"),
    csv("csv-title-bidi", "products", PRODUCT_HEADER + "MAIN,HP-2,Head\u202ephones,\n", HIDDEN),
    csv("csv-title-zero-width", "products", PRODUCT_HEADER + "MAIN,HP-2,\u200bHeadphones,\n", HIDDEN),
    csv("csv-gtin-check-digit", "products", PRODUCT_HEADER + "MAIN,HP-2,Headphones,4006381333932\n", "check digit"),
    csv("csv-gtin-arabic", "products", PRODUCT_HEADER + "MAIN,HP-2,Headphones,٤٠٠٦٣٨١٣٣٣٩٣١\n", DIGITS),
    csv("csv-threshold-superscript", "products", "sku,title,low_stock_threshold\nHP-2,Headphones,⁵\n", DIGITS),
    csv("csv-order-email", "orders", ORDER_HEADER + "WEB-2,MAIN,Anna,anna@example,A,1\n", "e-mail"),
    csv("csv-order-quantity-full-width", "orders", ORDER_HEADER + "WEB-2,MAIN,Anna,,A,０\n", DIGITS),
    csv("csv-order-quantity-huge", "orders", ORDER_HEADER + f"WEB-2,MAIN,Anna,,A,{HUGE}\n", "5,000 digits"),
    csv("csv-order-number-emoji", "orders", ORDER_HEADER + "WEB-📦,MAIN,Anna,,A,1\n", "📦"),
    csv("csv-order-customer-bidi", "orders", ORDER_HEADER + "WEB-2,MAIN,Anna\u202e,,A,1\n", HIDDEN),
]

ROWS = CLI_ROWS + SERVICE_ROWS + IMPORT_ROWS


def test_the_table_is_big_and_spans_every_way_in() -> None:
    assert len(ROWS) >= 60
    assert len({row.id for row in ROWS}) == len(ROWS), "row ids must be unique"
    assert len(CLI_ROWS) >= 20 and len(SERVICE_ROWS) >= 20 and len(IMPORT_ROWS) >= 20


# --- the checks --------------------------------------------------------------------------------
def assert_one_sentence(message: str, row: Row) -> None:
    """One line, a sentence ending with a period, short, with nothing of Python's own wording."""
    assert message == message.strip() and message, f"{row.id}: {message!r}"
    assert "\n" not in message, f"{row.id}: not one line: {message!r}"
    assert message.endswith("."), f"{row.id}: not a sentence: {message!r}"
    assert len(message) < 400, f"{row.id}: {len(message)} characters"
    for raw in RAW_PYTHON:
        assert raw not in message, f"{row.id}: {raw!r} in {message!r}"
    assert row.fragment in message, f"{row.id}: {row.fragment!r} not in {message!r}"


def snapshot(database: Database) -> tuple[dict[str, int], list[tuple[int, int, int]]]:
    """Every table's row count (ledger, history, orders, products, ...) and every stock level."""
    with database.engine.connect() as conn:
        counts = {
            table.name: conn.execute(text(f'SELECT count(*) FROM "{table.name}"')).scalar_one()
            for table in Base.metadata.sorted_tables
        }
        levels = [
            (r[0], r[1], r[2])
            for r in conn.execute(
                select(Inventory.id, Inventory.quantity, Inventory.reserved_quantity).order_by(Inventory.id)
            )
        ]
    return counts, levels


@pytest.fixture
def warehouse(services: Services) -> Services:
    """Store MAIN (A, B, C, a digital product, a placeholder), stock at two places, one pending order."""
    seed_catalog(services)
    stock = services.inventory
    stock.set_quantity(ADMIN, store="MAIN", product="A", location="WAREHOUSE_A", quantity=20, reason="count")
    stock.set_quantity(ADMIN, store="MAIN", product="A", location="WAREHOUSE_B", quantity=10, reason="count")
    stock.set_quantity(ADMIN, store="MAIN", product="B", location="WAREHOUSE_A", quantity=5, reason="count")
    stock.reserve(ADMIN, store="MAIN", product="A", location="WAREHOUSE_A", quantity=3)
    services.orders.create_order(MARIA, store="MAIN", lines=[OrderLine("A", 2), OrderLine("B", 1)], number=ORDER,
                                 customer="Anna Berg", email="anna@example.com")
    return services


def _refusal(row: Row, services: Services, database_url: str, tmp_path: Path,
             capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Send the row's input; return the sentence(s) it was refused with."""
    if row.argv is not None:
        capsys.readouterr()
        code = main(["--db", database_url, "--user", "maria", *row.argv])
        out, err = capsys.readouterr()
        assert code == 1, f"{row.id}: exit {code}, stdout={out!r}, stderr={err!r}"
        assert out == "", f"{row.id}: printed {out!r}"
        assert err.startswith("error: ") and err.endswith("\n") and err.count("\n") == 1, f"{row.id}: {err!r}"
        return [err.removeprefix("error: ").removesuffix("\n")]
    if row.call is not None:
        with pytest.raises(OrionError) as caught:
            row.call(services)
        return [str(caught.value)]
    assert row.csv is not None
    kind, content = row.csv
    path = tmp_path / f"{kind}.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    importer: Callable[[], object] = {
        "stock": lambda: services.importing.import_stock(MARIA, path),
        "products": lambda: services.importing.import_products(MARIA, path),
        "orders": lambda: services.importing.import_orders(MARIA, path),
    }[kind]
    with pytest.raises(OrionError) as caught:
        importer()
    error = caught.value
    if isinstance(error, ImportRejected):
        assert len(error.problems) == 1, f"{row.id}: {error.problems}"
        line, _, problem = error.problems[0].partition(": ")
        assert line == "line 2", f"{row.id}: {error.problems[0]!r}"
        return [problem]
    return [str(error)]


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_bad_input_is_refused_with_one_sentence_and_changes_nothing(
    row: Row,
    warehouse: Services,
    database: Database,
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = snapshot(database)
    for sentence in _refusal(row, warehouse, database_url, tmp_path, capsys):
        assert_one_sentence(sentence, row)
    assert snapshot(database) == before, f"{row.id} changed something"
