"""Withdrawal in essay drafts: quotations of a person's extracts and copies of their words leave
every section and every saved version, and the drafts that held them are flagged."""

from __future__ import annotations

import re
from dataclasses import replace

from sqlalchemy import select, update

from lab_app.core.audit import now, record_audit
from lab_app.core.forgetting import scrub_json, scrub_text
from lab_app.core.schema import essay_sections, essay_versions, essays, extracts
from lab_app.essays.store import remove_quotations

FORGETS = (essays.c.created_by, essay_versions.c.who)
_MARKER = re.compile(r"\[#([0-9a-f]{6,40})\]")  # how essay drafts cite an extract


def forget(conn, gone) -> dict:
    """Run after the extracts are gone; returns the drafts flagged for their authors."""
    flagged = _quoting(conn, gone)
    reported = sorted(flagged)
    if flagged:
        _remove_missing_quotations(conn, gone.by)
    stamp = now()
    for row in conn.execute(select(essay_sections)).all():
        body, quoted = scrub_text(row.body, gone.passages)
        grounding, grounded = scrub_json(row.grounding or {}, gone)
        if quoted or grounded:
            conn.execute(
                update(essay_sections)
                .where(essay_sections.c.essay_id == row.essay_id, essay_sections.c.key == row.key)
                .values(body=body, grounding=grounding)
            )
            flagged.setdefault(row.essay_id, []).append(row.key)
    for row in conn.execute(select(essay_versions.c.id, essay_versions.c.body)).all():
        body, quoted = scrub_text(row.body, gone.passages)
        if quoted:  # earlier versions must not keep the words either
            conn.execute(
                update(essay_versions).where(essay_versions.c.id == row.id).values(body=body)
            )
    for essay_id, keys in flagged.items():
        current = conn.execute(select(essays.c.flags).where(essays.c.id == essay_id)).scalar()
        flag = {
            "reason": "withdrawal",
            "at": stamp.isoformat(),
            "sections": sorted(set(keys)),
            "note": "A person quoted here withdrew: their words were removed; check the text.",
        }
        query = update(essays).where(essays.c.id == essay_id)
        conn.execute(query.values(flags=[*(current or []), flag]))
    for column in (essays.c.created_by, essay_versions.c.who):
        query = update(column.table).where(column == gone.person)
        conn.execute(query.values({column.name: gone.alias}))
    return {"essays_flagged": reported}


def _quoting(conn, gone) -> dict[int, list[str]]:
    """essay id -> keys of its sections that quote or cite the person's extracts."""
    found: dict[int, list[str]] = {}
    for row in conn.execute(select(essay_sections)).all():
        markers = _MARKER.findall(row.body or "")
        cited = any(e.startswith(m) for m in markers for e in gone.extract_ids)
        _, grounded = scrub_json(row.grounding or {}, replace(gone, passages=()))  # ids only
        _, quoted = scrub_text(row.body or "", gone.passages)
        if cited or grounded or quoted:
            found.setdefault(row.essay_id, []).append(row.key)
    return found


def _remove_missing_quotations(conn, who: str) -> None:
    """Quotations whose extract the store no longer holds leave sections and versions."""
    held = set(conn.execute(select(extracts.c.id)).scalars())
    removed, touched = 0, set()
    for row in conn.execute(select(essay_sections)).all():
        body, count = remove_quotations(row.body, held)
        if count:
            removed += count
            touched.add(row.essay_id)
            conn.execute(
                update(essay_sections)
                .where(essay_sections.c.essay_id == row.essay_id, essay_sections.c.key == row.key)
                .values(body=body, updated_at=now())
            )
    for row in conn.execute(select(essay_versions)).all():
        body, count = remove_quotations(row.body, held)
        if count:
            touched.add(row.essay_id)
            conn.execute(
                update(essay_versions).where(essay_versions.c.id == row.id).values(body=body)
            )
    for essay in touched:  # flags stay: staff should read the changed text again
        record_audit(conn, "essay.scrub", str(essay), {"removed": removed}, who=who)
