"""Sign-in throttling: failed sign-ins counted per account name and per client address in the
store, with pauses that grow, so neither a fresh browser session nor a reload starts afresh."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from lab_app.core.audit import as_utc, now
from lab_app.core.schema import sign_in_failures as table
from lab_app.people import accounts
from lab_app.people.names import look_key

# Failures allowed before the first pause. An address is shared by everyone behind one router
# or proxy, so it gets more; a name is one person's.
FREE_FAILURES = {"name": 5, "address": 20}
FIRST_PAUSE = timedelta(seconds=30)  # then twice as long after each further failure
LONGEST_PAUSE = timedelta(minutes=15)
FORGET_AFTER = timedelta(days=1)  # a day without failures and the count starts again
LOCAL = "local"  # Streamlit names no address for a browser on this machine


@dataclass(frozen=True)
class Attempt:
    """What a sign-in attempt came to: the account, or how long to wait and why."""

    account: dict | None
    wait_seconds: int = 0
    scope: str | None = None  # "name" or "address" when paused
    refused: str | None = None  # the right password, but no way in (no role in any Lab)

    def message(self) -> str:
        """One line for the sign-in page."""
        if self.account is not None:
            return ""
        if self.refused:
            return self.refused
        if not self.wait_seconds:
            return "Name or password not recognised, or the account is off."
        whose = "this account name" if self.scope == "name" else "this address"
        return (
            f"Too many failed sign-ins for {whose}: wait {_spoken(self.wait_seconds)}, then "
            "try again (ask Lab staff for a new password if you have lost it)."
        )


def sign_in(engine, name: str, password: str, address: str | None, may_enter=None) -> Attempt:
    """Check the name and password unless the name or the address is paused; count a failure,
    clear the name's count on success. A paused attempt checks no password at all.
    `may_enter`: see accounts.authenticate (a refusal is not a failure: the password was right)."""
    keys = _keys(name, address)
    paused = _paused(engine, keys)
    if paused is not None:
        return Attempt(None, *paused)
    try:
        account = accounts.authenticate(engine, name, password, may_enter)
    except accounts.NoRoleError as refusal:
        return Attempt(None, refused=str(refusal))
    if account is None:
        _count_failure(engine, keys)
        return Attempt(None, *(_paused(engine, keys) or (0, None)))
    with engine.begin() as conn:
        conn.execute(delete(table).where(_is(*keys[0])))
    return Attempt(account)


def pause_for(failures: int, scope: str) -> timedelta:
    """The pause after this many failures in a row: none until FREE_FAILURES, then FIRST_PAUSE
    doubling with each further failure, up to LONGEST_PAUSE."""
    beyond = failures - FREE_FAILURES[scope]
    if beyond < 0:
        return timedelta(0)
    return min(FIRST_PAUSE * 2 ** min(beyond, 20), LONGEST_PAUSE)


def _keys(name: str, address: str | None) -> list[tuple[str, str]]:
    # The name's look-alike key: "Ana" and "ANA" are one name to an attacker too.
    return [("name", look_key(name)[:255]), ("address", (address or LOCAL)[:255])]


def _is(scope: str, subject: str):
    return and_(table.c.scope == scope, table.c.subject == subject)


def _paused(engine, keys) -> tuple[int, str] | None:
    """(seconds left, scope) of the longest pause in force on these keys, or None."""
    moment = now()
    longest = None
    with engine.connect() as conn:
        for scope, subject in keys:
            row = conn.execute(select(table.c.paused_until).where(_is(scope, subject))).first()
            if row is None or row.paused_until is None:
                continue
            left = (as_utc(row.paused_until) - moment).total_seconds()
            if left > 0 and (longest is None or left > longest[0]):
                longest = (math.ceil(left), scope)
    return longest


def _count_failure(engine, keys) -> None:
    moment = now()
    with engine.begin() as conn:
        for scope, subject in keys:
            row = conn.execute(
                select(table.c.failures, table.c.last_failure).where(_is(scope, subject))
            ).first()
            stale = row is not None and as_utc(row.last_failure) < moment - FORGET_AFTER
            failures = 1 if row is None or stale else row.failures + 1
            pause = pause_for(failures, scope)
            values = {
                "failures": failures,
                "last_failure": moment,
                "paused_until": moment + pause if pause else None,
            }
            if row is not None:
                conn.execute(update(table).where(_is(scope, subject)).values(**values))
                continue
            try:
                with conn.begin_nested():  # another process may have counted the first one
                    conn.execute(insert(table).values(scope=scope, subject=subject, **values))
            except IntegrityError:
                conn.execute(update(table).where(_is(scope, subject)).values(**values))


def _spoken(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"


# --- withdrawal ------------------------------------------------------------------------------

FORGETS = (table.c.subject,)


def forget(conn, gone) -> dict:
    """Their name's failure count goes (an address names no one person, and lapses in a day)."""
    conn.execute(delete(table).where(_is("name", look_key(gone.person)[:255])))
    return {}
