"""Reading and writing themes, memberships, pins, builds and their history."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import delete, func, insert, select, update

from lab_app.core.audit import current_user, now, record_audit
from lab_app.core.forgetting import scrub_fields
from lab_app.core.schema import (
    audit,
    extracts,
    theme_builds,
    theme_history,
    theme_members,
    theme_pins,
    themes,
)
from lab_app.material.reads import chunks


@dataclass
class Membership:
    theme_id: str | None
    status: str  # placed | unsorted | excluded
    placed_by: str  # build | staff


@dataclass
class ThemeState:
    """Everything a build starts from."""

    themes: dict[str, dict] = field(default_factory=dict)  # id -> row (all statuses)
    members: dict[str, Membership] = field(default_factory=dict)
    pins: dict[str, list[str]] = field(default_factory=dict)  # theme id -> extract ids

    def active(self) -> list[str]:
        return sorted(t for t, row in self.themes.items() if row["status"] == "active")

    def next_id(self) -> str:
        numbers = [int(t.split("-")[1]) for t in self.themes if t.startswith("T-")]
        return f"T-{max(numbers, default=0) + 1:03d}"


def load_state(engine) -> ThemeState:
    state = ThemeState()
    with engine.connect() as conn:
        for row in conn.execute(select(themes)):
            state.themes[row.id] = dict(row._mapping)
        # Only memberships of extracts the store still holds: a replaced source's answers keep
        # their ids (and so their places), while removed ones simply drop out.
        query = select(theme_members).join(extracts, extracts.c.id == theme_members.c.extract_id)
        for row in conn.execute(query):
            state.members[row.extract_id] = Membership(row.theme_id, row.status, row.placed_by)
        for row in conn.execute(select(theme_pins).order_by(theme_pins.c.extract_id)):
            state.pins.setdefault(row.theme_id, []).append(row.extract_id)
    return state


def save_build(
    engine,
    existing: set[str],
    changed_themes: dict[str, dict],
    members: dict[str, Membership],
    similarities: dict[str, float],
    scope: set[str],
    report: dict,
    history: list[dict],
    mode: str,
) -> int:
    """Write a build's outcome in one transaction: themes, memberships in scope, history."""
    stamp = now()
    with engine.begin() as conn:
        build_id = conn.execute(
            insert(theme_builds).values(at=stamp, who=current_user(), mode=mode, report=report)
        ).inserted_primary_key[0]
        report["build"] = build_id
        conn.execute(
            update(theme_builds).where(theme_builds.c.id == build_id).values(report=report)
        )
        for theme_id, values in changed_themes.items():
            values = dict(values, updated_at=stamp)
            if theme_id in existing:
                conn.execute(update(themes).where(themes.c.id == theme_id).values(**values))
            else:
                conn.execute(insert(themes).values(id=theme_id, created_at=stamp, **values))
        gone = select(extracts.c.id)
        conn.execute(delete(theme_members).where(theme_members.c.extract_id.not_in(gone)))
        conn.execute(delete(theme_pins).where(theme_pins.c.extract_id.not_in(gone)))
        scope_ids = list(scope)
        for start in range(0, len(scope_ids), 500):
            chunk = scope_ids[start : start + 500]
            conn.execute(delete(theme_members).where(theme_members.c.extract_id.in_(chunk)))
        rows = [
            dict(
                extract_id=extract_id,
                theme_id=m.theme_id,
                status=m.status,
                placed_by=m.placed_by,
                similarity=similarities.get(extract_id),
                build_id=build_id,
            )
            for extract_id, m in members.items()
            if extract_id in scope
        ]
        if rows:
            conn.execute(insert(theme_members), rows)
        for event in history:
            conn.execute(insert(theme_history).values(at=stamp, build_id=build_id, **event))
        record_audit(conn, "themes.build", None, {k: report[k] for k in ("mode", "themes")})
    return build_id


def vector_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def theme_sizes(engine) -> dict[str, int]:
    with engine.connect() as conn:
        query = (
            select(theme_members.c.theme_id, func.count())
            .join(extracts, extracts.c.id == theme_members.c.extract_id)
            .where(theme_members.c.status == "placed")
            .group_by(theme_members.c.theme_id)
        )
        return dict(conn.execute(query).all())


