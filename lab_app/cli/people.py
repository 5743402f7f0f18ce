"""`qlab` subcommands for people: accounts, consent, withdrawal, backup and the audit trail."""

from __future__ import annotations

import json
from pathlib import Path

from lab_app.cli import finder as finder_commands
from lab_app.core.audit import current_user
from lab_app.people.accounts import ROLES


def add_commands(commands) -> None:
    """Add this feature's subcommands to the `qlab` parser."""
    users = commands.add_parser("users", help="accounts: staff and participants")
    actions = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="create an account and print its password")
    add.add_argument("name")
    add.add_argument(
        "--role", choices=ROLES, default="participant", help="default: participant (least power)"
    )
    add.add_argument(
        "--sso", action="store_true", help="signs in through the identity provider (no password)"
    )
    listing = actions.add_parser("list", help="every account with its role and state")
    listing.add_argument("--json", action="store_true", help="print JSON")
    disable = actions.add_parser("disable", help="stop an account signing in")
    disable.add_argument("name")
    enable = actions.add_parser("enable", help="let a disabled account sign in again")
    enable.add_argument("name")
    password = actions.add_parser("password", help="give an account a new random password")
    password.add_argument("name")
    users.set_defaults(handler=cmd_users)

    people = commands.add_parser("people", help="consent and withdrawal of the Lab's people")
    actions = people.add_subparsers(dest="people_command", required=True, metavar="ACTION")
    withdraw = actions.add_parser(
        "withdraw", help="remove everything a person gave the Lab (cannot be undone)"
    )
    withdraw.add_argument("person", help="as in the person column of `qlab export extracts`")
    consent = actions.add_parser("consent", help="what a person (or a source) agreed to")
    consent.add_argument("person", help="a person, or a source path with --source")
    consent.add_argument("--source", action="store_true", help="PERSON is a source path")
    consent.add_argument("--show", help="may be shown to participants: yes|no")
    consent.add_argument("--quote", help="may be quoted in publications: yes|no")
    listing = actions.add_parser("list", help="people with extracts, and recorded consent")
    listing.add_argument("--json", action="store_true", help="print JSON")
    finder_commands.add_commands(actions)
    people.set_defaults(handler=cmd_people)

    backup = commands.add_parser("backup", help="save store, files and settings to one file")
    backup.add_argument("file", type=Path, metavar="FILE")
    backup.set_defaults(handler=cmd_backup)
    restore = commands.add_parser("restore", help="fill an empty workspace from a backup")
    restore.add_argument("file", type=Path, metavar="FILE")
    restore.add_argument(
        "--replace", action="store_true", help="replace what the workspace holds now"
    )
    restore.set_defaults(handler=cmd_restore)

    audit = commands.add_parser("audit", help="the audit trail: who did what, when")
    audit.add_argument("--action", help="only this action or group (e.g. sign_in, curate)")
    audit.add_argument("--who", help="only this account")
    audit.add_argument("--limit", type=int, default=200, help="newest N lines (default 200)")
    audit.add_argument("--json", action="store_true", help="print JSON")
    audit.set_defaults(handler=cmd_audit)


def cmd_users(workspace, args) -> int:
    from lab_app.people import accounts

    engine = workspace.store.engine
    who = current_user()
    action = args.users_command
    lab = workspace.settings.lab  # a Lab other than the default holds roles, not passwords
    if lab and action in ("add", "password"):
        raise ValueError(
            f"accounts are the deployment's: run `qlab users {action}` without --lab, then "
            f"`qlab labs grant {lab} NAME ROLE` (docs/labs.md)"
        )
    if action == "add":
        if args.sso:
            accounts.add_sso_user(engine, args.name, args.role, who=who)
            print(f"added {args.role} {args.name} (signs in through the identity provider)")
        else:
            password = accounts.add_user(engine, args.name, args.role, who=who)
            print(f"added {args.role} {args.name}; password: {password}")
            print("give it to them privately; `qlab users password NAME` makes a new one")
    elif action == "list":
        rows = accounts.list_users(engine)
        if args.json:
            print(json.dumps(rows, indent=2, default=str))
            return 0
        for row in rows:
            state = "active" if row["active"] else "disabled"
            last = f"{row['last_sign_in']:%Y-%m-%d %H:%M}" if row["last_sign_in"] else "never"
            print(f"{row['name']:30} {row['role']:12} {state:9} last sign-in {last}")
    elif action in ("disable", "enable"):
        accounts.set_active(engine, args.name, action == "enable", who=who)
        print(f"{action}d {args.name}")
    elif action == "password":
        print(f"new password for {args.name}: {accounts.set_password(engine, args.name, who=who)}")
    return 0


