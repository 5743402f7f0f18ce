"""The grounding check: every quoted passage verbatim in an extract that still exists and may
still be quoted, every marker resolving to a source (and page)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from lab_app.core.schema import extracts, sources
from lab_app.essays.markup import BODY_MARKER, EXPORT_MARKER, Block, is_verbatim, parse, quotations
from lab_app.material.consent import may_quote
from lab_app.material.reads import extracts_by_ids, with_sources

REFERENCE_LINE = re.compile(r"^(R\d+)\. .*Source: (\S.*)$")
QUOTATION_LINE = re.compile(r"^(Q\d+)\. .*extract id ([0-9a-f]{6,40})$")


@dataclass
class Problem:
    """Why one quotation fails. Holds no quoted words, so it may be kept in essays.flags."""

    section: str
    reason: str
    marker: str | None = None
    extract_id: str | None = None

    def line(self) -> str:
        where = f" {self.marker}" if self.marker else ""
        return f"{self.section}{where}: {self.reason}"

    def flag(self) -> dict:
        return asdict(self)


GONE = "the quoted extract is no longer in the workspace (withdrawn or removed)"
NOT_QUOTABLE = "the quoted person or source has not agreed to be quoted"
NOT_VERBATIM = "the quoted passage is not word for word in its extract"
NO_MARKER = "a quoted passage has no source marker"
UNKNOWN_MARKER = "the marker does not name a reference or quotation in the list"
CHECK_REASONS = (GONE, NOT_QUOTABLE, NOT_VERBATIM, NO_MARKER, UNKNOWN_MARKER)


def check_body(engine, section: str, markdown: str) -> list[Problem]:
    """Problems in one section body, whose markers are [#extract-id]."""
    return check_blocks(engine, section, parse(markdown), {})


def check_blocks(
    engine, section: str, blocks: list[Block], numbered: dict[str, tuple[str, str]]
) -> list[Problem]:
    """Problems in blocks. `numbered` maps export labels to what they stand for:
    "Q3" -> ("extract", id) and "R2" -> ("source", path)."""
    found = quotations(blocks)
    ids = set()
    for quote in found:
        ids.update(BODY_MARKER.findall(quote.marker or ""))
    ids.update(v for kind, v in numbered.values() if kind == "extract")
    rows = extracts_by_ids(engine, sorted(ids)) if ids else {}
    quotable = may_quote(engine, rows)
    problems = []
    for quote in found:
        problem = _check_one(engine, section, quote.text, quote.marker, rows, quotable, numbered)
        if problem:
            problems.append(problem)
    return problems


def _check_one(engine, section, text, marker, rows, quotable, numbered) -> Problem | None:
    if not marker:
        return Problem(section, NO_MARKER)
    body = BODY_MARKER.fullmatch(marker)
    if body:
        return _against_extract(section, text, marker, body.group(1), rows, quotable)
    exported = EXPORT_MARKER.fullmatch(marker)
    label = exported.group(1) if exported else None
    if label not in numbered:
        return Problem(section, UNKNOWN_MARKER, marker)
    kind, target = numbered[label]
    if kind == "extract":
        return _against_extract(section, text, marker, target, rows, quotable)
    page_kind, number = exported.group(2), exported.group(3)
    candidates = _source_extracts(engine, target, page_kind, int(number) if number else None)
    if not candidates:
        return Problem(section, GONE, marker)
    allowed = may_quote(engine, candidates)
    matching = [e for e, t in candidates.items() if is_verbatim(text, t)]
    if not matching:
        return Problem(section, NOT_VERBATIM, marker)
    if not any(e in allowed for e in matching):
        return Problem(section, NOT_QUOTABLE, marker, matching[0])
    return None


def _against_extract(section, text, marker, extract_id, rows, quotable) -> Problem | None:
    row = rows.get(extract_id)
    if row is None:
        return Problem(section, GONE, marker, extract_id)
    if extract_id not in quotable:
        return Problem(section, NOT_QUOTABLE, marker, extract_id)
    if not is_verbatim(text, row["text"]):
        return Problem(section, NOT_VERBATIM, marker, extract_id)
    return None


def _source_extracts(engine, path: str, page_kind: str | None, number: int | None):
    """extract id -> text for a source's extracts, on one page or paragraph when given."""
    query = with_sources(extracts.c.id, extracts.c.text).where(sources.c.path == path)
    if page_kind == "p":
        query = query.where(extracts.c.page == number)
    elif page_kind == "para":
        query = query.where(extracts.c.paragraph == number - 1)  # read from 1, stored from 0
    with engine.connect() as conn:
        return {row.id: row.text for row in conn.execute(query)}


def check_export_markdown(engine, markdown: str) -> list[Problem]:
    """Problems in an exported essay: its markers resolve through its own References and
    Sources of quotations lists, and every quoted passage is checked against the store."""
    numbered: dict[str, tuple[str, str]] = {}
    for line in markdown.splitlines():
        line = line.strip()
        if match := REFERENCE_LINE.match(line):
            numbered[match.group(1)] = ("source", match.group(2).strip())
        elif match := QUOTATION_LINE.match(line):
            numbered[match.group(1)] = ("extract", match.group(2))
    return check_document(engine, parse(markdown), numbered)


def check_document(engine, blocks: list[Block], numbered: dict[str, tuple[str, str]]):
    """Problems in a whole document, section by section (a level 1 or 2 heading starts one),
    leaving out the References and Sources of quotations lists themselves."""
    problems: list[Problem] = []
    section, start = "title", 0
    for number, block in enumerate([*blocks, Block("heading", "", level=2)]):
        if block.kind == "heading" and block.level <= 2:
            if section not in APPENDIX_HEADINGS:
                problems += check_blocks(engine, section, blocks[start:number], numbered)
            section, start = block.text, number + 1
    return problems


REFERENCES_HEADING = "References"
QUOTATIONS_HEADING = "Sources of quotations"
APPENDIX_HEADINGS = (REFERENCES_HEADING, QUOTATIONS_HEADING)
