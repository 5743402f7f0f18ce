"""Take a withdrawn person's quoted words out of themes, tensions, ideas and essay drafts."""

from __future__ import annotations

import re

from sqlalchemy import select, update

from lab_app.tables import themes
from lab_app.tables_essays import essay_sections, essay_versions, essays
from lab_app.tables_year import ideas, tension_history, tensions
from lab_app.theme_state import now

REMOVED = "[quote removed: the person withdrew]"
UNTITLED = "[title removed: its author withdrew; staff, give this idea a new title]"
MIN_QUOTE_CHARS = 15  # shorter quoted bits are too common to say they are someone's words
_MARKER = re.compile(r"\[#([0-9a-f]{6,40})\]")  # how essay drafts cite an extract
_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # drafts escape Markdown in quoted words
_QUOTED = re.compile(r"“([^”]+)”|\"([^\"]+)\"|^>\s?(.+)$", re.M)


def scrub_derived(conn, ids: list[str], words: list[str]) -> list[int]:
    """Quotes of their words in themes, tensions, ideas and essay drafts are removed; returns
    the ids of the drafts that quoted them, to be flagged for their authors."""
    gone = set(ids)
    passages = [_flat(w) for w in words if w.strip()]
    stamp = now()
    for row in conn.execute(select(themes.c.id, themes.c.description, themes.c.details)).all():
        description, _ = scrub_text(row.description or "", passages)
        details, _ = _scrub_json(row.details or {}, gone, passages)
        if description != (row.description or "") or details != (row.details or {}):
            values = {"description": description, "details": details}
            conn.execute(update(themes).where(themes.c.id == row.id).values(**values))
    for row in conn.execute(select(tensions)).all():
        sides, changed = _scrub_json(row.sides or [], gone, passages)
        # A vote tension's title quotes its statement: their words go from the title too.
        title, retitled = scrub_text(row.title or "", passages)
        if changed or retitled:
            conn.execute(
                update(tensions)
                .where(tensions.c.id == row.id)
                .values(sides=sides, title=title, updated_at=stamp)
            )
            conn.execute(
                tension_history.insert().values(
                    tension_id=row.id, at=stamp, who="system", event="withdrawal", detail={}
                )
            )
    query = select(ideas.c.id, ideas.c.title, ideas.c.description, ideas.c.details)
    for row in conn.execute(query).all():
        description, _ = scrub_text(row.description or "", passages)
        details, _ = _scrub_json(row.details or {}, gone, passages)
        values = {}
        if description != (row.description or "") or details != (row.details or {}):
            values = {"description": description, "details": details}
        # An accepted suggestion is titled with a proposal sentence: their words, unquoted.
        title = _flat(row.title or "").strip(" .…")
        if len(title) >= MIN_QUOTE_CHARS and any(title in passage for passage in passages):
            values["title"] = UNTITLED
        if values:
            conn.execute(update(ideas).where(ideas.c.id == row.id).values(**values))
    return sorted(_essays_quoting(conn, gone, passages))


def _essays_quoting(conn, gone: set[str], passages: list[str]) -> dict[int, list[str]]:
    """essay id -> keys of its sections that quote or cite these extracts."""
    found: dict[int, list[str]] = {}
    for row in conn.execute(select(essay_sections)).all():
        markers = _MARKER.findall(row.body or "")
        cited = any(e.startswith(m) for m in markers for e in gone)
        _, grounded = _scrub_json(row.grounding or {}, gone, [])
        _, quoted = scrub_text(row.body or "", passages)
        if cited or grounded or quoted:
            found.setdefault(row.essay_id, []).append(row.key)
    return found


