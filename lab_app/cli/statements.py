"""`qlab statements add|list|approve`: short statements participants vote on (staff side)."""

from __future__ import annotations

import json


def add_commands(commands) -> None:
    """Add this feature's subcommands to the `qlab` parser."""
    group = commands.add_parser("statements", help="statements to vote on: add, list, approve")
    actions = group.add_subparsers(dest="statement_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="write a statement (open for votes at once)")
    add.add_argument("text", nargs="?", default="", help="the statement (at most 140 characters)")
    add.add_argument("--extract", help="pick it from this extract (its first sentences)")
    add.add_argument("--json", action="store_true", help="print JSON")
    listing = actions.add_parser("list", help="statements with status and votes")
    listing.add_argument("--status", choices=["pending", "approved", "rejected"])
    listing.add_argument("--json", action="store_true", help="print JSON")
    approve = actions.add_parser("approve", help="open a proposed statement for votes")
    approve.add_argument("statement", help="its number, from `qlab statements list`")
    approve.add_argument("--reject", action="store_true", help="turn it down instead")
    approve.add_argument("--json", action="store_true", help="print JSON")
    for parser in (add, listing, approve):
        parser.set_defaults(handler=run)


def run(workspace, args) -> int:
    from lab_app.core.audit import current_user
    from lab_app.opinions import statements

    engine = workspace.store.engine
    action = args.statement_command
    if action == "list":
        rows = statements.listing(engine, args.status)
        if args.json:
            return _json(rows)
        for row in rows:
            votes = row["votes"]
            counts = f"{votes['agree']}/{votes['disagree']}/{votes['pass']}"
            print(f"{row['id']:4}  {row['status']:8}  {counts:>9}  {row['text']}")
        if not rows:
            print("no statements yet: `qlab statements add TEXT` writes one")
        return 0
    if action == "add":
        if args.extract:
            number = statements.from_extract(engine, args.extract, current_user(), args.text)
        else:
            number = statements.write(engine, args.text, current_user())
    else:
        number = int(statements.get(engine, args.statement)["id"])
        statements.review(engine, number, approve=not args.reject, who=current_user())
    row = statements.get(engine, number)
    if args.json:
        return _json(row)
    print(f"statement {number} {row['status']}: {row['text']}")
    return 0


def _json(value) -> int:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))
    return 0
