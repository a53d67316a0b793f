"""Issue 9, item 10: a SQLite URL naming no file is reported, never silently created, except where a
new database is clearly meant (``db upgrade``, ``demo``/``--demo``, the default file on first start,
the Database dialog's new file). ``--db ""`` is a usage error."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pytestqt.qtbot import QtBot

from orion_desktop import config
from orion_desktop.__main__ import main
from orion_desktop.bootstrap import open_services
from orion_desktop.domain.errors import DatabaseUnavailable
from orion_desktop.gui_launch import launch

if TYPE_CHECKING:
    from orion_desktop.bootstrap import Services
    from orion_desktop.domain.actor import Actor


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _expected(path: Path, folder_missing: bool = False) -> str:
    note = f" (the folder {path.parent} does not exist)" if folder_missing else ""
    return f"error: There is no database at {path}{note}; `orion-desktop db upgrade` creates one.\n"


@pytest.mark.parametrize(
    "command",
    [("stock", "list"), ("store", "list"), ("product", "add", "--sku", "X", "--title", "T"), ("db", "current"),
     ("order", "list"), ("import", "stock", "whatever.csv")],
)
def test_a_missing_file_is_reported_and_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: tuple[str, ...]
) -> None:
    missing = tmp_path / "typo.db"
    code, out, err = _run(capsys, "--db", f"sqlite:///{missing}", *command)
    assert (code, out, err) == (1, "", _expected(missing))
    assert list(tmp_path.iterdir()) == [], "nothing may be created: no file, no -wal, no -shm"


def test_a_missing_folder_is_reported_and_not_created(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no" / "such" / "folder" / "orion.db"
    code, out, err = _run(capsys, "--db", f"sqlite:///{missing}", "stock", "list")
    assert (code, err) == (1, _expected(missing, folder_missing=True))
    assert not (tmp_path / "no").exists()


def test_db_upgrade_creates_the_database_and_then_it_opens(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "new" / "orion.db"
    url = f"sqlite:///{path}"
    code, out, err = _run(capsys, "--db", url, "db", "upgrade")
    assert code == 0 and err == "" and "Database upgraded from empty" in out
    assert path.is_file()
    code, out, err = _run(capsys, "--db", url, "store", "add", "--code", "MAIN", "--name", "Main")
    assert code == 0, err
    code, out, err = _run(capsys, "--db", url, "store", "list", "--json")
    assert code == 0 and [s["code"] for s in json.loads(out)] == ["MAIN"]


def test_the_demo_command_creates_a_new_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "demo" / "demo.db"
    code, out, err = _run(capsys, "--db", f"sqlite:///{path}", "--user", "maria", "demo", "--json")
    assert code == 0, err
    assert json.loads(out)["products"] > 0 and path.is_file()


def test_the_default_file_is_created_on_first_start(capsys: pytest.CaptureFixture[str]) -> None:
    default = config.data_dir() / "orion.db"
    assert not default.exists()
    code, out, err = _run(capsys, "store", "list", "--json")
    assert (code, err, json.loads(out)) == (0, "", [])
    assert default.is_file()


def test_an_environment_or_saved_url_naming_no_file_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = tmp_path / "moved-away.db"
    config.save_database_url(f"sqlite:///{saved}")
    code, _out, err = _run(capsys, "store", "list")
    assert (code, err) == (1, _expected(saved))
    from_env = tmp_path / "env.db"
    monkeypatch.setenv(config.ENV_DATABASE_URL, f"sqlite:///{from_env}")
    code, _out, err = _run(capsys, "store", "list")
    assert (code, err) == (1, _expected(from_env))
    assert not saved.exists() and not from_env.exists()
    assert not (config.data_dir() / "orion.db").exists(), "the default file is only for a first start"


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_db_option_is_a_usage_error(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--db", value, "store", "list"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "error: argument --db: the database address is empty" in err
    assert not (config.data_dir() / "orion.db").exists(), "an empty --db must not fall back to the default file"


def test_the_composition_root_creates_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "orion.db"
    with pytest.raises(DatabaseUnavailable, match="There is no database at"):
        open_services(f"sqlite:///{path}")
    assert not path.exists()
    services = open_services(f"sqlite:///{path}", create=True)
    try:
        assert services.catalog.list_stores() == ()
    finally:
        services.close()
    reopened = open_services(f"sqlite:///{path}")  # now it exists: opened without create
    reopened.close()


def test_the_window_start_refuses_a_missing_db_without_asking_when_cancelled(
    qapp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`orion-desktop --db typo.db`: the start-up dialog is offered (here: cancelled), nothing is created."""
    import orion_desktop.gui_launch as gui_launch

    offered: list[str] = []

    def cancel(error: BaseException, url: str | None, role: str | None = None, username: str = "") -> None:
        offered.append(str(error))
        return None

    monkeypatch.setattr(gui_launch, "ask_for_database", cancel)
    missing = tmp_path / "typo.db"
    args = argparse.Namespace(db=f"sqlite:///{missing}", demo=False, user="maria", role=None)
    with pytest.raises(DatabaseUnavailable):
        launch(args)
    assert offered == [f"There is no database at {missing}; `orion-desktop db upgrade` creates one."]
    assert not missing.exists()


def test_the_database_dialog_creates_a_database_only_for_a_new_file_name(qtbot: QtBot, tmp_path: Path) -> None:
    from orion_desktop.ui.dialogs.database_dialog import DatabaseDialog, DatabaseRequest

    dialog = DatabaseDialog(open_services)
    qtbot.addWidget(dialog)
    new = tmp_path / "fresh.db"
    dialog.path_edit.setText(str(new))
    assert dialog.hint() == "There is no database in this file yet: a new, empty one will be created there."
    request = dialog.value()
    assert request == DatabaseRequest(f"sqlite:///{new.as_posix()}", create=True)
    services = dialog.submit(request)
    services.close()
    assert new.is_file()
    dialog.path_edit.setText(str(new))
    assert dialog.value().create is False, "an existing file is opened, never replaced"


def test_the_window_start_with_demo_creates_its_database(
    qapp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`orion-desktop --demo --db new.db`: a new database is meant, so it is created and filled.

    ``qapp``: the start-up reuses the session's QApplication, as it would reuse its own; one it
    made here would be gone for the next test's widgets."""
    import orion_desktop.gui_launch as gui_launch

    shown: list[str | None] = []

    def run_gui(services: Services, actor: Actor, argv: list[str], *, database_url: str | None) -> int:
        shown.append(database_url)
        assert services.catalog.list_stores(), "the demo warehouse is filled before the window opens"
        return 0

    monkeypatch.setattr(gui_launch, "run_gui", run_gui)
    path = tmp_path / "folder" / "demo.db"
    args = argparse.Namespace(db=f"sqlite:///{path}", demo=True, user="maria", role=None)
    assert launch(args) == 0
    assert shown == [f"sqlite:///{path}"] and path.is_file()
