"""What every command handler receives: the parsed options, the actor, and lazily opened services."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from orion_desktop.bootstrap import open_services
from orion_desktop.cli.pg_sign_in import personal_services
from orion_desktop.cli.sign_in import sign_in
from orion_desktop.domain.actor import Actor
from orion_desktop.services.registry import Services

Commands: TypeAlias = "argparse._SubParsersAction[Any]"  # Any: the parsers are cli.parser._Parser
"""The subcommands of a parser (``add_subparsers()``), to which each command module adds its own."""


@dataclass
class CliContext:
    args: argparse.Namespace
    _services: Services | None = field(default=None, repr=False)
    _actor: Actor | None = field(default=None, repr=False)

    @property
    def actor(self) -> Actor:
        """The signed-in user (cli/sign_in.py); signing in happens once, when the database opens."""
        if self._actor is None:
            self._actor = sign_in(self.services, self.args.user, self.args.role)
        return self._actor

    @property
    def services(self) -> Services:
        """Opened on first use, so `--help` and usage errors never touch the database."""
        if self._services is None:
            # A PostgreSQL URL without a login: connect as the user's own login (cli/pg_sign_in.py).
            personal = personal_services(self.args.db, self.args.user, self.args.role)
            if personal is not None:
                self._services, self._actor = personal
                return self._services
            # Only a command that declares it (`demo`) may create a new database file.
            self._services = open_services(self.args.db, create=bool(getattr(self.args, "creates_database", False)))
            # Once a database has users, no command reads or changes it without signing in.
            self._actor = sign_in(self._services, self.args.user, self.args.role)
            self._services.scope_reads_to(self._actor)  # lists and reports: the user's stores only
        return self._services

    @property
    def json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    def close(self) -> None:
        if self._services is not None:
            self._services.close()
