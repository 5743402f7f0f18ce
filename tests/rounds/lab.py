"""A small Q Exchange round on a real workspace, shared by the rounds tests: three members
propose, one comments, staff shortlist, and the round waits in its voting state."""

from __future__ import annotations

from lab_app.people import accounts
from lab_app.rounds import ballots, comments, proposals, rounds

STAFF, AMY, BEN, CAT, DAN = "staff-sam", "amy", "ben", "cat", "dan"
PROPOSALS = {
    AMY: (
        "Evening and weekend peer groups",
        "Most peer groups meet on weekday mornings, so people who work cannot come.",
        "Run some groups in the evening and at weekends, and one online.",
    ),
    BEN: (
        "A directory of local peer support groups",
        "People are told to find a peer group but nobody knows which groups exist nearby.",
        "Keep one shared, up to date directory of local groups, searchable by town.",
    ),
    CAT: (
        "Peer support training for GP receptionists",
        "Receptionists are the first people patients meet and do not know peer support exists.",
        "A short training session so receptionists can tell patients about local groups.",
    ),
}


def make_round(workspace, voting: bool = True) -> tuple[int, dict[str, int]]:
    """(round id, member -> their proposal id): three proposals, a comment thread, all three
    shortlisted; left in voting (or open when voting=False)."""
    engine = workspace.store.engine
    accounts.add_user(engine, STAFF, "staff", password="staff-password-for-tests")
    for member in (AMY, BEN, CAT, DAN):
        accounts.add_user(engine, member, "participant", password="member-password-for-tests")
    round_id = rounds.open_round(
        engine,
        "How could peer support reach people it misses today?",
        "2026-03-02",
        "2026-04-10",
        "2026-05-14",
        3,
        2,
        STAFF,
    )
    made = {
        member: proposals.propose(workspace, round_id, member, *text)
        for member, text in PROPOSALS.items()
    }
    first = comments.comment(
        engine,
        made[AMY],
        BEN,
        "Evening groups would fill my directory.",
        connects=[("proposal", made[BEN])],
    )
    comments.comment(engine, made[AMY], AMY, "Yes: let's list them together.", parent_id=first)
    if voting:
        rounds.move(engine, round_id, "shortlisting", STAFF)
        ballots.set_shortlist(engine, round_id, list(made.values()), STAFF)
        rounds.move(engine, round_id, "voting", STAFF)
    return round_id, made
