"""Export an essay as Markdown, DOCX or HTML, after checking every quotation again: an essay
quoting an extract that is gone (withdrawn) or may no longer be quoted is refused and flagged."""

from __future__ import annotations

from pathlib import Path

from lab_app.core.audit import now, record_audit
from lab_app.essays import store
from lab_app.essays.assemble import Assembled, assemble, to_markdown
from lab_app.essays.charts import month_chart, theme_months
from lab_app.essays.grounding import (
    CHECK_REASONS,
    Problem,
    check_body,
    check_document,
    check_export_markdown,
)
from lab_app.essays.markup import unescape
from lab_app.essays.render import to_docx, to_html

FORMATS = {".md": "md", ".markdown": "md", ".docx": "docx", ".html": "html", ".htm": "html"}


class EssayCheckError(ValueError):
    """The essay failed its quotation check; `problems` says where and why."""

    def __init__(self, essay_id: int | None, problems: list[Problem]):
        self.problems = problems
        first = problems[0].line()
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        what = f"essay {essay_id}" if essay_id is not None else "the essay"
        super().__init__(
            f"{what} failed its quotation check: {first}{more}; fix or regenerate the section"
        )


def check_essay(engine, essay_id: int, record: bool = True) -> list[Problem]:
    """Check every section; keep what is wrong (never the quoted words) in essays.flags."""
    essay = store.load_essay(engine, essay_id)
    problems = []
    for section in essay["sections"]:
        problems += check_body(engine, section["heading"] or section["key"], section["body"])
    if record:
        # The check's own flags are replaced; others (a withdrawal's note) stay until staff
        # clear them.
        stamp = now().isoformat(timespec="seconds")
        kept = [f for f in essay["flags"] or [] if f.get("reason") not in CHECK_REASONS]
        store.set_flags(engine, essay_id, kept + [dict(p.flag(), at=stamp) for p in problems])
    return problems


def prepared(engine, essay_id: int) -> Assembled:
    """The essay assembled for export, or EssayCheckError (with flags recorded)."""
    problems = check_essay(engine, essay_id)
    if problems:
        raise EssayCheckError(essay_id, problems)
    assembled = assemble(engine, store.load_essay(engine, essay_id))
    problems = check_document(engine, assembled.blocks, assembled.numbered)
    if problems:
        raise EssayCheckError(essay_id, problems)
    return assembled


def chart_images(engine, assembled: Assembled) -> dict[int, bytes]:
    """PNG bytes per chart block: the theme's extracts per month across the Lab's months."""
    if not assembled.charts:
        return {}
    months, series = theme_months(engine)
    headings = {}
    current = ""
    for index, block in enumerate(assembled.blocks):
        if block.kind == "heading" and block.level <= 2:
            current = unescape(block.text)
        headings[index] = current
    images = {}
    for index, theme_id in assembled.charts.items():
        if theme_id in series:
            title = "Extracts per month: " + headings[index].replace("$", r"\$")
            images[index] = month_chart(months, series[theme_id], title)
    return images


def render(engine, essay_id: int, fmt: str) -> bytes:
    """The checked essay as bytes: "md" (without chart images), "docx" or "html"."""
    assembled = prepared(engine, essay_id)
    if fmt == "md":
        text = to_markdown(assembled)
        _check_markdown(engine, essay_id, text)
        return text.encode("utf-8")
    charts = chart_images(engine, assembled)
    if fmt == "html":
        return to_html(assembled, charts).encode("utf-8")
    if fmt == "docx":
        return to_docx(assembled, charts)
    raise ValueError(f"cannot export as {fmt!r}: choose md, docx or html")


def export_file(engine, essay_id: int, out: Path, who: str) -> Path:
    """Write the essay to out (.md, .docx or .html by its suffix). Markdown's charts go in a
    folder beside it, named after it."""
    out = Path(out)
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise ValueError(f"{out.name}: the file must end .md, .docx or .html")
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "md":
        assembled = prepared(engine, essay_id)
        paths = {}
        images = chart_images(engine, assembled)
        if images:
            folder = out.with_name(out.stem + "-charts")
            folder.mkdir(exist_ok=True)
            for index, data in images.items():
                name = f"{assembled.charts[index].lower()}.png"
                (folder / name).write_bytes(data)
                paths[index] = f"{folder.name}/{name}"
        text = to_markdown(assembled, paths)
        _check_markdown(engine, essay_id, text)
        out.write_text(text, encoding="utf-8")
    else:
        out.write_bytes(render(engine, essay_id, fmt))
    with engine.begin() as conn:
        record_audit(conn, "essay.export", str(essay_id), {"format": fmt}, who=who)
    return out


def _check_markdown(engine, essay_id: int, text: str) -> None:
    """The written Markdown checked as a reader's copy would be: through its own lists."""
    problems = check_export_markdown(engine, text)
    if problems:
        raise EssayCheckError(essay_id, problems)
