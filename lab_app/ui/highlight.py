"""Search matches in bold, in text that stays inert: a person's words never become markup."""

from __future__ import annotations

import re

from lab_app.ui.components import safe_markdown

# Private-use characters mark a match while the text is escaped; taken out of the input first,
# so a text cannot carry its own.
_OPEN, _CLOSE = "\ue000", "\ue001"
_WORD = re.compile(r"\w+")
MIN_STEM = 4  # "support" also marks "supported", "supporting"; shorter words match whole
SHORT = 320  # characters of a quote shown before "Read all"
# Words a search ignores for highlighting: marking every "the" tells the reader nothing.
_STOP_WORDS = """a an and are as at be but by can do does for from has have how i if in into is it
its me my no not of on or our so that the their them they this to was we what when where which
who why will with you your"""
STOP = frozenset(_STOP_WORDS.split())


def query_words(query: str) -> list[str]:
    """The words of a search worth marking, lower-case, longest first."""
    words = {w.lower() for w in _WORD.findall(query or "") if w.lower() not in STOP and len(w) > 1}
    # A plural asked for marks the singular too ("groups" marks "group"), via the stem rule.
    words = {w[:-1] if len(w) > MIN_STEM and w.endswith("s") else w for w in words}
    return sorted(words, key=lambda w: (-len(w), w))


def _matches(word: str, wanted: list[str]) -> bool:
    lowered = word.lower()
    return any(lowered == w or (len(w) >= MIN_STEM and lowered.startswith(w)) for w in wanted)


def highlighted(text: str, wanted: list[str]) -> str:
    """safe_markdown of the text with each word matching `wanted` in bold."""
    clean = (text or "").replace(_OPEN, "").replace(_CLOSE, "")
    if wanted:
        clean = _WORD.sub(
            lambda m: (
                f"{_OPEN}{m.group(0)}{_CLOSE}" if _matches(m.group(0), wanted) else m.group(0)
            ),
            clean,
        )
    return safe_markdown(clean).replace(_OPEN, "**").replace(_CLOSE, "**")


def quote_markdown(text: str, wanted: list[str] | None = None) -> str:
    """A block quote of the text, line breaks kept, matches in bold (user_markdown's shape)."""
    lines = highlighted(text, wanted or []).splitlines() or [""]
    return "\n".join(f"> {line}  " if line.strip() else ">" for line in lines)


def shortened(text: str, limit: int = SHORT) -> str:
    """The text cut at a word near `limit` characters, with an ellipsis; whole if short."""
    if len(text or "") <= limit:
        return text or ""
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + " …"
