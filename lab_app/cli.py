"""The `qlab` command: parse arguments, call the workspace, print; nothing else."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from lab_app.settings import Settings, describe

KINDS = ("evidence", "survey", "contribution")
EXPORTS = ("extracts", "qdc", "qdpx", "xlsx", "polis")
# Feature modules that add their own subcommands: each has add_commands(subparsers) and sets
# `handler=fn(workspace, args) -> exit code` on its parsers. They import heavy things lazily.
EXTENSIONS = ("lab_app.cli_year", "lab_app.cli_ideas", "lab_app.cli_people", "lab_app.cli_essays")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qlab", description="Q Lab Workspace: pool a Lab's material, search it, export it."
    )
    parser.add_argument("--home", help="workspace folder (default: $QLAB_HOME or ./workspace)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = commands.add_parser("ingest", help="add files or folders to the workspace")
    ingest.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    ingest.add_argument("--kind", choices=KINDS, help="treat every file as this kind")
    ingest.add_argument("--text-col", action="append", default=[], help="free-text column")
    ingest.add_argument("--attr-col", action="append", default=[], help="attribute column")
    ingest.add_argument("--id-col", help="respondent id column")
    ingest.add_argument("--date-col", help="date column")
    ingest.add_argument("--author-col", help="author column")
    ingest.add_argument("--date", help="date for extracts that have none (YYYY-MM-DD)")
    ingest.add_argument("--password", help="password for encrypted PDFs")

    search = commands.add_parser("search", help="find extracts by meaning")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=10, help="how many results (default 10)")
    search.add_argument("--kind", choices=KINDS)
    search.add_argument("--json", action="store_true", help="print JSON")

    status = commands.add_parser("status", help="sources, extracts by kind, people")
    status.add_argument("--json", action="store_true", help="print JSON")

    commands.add_parser("check", help="exit 0 when store and index hold the same extracts")
    commands.add_parser("reindex", help="rebuild the index from the store")
    commands.add_parser("settings", help="list every setting, its variable and default")
    commands.add_parser("demo", help="load the demo Lab from corpus/ (idempotent)")
    serve = commands.add_parser("serve", help="open the app in the browser (127.0.0.1:8501)")
    serve.add_argument("--port", type=int, default=8501)
    serve.add_argument("--address", default="127.0.0.1", help="interface to bind (default local)")

    themes = commands.add_parser("themes", help="find, list and curate themes")
    theme_commands = themes.add_subparsers(dest="theme_command", required=True, metavar="ACTION")
    build = theme_commands.add_parser("build", help="build or rebuild themes")
    build.add_argument("--kind", choices=KINDS, help="only extracts of this kind")
    build.add_argument("--themes", type=int, help="how many themes (default: chosen from data)")
    build.add_argument("--fresh", action="store_true", help="regroup everything not fixed by staff")
    build.add_argument("--json", action="store_true", help="print JSON")
    listing = theme_commands.add_parser("list", help="themes with id, label, size, area, status")
    listing.add_argument("--json", action="store_true", help="print JSON")
    _curation_commands(theme_commands)

    export = commands.add_parser("export", help="write workspace contents to a file")
    export.add_argument("what", choices=EXPORTS)
    export.add_argument("--out", type=Path, required=True, metavar="FILE")
    imports = commands.add_parser("import", help="take in work from other tools")
    imports.add_argument("what", choices=["polis", "qdc"])
    imports.add_argument("path", type=Path, help="Pol.is export folder, or a REFI-QDA .qdc file")
    for name in EXTENSIONS:
        importlib.import_module(name).add_commands(commands)
    return parser


def _curation_commands(theme_commands) -> None:
    """Staff curation; each action sticks through later builds and can be undone."""
    add = theme_commands.add_parser
    rename = add("rename", help="give a theme a name of your own")
    rename.add_argument("theme")
    rename.add_argument("label")
    describe = add("describe", help="give a theme a description of your own")
    describe.add_argument("theme")
    describe.add_argument("text")
    merge = add("merge", help="fold themes into one")
    merge.add_argument("themes", nargs="+")
    merge.add_argument("--into", required=True, help="the theme that remains")
    split = add("split", help="regroup one theme's extracts into several themes")
    split.add_argument("theme")
    split.add_argument("--parts", type=int, default=2)
    move = add("move", help="put an extract in a theme")
    move.add_argument("extract")
    move.add_argument("theme")
    exclude = add("exclude", help="keep an extract out of every theme")
    exclude.add_argument("extract")
    pin = add("pin", help="pin an extract as an exemplar of its theme")
    pin.add_argument("extract")
    lock = add("lock", help="freeze a theme: no automatic additions, names kept")
    lock.add_argument("theme")
    lock.add_argument("--off", action="store_true", help="unlock instead")
    add("undo", help="undo the last curation action")
    history = add("history", help="a theme's dated history")
    history.add_argument("theme")
    history.add_argument("--json", action="store_true", help="print JSON")
    timeline = add("timeline", help="extracts per theme per month or Lab phase")
    timeline.add_argument("--by", choices=["month", "phase"], default="month")
    timeline.add_argument("--json", action="store_true", help="print JSON")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "ingest" and args.date and not _is_iso_date(args.date):
        print(f"qlab: error: --date {args.date!r} is not YYYY-MM-DD", file=sys.stderr)
        return 2
    if args.command == "serve":
        return _serve(args)
    if args.command == "settings":
        for name, env, default, help_text in describe():
            print(f"{env:24} {name} (default: {default or 'empty'})\n{'':24} {help_text}")
        return 0
    try:
        return _run(args)
    except BrokenPipeError:  # output piped into `head` and closed: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("qlab: interrupted; run the same command again to finish", file=sys.stderr)
        return 130
    except (RuntimeError, ValueError, OSError) as err:  # our errors say what to do
        print(f"qlab: error: {err}", file=sys.stderr)
        return 1


def _run(args) -> int:
    from lab_app import commands

    workspace = commands.open_workspace(Settings.from_env(home=args.home))
    if getattr(args, "handler", None):
        return args.handler(workspace, args)
    return getattr(commands, f"cmd_{args.command}")(workspace, args)


def _serve(args) -> int:
    """Run Streamlit on the app for the chosen workspace; usage statistics off."""
    import subprocess

    app = Path(__file__).parent / "ui" / "app.py"
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    if args.home:
        env["QLAB_HOME"] = str(Path(args.home).resolve())
    command = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.address", args.address, "--server.port", str(args.port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    return subprocess.call(command, env=env)


def _is_iso_date(value: str) -> bool:
    from datetime import date

    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


if __name__ == "__main__":
    sys.exit(main())