def cmd_people(workspace, args) -> int:
    from lab_app.material import consent
    from lab_app.people import withdrawal

    engine = workspace.store.engine
    if args.people_command in finder_commands.ACTIONS:
        return finder_commands.run(workspace, args)
    if args.people_command == "withdraw":
        done = withdrawal.withdraw(workspace, args.person, who=current_user())
        print(
            f"withdrawn: {done.extracts} extracts, {done.pending_contributions} contributions, "
            f"{done.votes} votes, {done.idea_support + done.idea_comments} idea backings and "
            f"comments removed; {len(done.themes)} themes "
            f"{'rebuilt' if done.themes_rebuilt else 'touched'}"
        )
        if done.round_proposals or done.round_comments or done.round_ballots:
            print(
                f"Q Exchange: {done.round_proposals} proposals, {done.round_comments} comments "
                f"and {done.round_ballots} ballots removed"
            )
        if done.essays_flagged:
            print(f"essay drafts flagged for review: {', '.join(map(str, done.essays_flagged))}")
        print("a later ingest of their files leaves them out")
        return 0
    if args.people_command == "list":
        rows = {"people": consent.people_with_extracts(engine), "consent": consent.recorded(engine)}
        if args.json:
            print(json.dumps(rows, indent=2, default=str))
            return 0
        recorded = {(r["subject_type"], r["subject_id"]): r for r in rows["consent"]}
        for row in rows["people"]:
            mark = _consent_words(recorded.get(("person", row["person"])))
            print(f"{row['person']:40} {row['extracts']:5} extracts  {mark}")
        for (kind, subject), row in sorted(recorded.items()):
            if kind == "source":
                print(f"source {subject}  {_consent_words(row)}")
        return 0
    subject_type = "source" if args.source else "person"
    show, quote = consent.parse_yes_no(args.show), consent.parse_yes_no(args.quote)
    if show is None and quote is None:
        values = consent.consent_of(engine, subject_type, args.person)
    else:
        values = consent.set_consent(
            engine,
            subject_type,
            args.person,
            who=current_user(),
            show_to_participants=show,
            quote_in_publications=quote,
        )
    print(f"{subject_type} {args.person}: {_consent_words(values)}")
    return 0


def _consent_words(row) -> str:
    if row is None:
        return "shown, quotable (default)"
    shown = "shown" if row["show_to_participants"] else "not shown"
    quoted = "quotable" if row["quote_in_publications"] else "not quotable"
    return f"{shown}, {quoted}"


def cmd_backup(workspace, args) -> int:
    from lab_app.material.backup import backup

    manifest = backup(workspace, args.file, who=current_user())
    rows = sum(manifest["tables"].values())
    print(f"backed up {rows} rows in {len(manifest['tables'])} tables and "
          f"{len(manifest['files'])} files to {args.file}")  # fmt: skip
    return 0


def cmd_restore(workspace, args) -> int:
    from lab_app.material.backup import restore

    manifest = restore(workspace, args.file, replace=args.replace, who=current_user())
    print(f"restored the backup of {manifest['created']} ({workspace.index.count()} indexed)")
    if manifest["settings_differ"]:
        print(
            "settings differ from the backed-up workspace: "
            + ", ".join(manifest["settings_differ"])
        )
    return 0


def cmd_audit(workspace, args) -> int:
    from lab_app.core import audit as audit_log

    rows = audit_log.read(
        workspace.store.engine, action=args.action, who=args.who, limit=args.limit
    )
    if args.json:
        print(json.dumps(audit_log.as_json_rows(rows), indent=2, ensure_ascii=False))
        return 0
    for row in rows:
        target = f" {row['target']}" if row["target"] else ""
        undone = " (undone)" if row["undone"] else ""
        print(f"{row['at']:%Y-%m-%d %H:%M:%S}  {row['who']:20} {row['action']}{target}{undone}")
    return 0
