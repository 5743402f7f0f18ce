"""Reading and writing themes, memberships, pins, builds, history and the audit trail."""

from __future__ import annotations

import getpass
import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import delete, func, insert, select, update

from lab_app.tables import (
    audit,
    extracts,
    theme_builds,
    theme_history,
    theme_members,
    theme_pins,
    themes,
)

# The app serves many people from one process, one thread per script run: who is acting is
# kept per thread, so two staff acting at the same moment are each named in the audit trail.
_acting = threading.local()


def act_as(name: str | None) -> None:
    """Name the signed-in person acting in this thread (the app calls this on every run)."""
    _acting.name = name


def current_user() -> str:
    """Who is acting: the app's signed-in person, else QLAB_USER, else the OS account."""
    return getattr(_acting, "name", None) or os.environ.get("QLAB_USER") or getpass.getuser()


def now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for what was written in UTC: mark them as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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


def record_audit(conn, action: str, target: str | None, detail: dict, who: str | None = None):
    """One line of the audit trail: who, when, what (never extract text)."""
    conn.execute(
        insert(audit).values(
            at=now(), who=who or current_user(), action=action, target=target, detail=detail
        )
    )


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
