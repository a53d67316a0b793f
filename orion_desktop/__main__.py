"""`orion-desktop` and `python -m orion_desktop`: a command runs the CLI, no command opens the window."""

from __future__ import annotations

import sys

from orion_desktop.cli.main import parse, run_parsed
from orion_desktop.domain.errors import OrionError


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    args = parse(arguments)
    if getattr(args, "printing_command", None):
        # PDF output uses Qt's PDF writer: only these commands load Qt.
        from orion_desktop.printing import commands as printing

        args.handler = getattr(printing, args.printing_command)
    if args.command is not None:
        return run_parsed(args, arguments)  # other commands never import Qt: they start fast
    from orion_desktop.gui_launch import launch

    try:
        return launch(args)
    except OrionError as error:  # bad URL, database down: one sentence, not a traceback
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
