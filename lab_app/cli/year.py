"""`qlab groups` and `qlab tensions`: opinion groups from votes, tensions with their evidence."""

from __future__ import annotations

import json

NO_WORDS = "(no words on this side that participants may read: not quoted here)"


def add_commands(commands) -> None:
    """Add this feature's subcommands to the `qlab` parser."""
    groups = commands.add_parser("groups", help="opinion groups from agree/disagree/pass votes")
    groups.add_argument("--json", action="store_true", help="print JSON")
    groups.set_defaults(handler=cmd_groups)

    tensions = commands.add_parser("tensions", help="tensions found from votes, answers and text")
    tensions.add_argument("--json", action="store_true", help="print JSON")
    tensions.add_argument("--refresh", action="store_true", help="recompute before listing")
    tensions.add_argument("--all", action="store_true", help="include dismissed ones")
    tensions.set_defaults(handler=cmd_tensions)

    for action in ("confirm", "dismiss"):
        decide = commands.add_parser(f"tension-{action}", help=f"staff: {action} a tension")
        decide.add_argument("tension", help="its id, from `qlab tensions`")
        decide.add_argument("--by", help="who decides (default: the current user)")
        decide.set_defaults(handler=cmd_decide, action=action)


def cmd_groups(workspace, args) -> int:
    from lab_app.opinions import group_views
    from lab_app.opinions import groups as opinion_groups

    engine = workspace.store.engine
    result = opinion_groups.from_workspace(engine)
    if args.json:
        data = group_views.as_data(engine, result) if result else {"k": 0, "groups": []}
        data["participants"] = result.groups() if result else []
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    if result is None:
        print("no opinion groups yet: they need votes from at least 3 people on 2 statements")
        return 0
    data = group_views.as_data(engine, result)
    sizes = ", ".join(f"group {g['group']}: {g['size']}" for g in data["groups"])
    print(f"{result.k} groups over {len(result.labels)} participants ({sizes})")
    if data["ungrouped"]:
        print(f"{data['ungrouped']} participants voted too little to be grouped")
    words = group_views.sentences(data)
    for line in words["shared"]:
        print(f"  {line['lead']} “{_short(line['text'])}”")
    for name, group in words["apart"].items():
        print(f"group {name} ({group['size']} people):")
        for line in group["lines"]:
            print(f"  {line['lead']} “{_short(line['text'])}”")
    return 0


def _short(text: str, width: int = 110) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def cmd_tensions(workspace, args) -> int:
    from lab_app.opinions import tensions

    engine = workspace.store.engine
    done = tensions.refresh(workspace) if args.refresh else tensions.ensure_fresh(workspace)
    if done and not args.json:
        found = ", ".join(f"{n} from {s}" for s, n in sorted(done["signals"].items()))
        print(f"recomputed: {found or 'none'}; {done['new']} new, {done['updated']} updated")
    rows = tensions.list_tensions(engine, include_dismissed=args.all)
    if args.json:
        print(json.dumps([tensions.as_json(r) for r in rows], indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("no tensions yet: they come from votes, agreement questions and themes")
    main = [r for r in rows if r["signal"] != "text" or r["status"] == "confirmed"]
    review = [r for r in rows if r not in main]
    for number, row in enumerate(main + review, 1):
        if number == len(main) + 1:
            print("\ntext suggestions for staff to review (replies that push back on a post; "
                  "confirm only if the two sides oppose on the same point):")  # fmt: skip
        weak = "" if tensions.likely(row) else ", below the stance threshold"
        print(f"{number:2}. {row['title']}")
        print(f"    {row['id']} · {row['signal']} · {row['status']}{weak}")
        _print_sides(engine, row)
    return 0


def _print_sides(engine, row: dict) -> None:
    """Each side's summary and one quote in its own words (only what participants may read)."""
    from lab_app.opinions.tension_views import side_quotes

    for side in row["sides"]:
        print(f"    {side['label']}: {_short(side['summary'])}")
        quotes = side_quotes(engine, row, side)
        for quote in quotes:
            print(f"      “{_short(quote, 160)}”")
        if not quotes:  # a blank here read as a fault; it is consent doing its job
            print(f"      {NO_WORDS}")


def cmd_decide(workspace, args) -> int:
    from lab_app.core.audit import current_user
    from lab_app.opinions import tensions

    status = "confirmed" if args.action == "confirm" else "dismissed"
    row = tensions.decide(workspace.store.engine, args.tension, status, args.by or current_user())
    print(f"{row['id']}: {row['status']} (kept through every recompute)")
    return 0
