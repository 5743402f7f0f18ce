"""`qlab people findable` and `qlab people find`: opting in to be found, and finding people."""

from __future__ import annotations

import json

from lab_app.core.audit import current_user

ACTIONS = ("findable", "find")


def add_commands(actions) -> None:
    """Add the finder's actions to the `qlab people` parser."""
    findable = actions.add_parser(
        "findable", help="let an account be found by its expertise, or stop (--off)"
    )
    findable.add_argument(
        "--name", help="the account (default: you, as $QLAB_USER or your system user)"
    )
    findable.add_argument("--shown-as", help="the name others see (the sign-in name never is)")
    findable.add_argument("--expertise", help="a line about what they know, in their words")
    findable.add_argument("--off", action="store_true", help="stop being findable")
    find = actions.add_parser("find", help="findable people who know about something")
    find.add_argument("query", help='e.g. "peer support in rural areas"')
    find.add_argument("--limit", type=int, default=10, help="at most N people (default 10)")
    find.add_argument("--json", action="store_true", help="print JSON")


def run(workspace, args) -> int:
    if args.people_command == "find":
        return _find(workspace, args)
    return _findable(workspace, args)


def _findable(workspace, args) -> int:
    from lab_app.people import finder

    engine, who = workspace.store.engine, current_user()
    account = args.name or who
    if args.off:
        if args.expertise or args.shown_as:
            raise ValueError("--off takes no --expertise or --shown-as: it deletes the profile")
        gone = finder.set_unfindable(engine, account, who=who)
        print(f"{account} is {'no longer' if gone else 'not'} findable")
        return 0
    if args.expertise is None and args.shown_as is None:
        profile = finder.profile_of(engine, account)
        if profile is None:
            print(f"{account} is not findable")
        else:
            print(f"{account} is findable as {profile['shown_as']}: {profile['expertise']}")
        return 0
    current = finder.profile_of(engine, account) or {}
    shown_as = args.shown_as or current.get("shown_as")
    expertise = args.expertise or current.get("expertise")
    if not shown_as or not expertise:
        raise ValueError("give both --shown-as NAME and --expertise TEXT to become findable")
    saved = finder.set_findable(workspace, account, shown_as, expertise, who=who)
    print(f"{account} is findable as {saved['shown_as']}: {saved['expertise']}")
    if saved["redactions"]:
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(saved["redactions"].items()))
        print(f"identifiers replaced in the expertise: {kinds}")
    return 0


def _find(workspace, args) -> int:
    from lab_app.people import finder

    found = finder.find(workspace, args.query, limit=args.limit)
    if args.json:
        rows = [dict(f.as_dict(), rank=rank) for rank, f in enumerate(found, 1)]
        print(json.dumps({"query": args.query, "people": rows}, indent=2, ensure_ascii=False))
        return 0
    if not found:
        print("nobody findable knows about that (people opt in with `qlab people findable`)")
        return 0
    for rank, person in enumerate(found, 1):
        print(f"{rank}. {person.shown_as}  (score {person.score:.2f})")
        print(f"   expertise: {person.expertise}")
        for match in person.matches:
            if match["kind"] == "idea":
                print(f"   proposed idea {match['idea_id']}: {match['text']}")
            else:
                when = f" ({match['date']})" if match["date"] else ""
                print(f"   wrote{when}: “{match['text']}”")
    return 0
