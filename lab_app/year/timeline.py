"""The Lab's year: dated events, phases, and activity and theme shifts per phase."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import delete, insert, select, update

from lab_app.core.audit import record_audit
from lab_app.core.roles import require_staff
from lab_app.core.schema import events, extracts, ideas, phases, theme_history, themes, votes
from lab_app.opinions.participation import required_name
from lab_app.themes.over_time import phase_of, set_phases, volumes

EVENT_FIELDS = ("date", "title", "kind", "place", "description")
MIN_SHARE = 0.05  # a theme holding less of a phase's extracts is not "present" in it
MIN_EXTRACTS = 5  # nor one with fewer extracts in the phase
EMERGE_RATIO = 2.0  # emerged: its share is at least this many times any earlier phase's
FADE_RATIO = 3.0  # faded: its share stays below its earlier peak divided by this
GROW_RATIO = 1.5  # grew: its share is at least this many times the phase before's
SHIFT_EVENTS = ("emerged", "grew", "faded")


# --- events ----------------------------------------------------------------------------------


def add_event(
    engine,
    day: str,
    title: str,
    who: str,
    kind: str = "event",
    place: str = "",
    description: str = "",
) -> int:
    """Add a dated event (a workshop, a survey wave, a milestone); return its id."""
    who = required_name(who, "staff")
    require_staff(engine, who, "change the Lab's events and phases")
    values = _event_values(day=day, title=title, kind=kind, place=place, description=description)
    with engine.begin() as conn:
        event_id = conn.execute(insert(events).values(**values)).inserted_primary_key[0]
        record_audit(conn, "event.add", str(event_id), {"date": values["date"]}, who=who)
    return int(event_id)


def edit_event(engine, event_id: int, who: str, **changes) -> None:
    """Change an event's date, title, kind, place or description."""
    who = required_name(who, "staff")
    require_staff(engine, who, "change the Lab's events and phases")
    unknown = set(changes) - set(EVENT_FIELDS)
    if unknown:
        raise ValueError(f"an event has no {', '.join(sorted(unknown))}: use {EVENT_FIELDS}")
    current = _event(engine, event_id)
    merged = {**current, **{k: v for k, v in changes.items() if v is not None}}
    values = _event_values(day=merged["date"], **{k: merged[k] for k in EVENT_FIELDS[1:]})
    with engine.begin() as conn:
        conn.execute(update(events).where(events.c.id == int(event_id)).values(**values))
        record_audit(conn, "event.edit", str(event_id), {"fields": sorted(changes)}, who=who)


def delete_event(engine, event_id: int, who: str) -> None:
    who = required_name(who, "staff")
    require_staff(engine, who, "change the Lab's events and phases")
    _event(engine, event_id)
    with engine.begin() as conn:
        conn.execute(delete(events).where(events.c.id == int(event_id)))
        record_audit(conn, "event.delete", str(event_id), {}, who=who)


def list_events(engine) -> list[dict]:
    """Every event in date order, with the phase it falls in."""
    lab_phases = _phases(engine)
    with engine.connect() as conn:
        rows = [
            dict(r._mapping)
            for r in conn.execute(select(events).order_by(events.c.date, events.c.id))
        ]
    for row in rows:
        row["phase"] = phase_of(row["date"], lab_phases) if lab_phases else ""
    return rows


def load_events(engine, items: list[dict], who: str) -> int:
    """Add events not already there (same date and title); return how many were added."""
    with engine.connect() as conn:
        have = {(r.date, r.title) for r in conn.execute(select(events.c.date, events.c.title))}
    added = 0
    for item in items:
        if (item.get("date"), item.get("title")) in have:
            continue
        add_event(
            engine,
            item.get("date", ""),
            item.get("title", ""),
            who,
            item.get("kind") or "event",
            item.get("place") or "",
            item.get("description") or "",
        )
        have.add((item["date"], item["title"]))
        added += 1
    return added


# --- phases ----------------------------------------------------------------------------------


def list_phases(engine) -> list[dict]:
    return [{"name": p.name, "start": p.start, "end": p.end} for p in _phases(engine)]


