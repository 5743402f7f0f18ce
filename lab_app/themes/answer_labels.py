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
_CRITICISM = re.compile(r"\b(bad|poor|terrible|awful|rude|dreadful|horrible|worst|unhappy)", re.I)
# The kinds, named as survey coders name them; a kind names a group when half its texts are of it.
NOTHING_TO_CHANGE = "Nothing to improve"  # the NHS coders' own name for it
PRAISE = "Praise without detail"
CRITICISM = "Criticism without detail"
MAJORITY = 0.5
KINDS = (NOTHING_TO_CHANGE, PRAISE, CRITICISM)


def verdict_label(texts: list[str]) -> str:
    """The kind of answer most of a group's (cleaned) texts are, or its commonest short answer
    as written when they are of no one kind, or "" when it has none."""
    short = [" ".join(t.split()).strip(" .!") for t in texts]
    short = [t for t in short if t]
    if not short:
        return ""
    share = len(short) * MAJORITY
    if sum(bool(_NOTHING.match(t)) for t in short) >= share:
        return NOTHING_TO_CHANGE
    if sum(bool(_CRITICISM.search(t)) for t in short) >= share:
        return CRITICISM
    if sum(bool(_PRAISE.search(t)) for t in short) >= share:
        return PRAISE
    counts = Counter(t for t in short if len(t.split()) <= MAX_WORDS)
    if not counts:
        return ""
    answer = min(counts, key=lambda t: (-counts[t], len(t), t))
    return answer[0].upper() + answer[1:].lower()
