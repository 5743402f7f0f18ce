"""Withdrawal in Q Exchange rounds: a person's proposals (with their versions and the comments
under them), comments and ballots go, so counts change honestly; staff names become pseudonyms."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from lab_app.core.forgetting import scrub_fields
from lab_app.core.schema import (
    round_ballots,
    round_comments,
    round_proposals,
    round_revisions,
    rounds,
)

FORGETS = (
    rounds.c.created_by,
    round_proposals.c.author,
    round_revisions.c.who,
    round_comments.c.author,
    round_ballots.c.voter,
    round_ballots.c.entered_by,
)


def forget(conn, gone) -> dict:
    """Remove their proposals, comments and ballots; take their proposals out of others'
    ballots; drop links to their extracts; quotations of their words leave others' text."""
    theirs = list(
        conn.execute(
            select(round_proposals.c.id).where(round_proposals.c.author == gone.person)
        ).scalars()
    )
    conn.execute(delete(round_revisions).where(round_revisions.c.proposal_id.in_(theirs)))
    under = conn.execute(
        delete(round_comments).where(round_comments.c.proposal_id.in_(theirs))
    ).rowcount
    proposals = conn.execute(
        delete(round_proposals).where(round_proposals.c.id.in_(theirs))
    ).rowcount
    mine = select(round_comments.c.id).where(round_comments.c.author == gone.person)
    own = list(conn.execute(mine).scalars())
    # Replies to their comments stay (others' words), as first-level comments.
    conn.execute(
        update(round_comments).where(round_comments.c.parent_id.in_(own)).values(parent_id=None)
    )
    comments = conn.execute(delete(round_comments).where(round_comments.c.id.in_(own))).rowcount
    ballots = conn.execute(
        delete(round_ballots).where(round_ballots.c.voter == gone.person)
    ).rowcount
    _out_of_ballots(conn, set(theirs))
    _scrub(conn, gone)
    for column in (rounds.c.created_by, round_revisions.c.who, round_ballots.c.entered_by):
        conn.execute(
            update(column.table).where(column == gone.person).values({column.name: gone.alias})
        )
    return {
        "round_proposals": proposals,
        "round_comments": comments + under,
        "round_ballots": ballots,
    }


def _out_of_ballots(conn, removed: set[int]) -> None:
    """Others' ballots lose choices of removed proposals; the ballots themselves still count."""
    if not removed:
        return
    for row in conn.execute(select(round_ballots.c.id, round_ballots.c.choices)).all():
        kept = [c for c in row.choices if c not in removed]
        if kept != list(row.choices):
            conn.execute(
                update(round_ballots).where(round_ballots.c.id == row.id).values(choices=kept)
            )


def _scrub(conn, gone) -> None:
    """Links to their extracts and quotations of their words leave what others wrote."""
    for table, text_fields, json_fields in (
        (round_proposals, ("title", "problem", "idea"), ("links",)),
        (round_revisions, ("title", "problem", "idea"), ("links",)),
        (round_comments, ("text",), ("connects",)),
    ):
        columns = [table.c.id, *(table.c[n] for n in text_fields + json_fields)]
        for row in conn.execute(select(*columns)).all():
            values = scrub_fields(row, gone, text_fields, json_fields)
            if values:
                conn.execute(update(table).where(table.c.id == row.id).values(**values))