def save_phases(engine, items: list[dict], who: str) -> list[dict]:
    """Replace the Lab's phases after checking them: named, dated, in order, not overlapping."""
    who = required_name(who, "staff")
    require_staff(engine, who, "change the Lab's events and phases")
    cleaned = []
    for item in items:
        name = " ".join(str(item.get("name") or "").split())
        if not name:
            raise ValueError("every phase needs a name")
        start = iso_date(item.get("start"), f"{name} start")
        end = iso_date(item.get("end"), f"{name} end")
        if end < start:
            raise ValueError(f"phase {name} ends ({end}) before it starts ({start})")
        cleaned.append({"name": name, "start": start, "end": end})
    cleaned.sort(key=lambda p: p["start"])
    names = [p["name"] for p in cleaned]
    if len(set(names)) != len(names):
        raise ValueError("two phases share a name: give each phase its own")
    if {"before", "after"} & set(names):
        raise ValueError("'before' and 'after' name the time outside the phases: choose others")
    for earlier, later in zip(cleaned, cleaned[1:], strict=False):
        if later["start"] <= earlier["end"]:
            raise ValueError(f"phases {earlier['name']} and {later['name']} overlap")
    set_phases(engine, cleaned)
    with engine.begin() as conn:
        record_audit(conn, "phases.set", None, {"phases": names}, who=who)
    return cleaned


# --- activity and theme shifts per phase ------------------------------------------------------


def activity_by_phase(engine) -> list[dict]:
    """Per phase: extracts by kind (by their Lab date), contributions, votes, events, ideas."""
    lab_phases = _phases(engine)
    order = _order(lab_phases)
    rows = {
        name: {
            "phase": name,
            "extracts": Counter(),
            "contributions": 0,
            "votes": 0,
            "events": 0,
            "ideas": 0,
        }
        for name in order
    }
    with engine.connect() as conn:
        for kind, day in conn.execute(select(extracts.c.kind, extracts.c.date)):
            if day:
                row = rows[phase_of(day, lab_phases)]
                row["extracts"][kind] += 1
                row["contributions"] += kind == "contribution"
        dated = [("votes", at) for at in conn.execute(select(votes.c.at)).scalars()]
        dated += [("ideas", at) for at in conn.execute(select(ideas.c.created_at)).scalars()]
        for field, at in dated:
            rows[phase_of(at.date().isoformat(), lab_phases)][field] += 1
        for day in conn.execute(select(events.c.date)).scalars():
            rows[phase_of(day, lab_phases)]["events"] += 1
    spans = {p.name: (p.start, p.end) for p in lab_phases}
    found = []
    for name in order:
        row = rows[name]
        busy = sum(row["extracts"].values()) + row["votes"] + row["events"] + row["ideas"]
        if name in ("before", "after") and not busy:
            continue
        row["extracts"] = dict(row["extracts"])
        row["start"], row["end"] = spans.get(name, (None, None))
        found.append(row)
    return found


def theme_shifts(engine) -> list[dict]:
    """Per Lab phase: themes that emerged, grew or faded there, judged by their share of the
    phase's dated extracts, and the themes builds reported new or faded during the phase.

    Only the Lab's phases are compared: material dated before the first phase is prior
    evidence and material after the last is follow-up, neither a phase of the year. Builds run
    after the last phase are listed in one more row, "after", with no shares of its own."""
    lab_phases = _phases(engine)
    names = [p.name for p in lab_phases]
    rows = [r for r in volumes(engine, by="phase") if r["period"] in names]
    labels = labels_by_theme(engine)
    shifts = shifts_from_volumes(rows, names)
    built = _built_by_phase(engine, lab_phases)
    if built.get("after"):
        shifts.append({"phase": "after", "extracts": 0, **{f: [] for f in SHIFT_EVENTS}})
    for row in shifts:
        for field in SHIFT_EVENTS:
            row[field] = labelled(row[field], labels)
        row["built"] = built.get(row["phase"], [])
    return shifts


