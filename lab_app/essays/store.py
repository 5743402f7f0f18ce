"""Essays in the store: create, read, save a section as a new version, restore, flag, and take
out quotations whose extracts are gone. The audit trail gets actions and counts, never text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select, update

from lab_app.core.audit import now, record_audit
from lab_app.core.schema import essay_sections, essay_versions, essays, extracts
from lab_app.essays.markup import BODY_MARKER, body_markers

MAX_BODY_CHARS = 200_000


@dataclass
class Section:
    key: str  # opening | theme:<id> | closing
    heading: str
    body: str
    grounding: dict = field(default_factory=dict)


def create_essay(engine, title, audience, length, choice, sections: list[Section], who) -> int:
    stamp = now()
    with engine.begin() as conn:
        essay_id = conn.execute(
            insert(essays).values(
                title=title,
                audience=audience or "",
                length=length,
                choice=choice,
                created_by=who,
                created_at=stamp,
                updated_at=stamp,
                flags=[],
            )
        ).inserted_primary_key[0]
        for position, section in enumerate(sections):
            conn.execute(
                insert(essay_sections).values(
                    essay_id=essay_id,
                    key=section.key,
                    position=position,
                    heading=section.heading,
                    body=section.body,
                    edited=False,
                    version=1,
                    grounding=section.grounding,
                    updated_at=stamp,
                )
            )
            _version(conn, essay_id, section.key, 1, section.body, who, stamp)
        record_audit(conn, "essay.draft", str(essay_id), {"sections": len(sections)}, who=who)
    return int(essay_id)


def _version(conn, essay_id, key, version, body, who, stamp) -> None:
    conn.execute(
        insert(essay_versions).values(
            essay_id=essay_id, key=key, version=version, body=body, who=who, at=stamp
        )
    )


def list_essays(engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(essays).order_by(essays.c.id.desc())).all()
    return [dict(r._mapping) for r in rows]


def load_essay(engine, essay_id: int) -> dict:
    """The essay row with its sections in order; ValueError when there is no such essay."""
    with engine.connect() as conn:
        row = conn.execute(select(essays).where(essays.c.id == int(essay_id))).first()
        if row is None:
            raise ValueError(f"no essay {essay_id}: `qlab essay list` shows the essays")
        sections = conn.execute(
            select(essay_sections)
            .where(essay_sections.c.essay_id == int(essay_id))
            .order_by(essay_sections.c.position)
        ).all()
    return dict(row._mapping, sections=[dict(s._mapping) for s in sections])


def section_of(essay: dict, key: str) -> dict:
    for section in essay["sections"]:
        if section["key"] == key:
            return section
    raise ValueError(f"essay {essay['id']} has no section {key!r}")


def save_section(
    engine,
    essay_id: int,
    key: str,
    body: str,
    who: str,
    heading: str | None = None,
    edited: bool = True,
    grounding: dict | None = None,
) -> int:
    """Save a section's new text as its next version; return the version number. An unchanged
    body and heading save nothing and return the current version."""
    if len(body or "") > MAX_BODY_CHARS:
        raise ValueError(f"the section is over {MAX_BODY_CHARS} characters: split it")
    essay = load_essay(engine, essay_id)
    current = section_of(essay, key)
    heading = current["heading"] if heading is None else heading.strip() or current["heading"]
    if body == current["body"] and heading == current["heading"]:
        return current["version"]
    version = current["version"] + 1
    stamp = now()
    grounding = dict(current["grounding"] or {}) if grounding is None else grounding
    grounding["extracts"] = body_markers(body)
    with engine.begin() as conn:
        conn.execute(
            update(essay_sections)
            .where(essay_sections.c.essay_id == essay_id, essay_sections.c.key == key)
            .values(
                body=body,
                heading=heading,
                edited=edited,
                version=version,
                grounding=grounding,
                updated_at=stamp,
            )
        )
        _version(conn, essay_id, key, version, body, who, stamp)
        conn.execute(update(essays).where(essays.c.id == essay_id).values(updated_at=stamp))
        action = "essay.edit" if edited else "essay.regenerate"
        record_audit(conn, action, f"{essay_id}:{key}", {"version": version}, who=who)
    return version


def set_title(engine, essay_id: int, title: str, who: str) -> None:
    title = " ".join((title or "").split())
    if not title:
        raise ValueError("the essay needs a title")
    load_essay(engine, essay_id)
    with engine.begin() as conn:
        conn.execute(
            update(essays).where(essays.c.id == essay_id).values(title=title, updated_at=now())
        )
        record_audit(conn, "essay.title", str(essay_id), {}, who=who)


def versions(engine, essay_id: int, key: str) -> list[dict]:
    """Every saved version of a section, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(essay_versions)
            .where(essay_versions.c.essay_id == essay_id, essay_versions.c.key == key)
            .order_by(essay_versions.c.version.desc())
        ).all()
    return [dict(r._mapping) for r in rows]


