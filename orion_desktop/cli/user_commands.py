"""`orion-desktop user ...`: add, list, disable, enable, passwd, pin, stores, role, edit, audit (issue 14)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable

from orion_desktop.cli.context import CliContext, Commands
from orion_desktop.cli.output import print_json, print_table
from orion_desktop.cli.pg_login_hooks import login_active, login_added, login_password, login_role
from orion_desktop.cli.sign_in import ENV_NEW_PASSWORD, ENV_NEW_PIN, ENV_PASSWORD, ask_secret, new_secret
from orion_desktop.domain.enums import Role
from orion_desktop.services.users import UserInfo


def add_commands(
    commands: Commands,
    group: Callable[[Commands, str, str, str], Commands],
    json_option: Callable[[argparse.ArgumentParser], None],
) -> None:
    """Register the user commands (called by cli.parser with its helpers)."""
    sub = group(commands, "user",
                "users and sign-in: add, list, disable, enable, passwd, pin, stores, role, edit, audit", "user_command")
    add = sub.add_parser("add", help=f"add a user (password from {ENV_NEW_PASSWORD} or a prompt)")
    add.add_argument("--username", required=True)
    add.add_argument("--role", dest="new_role", required=True, choices=[r.value for r in Role])
    add.add_argument("--name", dest="display_name", help="display name (default: the user name)")
    add.add_argument("--store", dest="stores", action="append", default=[], metavar="CODE",
                     help="a store the user works for; repeat for more (none: every store)")
    add.add_argument("--badge", help=f"badge code for quick switching (the PIN from {ENV_NEW_PIN} or a prompt)")
    json_option(add)
    add.set_defaults(handler=user_add)

    lst = sub.add_parser("list", help="list users (admins)")
    json_option(lst)
    lst.set_defaults(handler=user_list)

    for name, active in (("disable", False), ("enable", True)):
        cmd = sub.add_parser(name, help=f"{name} a user" + (" and lift a lockout" if active else ""))
        cmd.add_argument("username")
        cmd.set_defaults(handler=user_enable if active else user_disable)

    passwd = sub.add_parser("passwd", help=f"change a password (the new one from {ENV_NEW_PASSWORD} or a prompt)")
    passwd.add_argument("username", nargs="?", help="whose (default: your own; others: admins)")
    passwd.set_defaults(handler=user_passwd)

    pin = sub.add_parser("pin", help=f"set a badge code and PIN (the PIN from {ENV_NEW_PIN} or a prompt)")
    pin.add_argument("username", nargs="?", help="whose (default: your own; others: admins)")
    pin.add_argument("--badge", required=True)
    pin.set_defaults(handler=user_pin)

    stores = sub.add_parser("stores", help="set the stores a user works for (none: every store)")
    stores.add_argument("username")
    stores.add_argument("stores", nargs="*", metavar="CODE")
    json_option(stores)
    stores.set_defaults(handler=user_stores)

    role = sub.add_parser("role", help="change a user's role (takes effect at their next sign-in)")
    role.add_argument("--username", required=True)
    role.add_argument("--role", dest="new_role", required=True, choices=[r.value for r in Role])
    json_option(role)
    role.set_defaults(handler=user_role)

    edit = sub.add_parser("edit", help="change a user's display name")
    edit.add_argument("--username", required=True)
    edit.add_argument("--name", dest="display_name", required=True, help="the new display name ('': the user name)")
    json_option(edit)
    edit.set_defaults(handler=user_edit)

    audit = sub.add_parser("audit", help="sign-ins, failed attempts, lockouts and user changes, newest first")
    audit.add_argument("--limit", type=int, default=100)
    json_option(audit)
    audit.set_defaults(handler=user_audit)


def _show(ctx: CliContext, info: UserInfo, verb: str) -> None:
    if ctx.json:
        print_json(info)
    else:
        scope = ", ".join(info.stores) if info.stores else "every store"
        print(f"User {info.username} ({info.role.value}, {scope}) {verb}.")


def user_add(ctx: CliContext) -> int:
    users = ctx.services.users
    actor = ctx.actor
    password = new_secret(ENV_NEW_PASSWORD, "password")
    pin = new_secret(ENV_NEW_PIN, "PIN") if ctx.args.badge else None
    info = users.create(actor, username=ctx.args.username, password=password, role=ctx.args.new_role,
                        display_name=ctx.args.display_name, stores=ctx.args.stores, pin=pin,
                        badge_code=ctx.args.badge)
    _show(ctx, info, "added")
    login_added(ctx, info.username, password, info.role)
    return 0


def user_list(ctx: CliContext) -> int:
    rows = ctx.services.users.list_users(ctx.actor)
    if ctx.json:
        print_json(rows)
        return 0
    print_table(
        ["User", "Name", "Role", "Active", "Stores", "Badge", "Locked until"],
        [(u.username, u.display_name, u.role.value, "yes" if u.active else "no", ", ".join(u.stores) or "all",
          u.badge_code or "", u.locked_until.strftime("%Y-%m-%d %H:%M") if u.locked_until else "") for u in rows],
    )
    return 0


def user_disable(ctx: CliContext) -> int:
    username = ctx.services.users.set_active(ctx.actor, ctx.args.username, False).username
    print(f"User {username} disabled.")
    login_active(ctx, username, False)
    return 0


def user_enable(ctx: CliContext) -> int:
    username = ctx.services.users.set_active(ctx.actor, ctx.args.username, True).username
    print(f"User {username} enabled.")
    login_active(ctx, username, True)
    return 0


def user_passwd(ctx: CliContext) -> int:
    actor = ctx.actor
    target = ctx.args.username or actor.name
    old: str | None = None
    if target.strip().lower() == actor.name and actor.role is not Role.ADMIN:
        old = os.environ.get(ENV_PASSWORD)
        if old is None:
            old = ask_secret("Current password: ", f"no current password: set {ENV_PASSWORD} or run in a terminal")
    password = new_secret(ENV_NEW_PASSWORD, "password")
    ctx.services.users.change_password(actor, target, password, old_password=old)
    print(f"The password of {target.strip().lower()} was changed.")
    login_password(ctx, target.strip().lower(), password)
    return 0


def user_pin(ctx: CliContext) -> int:
    actor = ctx.actor
    target = ctx.args.username or actor.name
    info = ctx.services.users.set_pin(actor, target, pin=new_secret(ENV_NEW_PIN, "PIN"), badge_code=ctx.args.badge)
    print(f"Badge {info.badge_code} and a PIN set for {info.username}.")
    return 0


def user_stores(ctx: CliContext) -> int:
    _show(ctx, ctx.services.users.set_stores(ctx.actor, ctx.args.username, ctx.args.stores), "updated")
    return 0


def user_role(ctx: CliContext) -> int:
    info = ctx.services.users.set_role(ctx.actor, ctx.args.username, ctx.args.new_role)
    _show(ctx, info, "updated")
    login_role(ctx, info.username, info.role)
    return 0


def user_edit(ctx: CliContext) -> int:
    info = ctx.services.users.set_display_name(ctx.actor, ctx.args.username, ctx.args.display_name)
    if ctx.json:
        print_json(info)
    else:
        print(f"User {info.username} is shown as {info.display_name}.")
    return 0


def user_audit(ctx: CliContext) -> int:
    entries = ctx.services.users.audit(ctx.actor, ctx.args.limit)
    if ctx.json:
        print_json(entries)
        return 0
    print_table(["When (UTC)", "By", "User", "Event", "Detail"],
                [(e.created_at.strftime("%Y-%m-%d %H:%M:%S"), e.actor, e.username or "", e.event, e.detail or "")
                 for e in entries])
    return 0
