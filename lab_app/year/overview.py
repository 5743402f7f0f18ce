"""The Lab at a glance: material, the current phase, newest and growing themes, contributions."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select

from lab_app.core.schema import extracts, phases, sources, theme_builds, theme_history, themes
from lab_app.material import set_aside
from lab_app.material.consent import may_show
from lab_app.material.reads import with_sources
from lab_app.themes.over_time import volumes
from lab_app.themes.unsorted import unsorted_count

GROWTH_MONTHS = 3  # growth compares the last three months with the three before them


def material(engine) -> dict:
    """{"sources": {kind: n}, "extracts": {kind: n}} with kinds in a stable order."""
    with engine.connect() as conn:
        by_source = conn.execute(select(sources.c.kind, func.count()).group_by(sources.c.kind))
        by_extract = conn.execute(select(extracts.c.kind, func.count()).group_by(extracts.c.kind))
        return {
            "sources": dict(sorted(by_source.all())),
            "extracts": dict(sorted(by_extract.all())),
        }


def extracts_per_month(engine) -> dict:
    """{"rows": [{month, kind, extracts}] in month then kind order, "undated": n}."""
    month = func.substr(extracts.c.date, 1, 7)
    query = (
        select(month.label("month"), extracts.c.kind, func.count().label("n"))
        .where(extracts.c.date.is_not(None))
        .group_by(month, extracts.c.kind)
        .order_by(month, extracts.c.kind)
    )
    with engine.connect() as conn:
        rows = [{"month": r.month, "kind": r.kind, "extracts": r.n} for r in conn.execute(query)]
        undated = conn.execute(
            select(func.count()).select_from(extracts).where(extracts.c.date.is_(None))
        ).scalar_one()
    return {"rows": rows, "undated": undated}


def lab_phase(engine, today: date) -> dict:
    """Where the Lab's year stands on `today`.

    state is "none" (no phases set), "before", "during", "between" or "after"; current is the
    phase in force (during), the last one (after), or None; next is the phase still to come."""
    with engine.connect() as conn:
        rows = conn.execute(select(phases).order_by(phases.c.start, phases.c.name)).all()
    items = [{"name": r.name, "start": r.start, "end": r.end} for r in rows]
    day = today.isoformat()
    result = {
        "phases": items,
        "today": day,
        "state": "none",
        "current": None,
        "next": None,
        "previous": None,
    }
    if not items:
        return result
    upcoming = [p for p in items if p["start"] > day]
    result["next"] = upcoming[0] if upcoming else None
    during = [p for p in items if p["start"] <= day <= p["end"]]
    if during:
        result.update(state="during", current=during[-1])
    elif day < items[0]["start"]:
        result["state"] = "before"
    elif day > max(p["end"] for p in items):
        result.update(state="after", current=max(items, key=lambda p: (p["end"], p["start"])))
    else:
        result["state"] = "between"
        past = [p for p in items if p["end"] < day]
        result["previous"] = max(past, key=lambda p: p["end"]) if past else None
    return result


def last_build_summary(engine) -> dict | None:
    """The last theme build: when, its mode, how many themes, which were new or grew."""
    with engine.connect() as conn:
        row = conn.execute(select(theme_builds).order_by(theme_builds.c.id.desc())).first()
    if row is None:
        return None
    report = row.report or {}
    return {
        "id": row.id,
        "at": row.at,
        "mode": row.mode,
        "themes": report.get("themes", 0),
        "new": list(report.get("new", [])),
        "grown": list(report.get("grown", [])),
    }


def _active_themes(conn) -> dict[str, dict]:
    query = select(themes.c.id, themes.c.label, themes.c.details).where(themes.c.status == "active")
    return {
        r.id: {"id": r.id, "label": r.label, "size": int((r.details or {}).get("size", 0))}
        for r in conn.execute(query)
    }


def newest_themes(engine, n: int = 5) -> list[dict]:
    """Active themes by when they emerged, newest first (larger first among equals).

    [{id, label, size, emerged}] where emerged is the time of the build that found it."""
    with engine.connect() as conn:
        active = _active_themes(conn)
        query = select(theme_history.c.theme_id, func.max(theme_history.c.at)).where(
            theme_history.c.event == "emerged"
        )
        emerged = dict(conn.execute(query.group_by(theme_history.c.theme_id)).all())
    # A theme with no "emerged" event (a staff split) sorts after every theme a build found.
    rows = [dict(theme, emerged=emerged.get(theme_id)) for theme_id, theme in active.items()]
    rows.sort(key=lambda r: (str(r["emerged"] or ""), r["size"], r["id"]), reverse=True)
    return rows[:n]


def growing_themes(engine, n: int = 5, months: int = GROWTH_MONTHS) -> dict:
    """Themes whose dated extracts grew most: the last `months` months with material against
    the `months` before them.

    {"window": (first, last month) or None, "themes": [{id, label, size, recent, before,
    growth}]} with growth > 0 only, largest first."""
    rows = volumes(engine, by="month")
    with engine.connect() as conn:
        active = _active_themes(conn)
    rows = [r for r in rows if r["theme_id"] in active]
    if not rows:
        return {"window": None, "themes": []}
    last = max(r["period"] for r in rows)
    recent_months = _months_back(last, months)
    before_months = _months_back(recent_months[0], months + 1)[:-1]
    recent: Counter = Counter()
    before: Counter = Counter()
    for r in rows:
        if r["period"] in recent_months:
            recent[r["theme_id"]] += r["extracts"]
        elif r["period"] in before_months:
            before[r["theme_id"]] += r["extracts"]
    found = [
        dict(active[t], recent=recent[t], before=before[t], growth=recent[t] - before[t])
        for t in active
        if recent[t] - before[t] > 0
    ]
    found.sort(key=lambda r: (-r["growth"], -r["recent"], r["id"]))
    return {"window": (recent_months[0], last), "themes": found[:n]}


def _months_back(month: str, count: int) -> list[str]:
    """`count` months ending with `month` (yyyy-mm), oldest first."""
    year, mon = int(month[:4]), int(month[5:7])
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{mon:02d}")
        year, mon = (year - 1, 12) if mon == 1 else (year, mon - 1)
    return out[::-1]


def latest_contributions(engine, n: int = 5, shown_only: bool = False) -> list[dict]:
    """The n newest contribution extracts (by date, then latest ingested, then position), each
    marked "withheld" when its person or source did not let participants see it
    (consent.may_show); shown_only=True leaves those out and still returns n when it can."""
    query = (
        with_sources()
        .where(extracts.c.kind == "contribution")
        .order_by(
            extracts.c.date.is_(None),
            extracts.c.date.desc(),
            sources.c.ingested_at.desc(),
            extracts.c.position.desc(),
            extracts.c.id,  # a total order, so the pages below never repeat or skip a row
        )
    )
    # Read in pages a few times larger than n, so withheld ones leave enough behind.
    batch = max(4 * n, 20)
    found: list[dict] = []
    offset = 0
    while len(found) < n:
        with engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query.offset(offset).limit(batch))]
        shown = may_show(engine, [r["id"] for r in rows])
        for row in rows:
            row["withheld"] = row["id"] not in shown
            if not (shown_only and row["withheld"]):
                found.append(row)
        if len(rows) < batch:
            break
        offset += batch
    return found[:n]


def snapshot(engine) -> dict:
    """Everything the Overview shows except the phase (which depends on the day): one call, so
    the page can cache it against the store's fingerprint (consent changes are in the audit
    trail, so they change the fingerprint too). "latest" is for staff, withheld ones marked;
    "latest_shown" is what participants may see."""
    return {
        "material": material(engine),
        "set_aside": set_aside.totals(engine),
        "per_month": extracts_per_month(engine),
        "build": last_build_summary(engine),
        "unsorted": unsorted_count(engine),  # as it stands now, after curation
        "newest": newest_themes(engine),
        "growing": growing_themes(engine),
        "latest": latest_contributions(engine),
        "latest_shown": latest_contributions(engine, shown_only=True),
    }
