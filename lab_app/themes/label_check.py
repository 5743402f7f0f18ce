"""Checking a label as a reader would: a filler word, a number, a person's name, a URL piece.

The yardstick of bench/theme_labels.py and of the label tests; the naming itself is names.py.
"""

from __future__ import annotations

import re
from collections import Counter

from lab_app.themes.answer_labels import KINDS
from lab_app.themes.phrases import FILLER, JOINERS, WEAK_MODIFIERS, first_names

_FUNCTION_WORDS = JOINERS | {"and", "the", "a", "an"}
# Content words scikit-learn's stop-word list holds (Nothman et al. 2018, "Stop word lists in
# free open-source software packages", list them) that a label may rightly use: "video call",
# "full understanding", "air con", "top-up limit".
_NOUNS = {"call", "fire", "bill", "system", "front", "back", "interest", "detail", "amount",
          "bottom", "name", "cry", "mill", "show", "move", "fill", "find", "full", "con", "top",
          "empty", "thick", "thin", "serious", "describe"}  # fmt: skip
_PARTICLES = {"to", "after", "up", "out", "on", "in", "for", "with", "over", "about", "off"}
_URL_PIECE = re.compile(r"https?|www|\.(com|org|net|uk|jpe?g|png|html?)\b|[/_@\[\]]|-images?\b")


def names_in(texts: list[str]) -> set[str]:
    """Given names these texts use as names: written capitalised more often than not."""
    capital, lower = Counter(), Counter()
    for text in texts:
        # "Page 3", "Section 2": a word before a number is a heading, not a name.
        for word in re.findall(r"(?<![.!?]\s)(?<!^)\b[A-Za-z][a-z]+\b(?!\s+\d)", text):
            (capital if word[0].isupper() else lower)[word.lower()] += 1
    known = first_names()
    return {w for w, n in capital.items() if w in known and n > lower[w]}


def label_faults(label: str, names: set[str]) -> list[str]:
    """What is wrong with a label: a filler word, a number, a person's name, a URL fragment.

    Filler: a vague word anywhere ("thing", "stuff", "good", "lot"), a label of stop words
    alone ("No", "Not at all"), or one that starts or ends on a stop word ("All the groups",
    "Waiting for it"). Stop words inside a label are its grammar: "Knowing where to look"."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    if label in KINDS:  # a kind of bare verdict, named as coders name it ("Nothing to improve")
        return []
    faults = []
    # "A&E" is one word, and so is "top-up" (its halves are stop words, the noun is not).
    words = re.findall(r"[A-Za-z0-9'&]+(?:-[A-Za-z0-9'&]+)*", label.lower())
    acronyms = {w.lower() for w in re.findall(r"\b[A-Z]{2,}\b", label)}  # "US" is not "us"
    stop = set(ENGLISH_STOP_WORDS) - _NOUNS - acronyms
    vague = any(w in FILLER or w in WEAK_MODIFIERS or set(w) <= {"x"} for w in words)
    only_stop = set(words) <= stop | _FUNCTION_WORDS
    if not words or vague or only_stop or _stop_at_an_end(words, stop):
        faults.append("filler")
    if re.search(r"\d", label):
        faults.append("number")
    if any(w in names for w in words):
        faults.append("name")
    if _URL_PIECE.search(label.lower()):
        faults.append("url")
    return faults


def _stop_at_an_end(words: list[str], stop: set[str]) -> bool:
    """ "All the groups", "Waiting for it"; an opening "not" or -ing verb is fine, and so is a
    participle's own closing particle ("Being listened to", "Looked after")."""
    opening = words[1:] if words[:1] == ["not"] and len(words) > 1 else words
    particle = len(words) > 1 and words[-1] in _PARTICLES and words[-2].endswith(("ed", "en"))
    return (opening[0] in stop and not opening[0].endswith("ing")) or (
        words[-1] in stop and not particle
    )
