"""A theme's description: its most central, most typical sentence, with the extract it is from."""

from __future__ import annotations

import re

import numpy as np

READ = 10  # central extracts whose sentences are candidates
MIN_WORDS, MAX_WORDS = 5, 40
LIMIT = 220  # characters shown
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"“'‘(]?[A-Z0-9])|\n+")
# A greeting, a thank-you or a sign-off says nothing about what a theme is about.
_GREETING = re.compile(
    r"^(hi|hello|hey|dear|thanks|thank you|many thanks|cheers|good (morning|afternoon|luck))\b",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")


def sentences(text: str) -> list[str]:
    """The sentences of a text, whitespace flattened."""
    return [" ".join(s.split()) for s in _SENTENCE_END.split(text) if s.strip()]


def fit_to_describe(sentence: str) -> bool:
    """A statement of a readable length: no question, greeting, fragment or bare list."""
    words = sentence.split()
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        return False
    if sentence.rstrip(" \"”')").endswith("?") or _GREETING.match(sentence):
        return False
    letters = sum(c.isalpha() for c in sentence)
    return letters >= 0.6 * len(sentence) and not _PLACEHOLDER.search(sentence)


def describe_groups(
    ids: list[str],
    texts: list[str],
    vectors: np.ndarray,
    groups: list[list[int]],
    centres: np.ndarray,
    embed,
) -> list[tuple[str, str]]:
    """(description, source extract id) for each group of rows."""
    candidates: list[tuple[int, int, str]] = []  # (group, row, sentence)
    for g, rows in enumerate(groups):
        rows = np.asarray(rows, dtype=np.int64)
        order = np.lexsort((rows, -np.round(vectors[rows] @ centres[g], 6)))
        for row in rows[order][:READ]:
            parts = sentences(texts[row])
            candidates += [(g, int(row), s) for s in parts if fit_to_describe(s)]
    # A one-sentence extract is its own sentence: its stored vector serves.
    to_embed = sorted({s for _, row, s in candidates if len(sentences(texts[row])) > 1})
    vector_of = dict(zip(to_embed, embed(to_embed), strict=True)) if to_embed else {}
    best: dict[int, tuple[float, int, str]] = {}
    for g, row, sentence in candidates:
        vector = vector_of.get(sentence, vectors[row])
        score = round(float(vector @ centres[g]), 6)
        if g not in best or (score, -row) > (best[g][0], -best[g][1]):
            best[g] = (score, row, sentence)
    result = []
    for g, rows in enumerate(groups):
        if g in best:
            _, row, sentence = best[g]
        else:  # nothing fits: the most central extract's opening, as before
            row = max(rows, key=lambda r: (round(float(vectors[r] @ centres[g]), 6), -r))
            sentence = (sentences(texts[row]) or [""])[0]
        result.append((_shorten(sentence), ids[row]))
    return result


def _shorten(sentence: str) -> str:
    return sentence if len(sentence) <= LIMIT else sentence[: LIMIT - 1].rstrip() + "…"
