"""Is a passage worth quoting? One check for every place an essay or report chooses a quote:
never a redaction placeholder, a page heading, a list of dates or other non-prose."""

from __future__ import annotations

import re

from lab_app.essays.markup import flat

# What redaction leaves behind: [EMAIL], [PHONE], [POSTCODE], [NHS_NUMBER], [URL], [NAME], ...
PLACEHOLDER = re.compile(r"\[[A-Z][A-Z_ ]*\]")
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_DATE = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)? (?:{_MONTHS})\b(?: \d{{4}})?|(?:{_MONTHS}) \d{{4}}|"
    r"\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{2}-\d{2})"
)
_BULLET = re.compile(r"^[–•*·-]\s+|•")
_DATED_ITEM = re.compile(r"\b(?:\d{4}|" + _MONTHS + r"):\s")
_BREADCRUMB = re.compile(r"\S \/ \S|\S \| \S|\S › \S|\S » \S| · ")
# A heading run into the text that follows it: "… 24 February 2026 Written up by …".
_RUN_IN = re.compile(r"\b(?:19|20)\d{2} [A-Z][a-z]")
_BYLINE = re.compile(
    r"^(?:Written(?: up)?|Prepared|Compiled|Edited|Posted|Published|Authored)\b.{0,40}\bby\b|"
    r"^Published\b",
    re.IGNORECASE,
)
_PUBLISHED = re.compile(r"\bPublished (?:on )?\d|\bPosted by\b")
_FIELD = re.compile(r"\b(?:Date|From|To|Subject|Venue|Prepared by|Published):\s")
# One item of a head count run into prose: ", 9 paid peer workers", "; 3 social prescribers".
_TALLY_ITEM = re.compile(r"[,;:]\s+(?:and\s+)?\d+\s+[a-z]")
TALLY_ITEMS = 4  # this many counted items make a passage a tally of who, not what anyone found
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_ENDS_SENTENCE = re.compile(r"[.!?…][\"”’')\]]*$")
SHORTEST_WORDS = 5
TITLE_PART = 20  # a part of a document title this long, found in a passage, marks a header


def title_parts(*titles: str) -> tuple[str, ...]:
    """Parts of a document's title and author long enough to recognise a page header by:
    'Peer support in the community: closing the gap … | Kinship Minds' gives three."""
    parts = []
    for title in titles:
        for part in re.split(r"\s+[|·—–-]\s+|[:?!]\s+", flat(title or "")):
            part = part.strip(" .")
            if len(part) >= TITLE_PART:
                parts.append(part.lower())
    return tuple(parts)


def quote_problem(text: str, avoid: tuple[str, ...] = ()) -> str | None:
    """Why the passage should not be quoted, or None when it reads as someone's prose.
    `avoid` holds lower-case title parts (title_parts) that a page header would repeat."""
    if PLACEHOLDER.search(text or ""):
        return "it holds a redaction placeholder"
    lines = [flat(line) for line in (text or "").split("\n") if line.strip()]
    if not lines:
        return "it is empty"
    whole = " ".join(lines)
    dates = _DATE.findall(whole)
    if len(dates) >= 3 or (len(dates) == 2 and _DATED_ITEM.search(whole)):
        return "it is a list of dates"
    bullets = sum(len(_BULLET.findall(line)) for line in lines)
    if bullets >= 2 or whole[:1] in "–•*·-" or _FIELD.search(whole):
        return "it is a list, not prose"
    if head_count(whole):
        return "it is a head count, not a finding"
    if _BREADCRUMB.search(whole) or _RUN_IN.search(whole):
        return "it is a page heading or a table"
    if _BYLINE.search(whole):
        return "it is a byline"
    lowered = whole.lower()
    if any(part in lowered for part in avoid):
        return "it repeats the document's title"
    if any(_is_heading(line) for line in lines):
        return "it is a heading"
    return _not_prose(whole)


def head_count(text: str) -> bool:
    """ "46 took part: 19 people with lived experience, 9 paid peer workers, 6 …": who came."""
    return len(_TALLY_ITEM.findall(flat(text or ""))) >= TALLY_ITEMS


def front_matter(line: str) -> bool:
    """A document's byline line ('Written up by … Comments are attributed by role only.'):
    nothing on it is the document speaking, so no sentence of it is quoted."""
    line = flat(line)
    return bool(_BYLINE.search(line) or _PUBLISHED.search(line))


def worth_quoting(text: str, avoid: tuple[str, ...] = ()) -> bool:
    return quote_problem(text, avoid) is None


def statement_problem(text: str) -> str | None:
    """quote_problem for a statement people voted on: short and often unpunctuated by nature,
    so only placeholders, lists and non-prose rule it out."""
    if PLACEHOLDER.search(text or ""):
        return "it holds a redaction placeholder"
    whole = flat(text)
    if len(_DATE.findall(whole)) >= 3 or _FIELD.search(whole):
        return "it is a list, not prose"
    return _not_prose(whole)


def _is_heading(line: str) -> bool:
    """A line with no sentence ending, few words, or mostly capitalised words."""
    words = _WORD.findall(line)
    if _ENDS_SENTENCE.search(line):
        return line.isupper() and len(words) > 2
    capitalised = sum(1 for w in words[1:] if w[0].isupper())
    return len(words) < 8 or capitalised > 0.5 * max(1, len(words) - 1)


def _not_prose(text: str) -> str | None:
    words = _WORD.findall(text)
    if len(words) < SHORTEST_WORDS:
        return "it is too short to quote"
    letters = sum(ch.isalpha() for ch in text)
    if letters < 0.6 * len(text.replace(" ", "")):
        return "it is mostly numbers or symbols"
    return None