def history_for(engine, theme_id: str) -> list[dict]:
    with engine.connect() as conn:
        query = (
            select(theme_history)
            .where(theme_history.c.theme_id == theme_id)
            .order_by(theme_history.c.id)
        )
        return [dict(row._mapping) for row in conn.execute(query)]


def last_build(engine) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(select(theme_builds).order_by(theme_builds.c.id.desc())).first()
        return dict(row._mapping) if row else None


def curation_since_last_build(engine) -> dict[str, list[str]]:
    """Themes merged or split by staff since the previous build (undone actions excluded)."""
    previous = last_build(engine)
    query = select(audit).where(
        audit.c.action.in_(["curate.merge", "curate.split"]), audit.c.undone.is_(False)
    )
    if previous:
        query = query.where(audit.c.at > previous["at"])
    found: dict[str, list[str]] = {"merged": [], "split": []}
    with engine.connect() as conn:
        for row in conn.execute(query.order_by(audit.c.id)):
            if row.action == "curate.merge":
                found["merged"].append(f"{'+'.join(row.detail['merged'])}→{row.target}")
            else:
                found["split"].append(f"{row.target}→{'+'.join(row.detail['into'])}")
    return found


# --- seed themes from another tool's codebook ----------------------------------------------------

SEED_STATUS = "seed"


def add_seed_themes(
    engine, seeds: list[dict], codebook: str, already_present: int = 0
) -> list[str]:
    """Add one seed theme per {"label", "description", "area", "vector", "details"}: staff's
    names kept through every build, the vector as its centre; the audit line also counts the
    codes that were already there. Returns the new theme ids."""
    state = load_state(engine)
    stamp = now()
    added: list[str] = []
    with engine.begin() as conn:
        for seed in seeds:
            theme_id = state.next_id()
            state.themes[theme_id] = {"status": SEED_STATUS}
            conn.execute(
                insert(themes).values(
                    id=theme_id,
                    label=seed["label"],
                    label_by_staff=True,
                    description=seed["description"],
                    description_by_staff=bool(seed["description"]),
                    area=seed["area"],
                    status=SEED_STATUS,
                    locked=False,
                    centroid=vector_bytes(seed["vector"]),
                    details=seed["details"],
                    created_at=stamp,
                    updated_at=stamp,
                )
            )
            conn.execute(
                insert(theme_history).values(
                    theme_id=theme_id,
                    at=stamp,
                    event="seeded",
                    size=0,
                    label=seed["label"],
                    detail={"codebook": codebook},
                )
            )
            added.append(theme_id)
        detail = {"seeded": added, "already_present": already_present}
        record_audit(conn, "themes.seed", codebook, detail)
    return added


# --- withdrawal ------------------------------------------------------------------------------

FORGETS = (theme_builds.c.who,)


def forget(conn, gone) -> dict:
    """Their extracts leave every theme and pin; quotes of their words leave theme descriptions
    and details; builds they ran keep a pseudonym. Returns the themes they were in."""
    touched: set[str] = set()
    for chunk in chunks(sorted(gone.extract_ids)):
        query = select(theme_members.c.theme_id).where(
            theme_members.c.extract_id.in_(chunk), theme_members.c.theme_id.is_not(None)
        )
        touched.update(conn.execute(query).scalars())
        conn.execute(delete(theme_members).where(theme_members.c.extract_id.in_(chunk)))
        conn.execute(delete(theme_pins).where(theme_pins.c.extract_id.in_(chunk)))
    for row in conn.execute(select(themes.c.id, themes.c.description, themes.c.details)).all():
        values = scrub_fields(row, gone, text_fields=("description",), json_fields=("details",))
        if values:
            conn.execute(update(themes).where(themes.c.id == row.id).values(**values))
    query = update(theme_builds).where(theme_builds.c.who == gone.person)
    conn.execute(query.values(who=gone.alias))
    return {"themes": sorted(touched)}
