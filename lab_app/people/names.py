"""Account names that look alike share one key, so a new account cannot pass for another."""

from __future__ import annotations

import unicodedata

from disarm import skeleton_key


def look_key(name: str) -> str:
    """The name as it looks: NFKC, case folded, each confusable character folded to its
    Unicode TR39 prototype (disarm's skeleton), invisible characters gone. "Ana", "ANA" and
    "Аna" (a Cyrillic А) share a key; "Zoe" and "Zoë" do not."""
    folded = unicodedata.normalize("NFKC", (name or "").strip()).casefold()
    return skeleton_key(folded)


def look_alike(name: str, existing) -> str | None:
    """The existing name that looks like `name` (itself included), or None."""
    key = look_key(name)
    return next((other for other in existing if look_key(other) == key), None)
