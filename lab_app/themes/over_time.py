"""Themes over time: extracts per theme per month or per Lab phase, for the timeline and charts."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from lab_app.core.schema import extracts, phases, theme_members


def volumes(engine, by: str = "month") -> list[dict]:
    """[{theme_id, period, extracts}] for placed extracts with a date, in period order.

    Months are yyyy-mm; phases are the Lab's named phases (an extract outside every phase
    counts under "before" or "after" the year)."""
    query = (
        select(theme_members.c.theme_id, extracts.c.date)
        .join(extracts, extracts.c.id == theme_members.c.extract_id)
        .where(theme_members.c.status == "placed", extracts.c.date.is_not(None))
    )
    with engine.connect() as conn:
        rows = list(conn.execute(query))
        lab_phases = list(conn.execute(select(phases).order_by(phases.c.start)))
    if by == "phase":
        order = [p.name for p in lab_phases]
        counts = Counter((r.theme_id, phase_of(r.date, lab_phases)) for r in rows)
        rank = {name: i for i, name in enumerate(["before", *order, "after"])}
        keys = sorted(counts, key=lambda k: (k[0], rank[k[1]]))
    else:
        counts = Counter((r.theme_id, r.date[:7]) for r in rows)
        keys = sorted(counts)
    return [{"theme_id": t, "period": p, "extracts": counts[(t, p)]} for t, p in keys]


def phase_of(day: str, lab_phases) -> str:
    for phase in lab_phases:
        if phase.start <= day <= phase.end:
            return phase.name
    if lab_phases and day < lab_phases[0].start:
        return "before"
    return "after"


def set_phases(engine, items: list[dict]) -> None:
    """Replace the Lab's phases ({name, start, end}, ISO dates)."""
    with engine.begin() as conn:
        conn.execute(phases.delete())
        if items:
            conn.execute(
                phases.insert(),
                [{"name": p["name"], "start": p["start"], "end": p["end"]} for p in items],
            )
