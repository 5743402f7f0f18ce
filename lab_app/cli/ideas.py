"""`qlab ideas …`, `qlab events …` and `qlab timeline changes`: ideas and the Lab's year."""

from __future__ import annotations

import json


def add_commands(commands) -> None:
    """Add this feature's subcommands to the `qlab` parser."""
    ideas = commands.add_parser("ideas", help="ideas: list, suggest, add, status, support…")
    actions = ideas.add_subparsers(dest="idea_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="ideas with status, supporters and themes")
    listing.add_argument("--json", action="store_true", help="print JSON")
    suggest = actions.add_parser("suggest", help="candidate ideas from proposals in contributions")
    suggest.add_argument("--json", action="store_true", help="print JSON")
    add = actions.add_parser("add", help="add an idea")
    add.add_argument("title")
    add.add_argument("--description", default="")
    status = actions.add_parser("status", help="move an idea to a status")
    status.add_argument("idea")
    status.add_argument(
        "status", choices=["emerging", "developing", "testing", "adopted", "parked"]
    )
    status.add_argument("--note", default="", help="why (kept in the idea's history)")
    essay = actions.add_parser("essay", help="mark an idea to be recommended in essays")
    essay.add_argument("idea")
    essay.add_argument("--off", action="store_true", help="take the mark away")
    support = actions.add_parser("support", help="back an idea as a participant")
    support.add_argument("idea")
    support.add_argument("--as", dest="participant", required=True, help="participant id")
    support.add_argument("--off", action="store_true", help="withdraw the backing")
    comment = actions.add_parser("comment", help="comment on an idea as a participant")
    comment.add_argument("idea")
    comment.add_argument("text")
    comment.add_argument("--as", dest="participant", required=True, help="participant id")
    link = actions.add_parser("link", help="link an idea to an extract, theme or source")
    link.add_argument("idea")
    link.add_argument("target_type", choices=["extract", "theme", "source"])
    link.add_argument("target_id")
    merge = actions.add_parser("merge", help="fold ideas into one")
    merge.add_argument("ideas", nargs="+")
    merge.add_argument("--into", required=True, help="the idea that remains")
    for parser in (listing, suggest, add, status, essay, support, comment, link, merge):
        parser.set_defaults(handler=run_ideas)

    events = commands.add_parser("events", help="the Lab's dated events")
    event_actions = events.add_subparsers(dest="event_command", required=True, metavar="ACTION")
    event_list = event_actions.add_parser("list", help="events in date order")
    event_list.add_argument("--json", action="store_true", help="print JSON")
    event_add = event_actions.add_parser("add", help="add a dated event")
    event_add.add_argument("date", help="YYYY-MM-DD")
    event_add.add_argument("title")
    event_add.add_argument("--kind", default="event", help="workshop, survey, milestone…")
    event_add.add_argument("--place", default="")
    event_add.add_argument("--description", default="")
    for parser in (event_list, event_add):
        parser.set_defaults(handler=run_events)

    timeline = commands.add_parser("timeline", help="the Lab's year: what changed since a date")
    timeline_actions = timeline.add_subparsers(dest="timeline_command", required=True)
    changes = timeline_actions.add_parser("changes", help="what changed since a date")
    changes.add_argument("--since", required=True, help="YYYY-MM-DD")
    changes.add_argument("--json", action="store_true", help="print JSON")
    changes.set_defaults(handler=run_timeline)


def run_ideas(workspace, args) -> int:
    from lab_app.core.audit import current_user
    from lab_app.year import ideas
    from lab_app.year import suggestions as idea_suggestions

    engine = workspace.store.engine
    action = args.idea_command
    if action == "list":
        rows = ideas.list_ideas(engine)
        if args.json:
            return _json(rows)
        for row in rows:
            themes = ", ".join(t["label"] for t in row["themes"])
            print(f"{row['id']}  {row['status']:10} {row['supporters']:3} backing  {row['title']}")
            if themes:
                print(f"{'':16}themes: {themes}")
    elif action == "suggest":
        found = idea_suggestions.suggest_ideas(workspace)
        if args.json:
            return _json(found)
        for candidate in found:
            print(
                f"{candidate['people']:3} people {candidate['mentions']:3} mentions  "
                f"{candidate['first_date']} → {candidate['last_date']}  {candidate['title']}"
            )
    elif action == "add":
        print(ideas.create_idea(engine, args.title, current_user(), args.description))
    elif action == "status":
        ideas.set_status(engine, args.idea, args.status, current_user(), args.note)
    elif action == "essay":
        ideas.mark_for_essay(engine, args.idea, current_user(), marked=not args.off)
    elif action == "support":
        change = ideas.unsupport if args.off else ideas.support
        change(engine, args.idea, args.participant)
    elif action == "comment":
        ideas.comment(engine, args.idea, args.participant, args.text)
    elif action == "link":
        ideas.link(engine, args.idea, args.target_type, args.target_id, current_user())
    elif action == "merge":
        ideas.merge(engine, args.ideas, args.into, current_user())
    return 0


def run_events(workspace, args) -> int:
    from lab_app.core.audit import current_user
    from lab_app.year import timeline

    engine = workspace.store.engine
    if args.event_command == "add":
        event_id = timeline.add_event(
            engine, args.date, args.title, current_user(), args.kind, args.place, args.description
        )
        print(event_id)
        return 0
    rows = timeline.list_events(engine)
    if args.json:
        return _json(rows)
    for row in rows:
        place = f" ({row['place']})" if row["place"] else ""
        print(f"{row['date']}  {row['phase'] or '-':10} {row['kind']:10} {row['title']}{place}")
    return 0


def run_timeline(workspace, args) -> int:
    from lab_app.year import changes as timeline_changes

    changes = timeline_changes.changes_since(workspace.store.engine, args.since)
    if args.json:
        return _json(changes)
    for line in timeline_changes.summary_lines(changes):
        print(line)
    return 0


def _json(value) -> int:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))
    return 0
