"""What every command handler receives: the parsed options, the actor, and lazily opened services."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from orion_desktop.bootstrap import open_services
from orion_desktop.config import current_actor
from orion_desktop.domain.actor import Actor
from orion_desktop.services.registry import Services

Commands: TypeAlias = "argparse._SubParsersAction[Any]"  # Any: the parsers are cli.parser._Parser
"""The subcommands of a parser (``add_subparsers()``), to which each command module adds its own."""


@dataclass
class CliContext:
    args: argparse.Namespace
    _services: Services | None = field(default=None, repr=False)

    @property
    def actor(self) -> Actor:
        return current_actor(self.args.user, self.args.role)

    @property
    def services(self) -> Services:
        """Opened on first use, so `--help` and usage errors never touch the database."""
        if self._services is None:
            # Only a command that declares it (`demo`) may create a new database file.
            self._services = open_services(self.args.db, create=bool(getattr(self.args, "creates_database", False)))
        return self._services

    @property
    def json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    def close(self) -> None:
        if self._services is not None:
            self._services.close()
