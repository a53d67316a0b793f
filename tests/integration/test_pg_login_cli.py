"""`user add/passwd/disable/enable` keep the user's own PostgreSQL login in step (issue 14, item 6)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL

from orion_desktop.__main__ import main
from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.db.migrate import upgrade
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role

ADMIN_PASSWORD = "Admin-pass-4410"
PACKER_PASSWORD = "Packer-pass-8823"
BOSS = Actor("boss", Role.ADMIN)


def _run(url: str, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(["--db", url, *argv])
    out, err = capsys.readouterr()
    assert code == 0, f"exit {code}, stdout={out!r}, stderr={err!r}"
    return out


def _login(database: Database, name: str) -> tuple[bool, str, list[str]] | None:
    with database.engine.connect() as conn:
        row = conn.execute(
            text("SELECT rolcanlogin, rolpassword FROM pg_authid WHERE rolname = :n"), {"n": name}
        ).one_or_none()
        if row is None:
            return None
        groups = conn.execute(
            text(
                "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                "JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = :n"
            ),
            {"n": name},
        ).scalars().all()
    return bool(row[0]), str(row[1]), list(groups)


def test_user_commands_make_and_change_the_login(
    pg_database_factory: Callable[..., str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = pg_database_factory("orion_cli")
    database = Database(url)
    upgrade(database)
    name = database.url.database
    for env in ("ORION_USER", "ORION_ROLE", "ORION_PASSWORD", "ORION_NEW_PASSWORD", "ORION_NEW_PIN"):
        monkeypatch.delenv(env, raising=False)
    _run(url, capsys, "store", "add", "--code", "A", "--name", "Store A")
    monkeypatch.setenv("ORION_NEW_PASSWORD", ADMIN_PASSWORD)
    out = _run(url, capsys, "user", "add", "--username", "boss", "--role", "admin")
    assert f"Database login {name}_boss created." in out
    monkeypatch.setenv("ORION_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("ORION_NEW_PASSWORD", PACKER_PASSWORD)
    _run(url, capsys, "--user", "boss", "user", "add", "--username", "Pat", "--role", "packer", "--store", "A")
    created = _login(database, f"{name}_pat")
    assert created is not None
    assert created[0] and created[1].startswith("SCRAM-SHA-256$") and created[2] == ["orion_packer"]

    monkeypatch.setenv("ORION_NEW_PASSWORD", "Packer-new-5519")
    out = _run(url, capsys, "--user", "boss", "user", "passwd", "pat")
    assert "has the new password" in out
    changed = _login(database, f"{name}_pat")
    assert changed is not None and changed[1] != created[1]

    _run(url, capsys, "--user", "boss", "user", "disable", "pat")
    assert _login(database, f"{name}_pat") == (False, changed[1], ["orion_packer"])
    _run(url, capsys, "--user", "boss", "user", "enable", "pat")
    assert _login(database, f"{name}_pat") == (True, changed[1], ["orion_packer"])
    # A role change moves the login to the other group role, and back.
    out = _run(url, capsys, "--user", "boss", "user", "role", "--username", "pat", "--role", "manager")
    assert f"Database login {name}_pat moved to orion_manager." in out
    assert _login(database, f"{name}_pat") == (True, changed[1], ["orion_manager"])
    _run(url, capsys, "--user", "boss", "user", "role", "--username", "pat", "--role", "packer")
    assert _login(database, f"{name}_pat") == (True, changed[1], ["orion_packer"])

    # Signing in with the login: a URL without a login name, the password from ORION_PASSWORD.
    services = Services.on(database)
    services.catalog.add_store(BOSS, "B", "Store B")
    for store in ("A", "B"):
        services.catalog.add_product(BOSS, store=store, sku=f"SKU-{store}", title=f"Thing {store}")
        services.inventory.set_quantity(BOSS, store=store, product=f"SKU-{store}", location="L-1", quantity=3)
    plain = database.url
    no_login = URL.create(plain.drivername, host=plain.host, port=plain.port, database=plain.database)
    no_login_url = no_login.render_as_string(hide_password=False)
    monkeypatch.setenv("ORION_PASSWORD", "Packer-new-5519")
    listed = _run(no_login_url, capsys, "--user", "pat", "stock", "list")
    assert "SKU-A" in listed and "SKU-B" not in listed
    # Signed in with their own login, the packer changes their own password: both the app's hash
    # and the login's verifier, without any right to create roles.
    monkeypatch.setenv("ORION_NEW_PASSWORD", "Packer-third-6604")
    out = _run(no_login_url, capsys, "--user", "pat", "user", "passwd")
    assert "has the new password" in out
    third = _login(database, f"{name}_pat")
    assert third is not None and third[1] != changed[1]
    monkeypatch.setenv("ORION_PASSWORD", "Packer-third-6604")
    _run(url, capsys, "--user", "pat", "store", "list")  # the app's own check takes the new password too
    monkeypatch.setenv("ORION_PASSWORD", ADMIN_PASSWORD)
    # The shared URL signs in as before: the owner's connection is not limited to a store.
    assert "SKU-B" in _run(url, capsys, "--user", "boss", "stock", "list")
    # No secret reached the output.
    for secret in (ADMIN_PASSWORD, PACKER_PASSWORD, "Packer-new-5519"):
        assert secret not in out
    database.dispose()
