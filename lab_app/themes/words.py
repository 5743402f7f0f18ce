"""How curation names what it touched, for people: themes by label in curly quotes, extracts by
the start of their text, never by ids (plain text: the app escapes it for Markdown)."""

from __future__ import annotations

from lab_app.material.reads import extracts_by_ids
from lab_app.themes.views import label_of

SNIPPET = 60  # characters of an extract's text that name it in a message
GONE = "an extract no longer in the workspace"


def snippet(text: str, limit: int = SNIPPET) -> str:
    """The start of a text on one line, cut at a word and marked “…” when cut."""
    flat = " ".join((text or "").split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] if " " in flat[:limit] else flat[:limit]
    return cut.rstrip(" ,;:.-") + "…"


def quoted(text: str) -> str:
    return f"“{text}”"


def theme(engine, theme_id: str) -> str:
    """“Peer worker training”: a theme by its current label."""
    return quoted(label_of(engine, theme_id))


def themes(engine, theme_ids: list[str]) -> str:
    return ", ".join(theme(engine, t) for t in theme_ids)


def extract(engine, extract_id: str) -> str:
    """“I found my group through…”: an extract by the start of its text."""
    row = extracts_by_ids(engine, [extract_id]).get(extract_id)
    return quoted(snippet(row["text"])) if row else GONE


def extracts(engine, extract_ids: list[str]) -> str:
    """One extract by its text; several by how many ("3 extracts")."""
    if len(extract_ids) == 1:
        return extract(engine, extract_ids[0])
    return f"{len(extract_ids):,} extracts"


# action: (the noun for undo messages, the verb for "done" messages)
NAMES = {
    "rename": ("rename of", "Renamed"),
    "describe": ("description of", "Described"),
    "lock": ("lock of", "Locked"),
    "unlock": ("unlock of", "Unlocked"),
    "move": ("move of", "Moved"),
    "exclude": ("exclusion of", "Excluded"),
    "pin": ("pin of", "Pinned"),
    "merge": ("merge of", "Merged"),
    "split": ("split of", "Split"),
}


def action(engine, row) -> str:
    """What an audit line of a curation action did, as a noun: "move of 3 extracts to “X”"."""
    kind = row.action.removeprefix("curate.")
    return f"{NAMES.get(kind, (kind,))[0]} {_object(engine, kind, row)}"


def done(engine, row) -> str:
    """The same as a sentence for the person who just did it: "Moved 3 extracts to “X”."."""
    kind = row.action.removeprefix("curate.")
    return f"{NAMES.get(kind, (kind, kind))[1]} {_object(engine, kind, row)}."


def _object(engine, kind: str, row) -> str:
    before, detail = row.detail.get("before") or {}, row.detail
    moved = list(before.get("members") or {})
    first = row.target
    if kind == "move":  # older move lines target the extract and keep the theme in "before"
        first = detail.get("to") or next(iter(before.get("themes") or {}), row.target)
    if kind == "rename":
        was = (before["themes"].get(first) or {}).get("label")
        return theme(engine, first) + (f" (was {quoted(was)})" if was else "")
    if kind == "move":
        return f"{extracts(engine, moved)} to {theme(engine, first)}"
    if kind == "exclude":
        return f"{extracts(engine, moved)} from every theme"
    if kind == "pin":
        theme_id, extract_id = (before.get("pins") or [[[row.target, row.target]]])[0][0]
        return f"{extract(engine, extract_id)} as an exemplar of {theme(engine, theme_id)}"
    if kind == "merge":
        return f"{themes(engine, detail.get('merged', []))} into {theme(engine, first)}"
    if kind == "split":
        return f"{theme(engine, first)} into {themes(engine, detail.get('into', []))}"
    return theme(engine, first)
