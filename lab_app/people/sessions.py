"""Sign-ins that survive a page reload: a random token per browser, only its hash stored."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, insert, select, update

from lab_app.core.audit import as_utc, now
from lab_app.core.schema import browser_sessions, session_handoffs

COOKIE = "qlab_session"
TOUCH_EVERY = timedelta(minutes=1)  # last_seen is written at most this often per browser
MAX_AGE = timedelta(hours=12)  # even a token in constant use ends: a working day, then sign in
HANDOFF_AGE = timedelta(seconds=60)  # the browser redeems its code at once; a minute is ample


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


def hand_off(engine, token: str) -> str:
    """A one-time code the browser trades, within HANDOFF_AGE, for a cookie holding this token
    (ui/session_route.py sets it HttpOnly, so the page's scripts never see the token). The
    store keeps the code's hash and the token sealed under the code: a copy of the store
    cannot unseal it."""
    code = secrets.token_urlsafe(32)
    sealed = Fernet(_key(code)).encrypt(token.encode()).decode()
    moment = now()
    with engine.begin() as conn:
        conn.execute(
            delete(session_handoffs).where(session_handoffs.c.created_at < moment - HANDOFF_AGE)
        )
        conn.execute(
            insert(session_handoffs).values(code_hash=_hash(code), sealed=sealed, created_at=moment)
        )
    return code


def redeem(engine, code: str | None) -> str | None:
    """The token a code was made for, once: the code is spent whether or not it was in time."""
    if not code or not isinstance(code, str) or len(code) > 100:
        return None
    key = _hash(code)
    with engine.begin() as conn:
        row = conn.execute(
            select(session_handoffs).where(session_handoffs.c.code_hash == key)
        ).first()
        if row is None:
            return None
        conn.execute(delete(session_handoffs).where(session_handoffs.c.code_hash == key))
    if as_utc(row.created_at) < now() - HANDOFF_AGE:
        return None
    try:
        return Fernet(_key(code)).decrypt(row.sealed.encode()).decode()
    except InvalidToken:
        return None


def _key(code: str) -> bytes:
    """The sealing key, derived from the code apart from the hash the store keeps."""
    return base64.urlsafe_b64encode(hashlib.sha256(b"qlab-handoff\x1f" + code.encode()).digest())
