"""Split document text into passages that keep paragraphs and sentences whole."""

from __future__ import annotations

import re
from dataclasses import dataclass

TARGET_WORDS = 120  # a few sentences: enough context to quote, small enough to theme
MAX_WORDS = 200
SMALL_WORDS = 30  # a heading or a one-liner joins the next paragraph rather than stand alone

# A sentence ends at . ! ? (optionally closed by quotes/brackets) followed by space and a capital,
# digit or quote. Common abbreviations are not ends.
_SENTENCE_END = re.compile(r"(?<=[.!?])([\"'”’)\]]*)\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "Dr.", "Mr.", "Mrs.", "Ms.", "Prof.", "St.", "No.", "vs.")


@dataclass(frozen=True)
class Span:
    """A run of the source text [start, end) with the page and paragraph it begins in."""

    start: int
    end: int
    page: int | None = None
    paragraph: int | None = None


def word_count(text: str) -> int:
    return len(text.split())


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence boundaries within text as absolute (start, end) offsets."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start() + len(match.group(1))  # closing quotes belong to the sentence
        if text[start : match.start()].endswith(_ABBREVIATIONS):
            continue
        spans.append((offset + start, offset + end))
        start = match.end()
    if text[start:].strip():
        spans.append((offset + start, offset + len(text.rstrip())))
    return spans


def _split_long(text: str, span: Span) -> list[Span]:
    """Break an over-long paragraph at sentence ends, or at word ends for a run-on sentence."""
    pieces: list[tuple[int, int]] = []
    for s, e in sentence_spans(text[span.start : span.end], span.start):
        if word_count(text[s:e]) <= MAX_WORDS:
            pieces.append((s, e))
            continue
        words = list(re.finditer(r"\S+", text[s:e]))
        for i in range(0, len(words), TARGET_WORDS):
            group = words[i : i + TARGET_WORDS]
            pieces.append((s + group[0].start(), s + group[-1].end()))
    return [Span(s, e, span.page, span.paragraph) for s, e in pieces]


def pack(text: str, units: list[Span]) -> list[Span]:
    """Greedily join consecutive units on the same page up to TARGET_WORDS (MAX for small ones)."""
    pieces: list[Span] = []
    for unit in units:
        if word_count(text[unit.start : unit.end]) > MAX_WORDS:
            pieces.extend(_split_long(text, unit))
        else:
            pieces.append(unit)
    chunks: list[Span] = []
    current: Span | None = None
    current_words = 0
    for piece in pieces:
        words = word_count(text[piece.start : piece.end])
        fits = (
            current is not None
            and current.page == piece.page
            and (
                current_words + words <= TARGET_WORDS
                or (current_words < SMALL_WORDS and current_words + words <= MAX_WORDS)
            )
        )
        if fits:
            current = Span(current.start, piece.end, current.page, current.paragraph)
            current_words += words
        else:
            if current is not None:
                chunks.append(current)
            current, current_words = piece, words
    if current is not None:
        chunks.append(current)
    return chunks


def paragraph_units(text: str, start: int, end: int, page: int | None, paragraph: int | None):
    """Split a block [start, end) at blank lines into paragraph spans, trimming whitespace."""
    units = []
    for match in re.finditer(r"\S(?:.*?\S)?(?=\s*\n\s*\n|\s*$)", text[start:end], re.DOTALL):
        units.append(Span(start + match.start(), start + match.end(), page, paragraph))
    return units
