"""What an essay's opening says about the Lab: its name and question, and real counts of what
was gathered and who took part."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from lab_app.core.schema import events, extract_attributes, extracts, phases, sources
from lab_app.essays.attribution import ROLE_NAMES, short_role
from lab_app.year.profile import profile


def lab_facts(workspace, name: str | None = None, question: str | None = None) -> dict:
    """{"name", "question", "start", "end"}: the arguments, else the Lab's stored profile
    (`qlab lab set`, or the demo's lab.json when the demo is loaded); dates from its phases."""
    stored = profile(workspace.store.engine)
    with workspace.store.engine.connect() as conn:
        rows = conn.execute(select(phases.c.start, phases.c.end)).all()
    return {
        "name": (name or stored["name"]).strip(),
        "question": (question or stored["question"]).strip(),
        "start": min((r.start for r in rows), default=None),
        "end": max((r.end for r in rows), default=None),
    }


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
