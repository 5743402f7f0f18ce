"""Authors named in others' posts: an @handle, a handle written out, or a reply addressing its
post's author by the handle's first part ("I see what you mean maple but …") becomes [NAME],
as any name in text does. The author field itself stays: it is how a Lab tells people apart."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

_PART = re.compile(r"[^\W\d_]{3,}")
_SEPARATED = re.compile(r"[_.\d]")  # a chosen handle ("maple_and_moss"), not a name ("Gwen T")
_ONE_WORD = re.compile(r"[^\W\d_]{4,}")  # "willowbank": chosen unless it is an English word


def redact_mentions(
    texts: list[str],
    people: list[str | None],
    metas: list[dict],
    is_word: Callable[[str], bool] = lambda word: True,
) -> list[tuple[str, Counter]]:
    """Each post's text with the source's handles, and the first part of the handle of the post
    it replies to, replaced by [NAME]; with how many were replaced. `is_word` says whether a
    lower-case word is ordinary English: a one-word handle that is not ("willowbank") is as
    chosen as one with a separator."""

    def chosen(handle: str) -> bool:
        if _SEPARATED.search(handle):
            return True
        return bool(_ONE_WORD.fullmatch(handle)) and not is_word(handle.lower())

    handles = sorted({p for p in people if p and chosen(p)}, key=len, reverse=True)
    alternatives = "|".join(re.escape(h) for h in handles)
    written = re.compile(rf"(?<![\w@])@?(?:{alternatives})(?!\w)", re.IGNORECASE)
    posts = zip(people, metas, strict=True)
    author = {(m.get("thread"), m["id"]): person for person, m in posts if "id" in m}
    done = []
    for text, meta in zip(texts, metas, strict=True):
        found = 0
        if handles:
            text, found = written.subn("[NAME]", text)
        answered = author.get((meta.get("thread"), meta.get("parent")))
        if answered and chosen(answered) and (part := _PART.search(answered)):
            addressed = re.compile(rf"(?<![\w@\[]){re.escape(part.group(0))}(?!\w)", re.IGNORECASE)
            text, n = addressed.subn("[NAME]", text)
            found += n
        done.append((text, Counter({"NAME": found}) if found else Counter()))
    return done
