"""Issue 11, item 12 on the service side, on SQLite and PostgreSQL: a preview of a file before it is
imported, an import the user cancels between chunks (nothing written), and the product, order and
ledger exports, which the matching imports read back into an empty database."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import ADMIN, seed_catalog
from sqlalchemy import func, select

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.db.models import InventoryTransaction, Order, OrderItem, Product
from orion_desktop.domain.errors import InvalidInput
from orion_desktop.domain.import_job import ColumnUse, ImportCancelled, ImportWatch
from orion_desktop.domain.order_results import OrderLine
from orion_desktop.services.imports import csv_files


def count(database: Database, model: type[object]) -> int:
    with database.read() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def product_file(tmp_path: Path, lines: int) -> Path:
    path = tmp_path / "many-products.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("store,sku,title\n")
        for number in range(lines):
            handle.write(f"MAIN,BULK-{number:06d},Bulk item {number}\n")
    return path


class StopAfter:
    """should_stop: False for the first ``calls`` questions, then True (the user pressed Cancel)."""

    def __init__(self, calls: int) -> None:
        self.calls = calls
        self.asked = 0

    def __call__(self) -> bool:
        self.asked += 1
        return self.asked > self.calls


def test_a_cancelled_import_writes_nothing_even_after_chunks_were_written(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_catalog(services)
    monkeypatch.setattr(csv_files, "CHUNK_LINES", 1000)
    path = product_file(tmp_path, 5000)
    before = count(services.database, Product)
    progress: list[tuple[int, int]] = []
    stop = StopAfter(3)  # three chunks are written, then the user cancels
    with pytest.raises(ImportCancelled, match="cancelled; nothing was imported"):
        services.importing.import_products(
            ADMIN, path, watch=ImportWatch(should_stop=stop, progress=lambda done, size: progress.append((done, size)))
        )
    assert stop.asked == 4
    assert count(services.database, Product) == before
    assert len(progress) == 3 and progress[-1][1] == path.stat().st_size
    assert 0 < progress[0][0] < progress[-1][0] <= path.stat().st_size
    # The same file without a cancel imports whole: the cancel, not the file, stopped it.
    result = services.importing.import_products(ADMIN, path, watch=ImportWatch())
    assert result.created == 5000 and count(services.database, Product) == before + 5000


def test_cancelling_after_the_last_chunk_still_rolls_back_stock(services: Services, tmp_path: Path) -> None:
    seed_catalog(services)
    path = tmp_path / "stock.csv"
    path.write_text("product,location,quantity\nA,WAREHOUSE_A,5\nB,WAREHOUSE_A,6\n", encoding="utf-8")
    ledger_before = count(services.database, InventoryTransaction)
    stop = StopAfter(1)  # asked before the only chunk (go on) and after it (stop)
    with pytest.raises(ImportCancelled):
        services.importing.import_stock(ADMIN, path, watch=ImportWatch(should_stop=stop))
    assert count(services.database, InventoryTransaction) == ledger_before
    assert services.stock.stats().total_quantity == 0


def test_preview_shows_the_first_lines_and_the_column_mapping(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "stock.csv"
    path.write_text("Product;Location;Quantity;Title\n" + "".join(f"A;SHELF-{i};{i};Widget\n" for i in range(30)),
                    encoding="utf-8")
    preview = services.importing.preview("stock", path, lines=5)
    assert preview.problem is None
    assert [(c.header, c.column, c.use) for c in preview.columns] == [
        ("Product", "product", ColumnUse.PRODUCT),
        ("Location", "location", ColumnUse.REQUIRED),
        ("Quantity", "quantity", ColumnUse.REQUIRED),
        ("Title", "title", ColumnUse.SHOWN_ONLY),
    ]
    assert preview.rows[0] == ("A", "SHELF-0", "0", "Widget") and len(preview.rows) == 5
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,colour\nA,red\n", encoding="utf-8")
    wrong = services.importing.preview("products", bad)
    assert wrong.problem is not None and "colour" in wrong.problem
    assert [c.use for c in wrong.columns] == [ColumnUse.REQUIRED, ColumnUse.UNKNOWN]
    with pytest.raises(InvalidInput, match="There is no file"):
        services.importing.preview("products", tmp_path / "missing.csv")


@pytest.fixture
def fresh(sqlite_template: Path, tmp_path: Path) -> Services:
    """A second, empty database with the same store, to import the exports into."""
    target = tmp_path / "other.db"
    shutil.copyfile(sqlite_template, target)
    other = Services.on(Database(f"sqlite:///{target}"))
    other.catalog.add_store(ADMIN, "MAIN", "Main Store")
    return other


def test_exports_round_trip_through_the_imports(services: Services, fresh: Services, tmp_path: Path) -> None:
    seed_catalog(services)
    services.catalog.add_product(ADMIN, store="MAIN", sku="F-1", title="=SUM(A1) cable")
    stock = services.inventory
    stock.set_quantity(ADMIN, store="MAIN", product="A", location="WAREHOUSE_A", quantity=12)
    stock.set_quantity(ADMIN, store="MAIN", product="B", location="SHELF-1", quantity=4)
    services.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 2), OrderLine("B", 1)],
                                 customer="Anna Berg", email="anna@example.com", number="WEB-1")
    services.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 1)], number="WEB-2")
    importing = services.importing
    assert importing.export_products(tmp_path / "products.csv") == 5  # of six: the placeholder is left out
    assert importing.export_stock(tmp_path / "stock.csv") == 2
    assert importing.export_orders(tmp_path / "orders.csv") == 3
    assert importing.export_orders(tmp_path / "none.csv", status="shipped") == 0

    assert fresh.importing.import_products(ADMIN, tmp_path / "products.csv").created == 5
    assert fresh.importing.import_stock(ADMIN, tmp_path / "stock.csv").created == 2
    assert fresh.importing.import_orders(ADMIN, tmp_path / "orders.csv").created == 2
    assert fresh.catalog.get_product("MAIN", "F-1").title == "=SUM(A1) cable"
    assert fresh.stock.stats().total_quantity == 16
    with fresh.database.read() as session:
        lines = session.execute(select(Order.order_number, Order.customer_name, OrderItem.sku, OrderItem.quantity)
                                .join(OrderItem).order_by(Order.order_number, OrderItem.sku)).all()
    assert [tuple(line) for line in lines] == [
        ("WEB-1", "Anna Berg", "A", 2), ("WEB-1", "Anna Berg", "B", 1), ("WEB-2", None, "A", 1)]
    # Exporting onto an existing file needs consent; onto the database never.
    with pytest.raises(InvalidInput, match="already exists"):
        importing.export_orders(tmp_path / "orders.csv")
    fresh.database.dispose()


def test_ledger_export_writes_every_row_the_filter_selects(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orion_desktop.services.imports import exports

    monkeypatch.setattr(exports, "_LEDGER_PAGE", 2)  # several pages of the keyset query
    seed_catalog(services)
    for quantity in range(1, 6):
        services.inventory.set_quantity(ADMIN, store="MAIN", product="A", location="SHELF-1", quantity=quantity)
    services.inventory.set_quantity(ADMIN, store="MAIN", product="B", location="SHELF-1", quantity=3)
    everything = tmp_path / "ledger.csv"
    assert services.importing.export_ledger(everything) == 6
    assert services.importing.export_ledger(tmp_path / "a.csv", product="A") == 5
    text = (tmp_path / "a.csv").read_text(encoding="utf-8-sig").splitlines()
    assert text[0].startswith("id,time_utc,change,store,sku,location")
    assert [line.split(",")[4] for line in text[1:]] == ["A"] * 5


def test_cli_export_products_and_orders(
    services: Services, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from orion_desktop.__main__ import main

    seed_catalog(services)
    services.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 2)], number="WEB-7")

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["--db", database_url, *argv])
        out, err = capsys.readouterr()
        return code, out, err

    products, orders = tmp_path / "products.csv", tmp_path / "orders.csv"
    assert run("export", "products", str(products)) == (0, f"Exported 4 products to {products}.\n", "")
    assert run("export", "orders", str(orders), "--status", "pending") == (
        0, f"Exported 1 order line to {orders}.\n", "")
    assert orders.read_text(encoding="utf-8-sig").splitlines()[1] == "WEB-7,MAIN,,,manual,pending,A,2,0"
    code, out, err = run("export", "orders", str(orders))
    assert (code, out, err) == (1, "", f"error: {orders} already exists; add --force to replace it.\n")
    code, out, err = run("export", "orders", str(orders), "--status", "lost", "--force")
    assert code == 1 and err.startswith("error: 'lost' is not an order status")
    code, out, _err = run("export", "products", str(products), "--force", "--json")
    assert code == 0 and '"rows": 4' in out
