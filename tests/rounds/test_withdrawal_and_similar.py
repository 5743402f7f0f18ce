"""Withdrawal takes a member's proposals, comments and ballots out of rounds (counts follow);
suggestions by meaning put a near-duplicate proposal first."""

from __future__ import annotations

from lab_app.people import withdrawal
from lab_app.rounds import ballots, comments, proposals, results, similar
from lab_app.year import ideas
from tests.rounds.lab import AMY, BEN, CAT, DAN, PROPOSALS, STAFF, make_round


def test_withdrawal_removes_a_members_proposals_comments_and_ballots(workspace):
    engine = workspace.store.engine
    round_id, made = make_round(workspace)
    ballots.cast(engine, round_id, BEN, [made[AMY], made[CAT]])
    ballots.cast(engine, round_id, DAN, [made[BEN]])
    ballots.cast(engine, round_id, AMY, [made[BEN]])
    before = results.counts(engine, round_id, STAFF)
    assert before["ballots"] == 3

    report = withdrawal.withdraw(workspace, BEN, who=STAFF)
    assert (report.round_proposals, report.round_ballots) == (1, 1)
    assert report.round_comments == 1  # his comment on Amy's proposal
    assert [p["id"] for p in proposals.list_proposals(engine, round_id)] == [made[AMY], made[CAT]]
    tree = comments.thread(engine, made[AMY])
    assert [(c["author"], c["parent_id"]) for c in tree] == [(AMY, None)]  # her reply stays
    after = results.counts(engine, round_id, STAFF)
    # His ballot is gone; ballots that chose his proposal still count, without that choice.
    assert after["ballots"] == 2
    assert {row["id"]: row["votes"] for row in after["proposals"]} == {made[AMY]: 0, made[CAT]: 0}
    assert ballots.my_ballot(engine, round_id, DAN) == []
    assert ballots.my_ballot(engine, round_id, BEN) is None


def test_withdrawal_after_the_round_takes_them_off_the_winners_backers(workspace):
    engine = workspace.store.engine
    round_id, made = make_round(workspace)
    ballots.cast(engine, round_id, DAN, [made[CAT]])
    ballots.cast(engine, round_id, AMY, [made[CAT]])
    closed = results.close_round(engine, round_id, STAFF)
    idea_id = closed["proposals"][0]["idea_id"]
    assert {s["participant"] for s in ideas.get_idea(engine, idea_id)["supporters"]} == {
        CAT,
        DAN,
        AMY,
    }
    withdrawal.withdraw(workspace, DAN, who=STAFF)
    assert {s["participant"] for s in ideas.get_idea(engine, idea_id)["supporters"]} == {CAT, AMY}
    assert results.counts(engine, round_id, AMY)["ballots"] == 1


def test_a_near_duplicate_proposal_is_suggested_first(workspace):
    round_id, made = make_round(workspace, voting=False)
    draft = (
        "A list of the peer groups in each town. Nobody can tell me which support groups "
        "meet near where I live."
    )
    found = similar.others_working_on(workspace, draft)
    assert found[0]["kind"] == "proposal" and found[0]["id"] == made[BEN]
    assert found[0]["title"] == PROPOSALS[BEN][0]
    assert [f["score"] for f in found] == sorted((f["score"] for f in found), reverse=True)
    # Revising your own proposal: it is not suggested to itself.
    text = proposals.as_text(proposals.get_proposal(workspace.store.engine, made[BEN]))
    again = similar.others_working_on(workspace, text, exclude_proposal=made[BEN])
    assert made[BEN] not in [f["id"] for f in again if f["kind"] == "proposal"]
    assert similar.others_working_on(workspace, "peer") == []  # too little typed to compare


def test_ideas_and_themes_are_suggested_too(themed):
    engine = themed.store.engine
    # A label shorter than a draft worth comparing ("Bus fare") is found by nothing typed.
    theme = next(
        t
        for t in themed.list_themes()
        if t["status"] == "active" and len(t["label"]) >= similar.MIN_CHARS
    )
    idea_id = ideas.create_idea(
        engine,
        "Evening peer groups for people in work",
        STAFF,
        "Groups after working hours so people with jobs can come.",
    )
    found = similar.others_working_on(
        themed, "Peer groups that meet after work, in the evenings, for people with jobs"
    )
    assert found[0] == dict(found[0], kind="idea", id=idea_id)
    by_label = similar.others_working_on(themed, theme["label"])
    assert any(f["kind"] == "theme" and f["id"] == theme["id"] for f in by_label)
