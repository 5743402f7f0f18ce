"""Plain-text parser: detect the encoding, split into paragraphs, short first line as title,
a "Date:" line near the top as the document's date."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.dates import parse_date
from ingest.errors import EmptyFile
from ingest.formats.textclean import clean_line, decode_text, read_bytes, split_paragraphs
from ingest.records import Block, ParsedDocument

SUFFIXES = (".txt", ".text")


def parse(path: Path, password: str | None = None) -> ParsedDocument:
    """Parse a plain-text file; `password` is accepted for the common signature and ignored."""
    text = decode_text(read_bytes(path)).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = split_paragraphs(text)
    if not paragraphs:
        raise EmptyFile("no text found: the file holds only whitespace; check it is the right file")
    blocks = [Block(text=para, paragraph=i) for i, para in enumerate(paragraphs)]
    return ParsedDocument(blocks=blocks, title=_title(text), date=_date(text))


def _title(text: str) -> str | None:
    """The first line, when it is short and stands alone above a blank line."""
    match = re.match(r"\s*([^\n]+)\n[ \t]*\n", text)
    if not match:
        return None
    line = clean_line(match.group(1))
    return line if line and len(line) < 100 else None


# A memo or note often carries its date in its first lines ("Date: 19 October 2026"). That is
# the document's own date; without it the file's modified time (a checkout's) would stand in.
_DATE_LINE = re.compile(r"^\s*(?:date|dated)\s*[:\-]\s*(.+?)\s*$", re.IGNORECASE)
HEADER_LINES = 10


def _date(text: str) -> str | None:
    for line in text.split("\n")[:HEADER_LINES]:
        if (match := _DATE_LINE.match(line)) and (day := parse_date(match.group(1))):
            return day
    return None
