"""The small Markdown an essay is written in: escaping, markers, blocks and the quotes in them.

A section body is Markdown an author may edit. Quotations are either blockquotes ending with an
attribution line `> — who [#extract-id]`, or inline passages in curly double quotation marks
followed by a marker: `“words” [#extract-id]`. Exports number the markers ([Q1], [R2, p. 3]).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Characters escaped in quoted text so a participant's words can never become a link, an image,
# HTML or formatting in a Markdown viewer. Escaping is reversible: unescape() undoes it.
_ESCAPE = re.compile(r"([\\`*_\[\]<>#|&~])")
_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")

BODY_MARKER = re.compile(r"\[#([0-9a-f]{6,40})\]")
EXPORT_MARKER = re.compile(r"\[(Q\d+|R\d+)(?:, (p|para)\. (\d+))?\]")
ANY_MARKER = re.compile(r"\[(?:#[0-9a-f]{6,40}|Q\d+|R\d+(?:, (?:p|para)\. \d+)?)\]")
CHART_LINE = "[chart]"
ATTRIBUTION_DASH = "— "
ELISION = "…"

_CURLY = re.compile(r"“([^“”]+)”(\s*" + ANY_MARKER.pattern + ")?")
_STRAIGHT = re.compile(r"\"([^\"\n]*\w[^\"\n]*)\"(\s*" + ANY_MARKER.pattern + ")?")
_ORDERED = re.compile(r"^\d+\.\s+")


def escape(text: str) -> str:
    """Text made inert for Markdown, one paragraph per blank line kept."""
    return _ESCAPE.sub(r"\\\1", text or "")


def unescape(text: str) -> str:
    return _UNESCAPE.sub(r"\1", text or "")


def flat(text: str) -> str:
    """Whitespace collapsed to single spaces: line wrapping is not part of what was said."""
    return " ".join((text or "").split())


@dataclass
class Block:
    """One piece of a document: heading, paragraph, quote, bullets, numbered or chart."""

    kind: str
    text: str = ""
    level: int = 0
    items: list[str] = field(default_factory=list)
    attribution: str = ""


@dataclass
class Quotation:
    """A quoted passage (unescaped), the marker that says where it is from, and where it sits."""

    text: str
    marker: str | None
    block: int


def parse(markdown: str) -> list[Block]:
    """Blocks of the essay Markdown subset, in order."""
    blocks: list[Block] = []
    lines = (markdown or "").replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            i += 1
        elif stripped.startswith("#") and re.match(r"^#{1,4} ", stripped):
            hashes = len(stripped) - len(stripped.lstrip("#"))
            blocks.append(Block("heading", stripped[hashes:].strip(), level=hashes))
            i += 1
        elif stripped == CHART_LINE:
            blocks.append(Block("chart"))
            i += 1
        elif stripped.startswith(">"):
            quoted = []
            while i < len(lines) and lines[i].strip().startswith(">"):
                content = lines[i].strip()[1:]
                quoted.append(content[1:] if content.startswith(" ") else content)
                i += 1
            blocks.append(_quote_block(quoted))
        elif stripped.startswith(("- ", "* ")) or _ORDERED.match(stripped):
            ordered = bool(_ORDERED.match(stripped))
            items: list[str] = []
            while i < len(lines) and lines[i].strip():
                item = lines[i].strip()
                if item.startswith(("- ", "* ")) and not ordered:
                    items.append(item[2:].strip())
                elif ordered and _ORDERED.match(item):
                    items.append(_ORDERED.sub("", item))
                elif items:  # a wrapped line continues the item before it
                    items[-1] += " " + item
                else:
                    break
                i += 1
            blocks.append(Block("numbered" if ordered else "bullets", items=items))
        else:
            paragraph = []
            while i < len(lines) and lines[i].strip() and not _starts_block(lines[i].strip()):
                paragraph.append(lines[i].strip())
                i += 1
            blocks.append(Block("paragraph", " ".join(paragraph)))
    return blocks


def _starts_block(stripped: str) -> bool:
    return (
        stripped.startswith((">", "- ", "* "))
        or bool(re.match(r"^#{1,4} ", stripped))
        or stripped == CHART_LINE
        or bool(_ORDERED.match(stripped))
    )


def _quote_block(lines: list[str]) -> Block:
    """A blockquote: the quoted lines, and its last line as attribution when it starts '— '."""
    while lines and not lines[-1].strip():
        lines.pop()
    attribution = ""
    if lines and lines[-1].strip().startswith(ATTRIBUTION_DASH.strip()):
        attribution = lines.pop().strip()[1:].strip()
    paragraphs, current = [], []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return Block("quote", "\n\n".join(paragraphs), attribution=attribution)


def quotations(blocks: list[Block]) -> list[Quotation]:
    """Every quoted passage in the blocks with its marker (None when it has none)."""
    found: list[Quotation] = []
    for number, block in enumerate(blocks):
        if block.kind == "quote":
            marker = ANY_MARKER.search(block.attribution)
            found.append(
                Quotation(unescape(block.text), marker.group(0) if marker else None, number)
            )
            continue
        texts = block.items if block.kind in ("bullets", "numbered") else [block.text]
        for text in texts:
            found.extend(Quotation(q, m, number) for q, m in inline_quotations(text))
    return found


def inline_quotations(text: str) -> list[tuple[str, str | None]]:
    """(passage, marker or None) for passages in double quotation marks, curly then straight."""
    found = []
    for match in _CURLY.finditer(text):
        found.append((unescape(match.group(1)), _marker_of(match.group(2))))
    rest = _CURLY.sub(" ", text)
    for match in _STRAIGHT.finditer(rest):
        found.append((unescape(match.group(1)), _marker_of(match.group(2))))
    return found


def _marker_of(tail: str | None) -> str | None:
    return tail.strip() if tail else None


def is_verbatim(passage: str, source_text: str) -> bool:
    """True when the passage appears word for word in the source text. Whitespace may differ
    (line wrapping); an ellipsis (…) marks words left out, and the parts must appear in order."""
    haystack = flat(source_text)
    parts = [flat(p) for p in flat(passage).replace("[…]", ELISION).split(ELISION)]
    parts = [p for p in parts if p]
    if not parts:
        return False
    position = 0
    for part in parts:
        found = haystack.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True


def body_markers(markdown: str) -> list[str]:
    """Extract ids named by [#id] markers, in order of first appearance."""
    return list(dict.fromkeys(BODY_MARKER.findall(markdown or "")))
