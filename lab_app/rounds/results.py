"""Counting: staff see the counts at any time, everyone once the round is closed; closing makes
the winners ideas, backed by the members who chose them and by their proposers."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import update

from lab_app.core.audit import now, record_audit
from lab_app.core.roles import require_staff
from lab_app.core.schema import round_proposals, rounds
from lab_app.opinions.participation import required_name
from lab_app.rounds.ballots import all_ballots, voters_for
from lab_app.rounds.proposals import list_proposals
from lab_app.rounds.rounds import get_round, require_state
from lab_app.year import ideas


def counts(engine, round_id, who: str) -> dict:
    """Ballots cast (app and paper) and votes per shortlisted proposal, most first. Before the
    round closes only staff may read them (PermissionError for a member)."""
    row = get_round(engine, round_id)
    if row["state"] != "closed":
        who = required_name(who, "staff")
        require_staff(engine, who, "see the counts before the round closes")
    return _tally(engine, row)


def close_round(engine, round_id, who: str) -> dict:
    """Close a voting round: count, pick the winners (the round's number to select, most votes
    first; a proposal with no votes never wins) and make each an idea. Returns the results."""
    who = required_name(who, "staff")
    require_staff(engine, who, "close a Q Exchange round")
    row = get_round(engine, round_id)
    require_state(row, ("voting",), "a round can be closed")
    tally = _tally(engine, row)
    winners = [p for p in tally["proposals"] if p["winner"]]
    with engine.begin() as conn:
        closing = update(rounds).where(rounds.c.id == row["id"])
        conn.execute(closing.values(state="closed", updated_at=now()))
        detail = {"ballots": tally["ballots"], "winners": [p["id"] for p in winners]}
        record_audit(conn, "round.close", f"round:{row['id']}", detail, who=who)
    for proposal in winners:
        proposal["idea_id"] = _as_idea(engine, row, proposal, who)
    return _tally(engine, get_round(engine, row["id"]))


def _as_idea(engine, row: dict, proposal: dict, who: str) -> str:
    """The winner as an idea (linked to its themes and evidence), backed by its voters."""
    wanted = {"theme": "theme", "extract": "evidence"}
    links = [
        (r["type"], r["id"], wanted[r["type"]]) for r in proposal["links"] if r["type"] in wanted
    ]
    description = (
        f"{proposal['problem']}\n\n{proposal['idea']}\n\n"
        f"Selected in Q Exchange round {row['id']} ({row['event']}) with {proposal['votes']} votes."
    )
    idea_id = ideas.create_idea(engine, proposal["title"], who, description, links)
    for backer in dict.fromkeys(
        [proposal["author"], *voters_for(engine, row["id"], proposal["id"])]
    ):
        ideas.support(engine, idea_id, backer)
    with engine.begin() as conn:
        conn.execute(
            update(round_proposals)
            .where(round_proposals.c.id == proposal["id"])
            .values(idea_id=idea_id)
        )
    return idea_id


def _tally(engine, row: dict) -> dict:
    ballots = all_ballots(engine, row["id"])
    votes = Counter(choice for ballot in ballots for choice in ballot["choices"])
    shortlist = list_proposals(engine, row["id"], shortlisted_only=True)
    ranked = sorted(shortlist, key=lambda p: (-votes.get(p["id"], 0), p["id"]))
    cut = row["select_size"]
    found = []
    for place, proposal in enumerate(ranked):
        count = votes.get(proposal["id"], 0)
        found.append(
            dict(
                {k: proposal[k] for k in ("id", "title", "author", "problem", "idea", "links")},
                votes=count,
                winner=place < cut and count > 0,
                idea_id=proposal["idea_id"],
            )
        )
    return {
        "round": row["id"],
        "question": row["question"],
        "state": row["state"],
        "select": row["select_size"],
        "ballots": len(ballots),
        "paper": sum(1 for b in ballots if b["paper"]),
        "proposals": found,
        "tied_at_cut": _tied_at_cut(found),
    }


def _tied_at_cut(found: list[dict]) -> list[int]:
    """Proposals with as many votes as the last winner, when some of them did not win (the
    earlier proposal won the tie: staff should know, and say how they settle it)."""
    won = [p for p in found if p["winner"]]
    if not won:
        return []
    tied = [p for p in found if p["votes"] == won[-1]["votes"]]
    return [p["id"] for p in tied] if any(not p["winner"] for p in tied) else []