def restore_version(engine, essay_id: int, key: str, version: int, who: str) -> int:
    """Bring back an earlier version as the newest one (history is never rewritten)."""
    chosen = [v for v in versions(engine, essay_id, key) if v["version"] == int(version)]
    if not chosen:
        raise ValueError(f"section {key!r} has no version {version}")
    return save_section(engine, essay_id, key, chosen[0]["body"], who)


def clear_flags(engine, essay_id: int, who: str) -> None:
    """Staff have looked again: the essay's flags go (the audit trail says who cleared them)."""
    with engine.begin() as conn:
        conn.execute(update(essays).where(essays.c.id == essay_id).values(flags=[]))
        record_audit(conn, "essay.flags_cleared", str(essay_id), {}, who=who)


def set_flags(engine, essay_id: int, flags: list[dict]) -> None:
    with engine.begin() as conn:
        conn.execute(update(essays).where(essays.c.id == essay_id).values(flags=flags))


def delete_essay(engine, essay_id: int, who: str) -> None:
    load_essay(engine, essay_id)
    with engine.begin() as conn:
        conn.execute(delete(essay_versions).where(essay_versions.c.essay_id == essay_id))
        conn.execute(delete(essay_sections).where(essay_sections.c.essay_id == essay_id))
        conn.execute(delete(essays).where(essays.c.id == essay_id))
        record_audit(conn, "essay.delete", str(essay_id), {}, who=who)


# --- withdrawn material ---------------------------------------------------------------------

REMOVED = "(A quotation was removed here because its author withdrew or its source was removed.)"


def scrub_missing(engine, essay_id: int | None = None, who: str = "withdrawal") -> int:
    """Take every quotation whose extract is no longer in the store out of the essays' sections
    and out of every saved version, so withdrawn words survive nowhere. Returns how many
    quotations went. Call after extracts are deleted (lab_app.people.withdrawal may)."""
    with engine.connect() as conn:
        held = set(conn.execute(select(extracts.c.id)).scalars())
        query = select(essay_sections.c.essay_id, essay_sections.c.key, essay_sections.c.body)
        version_query = select(
            essay_versions.c.id, essay_versions.c.essay_id, essay_versions.c.body
        )
        if essay_id is not None:
            query = query.where(essay_sections.c.essay_id == essay_id)
            version_query = version_query.where(essay_versions.c.essay_id == essay_id)
        sections = conn.execute(query).all()
        old = conn.execute(version_query).all()
    removed, touched = 0, set()
    with engine.begin() as conn:
        for row in sections:
            body, count = remove_quotations(row.body, held)
            if count:
                removed += count
                touched.add(row.essay_id)
                conn.execute(
                    update(essay_sections)
                    .where(
                        essay_sections.c.essay_id == row.essay_id, essay_sections.c.key == row.key
                    )
                    .values(body=body, updated_at=now())
                )
        for row in old:
            body, count = remove_quotations(row.body, held)
            if count:
                touched.add(row.essay_id)
                conn.execute(
                    update(essay_versions).where(essay_versions.c.id == row.id).values(body=body)
                )
        for essay in touched:  # flags stay: staff should read the changed text again
            record_audit(conn, "essay.scrub", str(essay), {"removed": removed}, who=who)
    return removed


def remove_quotations(body: str, held: set[str]) -> tuple[str, int]:
    """The body without blockquotes, inline quotations or list items whose marker names an
    extract not held; a note stands where a blockquote was."""
    removed = 0
    out: list[str] = []
    lines = body.split("\n")
    i = 0
    while i < len(lines):
        if lines[i].strip().startswith(">"):
            block = []
            while i < len(lines) and lines[i].strip().startswith(">"):
                block.append(lines[i])
                i += 1
            if any(m not in held for m in BODY_MARKER.findall("\n".join(block))):
                removed += 1
                out.append(REMOVED)
            else:
                out.extend(block)
            continue
        line = lines[i]
        gone = [m for m in BODY_MARKER.findall(line) if m not in held]
        if gone:
            line, count = _drop_inline(line, set(gone))
            removed += count
        out.append(line)
        i += 1
    return "\n".join(out), removed


def _drop_inline(line: str, gone: set[str]) -> tuple[str, int]:
    """Remove “…” [#id] passages, and then any bare marker, naming extracts that are gone."""
    count = 0

    def cut(match: re.Match) -> str:
        nonlocal count
        if match.group(1) in gone:
            count += 1
            return "[quotation removed]"
        return match.group(0)

    line = INLINE_WITH_MARKER.sub(cut, line)
    line = BODY_MARKER.sub(lambda m: "" if m.group(1) in gone else m.group(0), line)
    return line, count


INLINE_WITH_MARKER = re.compile(r"“[^“”]*”\s*\[#([0-9a-f]{6,40})\]")