def shifts_from_volumes(rows: list[dict], order: list[str]) -> list[dict]:
    """Emerged/grew/faded per period from [{theme_id, period, extracts}], periods in `order`.

    A theme emerged where its share first reaches MIN_SHARE (and MIN_EXTRACTS) at EMERGE_RATIO
    times any earlier share; grew where its share is GROW_RATIO times the period before's;
    faded where its share falls under its earlier peak / FADE_RATIO and stays there, or, as
    emerging's mirror, where it is no longer present at under its peak / EMERGE_RATIO (a theme
    of 6.5% falling to 2 extracts of 89, 2.2%, had gone, though not by a third)."""
    totals: Counter = Counter()
    counts: dict[str, Counter] = {}
    for row in rows:
        totals[row["period"]] += row["extracts"]
        counts.setdefault(row["theme_id"], Counter())[row["period"]] += row["extracts"]
    periods = [p for p in order if totals[p]]
    found = {
        p: {"phase": p, "extracts": totals[p], "emerged": [], "grew": [], "faded": []}
        for p in periods
    }
    for theme_id, theme_counts in sorted(counts.items()):
        share = [theme_counts[p] / totals[p] for p in periods]
        present = [
            s >= MIN_SHARE and theme_counts[p] >= MIN_EXTRACTS
            for s, p in zip(share, periods, strict=True)
        ]
        emerged = faded = False
        for i in range(1, len(periods)):
            before = max(share[:i])
            entry = {
                "theme_id": theme_id,
                "share": round(share[i], 3),
                "before": round(share[i - 1], 3),
                "extracts": theme_counts[periods[i]],
            }
            if not emerged and present[i] and share[i] >= EMERGE_RATIO * before:
                found[periods[i]]["emerged"].append(entry)
                emerged = True
            elif present[i] and share[i - 1] > 0 and share[i] >= GROW_RATIO * share[i - 1]:
                found[periods[i]]["grew"].append(entry)
            peak = max(share[:i])
            stays_low = all(
                s < peak / FADE_RATIO or (not here and s <= peak / EMERGE_RATIO)
                for s, here in zip(share[i:], present[i:], strict=True)
            )
            if not faded and any(present[:i]) and stays_low:
                found[periods[i]]["faded"].append(entry)
                faded = True
    return [found[p] for p in periods]


# --- helpers ---------------------------------------------------------------------------------


def _phases(engine) -> list:
    with engine.connect() as conn:
        return list(conn.execute(select(phases).order_by(phases.c.start)))


def _order(lab_phases) -> list[str]:
    return ["before", *[p.name for p in lab_phases], "after"]


def labels_by_theme(engine) -> dict[str, str]:
    """Theme id -> its label."""
    with engine.connect() as conn:
        return dict(conn.execute(select(themes.c.id, themes.c.label)).all())


def labelled(items: list[dict], labels: dict[str, str]) -> list[dict]:
    """Each theme shift with its theme's label (its id when the theme has none)."""
    return [dict(t, label=labels.get(t["theme_id"], t["theme_id"])) for t in items]


def _built_by_phase(engine, lab_phases) -> dict[str, list[dict]]:
    """Theme history from builds (emerged, grew, faded), by the phase the build ran in."""
    found: dict[str, list[dict]] = {}
    query = select(theme_history).where(theme_history.c.event.in_(SHIFT_EVENTS))
    with engine.connect() as conn:
        for r in conn.execute(query.order_by(theme_history.c.id)):
            day = r.at.date().isoformat()
            phase = phase_of(day, lab_phases) if lab_phases else "after"
            found.setdefault(phase, []).append(
                {"theme_id": r.theme_id, "event": r.event, "label": r.label, "date": day}
            )
    return found


def _event(engine, event_id) -> dict:
    with engine.connect() as conn:
        row = conn.execute(select(events).where(events.c.id == int(event_id))).first()
    if row is None:
        raise ValueError(f"no event {event_id}: `qlab events list` shows the events there are")
    return dict(row._mapping)


def _event_values(day, title, kind, place, description) -> dict:
    title = " ".join(str(title or "").split())
    if not title:
        raise ValueError("the event needs a title")
    return {
        "date": iso_date(day, "the event's date"),
        "title": title,
        "kind": (kind or "event").strip().lower()[:32] or "event",
        "place": (place or "").strip(),
        "description": (description or "").strip(),
    }


def iso_date(value, what: str) -> str:
    """A date written YYYY-MM-DD, as text; a clear error naming `what` otherwise."""
    value = str(value or "").strip()
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{what} {value!r} is not a date: write it as YYYY-MM-DD") from None
    if len(value) != 10:
        raise ValueError(f"{what} {value!r} is not a date: write it as YYYY-MM-DD")
    return value
