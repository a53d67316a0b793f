"""UserService on both databases: first admin, sign-in, lockout, disable, passwords, stores, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from orion_desktop.db.models import User
from orion_desktop.db.types import utcnow
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.errors import Conflict, InvalidInput, PermissionDenied
from orion_desktop.services.registry import Services
from orion_desktop.services.users import MAX_FAILED_ATTEMPTS, WRONG_CREDENTIALS, SignInRefused

PASSWORD = "Secret-pass-9271"
OTHER_PASSWORD = "Other-pass-5538"
PIN = "48213"
LOCAL = Actor(name="local", role=Role.ADMIN)


def _first_admin(services: Services) -> Actor:
    services.users.create(LOCAL, username="Alice", password=PASSWORD, role="admin", display_name="Alice A")
    return services.users.authenticate("alice", PASSWORD)


def test_a_fresh_database_has_no_users_and_the_first_must_be_an_admin(services: Services) -> None:
    assert not services.users.has_users()
    with pytest.raises(InvalidInput, match="first user must be an admin"):
        services.users.create(LOCAL, username="pat", password=PASSWORD, role="packer")
    assert not services.users.has_users()
    admin = _first_admin(services)
    assert services.users.has_users()
    assert admin == Actor(name="alice", role=Role.ADMIN, store_codes=None)


def test_only_admins_add_users_and_names_are_unique(services: Services) -> None:
    admin = _first_admin(services)
    services.catalog.add_store(admin, "A", "Store A")
    services.users.create(admin, username="pat", password=PASSWORD, role="packer", stores=["a"])
    packer = services.users.authenticate("PAT", PASSWORD)
    assert packer == Actor(name="pat", role=Role.PACKER, store_codes=frozenset({"A"}))
    with pytest.raises(PermissionDenied):
        services.users.create(packer, username="eve", password=PASSWORD, role="admin")
    with pytest.raises(Conflict, match="already exists"):
        services.users.create(admin, username="Pat", password=PASSWORD, role="packer")
    with pytest.raises(InvalidInput, match="at least 8"):
        services.users.create(admin, username="short", password="abc", role="packer")
    assert [u.username for u in services.users.list_users(admin)] == ["alice", "pat"]


def test_wrong_password_and_unknown_user_give_the_same_sentence(services: Services) -> None:
    _first_admin(services)
    for name, password in (("alice", "wrong-password"), ("nobody", PASSWORD)):
        with pytest.raises(SignInRefused) as refused:
            services.users.authenticate(name, password)
        assert str(refused.value) == WRONG_CREDENTIALS


def test_lockout_after_repeated_failures_then_enable_unlocks(services: Services, database: object) -> None:
    admin = _first_admin(services)
    services.users.create(admin, username="pat", password=PASSWORD, role="packer")
    for _ in range(MAX_FAILED_ATTEMPTS - 1):
        with pytest.raises(SignInRefused, match="wrong"):
            services.users.authenticate("pat", "not-the-password")
    with pytest.raises(SignInRefused, match="locked after 5 wrong attempts"):
        services.users.authenticate("pat", "not-the-password")
    # Even the right password is refused while locked.
    with pytest.raises(SignInRefused, match="locked"):
        services.users.authenticate("pat", PASSWORD)
    services.users.set_active(admin, "pat", True)
    assert services.users.authenticate("pat", PASSWORD).role is Role.PACKER
    events = [e.event for e in services.users.audit(admin)]
    assert "locked out" in events and events.count("sign-in failed") == MAX_FAILED_ATTEMPTS


def test_a_lockout_ends_by_itself(services: Services) -> None:
    admin = _first_admin(services)
    services.users.create(admin, username="pat", password=PASSWORD, role="packer")
    with services.database.write() as session:
        session.execute(update(User).where(User.username == "pat").values(locked_until=utcnow() - timedelta(seconds=1)))
    assert services.users.authenticate("pat", PASSWORD).name == "pat"


def test_disabled_user_is_refused_and_the_last_admin_stays(services: Services) -> None:
    admin = _first_admin(services)
    services.users.create(admin, username="pat", password=PASSWORD, role="packer")
    services.users.set_active(admin, "pat", False)
    with pytest.raises(SignInRefused, match="pat is disabled"):
        services.users.authenticate("pat", PASSWORD)
    with pytest.raises(Conflict, match="last active admin"):
        services.users.set_active(admin, "alice", False)
    with pytest.raises(Conflict, match="last active admin"):
        services.users.set_role(admin, "alice", "manager")


def test_badge_and_pin(services: Services) -> None:
    admin = _first_admin(services)
    services.users.create(admin, username="pat", password=PASSWORD, role="packer", pin=PIN, badge_code="B-17")
    assert services.users.authenticate_badge("B-17", PIN).name == "pat"
    with pytest.raises(SignInRefused, match="badge or PIN is wrong"):
        services.users.authenticate_badge("B-17", "0000")
    with pytest.raises(InvalidInput, match="4 to 8 digits"):
        services.users.set_pin(admin, "pat", pin="12", badge_code="B-17")


def test_change_password_needs_the_old_one_unless_an_admin_resets(services: Services) -> None:
    admin = _first_admin(services)
    services.users.create(admin, username="pat", password=PASSWORD, role="packer")
    pat = services.users.authenticate("pat", PASSWORD)
    with pytest.raises(SignInRefused, match="current password is wrong"):
        services.users.change_password(pat, "pat", OTHER_PASSWORD, old_password="nope-nope-nope")
    with pytest.raises(PermissionDenied):
        services.users.change_password(pat, "alice", OTHER_PASSWORD)
    services.users.change_password(pat, "pat", OTHER_PASSWORD, old_password=PASSWORD)
    assert services.users.authenticate("pat", OTHER_PASSWORD).name == "pat"
    services.users.change_password(admin, "pat", PASSWORD)
    assert services.users.authenticate("pat", PASSWORD).name == "pat"


def test_set_stores_and_audit_is_admin_only(services: Services) -> None:
    admin = _first_admin(services)
    services.catalog.add_store(admin, "A", "Store A")
    services.catalog.add_store(admin, "B", "Store B")
    services.users.create(admin, username="max", password=PASSWORD, role="manager")
    assert services.users.authenticate("max", PASSWORD).store_codes is None
    services.users.set_stores(admin, "max", ["B", "A"])
    manager = services.users.authenticate("max", PASSWORD)
    assert manager.store_codes == frozenset({"A", "B"})
    with pytest.raises(PermissionDenied):
        services.users.audit(manager)
    entries = services.users.audit(admin)
    assert entries[0].event == "signed in" and entries[0].username == "max"
    assert any(e.event == "stores changed" and e.detail == "A, B" for e in entries)
