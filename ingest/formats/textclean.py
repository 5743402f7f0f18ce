"""Shared helpers for document parsers: reading, decoding, whitespace, dates and messages."""

from __future__ import annotations

import codecs
import datetime as dt
import re
from pathlib import Path

from charset_normalizer import from_bytes

from ingest.dates import parse_date
from ingest.errors import EmptyFile, IngestError

_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
# C0 controls other than tab/newline/CR, which never belong in extracted text
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_COMPACT = re.compile(r"(?:D:)?(\d{4})(\d{2})(\d{2})")
_BINARY = "binary file, not text: check it is the right file, or export it as .txt"
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•▪◦‣–]\s+|\(?\d{1,3}[.)]\s+|\(?[a-zA-Z][.)]\s+)")


def one_line(exc: BaseException | str, limit: int = 160) -> str:
    """A library error message squeezed onto one short line for an IngestError reason."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def os_error_reason(exc: OSError) -> str:
    """The one-line refusal for a file the OS would not let us read."""
    return (
        f"cannot read the file ({one_line(exc.strerror or exc)}): check it exists and is readable"
    )


def read_bytes(path: Path) -> bytes:
    """Read a file, turning OS errors into an IngestError with a one-line reason."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise IngestError(os_error_reason(exc)) from exc


def clean_line(text: str) -> str:
    """Collapse runs of spaces, drop zero-width and control characters, strip the ends."""
    text = _CONTROLS.sub("", _ZERO_WIDTH.sub("", text))
    return _SPACES.sub(" ", text).strip()


def normalise_space(text: str) -> str:
    """All whitespace, newlines included, collapsed to single spaces."""
    return clean_line(" ".join(text.split()))


def looks_like_list_item(line: str) -> bool:
    """True for bullet or numbered lines, which stay on their own line when joining."""
    return bool(_LIST_ITEM.match(line))


def split_paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs; wrapped lines joined, list lines kept one per line."""
    paragraphs = []
    for chunk in re.split(r"\n[ \t\f\v\u00a0]*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [clean_line(line) for line in chunk.split("\n")]
        lines = [line for line in lines if line]
        if not lines:
            continue
        out = [lines[0]]
        for line in lines[1:]:
            if looks_like_list_item(line):
                out.append(line)
            else:
                out[-1] = f"{out[-1]} {line}"
        paragraphs.append("\n".join(out))
    return paragraphs


def iso_date(value: object) -> str | None:
    """ISO yyyy-mm-dd from a date/datetime or a string starting with one, else None."""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _COMPACT.match(text)  # PDF metadata: D:20230313…
    if not match:
        return parse_date(text)  # ISO with or without time, and UK day-first forms
    try:
        return dt.date(*(int(part) for part in match.groups())).isoformat()
    except ValueError:
        return None


def _looks_binary(data: bytes) -> bool:
    """NULs or control bytes in more than a sliver of the file mean it is not text."""
    sample = data[:65536]
    controls = sum(sample.count(bytes([b])) for b in range(32) if b not in (9, 10, 12, 13))
    return sample.count(0) > max(1, len(sample) // 100) or controls / len(sample) > 0.1


def _utf16_without_bom(data: bytes) -> str | None:
    """Most ASCII-range UTF-16 text has a NUL in every other byte; pick the side it is on."""
    sample = data[:4096]
    even, odd = sample[0::2], sample[1::2]
    if not even or not odd:
        return None
    for encoding, zeros in (("utf-16-le", odd), ("utf-16-be", even)):
        if zeros.count(0) / len(zeros) > 0.6:
            try:
                return data[: len(data) // 2 * 2].decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def decode_text(data: bytes) -> str:
    """Decode text bytes: BOMs, UTF-8, BOM-less UTF-16, then the best legacy guess."""
    if not data.strip():
        raise EmptyFile("no text found: the file is empty")
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if b"\x00" in data:
        text = _utf16_without_bom(data)
        if text is not None:
            return text
    if _looks_binary(data):
        raise IngestError(_BINARY)
    data = data.replace(b"\x00", b"")  # a stray NUL in otherwise text is noise, not a refusal
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    results = from_bytes(data)
    best = results.best()
    if best is None:
        raise IngestError(_BINARY)
    # charset-normalizer often ranks an exotic code page (cp775, cp1250) above cp1252 for
    # short Western text; cp1252 is by far the likeliest legacy encoding here, so prefer it
    # when it reads the bytes about as cleanly.
    for match in results:
        if "cp1252" in match.could_be_from_charset and match.chaos <= best.chaos + 0.1:
            return data.decode("cp1252", errors="replace")
    return str(best)
