"""Which extracts essay drafts quote or cite: ids and draft numbers only, never a draft's text,
so a person can be told their words are used without being shown drafts they may not read."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from lab_app.core.forgetting import Gone, scrub_json, scrub_text
from lab_app.core.schema import essay_sections
from lab_app.essays.markup import body_markers


def drafts_quoting(engine, words: dict[str, str]) -> dict[str, list[int]]:
    """extract id -> the drafts (essay ids) whose current sections cite it by marker, rest on
    it in their grounding, or quote its words; extracts no draft uses are left out. `words`
    maps each extract id asked about to its text. The same tests withdrawal uses to flag the
    drafts that quoted a person (essays/forget.py)."""
    if not words:
        return {}
    gones = {
        extract_id: Gone.of("", "", [extract_id], [text], "") for extract_id, text in words.items()
    }
    with engine.connect() as conn:
        sections = conn.execute(
            select(essay_sections.c.essay_id, essay_sections.c.body, essay_sections.c.grounding)
        ).all()
    found: dict[str, set[int]] = {}
    for row in sections:
        markers = body_markers(row.body)
        for extract_id, gone in gones.items():
            cited = any(extract_id.startswith(m) for m in markers)
            grounded = scrub_json(row.grounding or {}, replace(gone, passages=()))[1]
            if cited or grounded or scrub_text(row.body or "", gone.passages)[1]:
                found.setdefault(extract_id, set()).add(int(row.essay_id))
    return {extract_id: sorted(ids) for extract_id, ids in found.items()}
