"""`qlab themes ...`: build, list and curate themes; a theme's history; volumes over time."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ingest.records import KINDS

if TYPE_CHECKING:  # the workspace (Chroma, the model) loads only when a command runs
    from lab_app.workspace import Workspace


def add_commands(commands) -> None:
    """Add `qlab themes` and its actions to the `qlab` parser."""
    themes = commands.add_parser("themes", help="find, list and curate themes")
    theme_commands = themes.add_subparsers(dest="theme_command", required=True, metavar="ACTION")
    build = theme_commands.add_parser("build", help="build or rebuild themes")
    build.add_argument("--kind", choices=KINDS, help="only extracts of this kind")
    build.add_argument("--themes", type=int, help="how many themes (default: chosen from data)")
    build.add_argument("--fresh", action="store_true", help="regroup everything not fixed by staff")
    build.add_argument("--json", action="store_true", help="print JSON")
    listing = theme_commands.add_parser("list", help="themes with id, label, size, area, status")
    listing.add_argument("--json", action="store_true", help="print JSON")
    unsorted = theme_commands.add_parser("unsorted", help="the extracts that fit no theme")
    unsorted.add_argument("--json", action="store_true", help="print JSON")
    _curation_commands(theme_commands)
    themes.set_defaults(handler=cmd_themes)


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
    move = add("move", help="put one or more extracts in a theme (one action, one undo)")
    move.add_argument("extracts", nargs="+", metavar="extract")
    move.add_argument("theme")
    exclude = add("exclude", help="keep one or more extracts out of every theme (one action)")
    exclude.add_argument("extracts", nargs="+", metavar="extract")
    pin = add("pin", help="pin an extract as an exemplar of its theme")
    pin.add_argument("extract")
    lock = add("lock", help="freeze a theme: no automatic additions, names kept")
    lock.add_argument("theme")
    lock.add_argument("--off", action="store_true", help="unlock instead")
    add("undo", help="undo your own last curation action (QLAB_USER, else your OS account)")
    history = add("history", help="a theme's dated history")
    history.add_argument("theme")
    history.add_argument("--json", action="store_true", help="print JSON")
    timeline = add("timeline", help="extracts per theme per month or Lab phase")
    timeline.add_argument("--by", choices=["month", "phase"], default="month")
    timeline.add_argument("--json", action="store_true", help="print JSON")


def cmd_themes(workspace: Workspace, args) -> int:
    done = _theme_action(workspace, args)
    if done:
        print(done)
        return 0
    if args.theme_command in ("history", "timeline", "unsorted"):
        return _theme_reading(workspace, args)
    if args.theme_command == "build":
        report = workspace.build_themes(kind=args.kind, k=args.themes, fresh=args.fresh)
        if args.json:
            print(json.dumps(report, indent=2))
            return 0
        print(
            f"{report['themes']} themes over {report['extracts']} extracts ({report['mode']}); "
            f"unsorted {report['unsorted']} ({report['unsorted_share']:.1%})"
        )
        if report.get("fit_none"):
            from lab_app.themes.unsorted import fit_none

            print(f"{fit_none(report['fit_none'])}: review with `qlab themes unsorted`")
        for key in ("new", "grown", "merged", "split", "faded"):
            if report[key]:
                print(f"{key:7} {', '.join(report[key])}")
        return 0
    rows = workspace.list_themes()
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("no themes yet: run `qlab themes build`")
    area = None
    for row in rows:
        if row["area"] != area:
            area = row["area"]
            print(f"\n{area}")
        flag = "" if row["status"] == "active" else f" [{row['status']}]"
        print(f"  {row['id']}  {row['size']:5}  {row['label']}{flag}")
    from lab_app.themes.unsorted import unsorted_count

    left = unsorted_count(workspace.store.engine)
    if rows and left:
        print(f"\nUnsorted\n  {'':5}  {left:5}  fit no theme: `qlab themes unsorted` lists them")
    return 0


def _theme_action(workspace: Workspace, args) -> str | None:
    """Carry out a curation subcommand; return the line to print, or None if not one."""
    from lab_app.core.audit import current_user
    from lab_app.themes import curation
    from lab_app.themes.undo import last_done

    engine = workspace.store.engine
    action = args.theme_command
    if action == "rename":
        curation.rename(engine, args.theme, args.label)
    elif action == "describe":
        curation.describe(engine, args.theme, args.text)
    elif action == "merge":
        curation.merge(engine, args.themes, args.into)
    elif action == "split":
        curation.split(engine, args.theme, args.parts)
    elif action == "move":
        curation.move(engine, args.extracts, args.theme)
    elif action == "exclude":
        curation.exclude(engine, args.extracts)
    elif action == "pin":
        curation.pin(engine, args.extract)
    elif action == "lock":
        curation.lock(engine, args.theme, locked=not args.off)
    elif action == "undo":
        return curation.undo(engine)["message"]
    else:
        return None
    # Named by label and text, never by id; the ids stay available in `qlab themes list`.
    said = last_done(engine, current_user())
    return f"{said} Kept through rebuilds; `qlab themes undo` reverses it."


def _theme_reading(workspace: Workspace, args) -> int:
    from lab_app.themes import over_time as theme_time
    from lab_app.themes.state import history_for

    if args.theme_command == "unsorted":
        from lab_app.themes.unsorted import unsorted_extracts

        rows = unsorted_extracts(workspace.store.engine)
        if args.json:
            print(json.dumps(rows, indent=2, ensure_ascii=False))
            return 0
        if not rows:
            print("every extract fits a theme (or is kept out of every theme)")
            return 0
        for row in rows:
            print(f"  {row['id']}  {row['kind']:12}  {row['text']}")
        print(f"{len(rows):,} in Unsorted. `qlab themes move EXTRACT… THEME` places one or more;")
        print("`qlab themes exclude EXTRACT…` keeps them out of every theme.")
        return 0
    if args.theme_command == "history":
        rows = history_for(workspace.store.engine, args.theme)
        if args.json:
            print(json.dumps(rows, indent=2, default=str))
            return 0
        for row in rows:
            size = "" if row["size"] is None else f" size {row['size']}"
            print(f"{row['at']:%Y-%m-%d %H:%M}  {row['event']:9}{size}  {row['label'] or ''}")
        return 0
    rows = theme_time.volumes(workspace.store.engine, by=args.by)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        print(f"{row['theme_id']}  {row['period']:20}  {row['extracts']}")
    return 0
