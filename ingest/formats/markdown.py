"""Markdown parser: YAML front matter as metadata, body as plain paragraphs without markup."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from ingest.errors import EmptyFile
from ingest.formats.textclean import (
    clean_line,
    decode_text,
    iso_date,
    looks_like_list_item,
    one_line,
    read_bytes,
)
from ingest.records import Block, ParsedDocument

SUFFIXES = (".md", ".markdown")

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_FENCE = re.compile(r"^\s*(```|~~~)")
_DIV_FENCE = re.compile(r"^\s*:::")  # Quarto/Pandoc fenced divs: `::: {.callout-note}` and `:::`
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_HRULE = re.compile(r"^\s{0,3}([-*_=])(\s*\1){2,}\s*$")  # also setext heading underlines
_LINK_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)(\s+#+)?\s*$")
_BULLET = re.compile(r"^\s*[-*+]\s+")

# Inline rules, applied in order: images go entirely, links keep their text, markers go.
_INLINE = [
    (re.compile(r"!\[[^\]]*\]\([^)]*\)(\{[^}]*\})?"), ""),
    (re.compile(r"!\[[^\]]*\]\[[^\]]*\]"), ""),
    (re.compile(r"\[\^[^\]]+\]"), ""),  # footnote references
    (re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\{[^}]*\}"), r"\1"),  # Pandoc spans: [text]{.underline}
    (re.compile(r"\s*\{[#.][^}]*\}\s*$"), ""),  # heading attributes: {#sec-id .unnumbered}
    (re.compile(r"<(https?://[^>]+)>"), r"\1"),
    (re.compile(r"</?[A-Za-z][^>]*>"), ""),
    (re.compile(r"(`+)(.+?)\1"), r"\2"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"\*(?=\S)(.+?)(?<=\S)\*"), r"\1"),
    (re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"\1"),
    (re.compile(r"~~(.+?)~~"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])"), r"\1"),
]


def parse(path: Path, password: str | None = None) -> ParsedDocument:
    """Parse a Markdown file; `password` is accepted for the common signature and ignored."""
    text = decode_text(read_bytes(path)).replace("\r\n", "\n").replace("\r", "\n")
    text = text.lstrip("\ufeff")
    metadata, warnings, body = _front_matter(text)
    blocks = [Block(text=t, paragraph=i) for i, t in enumerate(_paragraphs(body))]
    if not blocks:
        raise EmptyFile("no text found: the Markdown has no body text; check it is the right file")
    title = metadata.get("title") or _first_heading(body)
    date = iso_date(metadata.get("date", ""))
    return ParsedDocument(blocks, title=title, date=date, metadata=metadata, warnings=warnings)


def _front_matter(text: str) -> tuple[dict[str, str], list[str], str]:
    """Split off `--- yaml ---` at the top; bad YAML is a warning, the block still goes."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, [], text
    body = text[match.end() :]
    try:
        data = yaml.safe_load(match.group(1) or "")
    except yaml.YAMLError as exc:
        return {}, [f"front matter is not valid YAML, ignored: {one_line(exc, 100)}"], body
    if not isinstance(data, dict):
        return {}, ["front matter is not a YAML mapping, ignored"], body
    metadata = {str(k): _stringify(v) for k, v in data.items() if v is not None}
    return metadata, [], body


def _stringify(value: object) -> str:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(_stringify(v) for v in value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value).strip()


def _first_heading(body: str) -> str | None:
    for line in body.split("\n"):
        match = _HEADING.match(line)
        if match and len(match.group(1)) == 1:
            return _inline(match.group(2)) or None
    return None


def _inline(text: str) -> str:
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return clean_line(text)


def _is_table_row(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("|") and stripped.count("|") >= 2


def _paragraphs(body: str) -> list[str]:
    """Plain-text paragraphs in order; each table row is its own paragraph."""
    lines = _COMMENT.sub("", body).split("\n")
    out: list[str] = []
    current: list[str] = []  # cleaned lines of the paragraph being built
    in_code = False

    def flush() -> None:
        if current:
            out.append("\n".join(current))
            current.clear()

    for raw in lines:
        if _FENCE.match(raw):
            flush()
            in_code = not in_code
            continue
        if in_code:  # code keeps its own spacing and markup characters
            if raw.strip():
                current.append(raw.rstrip())
            continue
        if _DIV_FENCE.match(raw) or _TABLE_RULE.match(raw) or _LINK_DEF.match(raw):
            continue
        if not raw.strip() or _HRULE.match(raw):
            flush()
            continue
        if _is_table_row(raw):
            flush()
            cells = [_inline(cell) for cell in raw.strip().strip("|").split("|")]
            row = " | ".join(cell for cell in cells if cell)
            if row:
                out.append(row)
            continue
        heading = _HEADING.match(raw)
        if heading:  # a heading is its own paragraph even without blank lines around it
            flush()
            if text := _inline(heading.group(2)):
                out.append(text)
            continue
        _add_line(current, raw)
    flush()
    return out


def _add_line(current: list[str], raw: str) -> None:
    """Join wrapped lines with a space; list items and quoted lines start a new line."""
    line = raw.lstrip()
    line = re.sub(r"^(>\s?)+|^:\s+", "", line)  # block quotes; Pandoc captions and definitions
    is_item = looks_like_list_item(line)
    line = _inline(_BULLET.sub("", line))
    if not line:
        return
    if current and not is_item:
        current[-1] = f"{current[-1]} {line}"
    else:
        current.append(line)
