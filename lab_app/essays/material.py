"""What a draft is built from, read from the store: themes with their quotable central extracts,
documents, tensions, ideas and volumes over time. Only extracts that may be quoted come back."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from lab_app.core.schema import (
    extract_attributes,
    idea_links,
    idea_supporters,
    ideas,
    phases,
    sources,
    tensions,
    theme_members,
    themes,
)
from lab_app.material.consent import may_quote
from lab_app.material.reads import extracts_by_ids
from lab_app.themes.labels import over_represented
from lab_app.themes.over_time import volumes
from lab_app.themes.views import attributes_of

POOL = 150  # central members looked at per theme: enough to find quotable, varied voices


@dataclass
class ThemeMaterial:
    id: str
    label: str
    label_by_staff: bool
    description: str
    area: str
    size: int
    kinds: dict[str, int]
    phrases: list[str]
    over_represented: list[dict]
    extracts: list[dict]  # quotable, most central first, with attributes (and person, for
    #                       choosing varied voices only: it is never written anywhere)
    months: list[tuple[str, int]] = field(default_factory=list)
    phases: list[tuple[str, int]] = field(default_factory=list)
    tensions: list[dict] = field(default_factory=list)  # confirmed by staff
    ideas: list[dict] = field(default_factory=list)  # adopted, testing or marked for the essay
    related: list[dict] = field(default_factory=list)  # evidence near the theme, not in it
    members: list[str] = field(default_factory=list)  # every placed extract, central first


def active_themes(engine) -> list[dict]:
    """Active themes: id, label, area and live size, largest first."""
    with engine.connect() as conn:
        sizes = dict(
            conn.execute(
                select(theme_members.c.theme_id, func.count())
                .where(theme_members.c.status == "placed")
                .group_by(theme_members.c.theme_id)
            ).all()
        )
        rows = conn.execute(
            select(themes.c.id, themes.c.label, themes.c.area).where(themes.c.status == "active")
        ).all()
    found = [dict(r._mapping, size=sizes.get(r.id, 0)) for r in rows]
    return sorted(found, key=lambda r: (-r["size"], r["id"]))


def choose_themes(engine, theme_ids: list[str], area: str | None, count: int) -> list[str]:
    """The themes an essay covers: those named, else an area's, else the largest `count`."""
    active = active_themes(engine)
    if not active:
        raise ValueError("the workspace has no themes yet: run `qlab themes build` first")
    known = {t["id"]: t for t in active}
    if theme_ids:
        unknown = [t for t in theme_ids if t not in known]
        if unknown:
            raise ValueError(
                f"no active theme {', '.join(unknown)}: see `qlab themes list` for the ids"
            )
        return list(dict.fromkeys(theme_ids))
    if area:
        chosen = [t["id"] for t in active if t["area"].strip().lower() == area.strip().lower()]
        if not chosen:
            areas = sorted({t["area"] for t in active})
            raise ValueError(f"no themes in area {area!r}; areas are: {'; '.join(areas)}")
        return chosen
    return [t["id"] for t in active[:count]]


def theme_material(
    engine, theme_id: str, month_rows=None, phase_rows=None, everyone=None
) -> ThemeMaterial:
    """A theme as a draft reads it; `everyone` (everyone_attributes) is read once per essay
    when given."""
    with engine.connect() as conn:
        row = conn.execute(select(themes).where(themes.c.id == theme_id)).first()
        if row is None:
            raise ValueError(f"no theme {theme_id}: see `qlab themes list` for the ids")
        members = (
            conn.execute(
                select(theme_members.c.extract_id)
                .where(theme_members.c.theme_id == theme_id, theme_members.c.status == "placed")
                .order_by(
                    theme_members.c.similarity.desc().nulls_last(), theme_members.c.extract_id
                )
            )
            .scalars()
            .all()
        )
    details = row.details or {}
    pool = list(members[:POOL])
    rows = extracts_by_ids(engine, pool)
    allowed = may_quote(engine, rows)
    attributes = attributes_of(engine, [e for e in pool if e in allowed])
    chosen = [
        dict(rows[e], extract_id=e, attributes=attributes.get(e, {}))
        for e in pool
        if e in rows and e in allowed
    ]
    kinds = Counter(r["kind"] for r in rows.values())
    if len(members) > len(pool):  # the store's count, not the build's, which goes stale
        kinds = _kinds(engine, members)
    # Who raised it more than others, counted on the store as it is (the build's figures go
    # stale as staff move extracts); never the consent-to-quote question.
    everyone = everyone_attributes(engine) if everyone is None else everyone
    inside = [everyone.get(e, {}) for e in members]
    over = [
        a
        for a in over_represented(inside, list(everyone.values()))
        if "quot" not in a["attribute"].lower()
    ]
    material = ThemeMaterial(
        id=row.id,
        label=row.label,
        label_by_staff=bool(row.label_by_staff),
        description=row.description if row.description_by_staff else "",
        area=row.area,
        size=len(members),
        kinds=dict(kinds.most_common()),
        phrases=list(details.get("phrases", [])),
        over_represented=over,
        extracts=chosen,
        members=list(members),
    )
    _over_the_year(engine, material, month_rows, phase_rows)
    # Only what staff decided: confirmed tensions, ideas taken forward (a local import, as
    # staff_decisions reads ideas_for from here).
    from lab_app.essays.staff_decisions import accepted_ideas, confirmed_tensions

    material.tensions = confirmed_tensions(engine, theme_id)
    material.ideas = accepted_ideas(engine, {theme_id})
    return material


