"""The Lab's year as the time views' window: material dated before it is prior evidence, after it
follow-up; neither is Lab activity, and neither stretches a chart unless asked (docs/time.md)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from lab_app.core.schema import extracts, phases

# What the time outside the Lab's phases is called wherever it is shown.
OUTSIDE = {"before": "Prior evidence", "after": "Follow-up"}


def lab_year(engine) -> tuple[date, date] | None:
    """The first day of the Lab's first phase and the last day of its last, or None."""
    with engine.connect() as conn:
        query = select(func.min(phases.c.start), func.max(phases.c.end))
        first, last = conn.execute(query).one()
    if not first or not last:
        return None
    return date.fromisoformat(first), date.fromisoformat(last)


def dated_span(engine) -> tuple[date, date] | None:
    """The earliest and latest dates any extract carries, or None."""
    with engine.connect() as conn:
        first, last = conn.execute(
            select(func.min(extracts.c.date), func.max(extracts.c.date))
        ).one()
    if not first or not last:
        return None
    return date.fromisoformat(first), date.fromisoformat(last)


def default_range(engine) -> tuple[date, date] | None:
    """What time views show until someone widens them: the Lab's year, else the dated material."""
    return lab_year(engine) or dated_span(engine)


def widest_range(engine) -> tuple[date, date] | None:
    """From the earliest of the Lab's first day and the material to the latest of either: the
    bounds of a date-range control."""
    spans = [s for s in (lab_year(engine), dated_span(engine)) if s]
    if not spans:
        return None
    return min(s[0] for s in spans), max(s[1] for s in spans)


def months_between(start: date, end: date, months: list[str]) -> list[int]:
    """Positions of the yyyy-mm months (in order) that fall within start..end."""
    first, last = start.isoformat()[:7], end.isoformat()[:7]
    return [i for i, month in enumerate(months) if first <= month <= last]


def outside_counts(engine, start: date, end: date) -> dict[str, int]:
    """Dated extracts before start and after end: what a range leaves out of a chart."""
    with engine.connect() as conn:
        before = conn.execute(
            select(func.count()).where(extracts.c.date < start.isoformat())
        ).scalar_one()
        after = conn.execute(
            select(func.count()).where(extracts.c.date > end.isoformat())
        ).scalar_one()
    return {"before": before, "after": after}


def period_name(name: str, year: tuple[date, date] | None) -> str:
    """A phase's name, or what the time before or after the Lab's phases is called, dated:
    "Prior evidence (before 1 Dec 2025)", "Follow-up (after 30 Nov 2026)"."""
    if name not in OUTSIDE:
        return name
    if year is None:
        return OUTSIDE[name]
    day = year[0] if name == "before" else year[1]
    return f"{OUTSIDE[name]} ({name} {day.day} {day:%b %Y})"
