"""`qlab ingest|search|status|check|reindex|demo|lab|settings|serve`: material and workspace."""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.records import KINDS
from lab_app.core.faults import WorkspaceFault, one_line, visible
from lab_app.core.settings import describe

if TYPE_CHECKING:  # the workspace (Chroma, the model) loads only when a command runs
    from lab_app.workspace import FileOutcome, Workspace
from lab_app.material import set_aside


def add_commands(commands) -> None:
    """Add the material and workspace subcommands to the `qlab` parser."""
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
    ingest.set_defaults(handler=cmd_ingest)

    search = commands.add_parser("search", help="find extracts by meaning")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=10, help="how many results (default 10)")
    search.add_argument("--kind", choices=KINDS)
    search.add_argument("--json", action="store_true", help="print JSON")
    search.set_defaults(handler=cmd_search)

    status = commands.add_parser("status", help="sources, extracts by kind, people")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(handler=cmd_status)

    add = commands.add_parser
    add("check", help="exit 0 when store and index hold the same extracts").set_defaults(
        handler=cmd_check
    )
    add("reindex", help="rebuild the index from the store").set_defaults(handler=cmd_reindex)
    add("demo", help="load the demo Lab from corpus/ (idempotent)").set_defaults(handler=cmd_demo)

    lab = commands.add_parser("lab", help="the Lab's name, question and description")
    lab.add_argument("--name", help="set the Lab's name")
    lab.add_argument("--question", help="set the question the Lab works on")
    lab.add_argument("--description", help="set what the Lab is about, in a sentence or two")
    lab.add_argument("--json", action="store_true", help="print JSON")
    lab.set_defaults(handler=cmd_lab)

    settings = add("settings", help="list every setting, its variable and default")
    settings.set_defaults(handler=cmd_settings, needs_workspace=False)
    serve = add("serve", help="open the app in the browser (127.0.0.1:8501)")
    serve.add_argument("--port", type=int, default=8501)
    serve.add_argument("--address", default="127.0.0.1", help="interface to bind (default local)")
    serve.set_defaults(handler=cmd_serve, needs_workspace=False)


def cmd_ingest(workspace: Workspace, args) -> int:
    if args.date and not _is_iso_date(args.date):
        print(f"qlab: error: --date {args.date!r} is not YYYY-MM-DD", file=sys.stderr)
        return 2
    options = workspace.ingest_options(
        kind=args.kind,
        text_cols=tuple(args.text_col),
        attr_cols=tuple(args.attr_col),
        id_col=args.id_col,
        date_col=args.date_col,
        author_col=args.author_col,
        date=args.date,
        password=args.password,
    )
    outcomes = report_ingest(workspace.ingest(args.paths, options, progress=_progress_bar()))
    problem = workspace.index_problem()  # stored, but not all searchable: say what to do
    if problem:
        print(f"qlab: warning: {problem}", file=sys.stderr)
    return 1 if any(outcome.status == "refused" for outcome in outcomes) else 0


def report_ingest(outcomes) -> list[FileOutcome]:
    """Print one line per file as it finishes, then a summary line."""
    done: list[FileOutcome] = []
    for outcome in outcomes:
        done.append(outcome)
        shown = visible(outcome.path)  # a line break or RTL override in a name shows as \n
        if outcome.status == "ingested":
            line = f"ingested {shown}: {outcome.extracts} extracts"
            details = [outcome.set_aside_note()]
            if outcome.redactions:
                details.append("redacted " + _count_list(outcome.redactions))
            if any(details):
                line += " (" + "; ".join(d for d in details if d) + ")"
        elif outcome.status == "unchanged":
            line = f"unchanged {shown}"
            if outcome.reason:
                line += f" ({one_line(outcome.reason)})"
        else:
            line = f"refused {shown}: {one_line(outcome.reason)}"
        print(line, flush=True)
    statuses = Counter(outcome.status for outcome in done)
    extracts = sum(outcome.extracts for outcome in done if outcome.status == "ingested")
    redactions: Counter = Counter()
    for outcome in done:
        redactions.update(outcome.redactions)
    summary = (
        f"{len(done)} files: {statuses['ingested']} ingested ({extracts} extracts), "
        f"{statuses['unchanged']} unchanged, {statuses['refused']} refused"
    )
    if redactions:
        summary += "; redacted " + _count_list(redactions)
    kept_aside = set_aside.note(
        sum(o.non_answers for o in done if o.status == "ingested"),
        sum(o.blank for o in done if o.status == "ingested"),
    )
    if kept_aside:
        summary += f"; {kept_aside}"
    print(summary)
    return done


