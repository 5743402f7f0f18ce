"""`qlab labs`: the deployment's Labs, a person's role in each, and search across them."""

from __future__ import annotations

import json
import sys

from lab_app.core.audit import current_user
from lab_app.core.faults import visible
from lab_app.core.settings import Settings
from lab_app.network import cross_search, members
from lab_app.network.registry import Deployment


def add_commands(commands) -> None:
    """Add `qlab labs ...` to the `qlab` parser."""
    labs = commands.add_parser("labs", help="several Labs on one deployment (docs/labs.md)")
    actions = labs.add_subparsers(dest="labs_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="create a Lab with its own workspace")
    add.add_argument("slug", help="3-40 lower-case letters, digits and hyphens (e.g. north-east)")
    add.add_argument("--name", required=True, help="the Lab's name as people read it")
    listing = actions.add_parser("list", help="every Lab on this deployment")
    listing.add_argument("--json", action="store_true", help="print JSON")
    grant = actions.add_parser("grant", help="give an account a role in a Lab (none: take it)")
    grant.add_argument("slug", help="the Lab (default: the deployment's own)")
    grant.add_argument("person", help="the account's name (`qlab users list`)")
    grant.add_argument("role", choices=members.ROLES)
    mine = actions.add_parser("roles", help="the Labs where an account has a role")
    mine.add_argument("person")
    mine.add_argument("--json", action="store_true", help="print JSON")
    search = actions.add_parser("search", help="search every Lab you are staff of")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=10, help="number of results (default 10)")
    search.add_argument("--kind", help="only extracts of this kind")
    search.add_argument("--json", action="store_true", help="print JSON")
    withdraw = actions.add_parser(
        "withdraw", help="withdraw a person from every Lab and remove their account"
    )
    withdraw.add_argument("person")
    labs.set_defaults(handler=cmd_labs, needs_workspace=False)


def cmd_labs(_workspace, args) -> int:
    deployment = Deployment(Settings.from_env(home=args.home))
    try:
        return ACTIONS[args.labs_command](deployment, args)
    except PermissionError as err:  # who may do what: said in one line, like other refusals
        print(f"qlab: error: {err}", file=sys.stderr)
        return 1
    finally:
        deployment.close()


def _add(deployment: Deployment, args) -> int:
    who = current_user()
    members.require_manager(deployment, deployment.lab("default"), who)
    lab = deployment.add(args.slug, args.name, who=who)
    print(f"added Lab {lab.slug} ({visible(lab.name)}); grant roles with `qlab labs grant`")
    return 0


def _list(deployment: Deployment, args) -> int:
    rows = [{"slug": lab.slug, "name": lab.name} for lab in deployment.labs()]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        print(f"{row['slug']:24} {visible(row['name'])}")
    return 0


def _grant(deployment: Deployment, args) -> int:
    lab = members.grant(deployment, args.slug, args.person, args.role, who=current_user())
    print(f"{args.person}: {args.role} in {lab.slug} ({visible(lab.name)})")
    return 0


def _roles(deployment: Deployment, args) -> int:
    rows = [
        {"slug": m.lab.slug, "name": m.lab.name, "role": m.role}
        for m in members.memberships(deployment, args.person)
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print(f"{args.person} has no role in any Lab")
    for row in rows:
        print(f"{row['slug']:24} {row['role']:12} {visible(row['name'])}")
    return 0


def _search(deployment: Deployment, args) -> int:
    who = current_user()
    person = who if members.account(deployment, who) else None
    labs = cross_search.searchable_labs(deployment, person)
    if not labs:
        raise ValueError(f"{who} is staff of no Lab: cross-Lab search is for Lab staff")
    results = cross_search.search(deployment, args.query, labs, k=args.k, kind=args.kind)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return 0
    if not results:
        print(f"no results in {', '.join(lab.slug for lab in labs)}")
    for rank, hit in enumerate(results, 1):
        where = f"{hit['lab']} · {hit['kind']} · {visible(hit['source'])}"
        print(f"{rank:2}. [{hit['score']:.2f}] {where} · {hit['date'] or ''}")
        flat = " ".join(hit["text"].split())
        print(f"    {flat if len(flat) <= 300 else flat[:299] + '…'}")
    return 0


def _withdraw(deployment: Deployment, args) -> int:
    removed = members.withdraw_everywhere(deployment, args.person, who=current_user())
    if not removed:
        raise ValueError(f"no Lab holds anything of {args.person!r}: see `qlab export extracts`")
    for slug, count in removed.items():
        print(f"withdrawn from {slug}: {count} extract{'' if count == 1 else 's'} removed")
    return 0


ACTIONS = {
    "add": _add,
    "list": _list,
    "grant": _grant,
    "roles": _roles,
    "search": _search,
    "withdraw": _withdraw,
}
