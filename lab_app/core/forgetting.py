"""What a withdrawal asks every package to forget, and the scrubbing of quoted words they share.

Withdrawal (people/withdrawal.py) does not know where a person's name and words are kept: it
asks each package's `forget(conn, gone)` in turn, inside one transaction. Each of those
modules lists the person columns it answers for in FORGETS, and a test holds every column the
schema marks as holding a person (`info=PERSON`) to one of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

REMOVED = "[quote removed: the person withdrew]"
MIN_QUOTE_CHARS = 15  # shorter quoted bits are too common to say they are someone's words
_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # drafts escape Markdown in quoted words
_QUOTED = re.compile(r"“([^”]+)”|\"([^\"]+)\"|^>\s?(.+)$", re.M)


@dataclass(frozen=True)
class Gone:
    """A person being withdrawn: their name, the pseudonym that takes its place in histories,
    the ids of their extracts, their words (whitespace flattened), and who withdraws them."""

    person: str
    alias: str
    extract_ids: frozenset[str]
    passages: tuple[str, ...]
    by: str

    @classmethod
    def of(cls, person: str, alias: str, extract_ids, words, by: str) -> Gone:
        passages = tuple(flat(w) for w in words if w.strip())
        return cls(person, alias, frozenset(extract_ids), passages, by)


def scrub_text(body: str, passages) -> tuple[str, bool]:
    """Remove quotations of these passages (whole, or a quoted part of one) from a text."""
    if not body or not passages:
        return body, False
    changed = False

    def replace(match: re.Match) -> str:
        nonlocal changed
        quoted = next(g for g in match.groups() if g is not None)
        words = flat(_UNESCAPE.sub(r"\1", quoted)).strip(" .…")
        # An elided quotation ("a … b") is theirs when every piece is in one of their passages.
        pieces = [piece.strip(" .") for piece in re.split(r"…|\.\.\.", words)]
        pieces = [piece for piece in pieces if piece]
        if len(words) >= MIN_QUOTE_CHARS and any(all(x in p for x in pieces) for p in passages):
            changed = True
            return ("> " if match.group(0).startswith(">") else "") + REMOVED
        return match.group(0)

    result = _QUOTED.sub(replace, body)
    for passage in passages:
        if len(passage) >= MIN_QUOTE_CHARS and passage in flat(result):
            # An unquoted copy: match it whatever its line breaks.
            pattern = r"\s+".join(re.escape(word) for word in passage.split())
            result, n = re.subn(pattern, REMOVED, result)
            changed = changed or n > 0
    return result, changed


def scrub_json(value, gone: Gone):
    """A JSON value without the withdrawn extract ids (list items, dict keys or values) and with
    quotations of their words removed from its strings; and whether anything changed."""
    if isinstance(value, str):
        return scrub_text(value, gone.passages)
    if isinstance(value, list):
        items, changed = [], False
        for item in value:
            if (isinstance(item, str) and item in gone.extract_ids) or (
                isinstance(item, dict) and _names_gone(item, gone.extract_ids)
            ):
                changed = True
                continue
            new, item_changed = scrub_json(item, gone)
            items.append(new)
            changed = changed or item_changed
        return items, changed
    if isinstance(value, dict):
        result, changed = {}, False
        for key, item in value.items():
            if key in gone.extract_ids or (isinstance(item, str) and item in gone.extract_ids):
                changed = True
                continue
            new, item_changed = scrub_json(item, gone)
            result[key] = new
            changed = changed or item_changed
        return result, changed
    return value, False


def scrub_fields(row, gone: Gone, text_fields=(), json_fields=()) -> dict:
    """The new values of a row's text and JSON fields that held the person's words ({} when
    none did), ready for an UPDATE."""
    values = {}
    for name in text_fields:
        old = getattr(row, name) or ""
        new, changed = scrub_text(old, gone.passages)
        if changed:
            values[name] = new
    for name in json_fields:
        old = getattr(row, name)
        new, changed = scrub_json(old if old is not None else {}, gone)
        if changed:
            values[name] = new
    return values


def _names_gone(item: dict, ids: frozenset[str]) -> bool:
    """A quote object such as {"extract_id": ..., "text": ...} that stands for a gone extract."""
    return any(item.get(key) in ids for key in ("extract_id", "extract", "id"))


def flat(value: str) -> str:
    return " ".join(value.split())