def everyone_attributes(engine) -> dict[str, dict[str, str]]:
    """extract id -> its attributes, for every extract that has any."""
    found: dict[str, dict[str, str]] = {}
    with engine.connect() as conn:
        for row in conn.execute(select(extract_attributes)):
            found.setdefault(row.extract_id, {})[row.name] = row.value
    return found


def _over_the_year(engine, material: ThemeMaterial, month_rows, phase_rows) -> None:
    """The theme's extracts per month and per phase of the Lab."""
    month_rows = volumes(engine, "month") if month_rows is None else month_rows
    phase_rows = volumes(engine, "phase") if phase_rows is None else phase_rows
    mine = material.id
    material.months = [(r["period"], r["extracts"]) for r in month_rows if r["theme_id"] == mine]
    by_phase = {r["period"]: r["extracts"] for r in phase_rows if r["theme_id"] == mine}
    material.phases = [(name, by_phase.get(name, 0)) for name in phase_names(engine)]


def theme_member_ids(engine, theme_id: str) -> set[str]:
    """The extracts placed in a theme."""
    query = select(theme_members.c.extract_id).where(
        theme_members.c.theme_id == theme_id, theme_members.c.status == "placed"
    )
    with engine.connect() as conn:
        return set(conn.execute(query).scalars())


def phase_names(engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(phases.c.name).order_by(phases.c.start)).scalars())


def _kinds(engine, extract_ids: list[str]) -> Counter:
    counts: Counter = Counter()
    for start in range(0, len(extract_ids), 500):
        chunk = extract_ids[start : start + 500]
        counts.update(r["kind"] for r in extracts_by_ids(engine, chunk).values())
    return counts


def source_info(engine) -> dict[str, dict]:
    """path -> {title, organisation, date, kind} for every source."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(sources.c.path, sources.c.title, sources.c.date, sources.c.kind, sources.c.meta)
        ).all()
    return {
        r.path: {
            "title": r.title or "",
            "organisation": str((r.meta or {}).get("author") or ""),
            "date": r.date,
            "kind": r.kind,
        }
        for r in rows
    }


def tensions_for(engine, theme_id: str | None = None) -> list[dict]:
    """Tensions not dismissed (confirmed first), on one theme or all; a text suggestion only
    once staff confirmed it (the model measures topic, not stance)."""
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(tensions).order_by(tensions.c.id))]
    kept = [
        r
        for r in rows
        if r["status"] != "dismissed"
        and (r["signal"] != "text" or r["status"] == "confirmed")
        and (theme_id is None or theme_id in (r["themes"] or []))
    ]
    return sorted(kept, key=lambda r: (r["status"] != "confirmed", r["id"]))


def ideas_for(engine, theme_ids: set[str] | None = None, extract_ids: set[str] | None = None):
    """Live ideas (not parked, not merged) with supporter counts and what they link to, best
    supported first; only those touching the given themes or extracts when either is given."""
    with engine.connect() as conn:
        rows = [
            dict(r._mapping)
            for r in conn.execute(
                select(ideas).where(ideas.c.merged_into.is_(None), ideas.c.status != "parked")
            )
        ]
        links = conn.execute(select(idea_links)).all()
        support = dict(
            conn.execute(
                select(idea_supporters.c.idea_id, func.count()).group_by(idea_supporters.c.idea_id)
            ).all()
        )
        linked_extracts = {link.target_id for link in links if link.target_type == "extract"}
        placed = (
            dict(
                conn.execute(
                    select(theme_members.c.extract_id, theme_members.c.theme_id).where(
                        theme_members.c.status == "placed",
                        theme_members.c.extract_id.in_(sorted(linked_extracts)),
                    )
                ).all()
            )
            if linked_extracts
            else {}
        )
    found = []
    for idea in rows:
        own = [link for link in links if link.idea_id == idea["id"]]
        extract_links = [link.target_id for link in own if link.target_type == "extract"]
        themes_touched = {link.target_id for link in own if link.target_type == "theme"}
        themes_touched |= {placed[e] for e in extract_links if e in placed}
        touches = (theme_ids and themes_touched & theme_ids) or (
            extract_ids and set(extract_links) & extract_ids
        )
        if (theme_ids or extract_ids) and not touches:
            continue
        found.append(
            dict(
                idea,
                supporters=int(support.get(idea["id"], 0)),
                extract_ids=extract_links,
                theme_ids=sorted(themes_touched),
            )
        )
    return sorted(found, key=lambda i: (-i["supporters"], -len(i["extract_ids"]), i["id"]))


RELATED_FLOOR = 0.45  # cosine similarity below which a document passage is about something else


def related_evidence(workspace, theme_id: str, k: int = 12) -> list[dict]:
    """Quotable evidence passages nearest the theme's centre that sit outside it: what the
    documents say about a theme built mostly from people's words."""
    import numpy as np

    engine = workspace.store.engine
    with engine.connect() as conn:
        centroid = conn.execute(select(themes.c.centroid).where(themes.c.id == theme_id)).scalar()
    if not centroid:
        return []
    vector = np.frombuffer(centroid, dtype=np.float32)
    hits = workspace.index.query(vector, k, {"kind": "evidence"})
    near = [e for e, score in hits if score >= RELATED_FLOOR]
    rows = extracts_by_ids(engine, near)
    allowed = may_quote(engine, rows)
    return [dict(rows[e], extract_id=e, attributes={}) for e in near if e in allowed]
