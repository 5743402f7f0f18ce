"""Small writing helpers: sentences, excerpts, lists in words, and quotes in essay Markdown."""

from __future__ import annotations

import re

from lab_app.essays.markup import ATTRIBUTION_DASH, ELISION, escape, flat
from lab_app.essays.quotable import PLACEHOLDER, front_matter, head_count, worth_quoting

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'‘(])")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(flat(text)) if s.strip()]


def inline_sentence(
    text: str,
    shortest: int = 40,
    longest: int = 260,
    avoid: tuple[str, ...] = (),
    about: set[str] | None = None,
) -> str | None:
    """A sentence of the text fit to quote inline: a whole sentence of a readable length, on
    one line (a heading on the line above never runs into it), no curly double quotes (they
    delimit the quotation), and worth quoting (no placeholder, heading or list; none of `avoid`,
    the lower-case title parts a page's running header glues onto its first line). Nothing is
    quoted from a text that held a name or identifier: its other sentences lead back to it;
    nor from a paragraph that counts who came (its next sentence is who else joined). With
    `about` (lower-case words), the fitting sentence holding most of them, else the first."""
    if PLACEHOLDER.search(text or "") or head_count(text):
        return None
    fitting = []
    for line in (text or "").split("\n"):
        if front_matter(line):
            continue
        for sentence in sentences(line):
            whole = sentence.endswith((".", "!", "?")) and len(sentence.split()) >= 6
            fits = shortest <= len(sentence) <= longest
            if whole and fits and not _awkward(sentence) and worth_quoting(sentence, avoid):
                if not about:
                    return sentence
                fitting.append(sentence)
    if not fitting:
        return None
    words = [set(re.findall(r"[\w'-]+", s.lower())) for s in fitting]
    best = max(range(len(fitting)), key=lambda i: (len(words[i] & about), -i))
    return fitting[best]


def _awkward(sentence: str) -> bool:
    """Curly double quotes (they delimit the quotation), or a straight one left open by the
    sentence split ('summed up: "With a professional …'), which would read as a misquote."""
    return "“" in sentence or "”" in sentence or sentence.count('"') % 2 == 1


def excerpt(text: str, limit: int = 340) -> str:
    """The text, or its opening sentences up to `limit` characters followed by an ellipsis."""
    whole = flat(text)
    if len(whole) <= limit:
        return whole
    kept = ""
    for sentence in sentences(whole):
        if len(kept) + len(sentence) + 1 > limit:
            break
        kept = f"{kept} {sentence}".strip()
    if not kept:  # one long sentence: cut at a word boundary
        kept = whole[:limit].rsplit(" ", 1)[0]
    return f"{kept} {ELISION}"


def prose(text: str) -> str:
    """Someone else's words used as our prose (a title, a summary): made inert, and their double
    quotation marks turned to single ones so the check does not take them for a quotation."""
    text = flat(text).replace("“", "‘").replace("”", "’")
    return escape(re.sub(r"\"([^\"]*)\"", r"‘\1’", text).replace('"', "'"))


def inline_quote(sentence: str, extract_id: str) -> str:
    return f"“{escape(sentence)}” [#{extract_id}]"


def blockquote(text: str, who: str, extract_id: str) -> str:
    lines = [f"> {escape(line)}" if line else ">" for line in text.split("\n")]
    return "\n".join([*lines, ">", f"> {ATTRIBUTION_DASH}{escape(who)} [#{extract_id}]"])


def in_words(items: list[str], conjunction: str = "and") -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def counted(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def readable_label(label: str, by_staff: bool) -> str:
    """A built label ('training · lived experience · qualification') as a heading."""
    if by_staff or " · " not in label:
        return label
    words = [w.strip() for w in label.split(" · ") if w.strip()]
    text = in_words(words)
    return text[:1].upper() + text[1:]


def full_stop(text: str) -> str:
    """The text as a sentence: a full stop added unless it ends on one (or ? or !), quotes aside."""
    return text if text.rstrip("’”)'").endswith((".", "!", "?")) else text + "."


def percent(share: float) -> str:
    return f"{round(share * 100)}%"
