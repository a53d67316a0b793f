"""Run one command: parse, dispatch, and turn every error into one sentence on stderr."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from orion_desktop.cli.context import CliContext
from orion_desktop.cli.parser import build_parser
from orion_desktop.domain.errors import OrionError
from orion_desktop.logging_setup import log_file, setup_logging
from orion_desktop.services.safe_files import FileExistsRefused

log = logging.getLogger(__name__)

EXIT_BROKEN_PIPE = 141
"""What a shell reports for a program stopped by SIGPIPE: the reader (``head``) stopped reading."""


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
        code = int(args.handler(ctx))
        sys.stdout.flush()  # a closed pipe shows here, not at exit where it cannot be caught
        return code
    except BrokenPipeError:
        # `orion-desktop stock list | head -1`: the reader has what it wanted. End quietly.
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except FileExistsRefused as error:
        print(f"error: {error.path} already exists; add --force to replace it.", file=sys.stderr)
        return 1
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


def _silence_stdout() -> None:
    """Point stdout at devnull (the Python docs' SIGPIPE recipe) so the flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout replaced by something without a descriptor (tests)
        pass
