"""Non-answers: survey replies that say nothing without their question ("Nothing", "N/A", "-").

A reply is a non-answer when, once case, punctuation and spacing are set aside, it is made only
of declining phrases: "no", "nothing really", "n/a", "no comment", "did not answer", "don't
know", "not sure", "can't think of anything", "no, nothing, thank you". Anything more is an
answer: "No, the staff were lovely", "Nothing, all was good", "Nothing to improve" (it says
something of the service on its own), "No complaints", "Not much", an emoji.

"Not sure" counts as a non-answer: it is applied only to free-text columns, where it declines
the question as "don't know" does (on the NHS FFT data all four are "nothing to improve"); a
stance of doubt on a closed question lives in an attribute column, which is never filtered.
Each non-answer is counted by type, so "no" to a yes/no question stays visible as a number.
"""

from __future__ import annotations

import re
import unicodedata

# Types a non-answer is counted under, in the order reports list them.
TYPES = ("nothing", "no", "don't know", "declined")

# Phrases by type, as words after normalising (lower case, apostrophes dropped, other
# punctuation made a space). Optional words in (?:…)? keep the list short.
_THINK = r"(?:i )?(?:can|could) (?:immediately )?think (?:of|off|about)"  # "off": a common slip
_CANT_THINK = r"(?:i )?(?:cant|cannot|can not|couldnt|could not) (?:immediately )?think (?:of|off)"
_PHRASES = {
    "nothing": (
        r"nothing(?: (?:else|further|more|additional|much))?"
        r"(?: to (?:add|say|report|comment(?: on)?|mention|declare|share))?",
        r"none(?: to (?:add|say|report))?",
        r"nil",
        r"not (?:a )?thing",
        rf"(?:nothing|none|not) (?:that )?(?:{_THINK}|i know of)",
        r"nothing (?:that )?(?:really )?(?:comes?|springs?) (?:to )?mind",
        rf"{_CANT_THINK} (?:anything|a thing|nothing)",
        r"(?:i )?(?:have|ive|have got|ve got) nothing(?: (?:else|further|more|additional))?"
        r" to (?:add|say)",
    ),
    "no": (
        r"no",
        r"nope",
        r"nah",
        r"not(?: (?:now|currently|yet))?",  # "Not at this time." (the time is an _AFTER)
        r"not really",
        r"(?:definitely|certainly) not",
        r"(?:i )?(?:dont|do not) think so",
    ),
    "don't know": (
        r"(?:i )?(?:dont|do not) know",
        r"dunno",
        r"idk",
        r"(?:i )?(?:have )?no idea",
        r"(?:im )?(?:not sure|unsure)",
        r"(?:i )?(?:havent|have not) (?:really )?(?:thought|considered)"
        r" (?:about )?(?:it|this|that)",
    ),
    "declined": (
        r"n ?a",
        r"not applicable",
        r"null",
        r"nan",
        r"x+",  # "xx": a placeholder, like "testing"
        r"test(?:ing)?",
        r"no (?:further |other |more |additional )?comments?",
        r"no (?:answer|response|reply)",
        r"(?:did not|didnt) answer",
        r"not (?:answered|stated|given)",
        r"(?:i )?(?:would )?(?:prefer|rather) not (?:to )?(?:say|answer|comment)",
        r"no thanks?",
        r"no thank you",
        r"(?:same )?as (?:above|before|previous(?:ly)?)",
        r"see (?:above|previous(?: answer)?)",
        r"(?:i think )?(?:ive|i have) (?:already )?(?:said|covered|answered) (?:it all|everything"
        r"|all of it|this|that)(?: (?:above|already|before|earlier))?",
        r"(?:ill|i will|will) (?:answer|come back to) (?:this|it|that)(?: one)? later",
        r"good question",
    ),
}
# Words that may come before or after a phrase without adding anything to it.
_BEFORE = r"(?:(?:absolutely|really|honestly|just|um+|erm+|er|hm+|well|sorry|oh) )*"
_AFTER = (
    r"(?: (?:really|at all|whatsoever|thanks|thank you|thankyou|sorry|else|for now|so far"
    r"|at present|for me|i think|as such|to be honest|right now|lol"
    r"|at (?:the|this) (?:moment|minute|time|point)|cheers"
    r"|good luck(?: with (?:the|this|your) (?:work|lab|project|survey))?))*"
)
_PHRASE = {kind: "|".join(phrases) for kind, phrases in _PHRASES.items()}
_ANY_UNIT = rf"{_BEFORE}(?:{'|'.join(_PHRASE.values())}){_AFTER}"
# A reply's type is that of its first phrase; the rest may be any phrases ("no, nothing",
# "not sure, nothing I could think of"). "declined" is tried first so "no comment" and
# "no thanks" are not read as a plain "no".
_WHOLE = {
    kind: re.compile(rf"{_BEFORE}(?:{_PHRASE[kind]}){_AFTER}(?: {_ANY_UNIT})*")
    for kind in ("declined", "don't know", "nothing", "no")
}
MAX_WORDS = 15  # the longest non-answer seen is 9 words; longer replies are answers
_APOSTROPHES = str.maketrans("", "", "'’‘`´")
_SYMBOLS_AFTER = re.compile(r"(?:\s*[^\w\s])+$")  # emoji and other symbols closing a reply


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped, punctuation and spacing made single spaces."""
    folded = unicodedata.normalize("NFKC", text).lower().translate(_APOSTROPHES)
    kept = (" " if unicodedata.category(c)[0] in "PZC" else c for c in folded)
    return " ".join("".join(kept).split())


def non_answer_type(text: str) -> str | None:
    """The type of non-answer a non-blank reply is ("nothing", "no", "don't know",
    "declined"), or None for a real answer. Blank replies are not asked about here."""
    words = normalise(text)
    if not words:
        return "declined"  # "-", "--", ".", "?", "..." (an emoji is kept: it is a symbol)
    if words.count(" ") >= MAX_WORDS:
        return None
    # A smiley after the words ("Nothing 😊") adds a mood, not an answer; alone ("👍") it is one.
    words = _SYMBOLS_AFTER.sub("", words) or words
    if words in _MISSPELT_NOTHING:
        return "nothing"
    return next((kind for kind, whole in _WHOLE.items() if whole.fullmatch(words)), None)


def _one_keystroke_from(word: str) -> set[str]:
    """Every word one letter dropped, swapped with the next, changed or added away."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return (
        {a + b[1:] for a, b in splits if b}
        | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        | {a + c + b[1:] for a, b in splits if b for c in letters}
        | {a + c + b for a, b in splits for c in letters}
    ) - {word}


# A one-word reply one keystroke from "nothing" ("nothimg", "nothng", "nohing"): on NHS answers
# each of these stands alone and is coded nothing-to-improve.
_MISSPELT_NOTHING = frozenset(_one_keystroke_from("nothing"))


def is_non_answer(text: str) -> bool:
    """True for a non-blank reply that declines the question (see the module docstring)."""
    return bool(text.strip()) and non_answer_type(text) is not None
