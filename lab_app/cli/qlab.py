"""The `qlab` command: parse arguments, hand them to the command group's handler, print errors
in one line. Every command group lives in its own module with `add_commands(subparsers)`, and
each parser names its handler with `set_defaults(handler=fn(workspace, args) -> exit code)`."""

from __future__ import annotations

import argparse
import os
import sys

from lab_app.cli import (
    essays,
    exchange,
    ideas,
    labs,
    material,
    people,
    rounds,
    statements,
    themes,
    year,
)
from lab_app.core import faults
from lab_app.core.settings import Settings

GROUPS = (material, themes, exchange, year, ideas, people, essays, rounds, statements, labs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qlab", description="Q Lab Workspace: pool a Lab's material, search it, export it."
    )
    parser.add_argument("--home", help="workspace folder (default: $QLAB_HOME or ./workspace)")
    parser.add_argument(
        "--lab", help="the Lab to work on (default: $QLAB_LAB or the default Lab; docs/labs.md)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if not getattr(args, "needs_workspace", True):
            return args.handler(None, args)
        return args.handler(_open_workspace(args), args)
    except BrokenPipeError:  # output piped into `head` and closed: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("qlab: interrupted; run the same command again to finish", file=sys.stderr)
        return 130
    except (RuntimeError, ValueError) as err:  # our errors say what to do
        print(f"qlab: error: {faults.one_line(str(err))}", file=sys.stderr)
        return 1
    except Exception as err:  # noqa: BLE001 - one line, never a traceback quoting answers
        if isinstance(err, OSError) or faults.is_storage_fault(err):
            print(f"qlab: error: {faults.describe(err, args.command)}", file=sys.stderr)
        else:
            print(f"qlab: error: {faults.unexpected(err)}", file=sys.stderr)
        return 1


def _open_workspace(args):
    """The chosen Lab's workspace; without --lab or QLAB_LAB, the workspace itself as ever."""
    settings = Settings.from_env(home=args.home)
    slug = args.lab if args.lab is not None else settings.lab
    if not slug or slug == "default":
        from lab_app.workspace import Workspace

        return Workspace(settings)
    from lab_app.network.registry import Deployment

    return Deployment(settings).workspace(slug)


if __name__ == "__main__":
    sys.exit(main())
