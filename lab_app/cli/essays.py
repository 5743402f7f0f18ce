"""`qlab essay` subcommands (draft an essay to a file, check an exported one, list, export) and
`qlab report` (the Lab's shareable report as one HTML file)."""

from __future__ import annotations

from pathlib import Path

LENGTHS = ("short", "medium", "long")


def add_commands(commands) -> None:
    """Add this feature's subcommands to the `qlab` parser."""
    essay = commands.add_parser("essay", help="draft, check and export essays")
    actions = essay.add_subparsers(dest="essay_command", required=True, metavar="ACTION")

    draft = actions.add_parser("draft", help="draft an essay from themes and write it to a file")
    draft.add_argument(
        "--theme",
        action="append",
        default=[],
        metavar="ID",
        help="a theme to cover (repeat for more; default: the largest)",
    )
    draft.add_argument("--area", help="cover every theme in this area")
    draft.add_argument("--audience", default="", help="who the essay is for")
    draft.add_argument("--length", choices=LENGTHS, default="medium")
    draft.add_argument("--title", help="the essay's title (default: from the Lab's name)")
    draft.add_argument("--lab-name", help="the Lab's name (default: lab.json)")
    draft.add_argument("--question", help="the Lab's question (default: lab.json)")
    draft.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="FILE.md, FILE.docx or FILE.html"
    )
    draft.set_defaults(handler=cmd_draft)

    check = actions.add_parser("check", help="check every quotation of an exported Markdown essay")
    check.add_argument("file", type=Path, metavar="FILE.md")
    check.set_defaults(handler=cmd_check)

    listing = actions.add_parser("list", help="essays in the workspace")
    listing.set_defaults(handler=cmd_list)

    export = actions.add_parser("export", help="write a saved (perhaps edited) essay to a file")
    export.add_argument("essay", type=int, metavar="ID")
    export.add_argument("--out", type=Path, required=True, metavar="FILE")
    export.set_defaults(handler=cmd_export)

    report = commands.add_parser(
        "report", help="write the Lab's shareable report: one self-contained HTML file"
    )
    report.add_argument("--out", type=Path, required=True, metavar="FILE.html")
    report.add_argument("--audience", default="", help="who the report is for")
    report.set_defaults(handler=cmd_report)


def cmd_draft(workspace, args) -> int:
    from lab_app.core.audit import current_user
    from lab_app.essays.draft import draft_essay
    from lab_app.essays.export import export_file
    from lab_app.essays.store import load_essay

    who = current_user()
    essay_id = draft_essay(
        workspace,
        who,
        theme_ids=args.theme,
        area=args.area,
        audience=args.audience,
        length=args.length,
        title=args.title,
        lab_name=args.lab_name,
        question=args.question,
    )
    out = export_file(workspace.store.engine, essay_id, args.out, who)
    essay = load_essay(workspace.store.engine, essay_id)
    print(f"essay {essay_id}: {len(essay['sections'])} sections, {_summary(out)} -> {out}")
    return 0


def cmd_export(workspace, args) -> int:
    from lab_app.core.audit import current_user
    from lab_app.essays.export import export_file

    out = export_file(workspace.store.engine, args.essay, args.out, current_user())
    print(f"essay {args.essay}: {_summary(out)} -> {out}")
    return 0


def cmd_report(workspace, args) -> int:
    from lab_app.core.audit import current_user
    from lab_app.essays.report_html import write_report

    out = write_report(workspace, args.out, current_user(), args.audience)
    print(f"report: {out.stat().st_size // 1024} KB, one file, opens offline -> {out}")
    return 0


def cmd_check(workspace, args) -> int:
    from lab_app.essays.grounding import check_export_markdown

    try:
        text = args.file.read_text(encoding="utf-8")
    except OSError as err:
        raise ValueError(f"cannot read {args.file}: {err.strerror}") from None
    problems = check_export_markdown(workspace.store.engine, text)
    for problem in problems:
        print(problem.line())
    if problems:
        print(f"{args.file}: {len(problems)} quotation problem(s)")
        return 1
    print(f"{args.file}: {_summary(args.file)}, every one verbatim and traceable")
    return 0


def cmd_list(workspace, args) -> int:
    from lab_app.essays.store import list_essays

    for essay in list_essays(workspace.store.engine):
        flags = f"  [{len(essay['flags'])} flag(s)]" if essay["flags"] else ""
        print(f"{essay['id']:>4}  {essay['updated_at']:%Y-%m-%d}  {essay['title']}{flags}")
    return 0


def _summary(path: Path) -> str:
    """'21 quotations, 6 references' for a Markdown export; the format for others."""
    if path.suffix.lower() not in (".md", ".markdown"):
        return path.suffix.lstrip(".").upper()
    from lab_app.essays.grounding import QUOTATION_LINE, REFERENCE_LINE
    from lab_app.essays.markup import parse, quotations

    text = path.read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines()]
    references = sum(1 for line in lines if REFERENCE_LINE.match(line))
    sources = sum(1 for line in lines if QUOTATION_LINE.match(line))
    quoted = len(quotations(parse(text)))
    return f"{quoted} quotations from {sources + references} sources"
