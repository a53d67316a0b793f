"""Issue 9, items 1, 2, 3 and 13: no command writes onto the database, replaces a file unasked,
leaves half a file or a CSV cell a spreadsheet would run, and the CLI piped into `head` ends quietly.

The CLI runs in this process (``main``) except for the pipe test, which needs a real pipe.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import ADMIN, seed_catalog
from pypdf import PdfReader
from sqlalchemy.engine import make_url

from orion_desktop.__main__ import main
from orion_desktop.bootstrap import Services
from orion_desktop.demo import fill_demo
from orion_desktop.domain.errors import InvalidInput
from orion_desktop.domain.order_results import OrderLine
from orion_desktop.logging_setup import log_file
from orion_desktop.printing import pdf
from orion_desktop.services import safe_files
from orion_desktop.services.safe_files import FileExistsRefused, is_database_path, spreadsheet_safe, write_csv


@pytest.fixture(autouse=True)
def _session_qt_application(qapp: object) -> None:
    """PDFs need a Qt application: take the session's QApplication, so that the QGuiApplication
    the PDF writer would make on its own is never what a later test's widgets find."""

sqlite_only = pytest.mark.parametrize("backend", ["sqlite"])


def run_cli(url: str, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["--db", url, *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def shop(services: Services) -> str:
    """The helpers' catalog with stock of A at WH1 and one processing order of A; returns its number."""
    seed_catalog(services)
    services.inventory.set_quantity(ADMIN, store="MAIN", product="A", location="WH1", quantity=10)
    number = services.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 2)])
    services.orders.change_status(ADMIN, number, "processing")
    return number


def database_opens(path: Path) -> None:
    """The file is still a healthy SQLite database with the shop's stock in it."""
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("SELECT sum(quantity) FROM inventory").fetchone() == (10,)
    finally:
        connection.close()


# --- item 1: never onto the database ---------------------------------------------------------
def spellings(db: Path, tmp_path: Path) -> dict[str, str]:
    """Ways to name the database file or its working files; the symlink is made here."""
    link = tmp_path / "elsewhere" / "link.csv"
    link.parent.mkdir()
    link.symlink_to(db)
    folder_link = tmp_path / "folder-link"
    folder_link.symlink_to(db.parent, target_is_directory=True)
    return {
        "the file": str(db),
        "a symlink to it": str(link),
        "through ..": str(db.parent / "elsewhere" / ".." / db.name),
        "relative to the working folder": os.path.relpath(db, link.parent),
        "a linked folder": str(folder_link / db.name),
        "other letter case": str(db.with_name(db.name.upper())),
        "its -wal": f"{db}-wal",
        "its -shm": f"{db}-shm",
        "its -journal (not there now)": f"{db}-journal",
    }


