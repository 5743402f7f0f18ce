"""The shortlist and the ballots: one per member per round (casting again replaces it), paper
ballots staff enter at the event, and each member's own ballot, never anyone else's."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update

from lab_app.core.audit import now, record_audit
from lab_app.core.roles import require_staff
from lab_app.core.schema import round_ballots, round_proposals
from lab_app.opinions.participation import required_name
from lab_app.rounds.proposals import list_proposals
from lab_app.rounds.rounds import get_round, require_state


def set_shortlist(engine, round_id, proposal_ids, who: str) -> list[int]:
    """Staff choose the shortlist (replacing any earlier choice) while the round is shortlisting;
    at most the round's shortlist size. Returns the shortlisted ids."""
    who = required_name(who, "staff")
    require_staff(engine, who, "shortlist proposals")
    row = get_round(engine, round_id)
    require_state(row, ("shortlisting",), "the shortlist can be chosen")
    chosen = sorted({int(i) for i in proposal_ids})
    known = {p["id"] for p in list_proposals(engine, row["id"])}
    if unknown := [i for i in chosen if i not in known]:
        raise ValueError(f"not proposals in round {row['id']}: {', '.join(map(str, unknown))}")
    if not chosen:
        raise ValueError("choose at least one proposal for the shortlist")
    if len(chosen) > row["shortlist_size"]:
        raise ValueError(
            f"round {row['id']} shortlists {row['shortlist_size']}: {len(chosen)} were chosen"
        )
    with engine.begin() as conn:
        in_round = round_proposals.c.round_id == row["id"]
        conn.execute(update(round_proposals).where(in_round).values(shortlisted=False))
        conn.execute(
            update(round_proposals)
            .where(in_round & round_proposals.c.id.in_(chosen))
            .values(shortlisted=True)
        )
        record_audit(conn, "round.shortlist", f"round:{row['id']}", {"ids": chosen}, who=who)
    return chosen


def cast(engine, round_id, voter: str, choices) -> bool:
    """A member's ballot: 1..N shortlisted proposals (N the round's number to select), never
    their own. Casting again replaces their ballot. Returns True when it replaced one."""
    voter = required_name(voter, "member")
    row = get_round(engine, round_id)
    chosen = _valid_choices(engine, row, choices)
    own = {p["id"] for p in list_proposals(engine, row["id"]) if p["author"] == voter}
    if mine := sorted(own & set(chosen)):
        raise ValueError(
            f"proposal {mine[0]} is yours: choose among other members' proposals "
            "(your own is counted as backed by you if it wins)"
        )
    key = (round_ballots.c.round_id == row["id"]) & (round_ballots.c.voter == voter)
    with engine.begin() as conn:
        replaced = conn.execute(delete(round_ballots).where(key)).rowcount > 0
        conn.execute(
            insert(round_ballots).values(
                round_id=row["id"], voter=voter, paper=False, choices=chosen, at=now()
            )
        )
        # Who voted is in the trail (for one-ballot-per-member checks), never what they chose.
        record_audit(conn, "round.vote", f"round:{row['id']}", {"replaced": replaced}, who=voter)
    return replaced


def enter_paper(engine, round_id, choices, who: str) -> int:
    """Staff enter a paper ballot from the event: recorded as paper, with who entered it, and
    linked to no account. Returns its id."""
    who = required_name(who, "staff")
    require_staff(engine, who, "enter paper ballots")
    row = get_round(engine, round_id)
    chosen = _valid_choices(engine, row, choices)
    with engine.begin() as conn:
        ballot_id = conn.execute(
            insert(round_ballots).values(
                round_id=row["id"],
                voter=None,
                paper=True,
                entered_by=who,
                choices=chosen,
                at=now(),
            )
        ).inserted_primary_key[0]
        record_audit(
            conn, "round.paper_ballot", f"round:{row['id']}", {"ballot": ballot_id}, who=who
        )
    return int(ballot_id)


def my_ballot(engine, round_id, voter: str) -> list[int] | None:
    """The member's own choices in a round, or None when they have not voted. The only way a
    member reads a ballot: there is no function that gives a member anyone else's."""
    query = select(round_ballots.c.choices).where(
        (round_ballots.c.round_id == int(round_id))
        & (round_ballots.c.voter == (voter or "").strip())
    )
    with engine.connect() as conn:
        found = conn.execute(query).scalar()
    return list(found) if found is not None else None


def all_ballots(engine, round_id: int) -> list[dict]:
    """Every ballot's choices and whether it was on paper, without who cast it (for counting)."""
    query = select(round_ballots.c.paper, round_ballots.c.choices).where(
        round_ballots.c.round_id == int(round_id)
    )
    with engine.connect() as conn:
        return [{"paper": r.paper, "choices": list(r.choices)} for r in conn.execute(query)]


def voters_for(engine, round_id: int, proposal_id: int) -> list[str]:
    """Members whose app ballot chose this proposal: a winner's idea keeps them as backers."""
    query = select(round_ballots.c.voter, round_ballots.c.choices).where(
        (round_ballots.c.round_id == int(round_id)) & round_ballots.c.voter.is_not(None)
    )
    with engine.connect() as conn:
        return sorted(r.voter for r in conn.execute(query) if proposal_id in r.choices)


def _valid_choices(engine, row: dict, choices) -> list[int]:
    require_state(row, ("voting",), "ballots can be cast")
    try:
        chosen = [int(str(c).strip().lstrip("#P")) for c in choices]
    except ValueError:
        raise ValueError("choices are proposal numbers, e.g. 3 7 12") from None
    if len(set(chosen)) != len(chosen):
        raise ValueError("a proposal is chosen twice: choose each at most once")
    if not 1 <= len(chosen) <= row["select_size"]:
        raise ValueError(
            f"choose between 1 and {row['select_size']} proposals: {len(chosen)} were chosen"
        )
    shortlist = {p["id"] for p in list_proposals(engine, row["id"], shortlisted_only=True)}
    if off := [c for c in chosen if c not in shortlist]:
        raise ValueError(f"not on round {row['id']}'s shortlist: {', '.join(map(str, off))}")
    return sorted(chosen)
