"""The natural order of a survey question's answers: Likert scales low to high, numbers and
numeric bands by value, anything else in the order it first appeared; never alphabetical."""

from __future__ import annotations

import re

# Each scale runs from its low end to its high end; synonyms share a rank, so a survey that
# says "Neutral" where another says "Neither agree nor disagree" still sorts in the middle.
_SCALES = [
    [
        ["strongly disagree", "completely disagree"],
        ["disagree", "tend to disagree", "mostly disagree"],
        ["somewhat disagree", "slightly disagree"],
        ["neither agree nor disagree", "neither agree or disagree", "neutral"],
        ["somewhat agree", "slightly agree"],
        ["agree", "tend to agree", "mostly agree"],
        ["strongly agree", "completely agree"],
    ],
    [
        ["very poor", "terrible"],
        ["poor", "bad"],
        ["fair", "average", "ok", "okay", "neither good nor poor", "neither good nor bad"],
        ["good"],
        ["very good"],
        ["excellent"],
    ],
    [
        ["never"],
        ["rarely", "hardly ever", "seldom"],
        ["sometimes", "occasionally"],
        ["often", "usually", "frequently", "most of the time"],
        ["always", "all of the time"],
    ],
    [
        ["very dissatisfied"],
        ["dissatisfied", "fairly dissatisfied"],
        ["neither satisfied nor dissatisfied"],
        ["satisfied", "fairly satisfied"],
        ["very satisfied"],
    ],
    [
        ["extremely unlikely"],
        ["very unlikely"],
        ["unlikely"],
        ["neither likely nor unlikely"],
        ["likely"],
        ["very likely"],
        ["extremely likely"],
    ],
    [
        ["not at all important", "not important"],
        ["slightly important", "a little important"],
        ["moderately important", "fairly important"],
        ["very important"],
        ["extremely important"],
    ],
]
_RANKS = [{phrase: rank for rank, names in enumerate(s) for phrase in names} for s in _SCALES]
# Answers that are off the scale: they go last, in the order they first appeared.
_OFF_SCALE = {
    "don't know", "dont know", "do not know", "not sure", "unsure", "prefer not to say",
    "rather not say", "not applicable", "n/a", "na", "other", "none of these",
}  # fmt: skip
# "18-24", "75+", "5 - very likely", "10": the leading number; "under 18" just below 18.
_NUMBER = re.compile(r"^(?:(under|less than|below|fewer than)\s+)?[£$]?(-?\d+(?:\.\d+)?)")


def _plain(value: str) -> str:
    return " ".join(value.replace("’", "'").lower().split())


def _number(value: str) -> float | None:
    found = _NUMBER.match(_plain(value))
    if not found:
        return None
    return float(found.group(2)) - (0.5 if found.group(1) else 0.0)


def answer_order(values: list[str]) -> list[str]:
    """The values (given in order of first appearance) in their natural order: along the
    Likert scale most of them belong to, else by number when every one starts with a number,
    else as given; off-scale answers ("Don't know", "Prefer not to say") always last."""
    off = [v for v in values if _plain(v) in _OFF_SCALE]
    on = [v for v in values if _plain(v) not in _OFF_SCALE]
    best = max(_RANKS, key=lambda ranks: sum(_plain(v) in ranks for v in on))
    fitted = [v for v in on if _plain(v) in best]
    if len(fitted) >= 2:
        unknown = [v for v in on if _plain(v) not in best]
        return [*sorted(fitted, key=lambda v: best[_plain(v)]), *unknown, *off]
    numbers = [_number(v) for v in on]
    if on and all(n is not None for n in numbers):
        ordered = sorted(zip(numbers, range(len(on)), on, strict=True))
        return [v for _, _, v in ordered] + off
    return [*on, *off]