def scrub_essays(engine, ids: list[str], words: list[str], who: str) -> None:
    """Take their words out of essay drafts and every saved version, then flag the drafts.

    The essays feature removes quotations whose marker names a gone extract (and resets the
    drafts' flags); what is left here is any copy of their words without a marker."""
    gone, passages = set(ids), [_flat(w) for w in words if w.strip()]
    with engine.connect() as conn:
        flagged = _essays_quoting(conn, gone, passages)
    try:
        from lab_app.essays.store import scrub_missing
    except ImportError:  # the essays feature is not there: the scrub below does it all
        scrub_missing = None
    if scrub_missing is not None and flagged:
        scrub_missing(engine, who=who)
    stamp = now()
    with engine.begin() as conn:
        for row in conn.execute(select(essay_sections)).all():
            body, quoted = scrub_text(row.body, passages)
            grounding, grounded = _scrub_json(row.grounding or {}, gone, passages)
            if quoted or grounded:
                conn.execute(
                    update(essay_sections)
                    .where(
                        essay_sections.c.essay_id == row.essay_id, essay_sections.c.key == row.key
                    )
                    .values(body=body, grounding=grounding)
                )
                flagged.setdefault(row.essay_id, []).append(row.key)
        for row in conn.execute(select(essay_versions.c.id, essay_versions.c.body)).all():
            body, quoted = scrub_text(row.body, passages)
            if quoted:  # earlier versions must not keep the words either
                query = update(essay_versions).where(essay_versions.c.id == row.id)
                conn.execute(query.values(body=body))
        for essay_id, keys in flagged.items():
            current = conn.execute(select(essays.c.flags).where(essays.c.id == essay_id)).scalar()
            flag = {
                "reason": "withdrawal",
                "at": stamp.isoformat(),
                "sections": sorted(set(keys)),
                "note": "A person quoted here withdrew: their words were removed; check the text.",
            }
            conn.execute(
                update(essays).where(essays.c.id == essay_id).values(flags=[*(current or []), flag])
            )


# --- text ------------------------------------------------------------------------------------


def scrub_text(body: str, passages: list[str]) -> tuple[str, bool]:
    """Remove quotations of these passages (whole, or a quoted part of one) from a text."""
    if not body or not passages:
        return body, False
    changed = False

    def replace(match: re.Match) -> str:
        nonlocal changed
        quoted = next(g for g in match.groups() if g is not None)
        flat = _flat(_UNESCAPE.sub(r"\1", quoted)).strip(" .…")
        # An elided quotation ("a … b") is theirs when every piece is in one of their passages.
        pieces = [piece.strip(" .") for piece in re.split(r"…|\.\.\.", flat)]
        pieces = [piece for piece in pieces if piece]
        if len(flat) >= MIN_QUOTE_CHARS and any(all(x in p for x in pieces) for p in passages):
            changed = True
            return ("> " if match.group(0).startswith(">") else "") + REMOVED
        return match.group(0)

    result = _QUOTED.sub(replace, body)
    for passage in passages:
        if len(passage) >= MIN_QUOTE_CHARS and passage in _flat(result):
            # An unquoted copy: match it whatever its line breaks.
            pattern = r"\s+".join(re.escape(word) for word in passage.split())
            result, n = re.subn(pattern, REMOVED, result)
            changed = changed or n > 0
    return result, changed


def _scrub_json(value, gone: set[str], passages: list[str]):
    """A JSON value without withdrawn extract ids (list items, dict keys or values) and with
    quotations of their words removed from its strings; and whether anything changed."""
    if isinstance(value, str):
        scrubbed, changed = scrub_text(value, passages)
        return scrubbed, changed
    if isinstance(value, list):
        items, changed = [], False
        for item in value:
            if isinstance(item, str) and item in gone:
                changed = True
                continue
            if isinstance(item, dict) and _names_gone(item, gone):
                changed = True
                continue
            new, item_changed = _scrub_json(item, gone, passages)
            items.append(new)
            changed = changed or item_changed
        return items, changed
    if isinstance(value, dict):
        result, changed = {}, False
        for key, item in value.items():
            if key in gone or (isinstance(item, str) and item in gone):
                changed = True
                continue
            new, item_changed = _scrub_json(item, gone, passages)
            result[key] = new
            changed = changed or item_changed
        return result, changed
    return value, False


def _names_gone(item: dict, gone: set[str]) -> bool:
    """A quote object such as {"extract_id": ..., "text": ...} that stands for a gone extract."""
    return any(item.get(key) in gone for key in ("extract_id", "extract", "id"))


def _flat(value: str) -> str:
    return " ".join(value.split())
