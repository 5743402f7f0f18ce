"""Following themes: who follows which theme, when they last opened it, and what is new since.

"New since your last visit" means extracts placed in the theme now whose words were first
stored after that visit (extract_arrivals, else their source's ingest time): the time the Lab
got them, not the date a document or answer carries, since a report dated March that arrives
in June is news in June. An extract that was already stored and is moved into the theme later
(by staff or a rebuild) is not counted: readers asked "what did people add", not "what moved".
Themes are followed by id, which rebuilds keep (themes/build.py); a theme merged into another
is followed on in the theme it became.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, func, insert, select, update

from lab_app.core.audit import as_utc, now, record_audit
from lab_app.core.schema import (
    extract_arrivals,
    extracts,
    sources,
    theme_members,
    theme_readers,
    themes,
)
from lab_app.material.reads import chunks

FORGETS = (theme_readers.c.account,)


class FollowError(ValueError):
    """A follow that cannot be done, said in one line."""


def follow(engine, account: str, theme_id: str, at: datetime | None = None) -> bool:
    """Follow a theme (audited); False when the account already follows it."""
    return _set_following(engine, account, theme_id, True, at or now())


def unfollow(engine, account: str, theme_id: str) -> bool:
    """Stop following a theme (audited); False when the account did not follow it."""
    return _set_following(engine, account, theme_id, False, now())


def _set_following(engine, account: str, theme_id: str, on: bool, at: datetime) -> bool:
    if not account:
        raise FollowError("sign in to follow themes")
    with engine.begin() as conn:
        status = conn.execute(select(themes.c.status).where(themes.c.id == theme_id)).scalar()
        if status is None:
            raise FollowError("no such theme: it may have been merged; reopen Explore")
        row = _row(conn, account, theme_id)
        if row is not None and bool(row.following) == on:
            return False
        if row is None:
            values = dict(account=account, theme_id=theme_id, following=on, followed_at=at)
            conn.execute(insert(theme_readers).values(**values))
        else:
            values = dict(following=on, followed_at=at if on else row.followed_at)
            conn.execute(update(theme_readers).where(_is(account, theme_id)).values(**values))
        action = "themes.follow" if on else "themes.unfollow"
        record_audit(conn, action, theme_id, {}, who=account)
    return True


def record_visit(engine, account: str, theme_id: str, at: datetime | None = None) -> None:
    """Remember that the account opened the theme now (a read: not in the audit trail)."""
    if not account:
        return
    at = at or now()
    with engine.begin() as conn:
        if _row(conn, account, theme_id) is None:
            values = dict(account=account, theme_id=theme_id, following=False, last_visit=at)
            conn.execute(insert(theme_readers).values(**values))
        else:
            conn.execute(update(theme_readers).where(_is(account, theme_id)).values(last_visit=at))


def followed(engine, account: str) -> list[str]:
    """The active themes the account follows, a merged theme's follow carried to its heir."""
    readers = _readers(engine, account)
    return sorted({t for t, row in readers.items() if row["following"]})


def last_visits(engine, account: str) -> dict[str, datetime]:
    """theme id -> when the account last opened it (or followed it, if never opened)."""
    return {t: row["since"] for t, row in _readers(engine, account).items() if row["since"]}


def new_since_visit(engine, account: str, theme_ids=None) -> dict[str, list[str]]:
    """theme id -> the ids of its placed extracts that arrived after the account's last visit,
    newest first, for the themes it has visited or follows (or only `theme_ids`)."""
    readers = _readers(engine, account)
    wanted = {t: r["since"] for t, r in readers.items() if r["since"]}
    if theme_ids is not None:
        keep = set(theme_ids)
        wanted = {t: since for t, since in wanted.items() if t in keep}
    if not wanted:
        return {}
    arrived = func.coalesce(extract_arrivals.c.at, sources.c.ingested_at)
    query = (
        select(theme_members.c.theme_id, theme_members.c.extract_id, arrived.label("at"))
        .join(extracts, extracts.c.id == theme_members.c.extract_id)
        .join(sources, sources.c.id == extracts.c.source_id)
        .outerjoin(extract_arrivals, extract_arrivals.c.extract_id == extracts.c.id)
        .where(theme_members.c.status == "placed", arrived > min(wanted.values()))
    )
    found: dict[str, list[tuple[datetime, str]]] = {t: [] for t in wanted}
    with engine.connect() as conn:
        for chunk in chunks(sorted(wanted)):
            for row in conn.execute(query.where(theme_members.c.theme_id.in_(chunk))):
                if as_utc(row.at) > wanted[row.theme_id]:
                    found[row.theme_id].append((as_utc(row.at), row.extract_id))
    return {t: [e for _, e in sorted(rows, reverse=True)] for t, rows in found.items()}


def _readers(engine, account: str) -> dict[str, dict]:
    """The account's rows by the active theme each now stands for: a merged theme's row joins
    its heir's (following if either was; since the later visit)."""
    if not account:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(select(theme_readers).where(theme_readers.c.account == account))
        rows = list(rows)
        statuses = select(themes.c.id, themes.c.status, themes.c.merged_into)
        info = {r.id: r for r in conn.execute(statuses)}
    merged: dict[str, dict] = {}
    for row in rows:
        theme_id = _heir(row.theme_id, info)
        if theme_id is None:
            continue
        times = [as_utc(t) for t in (row.last_visit, row.followed_at) if t is not None]
        since = max(times, default=None)
        entry = merged.setdefault(theme_id, {"following": False, "since": None})
        entry["following"] = entry["following"] or bool(row.following)
        if since and (entry["since"] is None or since > entry["since"]):
            entry["since"] = since
    return merged


def _heir(theme_id: str, info: dict) -> str | None:
    """The active theme this id stands for now (following merges), or None if it faded."""
    seen = set()
    while theme_id in info and theme_id not in seen:
        seen.add(theme_id)
        row = info[theme_id]
        if row.status == "active":
            return theme_id
        if row.status != "merged" or not row.merged_into:
            return None
        theme_id = row.merged_into
    return None


def _row(conn, account: str, theme_id: str):
    return conn.execute(select(theme_readers).where(_is(account, theme_id))).first()


def _is(account: str, theme_id: str):
    return and_(theme_readers.c.account == account, theme_readers.c.theme_id == theme_id)


def forget(conn, gone) -> dict:
    """Withdrawal: the person's follows and visits go (the audit trail forgets them apart)."""
    conn.execute(delete(theme_readers).where(theme_readers.c.account == gone.person))
    return {}
