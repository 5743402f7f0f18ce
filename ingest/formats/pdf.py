"""PDF parser (pypdf): one block per page, hyphenation repaired, paragraphs kept where visible."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from ingest.errors import EmptyFile, EncryptedFile, IngestError
from ingest.formats.textclean import (
    clean_line,
    iso_date,
    looks_like_list_item,
    one_line,
    os_error_reason,
)
from ingest.records import Block, ParsedDocument

SUFFIXES = (".pdf",)

# pypdf logs every repair it makes on damaged files; the result or refusal says what matters.
logging.getLogger("pypdf").setLevel(logging.ERROR)

_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬆ": "st"})
_HYPHEN_END = re.compile(r"(\S*[^\W\d_])[-\u2010]$")  # word fragment ending in a hyphen
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")  # hyphenated compounds, to tell from breaks
# Second halves that usually make a compound ("tag-specific"), not a broken word
_COMPOUND_TAILS = {"based", "level", "specific", "related", "led", "term", "friendly", "wide"}
_TERMINAL = ".!?:;)\"'”’"


def parse(path: Path, password: str | None = None) -> ParsedDocument:
    """Parse a PDF, opening it with the empty password, then `password` if one is given."""
    reader = _open(path, password)
    try:
        pages = list(reader.pages)
    except Exception as exc:  # a broken page tree surfaces here, as many different types
        raise IngestError(_unreadable(exc)) from exc
    warnings: list[str] = []
    raws: list[str] = []
    for number, page in enumerate(pages, start=1):
        try:
            raws.append(page.extract_text() or "")
        except Exception as exc:  # one damaged content stream must not lose the other pages
            warnings.append(f"page {number}: text could not be extracted ({one_line(exc, 80)})")
            raws.append("")
    vocabulary = set(_WORD.findall("\n".join(raws).lower()))
    blocks: list[Block] = []
    for number, raw in enumerate(raws, start=1):
        text = page_text(raw, vocabulary)
        if text:
            blocks.append(Block(text=text, page=number))
        else:
            warnings.append(f"page {number} has no text (image only?)")
    if not blocks:
        raise EmptyFile("no text: image-only or scanned PDF; run OCR and ingest the result")
    title, date, metadata = _metadata(reader)
    metadata["pages"] = str(len(pages))
    return ParsedDocument(blocks, title=title, date=date, metadata=metadata, warnings=warnings)


def _unreadable(exc: BaseException) -> str:
    return f"not a readable PDF: {one_line(exc, 100)}; open it and save or print it as PDF again"


def _open(path: Path, password: str | None) -> PdfReader:
    try:
        if path.stat().st_size == 0:
            raise EmptyFile(
                "no text found: the file is empty (0 bytes); check it is the right file"
            )
        reader = PdfReader(path)
    except OSError as exc:
        raise IngestError(os_error_reason(exc)) from exc
    except EmptyFile:
        raise
    except Exception as exc:  # pypdf raises PdfReadError, ValueError, KeyError, … on garbage
        raise IngestError(_unreadable(exc)) from exc
    if not reader.is_encrypted:
        return reader
    try:
        opened = bool(reader.decrypt(""))
        if not opened and password:
            opened = bool(reader.decrypt(password))
    except (PyPdfError, NotImplementedError, ValueError) as exc:  # unknown crypt filters
        reason = f"encrypted in a way that cannot be opened ({one_line(exc, 80)})"
        raise EncryptedFile(f"{reason}: remove the password and save it again") from exc
    if not opened:
        if password:
            raise EncryptedFile("encrypted: the password given did not open it")
        raise EncryptedFile("encrypted: pass --password")
    return reader


def _metadata(reader: PdfReader) -> tuple[str | None, str | None, dict[str, str]]:
    """Title, date and document info; damaged metadata is skipped, never fatal."""
    try:
        info = reader.metadata
        if info is None:
            return None, None, {}
        metadata = {
            key.lstrip("/").lower(): clean_line(str(value))
            for key, value in info.items()
            if isinstance(key, str) and isinstance(value, str) and clean_line(str(value))
        }
    except Exception:  # unreadable metadata: the text is still worth having
        return None, None, {}
    title = metadata.get("title")
    if title:
        # Word's PDF export often titles files "Microsoft Word - name.docx"
        title = re.sub(r"^Microsoft Word - ", "", title) or None
    date = iso_date(metadata.get("creationdate", "")) or iso_date(metadata.get("moddate", ""))
    return title, date, metadata


def page_text(raw: str, vocabulary: set[str] | frozenset[str] = frozenset()) -> str:
    """Clean one page: repair hyphenation, join wrapped lines, keep paragraph breaks."""
    lines = [clean_line(line.translate(_LIGATURES)) for line in raw.split("\n")]
    # None marks a blank line in the extraction, which is always a paragraph break
    items: list[str | None] = [line or None for line in lines]
    lengths = sorted(len(line) for line in lines if line)
    if not lengths:
        return ""
    typical = lengths[int(len(lengths) * 0.9)] if len(lengths) >= 3 else 0
    paragraphs: list[str] = []
    current = ""
    previous = ""
    for i, line in enumerate(items):
        if line is None:
            _flush(paragraphs, current)
            current = previous = ""
            continue
        if current and looks_like_list_item(line):
            _flush(paragraphs, current)
            current = ""
        current = _join(current, line, vocabulary)
        following = items[i + 1] if i + 1 < len(items) else None
        # Compare with the neighbouring lines too: text wrapped around a figure is narrow
        # throughout, so only the page-wide width would break it after every line.
        width = min(typical, max(len(previous), len(following or "")))
        if following is not None and _ends_paragraph(line, following, width):
            _flush(paragraphs, current)
            current = ""
        previous = line
    _flush(paragraphs, current)
    return "\n\n".join(paragraphs)


def _flush(paragraphs: list[str], text: str) -> None:
    if text.strip():
        paragraphs.append(text.strip())


def _join(current: str, line: str, vocabulary: set[str] | frozenset[str]) -> str:
    """Append a line, mending "exam-" + "ple" but keeping hyphens in compounds and URLs."""
    if not current:
        return line
    match = _HYPHEN_END.search(current)
    if match and line[:1].islower():
        fragment, tail = match.group(1), re.split(r"[^\w]", line, maxsplit=1)[0]
        compound = f"{fragment}-{tail}".lower()
        if (
            any(mark in fragment for mark in "-/.")  # "data-science-" + "team", a split URL
            or tail.lower() in _COMPOUND_TAILS
            or compound in vocabulary  # written with the hyphen elsewhere in the document
        ):
            return current + line
        return current[:-1] + line
    return f"{current} {line}"


def _ends_paragraph(line: str, following: str, width: int) -> bool:
    """A line well short of the text width around it ends a paragraph (or is a heading)."""
    if not width or len(line) >= 0.75 * width or _HYPHEN_END.search(line):
        return False
    starts_new = following[:1].isupper() or following[:1].isdigit()
    return line.endswith(tuple(_TERMINAL)) or starts_new or looks_like_list_item(following)
