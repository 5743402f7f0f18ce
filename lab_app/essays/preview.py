"""A section as it will read, and its checks: blocks with markers numbered as the export numbers
them, and the quotation check summed up as lines a Lab's editor reads (quotes, consent,
withdrawal, markers, how the synthesis was made)."""

from __future__ import annotations

from dataclasses import dataclass

from lab_app.essays.assemble import assemble
from lab_app.essays.grounding import (
    GONE,
    NO_MARKER,
    NOT_QUOTABLE,
    NOT_VERBATIM,
    UNKNOWN_MARKER,
    check_body,
)
from lab_app.essays.markup import Block, parse, quotations

SYNTHESIS_WORDS = {
    "extractive": "The opening synthesis is built from the theme's own sentences.",
    "model": "The opening synthesis was rewritten by the model and passed every check.",
}


@dataclass
class Check:
    """One line beside the preview: what was checked, whether it passed, and the detail."""

    name: str
    passed: bool
    detail: str


def section_blocks(engine, essay: dict, bodies: dict[str, str]) -> dict[str, list[Block]]:
    """section key -> its blocks as the export will show them ([Q1], [R2, p. 3]); `bodies`
    replaces saved bodies with text still being edited."""
    sections = [dict(s, body=bodies.get(s["key"], s["body"])) for s in essay["sections"]]
    assembled = assemble(engine, dict(essay, sections=sections))
    found: dict[str, list[Block]] = {}
    position = -1
    for block in assembled.blocks:
        if block.kind == "heading" and block.level <= 2:
            position += 1
            if position >= len(sections):
                break
            found[sections[position]["key"]] = []
            continue
        if position >= 0:
            found[sections[position]["key"]].append(block)
    return found


def section_checks(engine, heading: str, body: str, grounding: dict | None = None) -> list[Check]:
    """The quotation check of one section body, as lines: each passes or says how many fail."""
    quoted = len(quotations(parse(body)))
    problems = check_body(engine, heading, body)
    count = {reason: sum(1 for p in problems if p.reason == reason) for reason in _REASONS}
    lines = [
        _line("Quotations", quoted, count[NOT_VERBATIM], "word for word in their source",
              "not word for word"),
        _line("Consent", quoted, count[NOT_QUOTABLE], "every person or source agreed to be quoted",
              "quote someone who did not agree"),
        _line("Withdrawal", quoted, count[GONE], "nothing withdrawn or removed is quoted",
              "quote withdrawn or removed material"),
        _line("Sources", quoted, count[NO_MARKER] + count[UNKNOWN_MARKER],
              "every quotation names its source", "name no source"),
    ]  # fmt: skip
    how = (grounding or {}).get("synthesis")
    if how:
        lines.append(Check("Synthesis", True, SYNTHESIS_WORDS.get(how, how[:1].upper() + how[1:])))
    return lines


_REASONS = (NOT_VERBATIM, NOT_QUOTABLE, GONE, NO_MARKER, UNKNOWN_MARKER)


def _line(name: str, quoted: int, failing: int, good: str, bad: str) -> Check:
    if not quoted:
        return Check(name, True, "no quotation in this section")
    if failing:
        return Check(name, False, f"{failing} of {quoted} quotations {bad}")
    return Check(name, True, f"{quoted} quotations: {good}")
