"""Sign-ins that survive a page reload: a random token per browser, only its hash stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, insert, select, update

from lab_app.core.audit import as_utc, now
from lab_app.core.schema import browser_sessions

COOKIE = "qlab_session"
TOUCH_EVERY = timedelta(minutes=1)  # last_seen is written at most this often per browser
MAX_AGE = timedelta(hours=12)  # even a token in constant use ends: a working day, then sign in


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(engine, name: str) -> str:
    """A new token for this account's browser; the caller puts it in the browser's cookie."""
    token = secrets.token_urlsafe(32)
    moment = now()
    with engine.begin() as conn:
        # Browsers closed without signing out leave rows behind; clear those past any use.
        conn.execute(
            delete(browser_sessions).where(browser_sessions.c.last_seen < moment - MAX_AGE)
        )
        conn.execute(
            insert(browser_sessions).values(
                token_hash=_hash(token), name=name, created_at=moment, last_seen=moment
            )
        )
    return token


def resume(engine, token: str | None, idle_minutes: int) -> str | None:
    """The account a browser's token belongs to, if it was used within idle_minutes and made
    within MAX_AGE; an idle or old token is deleted, so it cannot come back."""
    if not token or not isinstance(token, str):
        return None
    key = _hash(token)
    moment = now()
    # last_seen trails the last click by up to TOUCH_EVERY: allow for it, or a reload just
    # inside the limit would sign the person out.
    cutoff = moment - timedelta(minutes=idle_minutes) - TOUCH_EVERY
    with engine.begin() as conn:
        row = conn.execute(
            select(
                browser_sessions.c.name,
                browser_sessions.c.last_seen,
                browser_sessions.c.created_at,
            ).where(browser_sessions.c.token_hash == key)
        ).first()
        if row is None:
            return None
        if as_utc(row.last_seen) < cutoff or as_utc(row.created_at) < moment - MAX_AGE:
            conn.execute(delete(browser_sessions).where(browser_sessions.c.token_hash == key))
            return None
        if as_utc(row.last_seen) < moment - TOUCH_EVERY:
            conn.execute(
                update(browser_sessions)
                .where(browser_sessions.c.token_hash == key)
                .values(last_seen=moment)
            )
    return row.name


def end(engine, token: str | None) -> None:
    """Sign-out or timeout: the token stops working everywhere."""
    if token:
        with engine.begin() as conn:
            conn.execute(
                delete(browser_sessions).where(browser_sessions.c.token_hash == _hash(token))
            )


def end_all(conn, name: str) -> None:
    """Every browser of this account signs out (withdrawn, disabled, or given a new password);
    runs in the caller's transaction."""
    conn.execute(delete(browser_sessions).where(browser_sessions.c.name == name))
