"""Comments on proposals: threaded replies, each able to say "this connects to …" another
proposal, an idea, a theme or an extract, so ideas meet the work already under way."""

from __future__ import annotations

from sqlalchemy import insert, select

from ingest.redact import redact
from lab_app.core.audit import now, record_audit
from lab_app.core.schema import round_comments
from lab_app.opinions.participation import MAX_CONTRIBUTION_CHARS, required_name
from lab_app.rounds import links as round_links
from lab_app.rounds.proposals import get_proposal
from lab_app.rounds.rounds import get_round, require_state

COMMENTING = ("open", "shortlisting", "voting")


def comment(engine, proposal_id, author: str, text: str, parent_id=None, connects=()) -> int:
    """Comment on a proposal (or answer a comment on it) until the round closes; `connects`
    are (type, id) pairs. Returns the comment's id. The audit trail keeps its size, not words."""
    author = required_name(author, "member")
    proposal = get_proposal(engine, proposal_id)
    require_state(get_round(engine, proposal["round_id"]), COMMENTING, "comments can be added")
    text = (text or "").strip()
    if not text:
        raise ValueError("the comment is empty: write something first")
    if len(text) > MAX_CONTRIBUTION_CHARS:
        raise ValueError(f"the comment is over {MAX_CONTRIBUTION_CHARS} characters: shorten it")
    parent = _parent(engine, proposal["id"], parent_id)
    stored_links = round_links.checked(engine, connects)
    text, _ = redact(text)
    with engine.begin() as conn:
        comment_id = conn.execute(
            insert(round_comments).values(
                proposal_id=proposal["id"],
                parent_id=parent,
                author=author,
                text=text,
                connects=stored_links,
                at=now(),
            )
        ).inserted_primary_key[0]
        detail = {"chars": len(text), "reply": parent is not None, "connects": len(stored_links)}
        record_audit(conn, "round.comment", f"proposal:{proposal['id']}", detail, who=author)
    return int(comment_id)


def thread(engine, proposal_id, staff: bool = False) -> list[dict]:
    """A proposal's comments as a tree, oldest first: each with "replies" and its "connects"
    links named (see links.names)."""
    query = select(round_comments).where(round_comments.c.proposal_id == int(proposal_id))
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query.order_by(round_comments.c.id))]
    # Every link of the thread named at once: one look at themes and ideas, not one a comment.
    every = [link for row in rows for link in row["connects"] or []]
    named = {(r["type"], r["id"]): r for r in round_links.names(engine, every, staff=staff)}
    by_id = {}
    top = []
    for row in rows:
        links = [named.get((r["type"], str(r["id"]))) for r in row["connects"] or []]
        row["connects"] = [link for link in links if link]
        row["replies"] = []
        by_id[row["id"]] = row
        parent = by_id.get(row["parent_id"])
        (parent["replies"] if parent else top).append(row)
    return top


def flatten(tree: list[dict], depth: int = 0) -> list[tuple[int, dict]]:
    """(depth, comment) in reading order, for showing a thread indented."""
    found = []
    for row in tree:
        found.append((depth, row))
        found += flatten(row["replies"], depth + 1)
    return found


def _parent(engine, proposal_id: int, parent_id) -> int | None:
    if parent_id in (None, ""):
        return None
    query = select(round_comments.c.proposal_id).where(round_comments.c.id == int(parent_id))
    with engine.connect() as conn:
        found = conn.execute(query).scalar()
    if found != proposal_id:
        raise ValueError(f"comment {parent_id} is not on proposal {proposal_id}: answer one there")
    return int(parent_id)
