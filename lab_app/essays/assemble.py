"""An essay made ready to export: sections in order, markers numbered ([Q1] for a participant's
words, [R2, p. 3] for a document), a References list and a Sources of quotations list."""

from __future__ import annotations

from dataclasses import dataclass, field

from lab_app.essays.attribution import attribution
from lab_app.essays.grounding import QUOTATIONS_HEADING, REFERENCES_HEADING
from lab_app.essays.markup import BODY_MARKER, Block, escape, flat, parse
from lab_app.essays.material import source_info
from lab_app.essays.theme_section import document_organisation
from lab_app.material.reads import extracts_by_ids
from lab_app.material.source_names import title_of
from lab_app.themes.views import attributes_of


@dataclass
class Assembled:
    """The export: title, blocks (each section's heading then its blocks), chart theme per
    chart block, and the numbering that resolves every marker."""

    title: str
    blocks: list[Block] = field(default_factory=list)
    charts: dict[int, str] = field(default_factory=dict)  # block index -> theme id
    numbered: dict[str, tuple[str, str]] = field(default_factory=dict)


def assemble(engine, essay: dict) -> Assembled:
    ids = []
    for section in essay["sections"]:
        ids += BODY_MARKER.findall(section["body"])
    rows = extracts_by_ids(engine, list(dict.fromkeys(ids)))
    attributes = attributes_of(engine, [e for e in rows if rows[e]["kind"] != "evidence"])
    documents = source_info(engine)
    references: dict[str, str] = {}  # source path -> R label
    quotations: dict[str, str] = {}  # extract id -> Q label
    cited_pages: dict[str, list[str]] = {}

    def label_for(extract_id: str) -> str:
        row = rows.get(extract_id)
        if row is None:  # left as it is: the check names it as gone
            return f"[#{extract_id}]"
        if row["kind"] == "evidence":
            ref = references.setdefault(row["source"], f"R{len(references) + 1}")
            where = _where(row)
            if where and where not in cited_pages.setdefault(ref, []):
                cited_pages[ref].append(where)
            return f"[{ref}, {where}]" if where else f"[{ref}]"
        return f"[{quotations.setdefault(extract_id, f'Q{len(quotations) + 1}')}]"

    result = Assembled(essay["title"])
    for section in essay["sections"]:
        result.blocks.append(Block("heading", escape(section["heading"]), level=2))
        theme = section["key"].split(":", 1)[1] if section["key"].startswith("theme:") else None
        numbered_body = BODY_MARKER.sub(lambda m: label_for(m.group(1)), section["body"])
        for block in parse(numbered_body):
            if block.kind == "chart" and theme:
                result.charts[len(result.blocks)] = theme
            result.blocks.append(block)
    if references:
        result.blocks.append(Block("heading", REFERENCES_HEADING, level=2))
        for path, ref in references.items():
            document = dict(documents.get(path, {}))
            document["title"] = title_of(document.get("title"), path)
            document["organisation"] = document_organisation(documents.get(path, {}))
            line = f"{ref}. {_reference(document, cited_pages.get(ref, []))}"
            result.blocks.append(Block("paragraph", f"{line} Source: {path}"))
            result.numbered[ref] = ("source", path)
    if quotations:
        result.blocks.append(Block("heading", QUOTATIONS_HEADING, level=2))
        for extract_id, label in quotations.items():
            row = rows[extract_id]
            who = escape(attribution(row, attributes.get(extract_id, {})))
            result.blocks.append(
                Block("paragraph", f"{label}. {who}; {_kind(row)}; extract id {extract_id}")
            )
            result.numbered[label] = ("extract", extract_id)
    return result


def _where(row: dict) -> str:
    if row.get("page"):
        return f"p. {row['page']}"
    if row.get("paragraph") is not None:
        return f"para. {row['paragraph'] + 1}"  # stored from 0, read from 1
    return ""


def _reference(document: dict, pages: list[str]) -> str:
    organisation = escape(document.get("organisation") or "")
    year = (document.get("date") or "")[:4]
    title = escape(document.get("title") or "Untitled document")
    head = (
        f"{organisation} ({year})."
        if organisation and year
        else (f"{organisation}." if organisation else "")
    )
    cited = f" Cited at {', '.join(pages)}." if pages else ""
    return f"{head} {title}.{cited}".strip()


def _kind(row: dict) -> str:
    if row["kind"] == "survey" and row.get("question"):
        return f"answer to the survey question: {escape(flat(row['question']))}"
    return "survey answer" if row["kind"] == "survey" else "contribution"


def to_markdown(assembled: Assembled, chart_paths: dict[int, str] | None = None) -> str:
    """The export as Markdown: quotations as blockquotes or in curly double quotation marks,
    each followed by its marker, so `qlab essay check` can test them mechanically."""
    out = [f"# {escape(assembled.title)}"]
    for index, block in enumerate(assembled.blocks):
        if block.kind == "heading":
            out.append(f"{'#' * block.level} {block.text}")
        elif block.kind == "paragraph":
            out.append(block.text)
        elif block.kind == "quote":
            lines = []
            for paragraph in block.text.split("\n\n"):
                lines += [f"> {paragraph}", ">"]
            lines.append(f"> — {block.attribution}")
            out.append("\n".join(lines))
        elif block.kind == "bullets":
            out.append("\n".join(f"- {item}" for item in block.items))
        elif block.kind == "numbered":
            out.append("\n".join(f"{n}. {item}" for n, item in enumerate(block.items, 1)))
        elif block.kind == "chart" and chart_paths and index in chart_paths:
            out.append(f"![Extracts per month in this theme]({chart_paths[index]})")
    return "\n\n".join(out) + "\n"
