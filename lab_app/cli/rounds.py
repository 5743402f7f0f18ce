"""`qlab exchange …`: Q Exchange rounds from the command line (open, propose, comment, shortlist,
vote, close, results). Members act `--as` themselves; staff actions run as the current user."""

from __future__ import annotations

import json

ACTIONS = (
    "open",
    "list",
    "show",
    "propose",
    "revise",
    "comment",
    "similar",
    "state",
    "shortlist",
    "vote",
    "close",
    "results",
)


def add_commands(commands) -> None:
    """Add `qlab exchange` and its actions to the `qlab` parser."""
    group = commands.add_parser("exchange", help="Q Exchange rounds: propose, comment, select")
    actions = group.add_subparsers(dest="exchange_command", required=True, metavar="ACTION")
    parsers = {name: _add(actions, name) for name in ACTIONS}
    for parser in parsers.values():
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.set_defaults(handler=run)


def _add(actions, name: str):
    helps = {
        "open": "open a round (staff)",
        "list": "rounds, or one round's proposals",
        "show": "a proposal with its versions and comments",
        "propose": "submit a proposal",
        "revise": "a new version of your proposal",
        "comment": "comment on a proposal",
        "similar": "proposals, ideas and themes like a text",
        "state": "move a round on (staff)",
        "shortlist": "choose the shortlist (staff)",
        "vote": "cast a ballot, or enter a paper one",
        "close": "count the ballots and make the winners ideas (staff)",
        "results": "counts (staff before closing; everyone after)",
    }
    parser = actions.add_parser(name, help=helps[name])
    if name == "open":
        parser.add_argument("question")
        for flag in ("--opens", "--proposals-close", "--event"):
            parser.add_argument(flag, required=True, help="YYYY-MM-DD")
        parser.add_argument("--shortlist", type=int, required=True, help="how many to shortlist")
        parser.add_argument("--select", type=int, required=True, help="how many win")
    elif name in ("list", "state", "shortlist", "vote", "close", "results", "propose"):
        parser.add_argument("round", nargs="?" if name == "list" else None)
    if name in ("show", "revise", "comment"):
        parser.add_argument("proposal")
    if name in ("propose", "revise"):
        required = name == "propose"
        parser.add_argument("--title", required=required)
        parser.add_argument("--problem", required=required, help="the problem it addresses")
        parser.add_argument("--idea", required=required, help="what you propose to do")
        parser.add_argument("--links", help="e.g. 'theme:T-3, extract:ab12…, idea:I-002'")
    if name == "comment":
        parser.add_argument("text")
        parser.add_argument("--reply-to", type=int, help="the comment this answers")
        parser.add_argument("--connects", help="'proposal:4, idea:I-002, theme:T-3, extract:…'")
    if name == "similar":
        parser.add_argument("text")
    if name == "state":
        parser.add_argument("state", choices=["shortlisting", "voting"])
    if name in ("shortlist", "vote"):
        parser.add_argument("proposals", nargs="+", help="proposal numbers")
    if name == "vote":
        parser.add_argument("--paper", action="store_true", help="a paper ballot, entered by staff")
    if name in ("propose", "revise", "comment", "vote"):
        parser.add_argument("--as", dest="member", help="the member (default: you)")
    return parser


def run(workspace, args) -> int:
    from lab_app.cli import rounds_output as output

    return output.HANDLERS[args.exchange_command](workspace, args)


def dump(value) -> int:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))
    return 0
