"""What each `qlab` subcommand does with an open workspace, and how it prints the answer."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from lab_app import demo
from lab_app.workspace import FileOutcome, Workspace


def open_workspace(settings) -> Workspace:
    return Workspace(settings)


def cmd_ingest(workspace: Workspace, args) -> int:
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
    return 1 if any(outcome.status == "refused" for outcome in outcomes) else 0


def report_ingest(outcomes) -> list[FileOutcome]:
    """Print one line per file as it finishes, then a summary line."""
    done: list[FileOutcome] = []
    for outcome in outcomes:
        done.append(outcome)
        if outcome.status == "ingested":
            line = f"ingested {outcome.path}: {outcome.extracts} extracts"
            if outcome.redactions:
                line += " (redacted " + _count_list(outcome.redactions) + ")"
        elif outcome.status == "unchanged":
            line = f"unchanged {outcome.path}"
            if outcome.reason:
                line += f" ({outcome.reason})"
        else:
            line = f"refused {outcome.path}: {outcome.reason}"
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
    results = workspace.search(args.query, k=args.k, kind=args.kind)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return 0
    if not results:
        print("no results (is the workspace empty? try `qlab status`)")
    for rank, hit in enumerate(results, 1):
        where = hit["source"]
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
    status = workspace.status()
    if args.json:
        print(json.dumps(status, indent=2))
        return 0
    print(f"workspace {status['home']}")
    print(f"sources   {status['sources']} ({_count_list(status['sources_by_kind']) or 'none'})")
    print(f"extracts  {status['extracts']} ({_count_list(status['extracts_by_kind']) or 'none'})")
    print(f"people    {status['people']}")
    print(f"indexed   {status['indexed']}")
    if status["redactions"]:
        print(f"redacted  {_count_list(status['redactions'])}")
    return 0


def cmd_check(workspace: Workspace, args) -> int:
    result = workspace.check()
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


def cmd_export(workspace: Workspace, args) -> int:
    if args.what == "extracts":
        count = workspace.export_extracts(Path(args.out))
        print(f"wrote {count} extracts to {args.out}")
        return 0
    from lab_app import exchange  # REFI-QDA, Excel and Pol.is exports

    print(exchange.export(workspace, args.what, Path(args.out)))
    return 0


def cmd_import(workspace: Workspace, args) -> int:
    if args.what == "polis":
        from lab_app import polis

        print(polis.import_polis(workspace, Path(args.path)))
    else:
        from lab_app import exchange

        print(exchange.import_codebook(workspace, Path(args.path)))
    return 0


def cmd_demo(workspace: Workspace, args) -> int:
    outcomes = report_ingest(demo.load_demo(workspace, progress=_progress_bar()))
    for line in demo.first_look(workspace):  # first start: the app opens on the year's story
        print(line, flush=True)
    return 1 if any(outcome.status == "refused" for outcome in outcomes) else 0


def cmd_themes(workspace: Workspace, args) -> int:
    done = _theme_action(workspace, args)
    if done:
        print(done)
        return 0
    if args.theme_command in ("history", "timeline"):
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
    return 0


def _theme_action(workspace: Workspace, args) -> str | None:
    """Carry out a curation subcommand; return the line to print, or None if not one."""
    from lab_app import curation

    engine = workspace.store.engine
    action = args.theme_command
    if action == "rename":
        curation.rename(engine, args.theme, args.label)
    elif action == "describe":
        curation.describe(engine, args.theme, args.text)
    elif action == "merge":
        curation.merge(engine, args.themes, args.into)
    elif action == "split":
        return "split into " + ", ".join(curation.split(engine, args.theme, args.parts))
    elif action == "move":
        curation.move(engine, args.extract, args.theme)
    elif action == "exclude":
        curation.exclude(engine, args.extract)
    elif action == "pin":
        curation.pin(engine, args.extract)
    elif action == "lock":
        curation.lock(engine, args.theme, locked=not args.off)
    elif action == "undo":
        done = curation.undo(engine)
        return f"undid {done['undid']} of {done['target']}"
    else:
        return None
    return f"{action}: done (kept through every later build; `qlab themes undo` reverses it)"


def _theme_reading(workspace: Workspace, args) -> int:
    from lab_app import theme_time
    from lab_app.theme_state import history_for

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
