"""Authors named in others' posts: an @handle, a handle written out, a reply addressing its
post's author by the handle's first part ("I see what you mean maple but …"), or the given name
of anyone posting in the thread under their own name ("Sadly normal Ade." to "Ade O") becomes
[NAME], as any name in text does. The author field itself stays: it is how a Lab tells people
apart."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable

_PART = re.compile(r"[^\W\d_]{3,}")
_SEPARATED = re.compile(r"[_.\d]")  # a chosen handle ("maple_and_moss"), not a name ("Gwen T")
_ONE_WORD = re.compile(r"[^\W\d_]{4,}")  # "willowbank": chosen unless it is an English word
# The given name opening a display name ("Ade O", "Donna from the hub"), as it is written.
_GIVEN = re.compile(r"[^\W\d_][^\W\d_]+(?=\s|$)")


def redact_mentions(
    texts: list[str],
    people: list[str | None],
    metas: list[dict],
    is_word: Callable[[str], bool] = lambda word: True,
) -> list[tuple[str, Counter]]:
    """Each post's text with the source's handles, the first part of the handle of the post it
    replies to and its thread's authors' given names replaced by [NAME]; with how many were.
    `is_word` says whether a lower-case word is ordinary English: a one-word handle that is not
    ("willowbank") is as chosen as one with a separator."""

    def chosen(handle: str) -> bool:
        if _SEPARATED.search(handle):
            return True
        return bool(_ONE_WORD.fullmatch(handle)) and not is_word(handle.lower())

    handles = sorted({p for p in people if p and chosen(p)}, key=len, reverse=True)
    alternatives = "|".join(re.escape(h) for h in handles)
    written = re.compile(rf"(?<![\w@])@?(?:{alternatives})(?!\w)", re.IGNORECASE)
    posts = list(zip(people, metas, strict=True))
    author = {(m.get("thread"), m["id"]): person for person, m in posts if "id" in m}
    named = _given_names_by_thread(posts, chosen)
    done = []
    for text, meta in zip(texts, metas, strict=True):
        found = 0
        if handles:
            text, found = written.subn("[NAME]", text)
        if given := named.get(meta.get("thread")):
            text, n = given.subn("[NAME]", text)
            found += n
        answered = author.get((meta.get("thread"), meta.get("parent")))
        if answered and chosen(answered) and (part := _PART.search(answered)):
            addressed = re.compile(rf"(?<![\w@\[]){re.escape(part.group(0))}(?!\w)", re.IGNORECASE)
            text, n = addressed.subn("[NAME]", text)
            found += n
        done.append((text, Counter({"NAME": found}) if found else Counter()))
    return done


def _given_names_by_thread(posts: list, chosen: Callable[[str], bool]) -> dict:
    """thread -> a pattern of the given names its authors post under ("Ade" of "Ade O"), matched
    as written, capitalised: spaCy misses a name that ends a sentence with no cue ("Sadly normal
    Ade."), and in the thread where its owner posts, the capitalised word is that person."""
    names: dict = defaultdict(set)
    for person, meta in posts:
        thread = meta.get("thread")
        if thread is None or not person or chosen(person):
            continue
        given = _GIVEN.match(person)
        if given and given.group(0)[0].isupper():
            names[thread].add(given.group(0))
    return {
        thread: re.compile(rf"(?<![\w@\[])(?:{'|'.join(map(re.escape, sorted(found)))})(?!\w)")
        for thread, found in names.items()
    }
