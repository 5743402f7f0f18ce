"""Undo per person: put back what one person's last curation action changed, say so in words,
and refuse when someone else has since changed the same themes or extracts."""

from __future__ import annotations

from sqlalchemy import func, select, update

from lab_app.core.audit import record_audit
from lab_app.core.schema import audit
from lab_app.themes import words
from lab_app.themes.curation import CurationError, restore

CURATION = "curate.%"


def undo_last(engine, who: str) -> dict:
    """Undo `who`'s last curation action not yet undone; {"undid", "target", "message"}."""
    with engine.connect() as conn:
        last = conn.execute(_pending().where(audit.c.who == who).limit(1)).first()
        if last is None:
            made = conn.execute(
                select(func.count()).where(audit.c.action.like(CURATION), audit.c.who == who)
            ).scalar()
            why = f"all {made} of your changes are undone" if made else "you have made none"
            raise CurationError(f"nothing of yours to undo: {why} (others undo their own)")
        later = list(conn.execute(_pending().where(audit.c.id > last.id)))
    what = words.action(engine, last)  # named before the undo changes the labels back
    clash = next((row for row in reversed(later) if _overlap(last, row)), None)
    if clash is not None:
        raise CurationError(
            f"your {what} cannot be undone: {clash.who} has changed the same "
            f"{_what_overlaps(last, clash)} since ({words.action(engine, clash)}); "
            "undo theirs first or change it back by hand"
        )
    with engine.begin() as conn:
        claimed = conn.execute(
            update(audit)
            .where(audit.c.id == last.id, audit.c.undone.is_(False))
            .values(undone=True)
        )
        if claimed.rowcount != 1:  # undone meanwhile, from another window
            raise CurationError(f"your {what} was undone already")
        restore(conn, last.detail["before"])
        record_audit(conn, "undo", last.target, {"undid": last.id, "action": last.action}, who)
    return {"undid": last.action, "target": last.target, "message": f"Undid your {what}."}


def last_done(engine, who: str) -> str:
    """What `who` just did, in words, for the message after an action."""
    with engine.connect() as conn:
        row = conn.execute(_pending().where(audit.c.who == who).limit(1)).first()
    return words.done(engine, row) if row is not None else "Done."


def _pending():
    """Curation actions not yet undone, newest first."""
    return (
        select(audit)
        .where(audit.c.action.like(CURATION), audit.c.undone.is_(False))
        .order_by(audit.c.id.desc())
    )


def _touched(row) -> tuple[set, set]:
    """The themes and the extracts (memberships and pins) an action changed."""
    before = row.detail.get("before") or {}
    pinned = {extract_id for (_theme, extract_id), _present in before.get("pins") or []}
    return set(before.get("themes") or {}), set(before.get("members") or {}) | pinned


def _overlap(mine, theirs) -> bool:
    my_themes, my_extracts = _touched(mine)
    their_themes, their_extracts = _touched(theirs)
    return bool(my_themes & their_themes or my_extracts & their_extracts)


def _what_overlaps(mine, theirs) -> str:
    _, my_extracts = _touched(mine)
    _, their_extracts = _touched(theirs)
    return "extracts" if my_extracts & their_extracts else "theme"