def _count_list(counts) -> str:
    return ", ".join(f"{n} {label}" for label, n in sorted(counts.items()))


def _progress_bar():
    """A tqdm bar on stderr for embedding, only when a person is watching a terminal."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar = {"bar": None}

    def update(done: int, total: int) -> None:
        if bar["bar"] is None or bar["bar"].total != total:
            if bar["bar"] is not None:
                bar["bar"].close()
            bar["bar"] = tqdm(total=total, unit="text", desc="embedding", leave=False)
        bar["bar"].n = done
        bar["bar"].refresh()
        if done >= total:
            bar["bar"].close()
            bar["bar"] = None

    return update


def cmd_search(workspace: Workspace, args) -> int:
    problem = workspace.index_problem()  # a search over a part of the store says so
    try:
        results = workspace.search(args.query, k=args.k, kind=args.kind)
    except WorkspaceFault as err:  # the index cannot be used at all: what to do, once
        print(f"qlab: error: {err}", file=sys.stderr)
        return 1
    if problem:
        print(f"qlab: warning: {problem}", file=sys.stderr)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return 0
    if not results:
        print("no results" if problem else "no results (is the workspace empty? try `qlab status`)")
    for rank, hit in enumerate(results, 1):
        where = visible(hit["source"])
        if hit["page"]:
            where += f", page {hit['page']}"
        if hit["row"]:
            where += f", row {hit['row']}"
        print(f"{rank:2}. [{hit['score']:.2f}] {hit['kind']} · {where} · {hit['date'] or ''}")
        print(f"    {_one_line(hit['text'], 300)}")
    return 0


def _one_line(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def cmd_status(workspace: Workspace, args) -> int:
    try:
        status = workspace.status()
    except WorkspaceFault as err:  # a damaged index: the store's part is still worth showing
        status = dict(workspace.stored_status(), indexed=None)
        status["index_problem"] = str(err)
    else:
        status["index_problem"] = workspace.index_problem()
    if args.json:
        print(json.dumps(status, indent=2))
        return 0
    print(f"workspace {status['home']}")
    print(f"sources   {status['sources']} ({_count_list(status['sources_by_kind']) or 'none'})")
    print(f"extracts  {status['extracts']} ({_count_list(status['extracts_by_kind']) or 'none'})")
    print(f"people    {status['people']}")
    print(f"indexed   {'unknown' if status['indexed'] is None else status['indexed']}")
    if status["index_problem"]:
        print(f"index     {status['index_problem']}")
    if status["redactions"]:
        print(f"redacted  {_count_list(status['redactions'])}")
    if status["non_answers"] or status["blank_answers"]:
        kept = set_aside.note(status["non_answers"], status["blank_answers"])
        by_type = _count_list(status["non_answers_by_type"])
        print(f"survey    {kept}" + (f" ({by_type})" if by_type else ""))
    return 0


def cmd_check(workspace: Workspace, args) -> int:
    try:
        result = workspace.check()
    except WorkspaceFault as err:  # a damaged index: say what to do, in one line
        print(err)
        return 1
    if result.ok:
        print("ok: store and index hold the same extracts")
        return 0
    if result.missing_from_index:
        print(f"{len(result.missing_from_index)} extracts in the store are not in the index")
    if result.missing_from_store:
        print(f"{len(result.missing_from_store)} index entries have no extract in the store")
    print("run `qlab reindex` to rebuild the index from the store")
    return 1


def cmd_reindex(workspace: Workspace, args) -> int:
    count = workspace.reindex()
    print(f"reindexed {count} extracts")
    return 0


def cmd_demo(workspace: Workspace, args) -> int:
    from lab_app import demo

    outcomes = report_ingest(demo.load_demo(workspace, progress=_progress_bar()))
    for line in demo.first_look(workspace):  # first start: the app opens on the year's story
        print(line, flush=True)
    return 1 if any(outcome.status == "refused" for outcome in outcomes) else 0


def cmd_lab(workspace: Workspace, args) -> int:
    from lab_app.core.audit import current_user
    from lab_app.year import profile

    engine = workspace.store.engine
    changes = {"name": args.name, "question": args.question, "description": args.description}
    if any(value is not None for value in changes.values()):
        profile.set_profile(engine, current_user(), **changes)
    about = profile.profile(engine)
    if args.json:
        print(json.dumps(about, indent=2, ensure_ascii=False))
        return 0
    for field in profile.FIELDS:
        print(f"{field:12} {about[field] or '(not set: qlab lab --' + field + ' ...)'}")
    return 0


def cmd_settings(workspace, args) -> int:
    for name, env, default, help_text in describe():
        print(f"{env:24} {name} (default: {default or 'empty'})\n{'':24} {help_text}")
    return 0


def cmd_serve(workspace, args) -> int:
    """Run Streamlit on the app for the chosen workspace; usage statistics off. ui/server.py
    serves app.py plus the route that sets the HttpOnly sign-in cookie. Stopping this command
    (Ctrl-C, SIGTERM from a service manager, SIGHUP) stops Streamlit too."""
    import subprocess

    app = Path(__file__).resolve().parents[1] / "ui" / "server.py"
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    if args.home:
        env["QLAB_HOME"] = str(Path(args.home).resolve())
    if getattr(args, "lab", None):  # `qlab --lab SLUG serve`: the app opens on that Lab
        env["QLAB_LAB"] = args.lab
    command = [
        # lab_app.ui.serve loads the model and the workspace first, then runs `streamlit run`.
        sys.executable, "-m", "lab_app.ui.serve", str(app),
        "--server.address", args.address, "--server.port", str(args.port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        # Under load these two held the GIL most (py-spy, docs/benchmarks.md): a full garbage
        # collection after every run of every session (the model makes the heap large), and
        # the watcher re-reading every module's path after each run for edits to the code.
        "--runner.postScriptGC", "false", "--server.fileWatcherType", "none",
    ]  # fmt: skip
    child = subprocess.Popen(command, env=env)
    return _wait_forwarding_signals(child)


STOP_SIGNALS = ("SIGTERM", "SIGHUP")
STOP_SECONDS = 10  # Streamlit's own clean stop takes about a second


def _wait_forwarding_signals(child) -> int:
    """Wait for the child, passing on any stop signal this process gets: otherwise a service
    manager's SIGTERM ends `qlab serve` and leaves Streamlit serving on its own."""
    import signal

    def forward(number, _frame) -> None:
        if child.poll() is None:
            child.send_signal(number)

    previous = {}
    for name in STOP_SIGNALS:
        number = getattr(signal, name)
        previous[number] = signal.signal(number, forward)
    try:
        return child.wait()
    except KeyboardInterrupt:  # Ctrl-C, or SIGINT sent to this process alone
        return _stop(child)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if child.poll() is None:  # this process is being torn down some other way
            _stop(child)


def _stop(child) -> int:
    """Ask the child to stop, then make it."""
    import subprocess

    child.terminate()
    try:
        return child.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        return child.wait()


def _is_iso_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10
