"""The votes Pol.is's math reads, from a Pol.is export folder or from the workspace's votes.

Pol.is keeps participants in the order they arrived, counts votes on statements it moderated
out (and on meta statements) towards who is "in", and zeroes those statements' columns. So an
import keeps those votes too, under a statement id that is no extract (MODERATED_OUT + the
comment id): they are never shown, they only count, and withdrawal deletes them with the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lab_app.opinions import polis_math
from lab_app.opinions.groups import OpinionGroups, compute

MODERATED_OUT = "polis-moderated-out:"  # statement id of a vote on a moderated-out comment
META_ATTRIBUTE = "is-meta"  # an imported comment about the conversation itself: not clustered
# Vote times say who was "in" early only when each vote has its own: an export without
# votes.csv dates each vote by its comment, so many votes share one time.
PER_VOTE_TIMES = 0.5  # distinct times per vote at or above which the replay is trusted


@dataclass
class MathInput:
    """Participants in arrival order, every statement voted on, the votes and who is in."""

    participants: list[str]
    statements: list[str]
    matrix: np.ndarray
    moderated_out: np.ndarray
    in_conv: set


def build(votes: list[tuple], moderated_out: set, order=None) -> MathInput:
    """From (participant, statement, value, time) rows; time may be None. `order` gives the
    participants' arrival order when times are unknown (Pol.is numbers them as they join)."""
    timed = [v for v in votes if v[3] is not None]
    replay = len(timed) == len(votes) and len({v[3] for v in votes}) >= PER_VOTE_TIMES * len(votes)
    if replay:
        ordered = sorted(votes, key=lambda v: (v[3], natural(v[0]), natural(v[1])))
        participants = list(dict.fromkeys(v[0] for v in ordered))
    else:
        voters = {v[0] for v in votes}
        known = list(order or [])
        extra = sorted(voters - set(known), key=natural)
        participants = [p for p in known if p in voters] + extra
    statements = sorted({v[1] for v in votes}, key=natural)
    row_of = {p: i for i, p in enumerate(participants)}
    column_of = {s: j for j, s in enumerate(statements)}
    matrix = np.full((len(participants), len(statements)), np.nan)
    for participant, statement, value, _ in votes:
        matrix[row_of[participant], column_of[statement]] = value
    if replay:
        in_conv = polis_math.in_conversation((v[0], v[1]) for v in ordered)
    else:
        counts = dict(zip(participants, (~np.isnan(matrix)).sum(axis=1).tolist(), strict=True))
        in_conv = polis_math.in_conversation_now(counts, len(statements))
    out = np.array([s in moderated_out for s in statements], dtype=bool)
    return MathInput(participants, statements, matrix, out, in_conv)


def groups_of(data: MathInput, labels: dict | None = None) -> OpinionGroups:
    return compute(
        data.participants, data.statements, data.matrix, labels=labels,
        moderated_out=data.moderated_out, in_conv=data.in_conv,
    )  # fmt: skip


# --- a Pol.is export folder ------------------------------------------------------------------


def conversation_input(conversation) -> MathInput:
    """The math's input for a conversation read by lab_app.exchange.polis.read_polis."""
    out = {c["id"] for c in conversation.comments if c["moderated"] == -1 or c.get("meta")}
    times = conversation.vote_times
    votes = [(p, c, value, times.get((p, c))) for (p, c), value in conversation.votes.items()]
    return build(votes, out, order=conversation.participants)


def from_conversation(conversation, labels: dict | None = None) -> OpinionGroups:
    """Our groups for an export (or, given `labels`, the measures for someone else's)."""
    return groups_of(conversation_input(conversation), labels)


# --- the workspace ---------------------------------------------------------------------------


def workspace_input(engine) -> MathInput:
    """The math's input for the workspace's votes on statements the store still holds: extracts
    (an imported Pol.is conversation's comments among them) and approved statements."""
    from sqlalchemy import select

    from lab_app.core.schema import extract_attributes, extracts, votes
    from lab_app.opinions import statements

    meta_query = select(extract_attributes.c.extract_id).where(
        extract_attributes.c.name == META_ATTRIBUTE, extract_attributes.c.value == "true"
    )
    with engine.connect() as conn:
        held = set(conn.execute(select(extracts.c.id)).scalars())
        held |= statements.approved_ids(engine)
        meta = set(conn.execute(meta_query).scalars())
        rows = conn.execute(
            select(votes.c.participant, votes.c.statement, votes.c.value, votes.c.at)
        ).all()
    kept = [r for r in rows if r.statement in held or r.statement.startswith(MODERATED_OUT)]
    out = {r.statement for r in kept if r.statement.startswith(MODERATED_OUT)} | meta
    return build([(r.participant, r.statement, r.value, r.at) for r in kept], out)


def from_workspace(engine) -> OpinionGroups | None:
    """Groups from the workspace's votes; None if too few people or statements to group."""
    data = workspace_input(engine)
    shown = int((~data.moderated_out).sum())
    if len(data.participants) < 3 or shown < 2:
        return None
    return groups_of(data)


def natural(value: str):
    """Numbers in numeric order (Pol.is participant and comment numbers), then names."""
    value = str(value)
    if value.isdigit():
        return (0, int(value), "")
    head, _, tail = value.rpartition(":")  # "statement:12" after "statement:9"
    return (1, int(tail), head) if head and tail.isdigit() else (2, 0, value)
