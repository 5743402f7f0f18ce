"""Time, the acting person and the audit trail: who did what, when (the one place for all three)."""

from __future__ import annotations

import getpass
import threading
from datetime import UTC, datetime

from sqlalchemy import func, insert, select, update

from lab_app.core.schema import audit
from lab_app.core.settings import setting

# The app serves many people from one process, one thread per script run: who is acting is
# kept per thread, so two staff acting at the same moment are each named in the audit trail.
_acting = threading.local()


def act_as(name: str | None) -> None:
    """Name the signed-in person acting in this thread (the app calls this on every run)."""
    _acting.name = name


def current_user() -> str:
    """Who is acting: the app's signed-in person, else QLAB_USER, else the OS account."""
    return getattr(_acting, "name", None) or setting("user") or getpass.getuser()


def now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for what was written in UTC: mark them as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def record_audit(conn, action: str, target: str | None, detail: dict, who: str | None = None):
    """One line of the audit trail: who, when, what (never extract text)."""
    conn.execute(
        insert(audit).values(
            at=now(), who=who or current_user(), action=action, target=target, detail=detail
        )
    )


DEFAULT_LIMIT = 500
# Lines that record someone reading or arriving, not a change to the Lab's material: caches
# keyed on "the last change" skip them, so a sign-in or a download does not empty them.
# Following a theme changes what one reader is shown, not the material everyone reads.
READING_ACTIONS = ("sign_in", "sign_in.failed", "sign_out", "export", "essay.export",
                   "workspace.backup", "themes.follow", "themes.unfollow")  # fmt: skip


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


# --- withdrawal ------------------------------------------------------------------------------

FORGETS = (audit.c.who,)


def forget(conn, gone) -> dict:
    """The trail keeps what was done; a pseudonym takes the person's place as actor and target."""
    conn.execute(update(audit).where(audit.c.who == gone.person).values(who=gone.alias))
    for target, renamed in (
        (gone.person, gone.alias),
        (f"person:{gone.person}", f"person:{gone.alias}"),
    ):
        conn.execute(update(audit).where(audit.c.target == target).values(target=renamed))
    return {}
