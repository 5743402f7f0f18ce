"""Reading the audit trail (who, when, what), and one call for features that add to it."""

from __future__ import annotations

from sqlalchemy import func, select

from lab_app.tables import audit
from lab_app.theme_state import record_audit

DEFAULT_LIMIT = 500
# Lines that record someone reading or arriving, not a change to the Lab's material: caches
# keyed on "the last change" skip them, so a sign-in or a download does not empty them.
READING_ACTIONS = ("sign_in", "sign_in.failed", "sign_out", "export", "essay.export",
                   "workspace.backup")  # fmt: skip


def last_change(conn) -> int | None:
    """The id of the newest audit line that records a change (see READING_ACTIONS)."""
    query = select(func.max(audit.c.id)).where(audit.c.action.not_in(READING_ACTIONS))
    return conn.execute(query).scalar()


def record(engine, action: str, target: str | None, detail: dict, who: str | None = None):
    """Add one line in its own transaction (never put extract or contribution text in it)."""
    with engine.begin() as conn:
        record_audit(conn, action, target, detail, who=who)


def read(
    engine,
    action: str | None = None,
    who: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[dict]:
    """The newest lines first; `action` matches a whole action or its group ("sign_in" also
    finds "sign_in.failed"), `who` matches exactly. Values are bound, never spliced into SQL."""
    query = select(audit).order_by(audit.c.id.desc()).limit(max(1, int(limit)))
    if action:
        query = query.where((audit.c.action == action) | audit.c.action.startswith(f"{action}."))
    if who:
        query = query.where(audit.c.who == who)
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def actions(engine) -> list[str]:
    """Every action the trail holds, for a filter list."""
    with engine.connect() as conn:
        return sorted(conn.execute(select(audit.c.action).distinct()).scalars())


def counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        query = select(audit.c.action, func.count()).group_by(audit.c.action)
        return dict(conn.execute(query).all())


def as_json_rows(rows: list[dict]) -> list[dict]:
    """Rows with the time as ISO text, for `qlab audit --json`."""
    return [dict(row, at=row["at"].isoformat() if row["at"] else None) for row in rows]
