"""`qlab groups` and `qlab tensions`: opinion groups from votes, tensions with their evidence."""

from __future__ import annotations

import json


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
    from lab_app.opinions import groups as opinion_groups

    result = opinion_groups.from_workspace(workspace.store.engine)
    rows = result.groups() if result else []
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if result is None:
        print("no opinion groups yet: they need votes from at least 3 people on 2 statements")
        return 0
    sizes = ", ".join(f"group {g}: {n}" for g, n in result.group_sizes().items())
    left_out = len(result.participants) - len(result.labels)
    print(f"{result.k} groups over {len(result.labels)} participants ({sizes})")
    if left_out:
        print(f"{left_out} participants voted too little to be grouped")
    return 0


def cmd_tensions(workspace, args) -> int:
    from lab_app.opinions import tensions

    engine = workspace.store.engine
    if args.refresh:
        done = tensions.refresh(workspace)
        if not args.json:
            found = ", ".join(f"{n} from {s}" for s, n in sorted(done["signals"].items()))
            print(f"found {found or 'none'}: {done['new']} new, {done['updated']} updated")
    rows = tensions.list_tensions(engine, include_dismissed=args.all)
    if args.json:
        print(json.dumps([tensions.as_json(r) for r in rows], indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("no tensions yet: run `qlab tensions --refresh` (themes or votes needed)")
    for row in rows:
        print(f"{row['id']}  {row['signal']:10} {row['status']:9}  {row['title']}")
        for side in row["sides"]:
            print(f"    {side['label']}: {side['summary']}")
    return 0


def cmd_decide(workspace, args) -> int:
    from lab_app.core.audit import current_user
    from lab_app.opinions import tensions

    status = "confirmed" if args.action == "confirm" else "dismissed"
    row = tensions.decide(workspace.store.engine, args.tension, status, args.by or current_user())
    print(f"{row['id']}: {row['status']} (kept through every recompute)")
    return 0
