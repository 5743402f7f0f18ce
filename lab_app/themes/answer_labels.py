"""Names for themes of bare verdicts ("Very good", "Nothing, all was good"): what kind of answer
they are, the way survey coders name them, since they hold no noun phrase to name them by."""

from __future__ import annotations

import re
from collections import Counter

MAX_WORDS = 6
# An answer saying there is nothing to change ("Nothing, all was good", "No, keep it up").
_NOTHING = re.compile(r"^(nothing|none|no\b|not really|can'?t think|cannot think|n/?a\b)", re.I)
_PRAISE = re.compile(
    r"\b(good|great|excellent|brilliant|fantastic|amazing|perfect|lovely|wonderful|superb|"
    r"outstanding|happy|pleased|satisfied|fine|ok|okay|helpful|friendly|kind|thank)", re.I
)  # fmt: skip
# Thanks and pleasantries between people in a forum thread ("Cheers", "Thanks all", "Good luck!").
_THANKS = re.compile(r"\b(thank|thanks|thx|cheers|ta|appreciate[ds]?|good luck|diolch)\b", re.I)
_CRITICISM = re.compile(r"\b(bad|poor|terrible|awful|rude|dreadful|horrible|worst|unhappy)", re.I)
# The kinds, named as survey coders name them; a kind names a group when half its texts are of it.
NOTHING_TO_CHANGE = "Nothing to improve"  # the NHS coders' own name for it
PRAISE = "Praise without detail"
CRITICISM = "Criticism without detail"
THANKS = "Thanks and pleasantries"
MAJORITY = 0.5
_DEGREE = {"very", "really", "so", "well", "too", "much", "extremely", "quite", "indeed"}
KINDS = (NOTHING_TO_CHANGE, PRAISE, CRITICISM, THANKS)


def verdict_label(texts: list[str]) -> str:
    """The kind of answer most of a group's (cleaned) texts are, or its commonest short answer
    as written when they are of no one kind, or "" when it has none."""
    short = _short(texts)
    if not short:
        return ""
    kind = verdict_kind(texts)
    if kind:
        return kind
    counts = Counter(t for t in short if len(t.split()) <= MAX_WORDS)
    if not counts:
        return ""
    answer = _without_degree(min(counts, key=lambda t: (-counts[t], len(t), t)))
    return answer[0].upper() + answer[1:].lower()


def _without_degree(answer: str) -> str:
    """ "Looked after very well", "Well looked after" → "Looked after": how much is praise, not
    what it is about."""
    words = answer.split()
    while len(words) > 1 and words[-1].lower() in _DEGREE:
        words.pop()
    while len(words) > 1 and words[0].lower() in _DEGREE:
        words.pop(0)
    return " ".join(words)


def verdict_kind(texts: list[str], pleasantries: bool = False) -> str:
    """The kind of answer (KINDS) at least half of the texts are, or "". Thanks are a kind of
    their own only with `pleasantries` (posts in a thread); in a survey, "Thank you all" is
    praise."""
    short = _short(texts)
    if not short:
        return ""
    kinds = [(NOTHING_TO_CHANGE, _NOTHING.match), (CRITICISM, _CRITICISM.search)]
    if pleasantries:
        kinds.append((THANKS, _THANKS.search))
    for kind, finds in [*kinds, (PRAISE, _PRAISE.search)]:
        if sum(bool(finds(t)) for t in short) >= len(short) * MAJORITY:
            return kind
    return ""


def between_people(texts: list[str]) -> bool:
    """Whether most of these (raw) texts are replies between people: a thank-you, or words
    addressed to someone by name ("Oh [NAME]. Sending so much love.", "You were incredible
    [NAME]"), which redaction leaves as a placeholder."""
    short = _short(texts)
    between = sum(bool(_THANKS.search(t)) or "[NAME]" in t for t in short)
    return bool(short) and between >= len(short) * MAJORITY


def _short(texts: list[str]) -> list[str]:
    short = [" ".join(t.split()).strip(" .!") for t in texts]
    return [t for t in short if t]
