"""Run one command: parse, dispatch, and turn every error into one sentence on stderr."""

from __future__ import annotations

import argparse
import logging
import sys

from orion_desktop.cli.context import CliContext
from orion_desktop.cli.parser import build_parser
from orion_desktop.domain.errors import OrionError
from orion_desktop.logging_setup import log_file, setup_logging

log = logging.getLogger(__name__)


def parse(argv: list[str]) -> argparse.Namespace:
    """Parse the command line; usage errors exit 2 here."""
    args = build_parser().parse_args(argv)
    setup_logging(args.verbose)
    return args


def run(argv: list[str]) -> int:
    """Run a CLI command (``args.command`` must be set)."""
    return run_parsed(parse(argv), argv)


def run_parsed(args: argparse.Namespace, argv: list[str]) -> int:
    ctx = CliContext(args)
    try:
        return int(args.handler(ctx))
    except OrionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; nothing more was changed.", file=sys.stderr)
        return 130
    except Exception:
        log.exception("Unexpected error in %s", " ".join(argv))
        print(f"error: something unexpected went wrong; details are in {log_file()}", file=sys.stderr)
        return 1
    finally:
        ctx.close()
