"""What an essay's opening says about the Lab: its name and question, and real counts of what
was gathered and who took part."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from lab_app.essays.attribution import ROLE_NAMES, short_role
from lab_app.tables import extract_attributes, extracts, phases, sources
from lab_app.tables_year import events

MANIFEST = "lab.json"


def lab_facts(workspace, name: str | None = None, question: str | None = None) -> dict:
    """{"name", "question", "start", "end"}. The store keeps no record of the Lab itself, so
    the name and question come from the arguments, else a lab.json in the workspace folder,
    else the demo Lab's lab.json when the workspace holds the demo's material."""
    found = _manifest(workspace)
    with workspace.store.engine.connect() as conn:
        rows = conn.execute(select(phases.c.start, phases.c.end)).all()
    return {
        "name": (name or found.get("name") or "").strip(),
        "question": (question or found.get("question") or "").strip(),
        "start": min((r.start for r in rows), default=found.get("start")),
        "end": max((r.end for r in rows), default=found.get("end")),
    }


def _manifest(workspace) -> dict:
    own = Path(workspace.settings.home) / MANIFEST
    if own.is_file():
        return _read(own)
    from lab_app.demo import demo_dir, demo_sources

    lab = demo_dir()
    if not (lab / MANIFEST).is_file():
        return {}
    held = {row.path for row in workspace.store.list_sources()}
    listed = {path.relative_to(lab.parent).as_posix() for path, _ in demo_sources(lab)}
    return _read(lab / MANIFEST) if listed and listed <= held else {}


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def gathered(engine) -> dict:
    """Counts the opening states: sources, extracts and people by kind, the dates covered,
    participants by role, and events by kind."""
    with engine.connect() as conn:
        source_kinds = dict(
            conn.execute(select(sources.c.kind, func.count()).group_by(sources.c.kind)).all()
        )
        extract_kinds = dict(
            conn.execute(select(extracts.c.kind, func.count()).group_by(extracts.c.kind)).all()
        )
        people = dict(
            conn.execute(
                select(extracts.c.kind, func.count(extracts.c.person.distinct()))
                .where(extracts.c.person.is_not(None))
                .group_by(extracts.c.kind)
            ).all()
        )
        first, last = conn.execute(
            select(func.min(extracts.c.date), func.max(extracts.c.date))
        ).one()
        role_rows = conn.execute(
            select(extract_attributes.c.name, extract_attributes.c.value, extracts.c.person)
            .join(extracts, extracts.c.id == extract_attributes.c.extract_id)
            .where(extracts.c.person.is_not(None))
            .distinct()
        ).all()
        event_kinds = dict(
            conn.execute(select(events.c.kind, func.count()).group_by(events.c.kind)).all()
        )
        everyone = conn.execute(
            select(func.count(extracts.c.person.distinct())).where(extracts.c.person.is_not(None))
        ).scalar_one()
    roles: dict[str, set] = {}
    for name, value, person in role_rows:
        if any(key in name.lower() for key in ROLE_NAMES):
            role = short_role(value)
            if role:
                roles.setdefault(role, set()).add(person)
    return {
        "sources": source_kinds,
        "extracts": extract_kinds,
        "people": people,
        "everyone": everyone,
        "first": first,
        "last": last,
        "roles": Counter({role: len(who) for role, who in roles.items()}),
        "events": event_kinds,
    }
