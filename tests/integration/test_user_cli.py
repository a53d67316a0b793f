"""`orion-desktop user ...` and signing in on the command line, on both databases."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from orion_desktop.__main__ import main

ADMIN_PASSWORD = "Admin-pass-7781"
PACKER_PASSWORD = "Packer-pass-3302"


def _run(url: str, capsys: pytest.CaptureFixture[str], *argv: str, expect: int = 0) -> tuple[str, str]:
    code = main(["--db", url, *argv])
    out, err = capsys.readouterr()
    assert code == expect, f"exit {code}, stdout={out!r}, stderr={err!r}"
    return out, err


@pytest.fixture
def with_users(database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    """A database with stores A and B, admin ``root`` and packer ``pat`` of store A."""
    for env in ("ORION_USER", "ORION_ROLE", "ORION_PASSWORD", "ORION_NEW_PASSWORD", "ORION_NEW_PIN"):
        monkeypatch.delenv(env, raising=False)
    _run(database_url, capsys, "store", "add", "--code", "A", "--name", "Store A")
    _run(database_url, capsys, "store", "add", "--code", "B", "--name", "Store B")
    monkeypatch.setenv("ORION_NEW_PASSWORD", PACKER_PASSWORD)
    out, err = _run(database_url, capsys, "user", "add", "--username", "pat", "--role", "packer", expect=1)
    assert "first user must be an admin" in err
    monkeypatch.setenv("ORION_NEW_PASSWORD", ADMIN_PASSWORD)
    out, _ = _run(database_url, capsys, "user", "add", "--username", "root", "--role", "admin")
    assert "User root (admin, every store) added." in out
    monkeypatch.setenv("ORION_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("ORION_NEW_PASSWORD", PACKER_PASSWORD)
    out, _ = _run(database_url, capsys, "--user", "root", "user", "add", "--username", "pat", "--role", "packer",
                  "--store", "A")
    assert "User pat (packer, A) added." in out
    monkeypatch.delenv("ORION_NEW_PASSWORD")
    return database_url


def test_once_users_exist_every_command_needs_a_signed_in_user(
    with_users: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, err = _run(with_users, capsys, "store", "list", expect=1)
    assert "This database has users: add --user NAME" in err
    monkeypatch.setenv("ORION_PASSWORD", "wrong-password-x")
    _, err = _run(with_users, capsys, "--user", "root", "store", "list", expect=1)
    assert err.strip() == "error: The user name or password is wrong."
    monkeypatch.setenv("ORION_PASSWORD", ADMIN_PASSWORD)
    out, _ = _run(with_users, capsys, "--user", "root", "store", "list")
    assert "Store A" in out


def test_role_can_only_be_lowered(with_users: str, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORION_PASSWORD", PACKER_PASSWORD)
    _, err = _run(with_users, capsys, "--user", "pat", "--role", "admin", "store", "list", expect=1)
    assert "pat is a packer and cannot act as admin" in err
    monkeypatch.setenv("ORION_PASSWORD", ADMIN_PASSWORD)
    _, err = _run(with_users, capsys, "--user", "root", "--role", "packer", "store", "add", "--code", "C",
                  "--name", "C", expect=1)
    assert "root is signed in as packer and may not manage stores" in err


def test_list_disable_enable_stores_passwd_audit(with_users: str, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORION_PASSWORD", ADMIN_PASSWORD)
    out, _ = _run(with_users, capsys, "--user", "root", "user", "list")
    assert "pat" in out and "packer" in out
    _run(with_users, capsys, "--user", "root", "user", "disable", "pat")
    monkeypatch.setenv("ORION_PASSWORD", PACKER_PASSWORD)
    _, err = _run(with_users, capsys, "--user", "pat", "store", "list", expect=1)
    assert "User pat is disabled" in err
    monkeypatch.setenv("ORION_PASSWORD", ADMIN_PASSWORD)
    _run(with_users, capsys, "--user", "root", "user", "enable", "pat")
    out, _ = _run(with_users, capsys, "--user", "root", "user", "stores", "pat", "A", "B")
    assert "User pat (packer, A, B) updated." in out
    monkeypatch.setenv("ORION_PASSWORD", PACKER_PASSWORD)
    monkeypatch.setenv("ORION_NEW_PASSWORD", "Brand-new-pass-1")
    _run(with_users, capsys, "--user", "pat", "user", "passwd")
    _, err = _run(with_users, capsys, "--user", "pat", "user", "audit", expect=1)
    assert "password is wrong" in err  # the old password no longer signs in
    monkeypatch.setenv("ORION_PASSWORD", "Brand-new-pass-1")
    _, err = _run(with_users, capsys, "--user", "pat", "user", "audit", expect=1)
    assert "pat is signed in as packer and may not manage users" in err
    monkeypatch.setenv("ORION_PASSWORD", ADMIN_PASSWORD)
    out, _ = _run(with_users, capsys, "--user", "root", "user", "audit")
    for event in ("user added", "user disabled", "user enabled", "stores changed", "password changed", "signed in"):
        assert event in out


def test_role_and_display_name_changes_and_the_last_admin_stays(
    with_users: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORION_PASSWORD", PACKER_PASSWORD)
    _, err = _run(with_users, capsys, "--user", "pat", "user", "role", "--username", "pat", "--role", "admin",
                  expect=1)
    assert "pat is signed in as packer and may not manage users" in err
    monkeypatch.setenv("ORION_PASSWORD", ADMIN_PASSWORD)
    _, err = _run(with_users, capsys, "--user", "root", "user", "role", "--username", "root", "--role", "manager",
                  expect=1)
    assert err.strip() == "error: root is the last active admin and stays an admin."
    out, _ = _run(with_users, capsys, "--user", "root", "user", "role", "--username", "pat", "--role", "manager")
    assert "User pat (manager, A) updated." in out
    out, _ = _run(with_users, capsys, "--user", "root", "user", "edit", "--username", "pat", "--name", "Pat  Quinn")
    assert out.strip() == "User pat is shown as Pat Quinn."
    # The new role holds from pat's next sign-in: a manager may add a product, a packer may not.
    monkeypatch.setenv("ORION_PASSWORD", PACKER_PASSWORD)
    out, _ = _run(with_users, capsys, "--user", "pat", "product", "add", "--store", "A", "--sku", "S-1",
                  "--title", "Thing")
    assert "S-1" in out
    monkeypatch.setenv("ORION_PASSWORD", ADMIN_PASSWORD)
    out, _ = _run(with_users, capsys, "--user", "root", "user", "audit")
    assert "role changed" in out and "packer -> manager" in out and "display name changed" in out


def test_no_terminal_and_no_password_is_an_error_not_a_hang(with_users: str) -> None:
    """stdin closed, no ORION_PASSWORD: a sentence at once (the timeout would catch a hang)."""
    script = Path(sys.executable).with_name("orion-desktop")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home()), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([str(script), "--db", with_users, "--user", "root", "store", "list"],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False,
                            env=env, start_new_session=True)
    assert result.returncode == 1
    assert "Cannot sign in: no password: set ORION_PASSWORD or run in a terminal." in result.stderr


def _log_files() -> list[Path]:
    import logging

    return [Path(h.baseFilename) for h in logging.getLogger().handlers if isinstance(h, logging.FileHandler)]


def test_no_password_or_pin_is_kept_anywhere_but_as_a_hash(
    with_users: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """After sign-ins, failures, a lockout, a PIN and a password change: grep every log file, the
    settings and every text column for the secrets used."""
    from sqlalchemy import String, Text, select

    from orion_desktop import config
    from orion_desktop.db.engine import Database
    from orion_desktop.db.models import Base

    pin, new_password = "70421", "Changed-pass-8813"
    monkeypatch.setenv("ORION_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("ORION_NEW_PIN", pin)
    _run(with_users, capsys, "-v", "--user", "root", "user", "pin", "pat", "--badge", "B-1")
    monkeypatch.setenv("ORION_NEW_PASSWORD", new_password)
    _run(with_users, capsys, "-v", "--user", "root", "user", "passwd", "pat")
    for typed in (PACKER_PASSWORD, pin, ADMIN_PASSWORD + "x", "x" + new_password) * 2:  # ends in a lockout
        monkeypatch.setenv("ORION_PASSWORD", typed)
        _run(with_users, capsys, "-v", "--user", "pat", "store", "list", expect=1)
    monkeypatch.setenv("ORION_PASSWORD", typed)
    _run(with_users, capsys, "-v", "--user", ADMIN_PASSWORD, "store", "list", expect=1)  # a password as a name
    secrets = (ADMIN_PASSWORD, PACKER_PASSWORD, pin, new_password)
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in _log_files() if p.exists()]
    texts += [p.read_text(encoding="utf-8") for p in config.config_dir().glob("*") if p.is_file()]
    assert texts, "the log file was not found"
    database = Database(with_users)
    try:
        with database.read() as session:
            for table in Base.metadata.sorted_tables:
                columns = [c for c in table.columns if isinstance(c.type, (String, Text))]
                for row in session.execute(select(*columns)) if columns else ():
                    texts.extend(str(value) for value in row if value is not None)
    finally:
        database.dispose()
    for secret in secrets:
        leaks = [t[:80] for t in texts if secret in t]
        assert not leaks, f"a secret appears in {leaks}"
