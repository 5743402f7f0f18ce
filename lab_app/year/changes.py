"""What changed in the Lab since a date: material, themes, builds, ideas and participation."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from lab_app.core.schema import (
    extracts,
    idea_history,
    ideas,
    pending_contributions,
    sources,
    theme_history,
    theme_members,
    votes,
)
from lab_app.year.timeline import (
    SHIFT_EVENTS,
    iso_date,
    labelled,
    labels_by_theme,
    shifts_from_volumes,
)


def changes_since(engine, since: str) -> dict:
    """What happened in the Lab from a date on: material by its Lab date (a source's own date or
    its ingest day), themes by their share before and after, builds, ideas and participation."""
    since = iso_date(since, "the date")
    with engine.connect() as conn:
        first = dict(
            conn.execute(
                select(extracts.c.source_id, func.min(extracts.c.date)).group_by(
                    extracts.c.source_id
                )
            ).all()
        )
        # A source's Lab date: its own, else its earliest extract's, else the day it came in.
        new_sources = []
        for r in conn.execute(select(sources).order_by(sources.c.path)):
            day = r.date or first.get(r.id) or r.ingested_at.date().isoformat()
            if day >= since:
                new_sources.append({"path": r.path, "kind": r.kind, "date": day})
        by_kind = Counter(
            conn.execute(select(extracts.c.kind).where(extracts.c.date >= since)).scalars()
        )
        built = [
            {
                "theme_id": r.theme_id,
                "event": r.event,
                "label": r.label,
                "date": r.at.date().isoformat(),
            }
            for r in conn.execute(select(theme_history).order_by(theme_history.c.id))
            if r.at.date().isoformat() >= since and r.event in SHIFT_EVENTS
        ]
        new_ideas = [
            {"id": r.id, "title": r.title, "status": r.status}
            for r in conn.execute(select(ideas).order_by(ideas.c.id))
            if r.created_at.date().isoformat() >= since and not r.merged_into
        ]
        status_changes = [
            {
                "idea_id": r.idea_id,
                "status": r.status,
                "from": (r.detail or {}).get("from"),
                "date": r.at.date().isoformat(),
            }
            for r in conn.execute(
                select(idea_history)
                .where(idea_history.c.event == "status")
                .order_by(idea_history.c.at, idea_history.c.id)
            )
            if r.at.date().isoformat() >= since
        ]
        pending = [
            r.submitted_at.date().isoformat()
            for r in conn.execute(select(pending_contributions.c.submitted_at))
        ]
        vote_days = [at.date().isoformat() for at in conn.execute(select(votes.c.at)).scalars()]
    return {
        "since": since,
        "sources": new_sources,
        "extracts": dict(sorted(by_kind.items())),
        "contributions": by_kind.get("contribution", 0),
        "contributions_sent": sum(d >= since for d in pending),
        "votes": sum(d >= since for d in vote_days),
        "themes": _theme_change(engine, since),
        "builds": built,
        "ideas": new_ideas,
        "idea_status": status_changes,
    }


def _theme_change(engine, since: str) -> dict:
    """Themes new, grown or faded: their share of dated extracts from `since` against before."""
    shifts = shifts_from_volumes(_day_volumes(engine, since), ["before", "after"])
    labels = labels_by_theme(engine)
    after = next((s for s in shifts if s["phase"] == "after"), None)
    if after is None or len(shifts) < 2:
        return {"new": [], "grown": [], "faded": []}
    return {
        "new": labelled(after["emerged"], labels),
        "grown": labelled(after["grew"], labels),
        "faded": labelled(after["faded"], labels),
    }


def _day_volumes(engine, since: str) -> list[dict]:
    """[{theme_id, period before|after, extracts}] split exactly at the day."""
    query = (
        select(theme_members.c.theme_id, extracts.c.date)
        .join(extracts, extracts.c.id == theme_members.c.extract_id)
        .where(theme_members.c.status == "placed", extracts.c.date.is_not(None))
    )
    with engine.connect() as conn:
        counts = Counter((t, "after" if d >= since else "before") for t, d in conn.execute(query))
    return [{"theme_id": t, "period": p, "extracts": n} for (t, p), n in sorted(counts.items())]


def summary_lines(changes: dict) -> list[str]:
    """The 'what changed since' summary as plain sentences (for the CLI and the app)."""
    kinds = ", ".join(f"{n} {kind}" for kind, n in changes["extracts"].items()) or "none"
    themes = changes["themes"]
    lines = [
        f"Since {changes['since']}:",
        f"- {len(changes['sources'])} sources dated since; extracts dated since: {kinds}",
        f"- {changes['contributions_sent']} contributions sent from the app, "
        f"{changes['votes']} votes",
    ]
    for field, word in (("new", "New"), ("grown", "Grown"), ("faded", "Faded")):
        if themes[field]:
            lines.append(f"- {word} themes: " + "; ".join(t["label"] for t in themes[field]))
    if changes["ideas"]:
        lines.append("- New ideas: " + "; ".join(i["title"] for i in changes["ideas"]))
    for change in changes["idea_status"]:
        lines.append(
            f"- Idea {change['idea_id']}: {change['from']} → {change['status']} ({change['date']})"
        )
    return lines