@sqlite_only
def test_export_stock_onto_the_database_is_refused_however_it_is_spelled(
    services: Services, shop: str, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = Path(make_url(database_url).database or "")
    assert db.exists() and services.database_file == db
    before = db.read_bytes()
    names = spellings(db, tmp_path)
    monkeypatch.chdir(tmp_path / "elsewhere")
    for name, target in names.items():
        for force in ((), ("--force",)):
            code, out, err = run_cli(database_url, capsys, "export", "stock", target, *force)
            assert code == 1, f"{name}: exit {code}, {out!r}"
            assert err.startswith(f"error: {target} is the database Orion Desktop is using"), (name, err)
            assert err.count("\n") == 1 and out == ""
    assert db.read_bytes()[:16] == before[:16] == b"SQLite format 3\x00"
    database_opens(db)
    code, out, _ = run_cli(database_url, capsys, "stock", "stats", "--json")
    assert code == 0 and '"total_quantity": 10' in out


@sqlite_only
def test_pdfs_and_the_low_stock_export_onto_the_database_are_refused(
    services: Services, shop: str, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    db = services.database_file
    assert db is not None
    for argv in (
        ("picklist", "--order", shop, "--pdf", f"{db}-wal"),
        ("picklist", "--order", shop, "--pdf", str(db), "--force"),
        ("packing-slip", "--order", shop, "--pdf", str(db.parent / "." / db.name), "--force"),
    ):
        code, _out, err = run_cli(database_url, capsys, *argv)
        assert code == 1 and "is the database Orion Desktop is using" in err, (argv, err)
    for target in (db, Path(f"{db}-shm"), db.with_name(db.name.upper())):
        with pytest.raises(InvalidInput, match="is the database Orion Desktop is using"):
            services.reports.export_low_stock(target, overwrite=True)
        with pytest.raises(InvalidInput, match="writing there would destroy it"):
            pdf.write_pdf("<p>x</p>", target, "x", database_file=db, overwrite=True)
    database_opens(db)
    assert sorted(p.name for p in db.parent.iterdir() if p.name.endswith(".partial")) == []


def test_postgresql_has_no_database_file_and_exports_work(services: Services, shop: str, tmp_path: Path) -> None:
    if services.is_shared_database:
        assert services.database_file is None
    assert services.importing.export_stock(tmp_path / "stock.csv") == 1


@pytest.mark.parametrize(
    ("target", "protected"),
    [
        ("orion.db", True), ("orion.db-wal", True), ("ORION.DB-SHM", True), ("Orion.db-journal", True),
        ("sub/../orion.db", True), ("orion.db.csv", False), ("orion.db-wal.csv", False), ("other.db", False),
        ("sub/orion.db", False),
    ],
)
def test_which_names_are_the_database(tmp_path: Path, target: str, protected: bool) -> None:
    (tmp_path / "sub").mkdir()
    db = tmp_path / "orion.db"
    db.write_bytes(b"SQLite format 3\x00")
    assert is_database_path(tmp_path / target, db) is protected
    assert is_database_path(tmp_path / target, None) is False  # PostgreSQL


def test_a_hard_link_to_the_database_is_the_database(tmp_path: Path) -> None:
    db = tmp_path / "orion.db"
    db.write_bytes(b"SQLite format 3\x00")
    os.link(db, tmp_path / "backup-name.csv")
    with pytest.raises(InvalidInput, match="writing there would destroy it"):
        write_csv(tmp_path / "backup-name.csv", ["a"], [], database_file=db, overwrite=True)
    assert db.read_bytes() == b"SQLite format 3\x00"


# --- item 2: replaced only when the user said so; never half a file --------------------------
def test_an_existing_export_is_replaced_only_with_force(
    services: Services, shop: str, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    out_folder = tmp_path / "out"
    out_folder.mkdir()
    target = out_folder / "stock.csv"
    target.write_text("keep me\n", encoding="utf-8")
    code, out, err = run_cli(database_url, capsys, "export", "stock", str(target))
    assert (code, out) == (1, "")
    assert err == f"error: {target} already exists; add --force to replace it.\n"
    assert target.read_text(encoding="utf-8") == "keep me\n"
    code, out, err = run_cli(database_url, capsys, "export", "stock", str(target), "--force")
    assert code == 0, err
    assert target.read_text(encoding="utf-8-sig").startswith("store,sku,gtin,title,location")
    assert sorted(p.name for p in out_folder.iterdir()) == ["stock.csv"]  # no temporary file left


def test_an_existing_pdf_is_replaced_only_with_force(
    services: Services, shop: str, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    services.orders.ship_item(ADMIN, shop, "A", 2)
    out_folder = tmp_path / "out"
    out_folder.mkdir()
    for command in (("picklist", "--order", shop), ("packing-slip", "--order", shop)):
        target = out_folder / f"{command[0]}.pdf"
        target.write_bytes(b"old")
        code, _out, err = run_cli(database_url, capsys, *command, "--pdf", str(target))
        assert code == 1 and err == f"error: {target} already exists; add --force to replace it.\n"
        assert target.read_bytes() == b"old"
        code, _out, err = run_cli(database_url, capsys, *command, "--pdf", str(target), "--force")
        assert code == 0, err
        assert shop in " ".join(page.extract_text() for page in PdfReader(target).pages)
    assert sorted(p.name for p in out_folder.iterdir()) == ["packing-slip.pdf", "picklist.pdf"]


def test_services_refuse_an_existing_file_unless_told(services: Services, shop: str, tmp_path: Path) -> None:
    target = tmp_path / "low.csv"
    target.write_bytes(b"old")
    with pytest.raises(FileExistsRefused) as refused:
        services.reports.export_low_stock(target)
    assert refused.value.path == target and str(refused.value) == f"{target} already exists; it was left as it is."
    with pytest.raises(FileExistsRefused):
        services.importing.export_stock(target)
    assert target.read_bytes() == b"old"


def test_a_failed_write_leaves_the_old_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "stock.csv"
    target.write_bytes(b"the old export\n")

    def rows_then_a_full_disk() -> Iterator[tuple[str, int]]:
        yield ("A", 1)
        raise OSError(28, "No space left on device")

    with pytest.raises(InvalidInput, match=r"^Cannot write .*stock\.csv: No space left on device\.$"):
        write_csv(target, ["sku", "quantity"], rows_then_a_full_disk(), database_file=None, overwrite=True)
    assert target.read_bytes() == b"the old export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["stock.csv"]


def test_a_failed_pdf_leaves_the_old_file_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "pick.pdf"
    target.write_bytes(b"the old pick list")

    def half_a_pdf(_html: str, path: Path, _title: str, *, landscape: bool) -> None:
        path.write_bytes(b"%PDF-1.4 half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pdf, "_render", half_a_pdf)
    with pytest.raises(InvalidInput, match="No space left on device"):
        pdf.write_pdf("<p>x</p>", target, "Pick list", database_file=None, overwrite=True)
    assert target.read_bytes() == b"the old pick list"
    assert [p.name for p in tmp_path.iterdir()] == ["pick.pdf"]


def test_written_files_get_the_usual_mode_and_keep_a_replaced_ones(tmp_path: Path) -> None:
    fresh = safe_files.atomic_write_bytes(tmp_path / "new.csv", b"x", database_file=None, overwrite=False)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~safe_files._UMASK  # not mkstemp's 0600
    shared = tmp_path / "shared.csv"
    shared.write_bytes(b"old")
    shared.chmod(0o664)
    safe_files.atomic_write_bytes(shared, b"new", database_file=None, overwrite=True)
    assert shared.read_bytes() == b"new" and stat.S_IMODE(shared.stat().st_mode) == 0o664


def test_a_link_stays_a_link_and_its_file_is_replaced(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_bytes(b"old")
    link = tmp_path / "latest.csv"
    link.symlink_to(real)
    safe_files.atomic_write_bytes(link, b"new", database_file=None, overwrite=True)
    assert link.is_symlink() and real.read_bytes() == b"new"


def test_a_folder_is_not_a_file_name(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="is a folder; give a file name"):
        write_csv(tmp_path, ["a"], [], database_file=None, overwrite=True)


# --- item 3: no formulas in exported CSV ---------------------------------------------------------
@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+2", "'=1+2"), ("+SUM(A1)", "'+SUM(A1)"), ("-x", "'-x"), ("@cmd", "'@cmd"), ("\tx", "'\tx"),
        ("\rx", "'\rx"), ("-", "'-"), ("-3", "-3"), ("-2.5", "-2.5"), ("-2.", "'-2."), ("-1e5", "'-1e5"),
        ("-٣", "'-٣"), ("Widget", "Widget"), ("", ""), ("a=b", "a=b"), (-3, -3), (7, 7), (None, None),
    ],
)
def test_spreadsheet_safe(cell: object, written: object) -> None:
    assert spreadsheet_safe(cell) == written


FORMULA_TITLES = ("=HYPERLINK(\"http://x\",\"y\")", "+1+2", "@SUM(1)", "-x lead", "-3")


@pytest.fixture
def formulas(services: Services) -> None:
    services.catalog.add_store(ADMIN, "MAIN", "Main Store")
    for number, title in enumerate(FORMULA_TITLES, start=1):
        services.catalog.add_product(ADMIN, store="MAIN", sku=f"F{number}", title=title, low_stock_threshold=5)
        services.inventory.set_quantity(ADMIN, store="MAIN", product=f"F{number}", location="WH1", quantity=1)


def test_exported_csv_cells_cannot_run_as_formulas(services: Services, formulas: None, tmp_path: Path) -> None:
    stock, low = tmp_path / "stock.csv", tmp_path / "low.csv"
    assert services.importing.export_stock(stock) == 5
    assert services.reports.export_low_stock(low) == 5
    stock_lines = stock.read_bytes().decode("utf-8-sig").splitlines()
    assert stock_lines[1:] == [
        "MAIN,F1,,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",WH1,1,0,1",
        "MAIN,F2,,'+1+2,WH1,1,0,1",
        "MAIN,F3,,'@SUM(1),WH1,1,0,1",
        "MAIN,F4,,'-x lead,WH1,1,0,1",
        "MAIN,F5,,-3,WH1,1,0,1",  # a plain number stays a number
    ]
    low_titles = {
        line.split(",")[1]: line.split(",")[3] for line in low.read_bytes().decode("utf-8-sig").splitlines()[1:]
    }
    assert low_titles == {
        "F1": "\"'=HYPERLINK(\"\"http://x\"\"", "F2": "'+1+2", "F3": "'@SUM(1)", "F4": "'-x lead", "F5": "-3"
    }


# --- item 13: piped into head -----------------------------------------------------------------------
@pytest.fixture
def many_rows(services: Services, tmp_path: Path) -> int:
    """The demo warehouse plus 3,000 more stock rows: far more output than a pipe buffers."""
    summary = fill_demo(services.database, ADMIN)
    products = tmp_path / "more-products.csv"
    stock = tmp_path / "more-stock.csv"
    store = services.catalog.list_stores()[0].code
    products.write_text("store,sku,title\n" + "".join(f"{store},PIPE-{n},Pipe test {n}\n" for n in range(3000)))
    stock.write_text(
        "store,product,location,quantity\n" + "".join(f"{store},PIPE-{n},PIPE_SHELF,{n}\n" for n in range(3000))
    )
    services.importing.import_products(ADMIN, products)
    services.importing.import_stock(ADMIN, stock)
    return summary.stock_rows + 3000


@pytest.mark.parametrize("json_output", [False, True], ids=["table", "json"])
def test_the_cli_piped_into_head_ends_quietly(database_url: str, many_rows: int, json_output: bool) -> None:
    script = Path(sys.executable).with_name("orion-desktop")
    command = [str(script), "--db", database_url, "stock", "list", *(["--json"] if json_output else [])]
    log = log_file()
    logged_before = log.read_text(encoding="utf-8") if log.exists() else ""
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()  # what `head -1` does: one line, then close the pipe
        process.stdout.close()
        err = process.stderr.read().decode()
        code = process.wait(timeout=60)
    assert first.strip() in (b"[", b"") or first.startswith(b"STORE")
    assert err == ""  # no "something unexpected went wrong", no "Exception ignored"
    assert code in (0, 141)
    logged = log.read_text(encoding="utf-8") if log.exists() else ""
    assert "Traceback" not in logged[len(logged_before):] and "BrokenPipe" not in logged


def test_a_full_listing_still_ends_with_code_0(database_url: str, many_rows: int) -> None:
    script = Path(sys.executable).with_name("orion-desktop")
    done = subprocess.run([str(script), "--db", database_url, "stock", "list"], capture_output=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == many_rows + 2  # header and rule
