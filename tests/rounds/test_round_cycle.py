"""A full Q Exchange round on the real store and model: open, propose, revise, comment,
shortlist, vote, close; winners become ideas backed by their voters and proposers."""

from __future__ import annotations

import json

import pytest

from lab_app.core import audit
from lab_app.rounds import ballots, comments, proposals, results, rounds
from lab_app.year import ideas
from tests.rounds.lab import AMY, BEN, CAT, DAN, PROPOSALS, STAFF, make_round


def test_a_round_runs_from_open_to_winners_as_ideas(workspace):
    engine = workspace.store.engine
    round_id, made = make_round(workspace)
    assert rounds.get_round(engine, round_id)["state"] == "voting"
    assert ballots.cast(engine, round_id, AMY, [made[BEN], made[CAT]]) is False
    ballots.cast(engine, round_id, BEN, [made[AMY]])
    ballots.cast(engine, round_id, DAN, [made[BEN]])
    ballots.enter_paper(engine, round_id, [made[BEN], made[AMY]], STAFF)
    before = results.counts(engine, round_id, STAFF)
    assert (before["ballots"], before["paper"]) == (4, 1)
    votes = {row["id"]: row["votes"] for row in before["proposals"]}
    assert votes == {made[BEN]: 3, made[AMY]: 2, made[CAT]: 1}

    closed = results.close_round(engine, round_id, STAFF)
    assert closed["state"] == "closed"
    winners = [row for row in closed["proposals"] if row["winner"]]
    assert [w["id"] for w in winners] == [made[BEN], made[AMY]]  # most votes first
    directory = ideas.get_idea(engine, winners[0]["idea_id"])
    assert directory["title"] == PROPOSALS[BEN][0]
    # The app voters who chose it and its proposer back it; the paper ballot backs no one.
    assert {s["participant"] for s in directory["supporters"]} == {BEN, AMY, DAN}
    evening = ideas.get_idea(engine, winners[1]["idea_id"])
    assert {s["participant"] for s in evening["supporters"]} == {AMY, BEN}
    assert closed["proposals"][2]["idea_id"] is None  # the loser stays a proposal
    # Once closed, everyone may read the counts.
    assert results.counts(engine, round_id, CAT)["proposals"] == closed["proposals"]
    done = {row["action"] for row in audit.read(engine, action="round")}
    assert {
        "round.open",
        "round.propose",
        "round.comment",
        "round.state",
        "round.shortlist",
        "round.vote",
        "round.paper_ballot",
        "round.close",
    } <= done
    trail = json.dumps([row["detail"] for row in audit.read(engine, action="round")])
    assert "receptionists" not in trail.lower() and "Evening groups would" not in trail


def test_revising_keeps_every_version_and_only_the_author_may(workspace):
    engine = workspace.store.engine
    round_id, made = make_round(workspace, voting=False)
    version = proposals.revise(workspace, made[CAT], CAT, idea="Training for the whole team.")
    assert version == 2
    found = proposals.get_proposal(engine, made[CAT])
    assert found["idea"] == "Training for the whole team."
    assert [v["idea"] for v in found["versions"]] == [PROPOSALS[CAT][2], found["idea"]]
    with pytest.raises(PermissionError, match="only the member who made"):
        proposals.revise(workspace, made[CAT], AMY, title="Mine now")
    with pytest.raises(ValueError, match="nothing changed"):
        proposals.revise(workspace, made[CAT], CAT, idea="Training for the whole team.")
    rounds.move(engine, round_id, "shortlisting", STAFF)
    with pytest.raises(ValueError, match="only while it is open"):
        proposals.revise(workspace, made[CAT], CAT, title="Too late")
    with pytest.raises(ValueError, match="only while it is open"):
        proposals.propose(workspace, round_id, DAN, "Late", "A problem.", "An idea.")


def test_comments_are_threaded_and_connect_to_other_proposals(workspace):
    engine = workspace.store.engine
    _, made = make_round(workspace, voting=False)
    tree = comments.thread(engine, made[AMY])
    assert len(tree) == 1 and len(tree[0]["replies"]) == 1
    assert tree[0]["connects"] == [
        {"type": "proposal", "id": str(made[BEN]), "label": PROPOSALS[BEN][0]}
    ]
    assert tree[0]["replies"][0]["author"] == AMY
    with pytest.raises(ValueError, match="not on proposal"):
        comments.comment(engine, made[CAT], DAN, "Answering elsewhere", parent_id=tree[0]["id"])
    with pytest.raises(ValueError, match="no idea I-999"):
        comments.comment(engine, made[CAT], DAN, "See that idea", connects=[("idea", "I-999")])


def test_identifiers_are_redacted_before_a_proposal_is_stored(workspace):
    round_id, _ = make_round(workspace, voting=False)
    made = proposals.propose(
        workspace,
        round_id,
        DAN,
        "Ring-round for new members",
        "New members drop out before their first meeting.",
        "Call each new member the week they join: ring me on 07700 900123 or dan@example.org.",
    )
    idea = proposals.get_proposal(workspace.store.engine, made)["idea"]
    assert "07700" not in idea and "dan@example.org" not in idea
    assert "[EMAIL]" in idea and "[PHONE]" in idea


def test_states_move_one_step_on_and_only_staff_move_them(workspace):
    engine = workspace.store.engine
    round_id, made = make_round(workspace, voting=False)
    with pytest.raises(ValueError, match="only move to the next state"):
        rounds.move(engine, round_id, "voting", STAFF)
    with pytest.raises(PermissionError, match="not Lab staff"):
        rounds.move(engine, round_id, "shortlisting", AMY)
    fourth = proposals.propose(workspace, round_id, DAN, "Buddies", "Alone.", "A buddy each.")
    rounds.move(engine, round_id, "shortlisting", STAFF)
    with pytest.raises(ValueError, match="no shortlist yet"):
        rounds.move(engine, round_id, "voting", STAFF)
    with pytest.raises(ValueError, match="shortlists 3: 4 were chosen"):
        ballots.set_shortlist(engine, round_id, [*made.values(), fourth], STAFF)
    with pytest.raises(PermissionError, match="not Lab staff"):
        ballots.set_shortlist(engine, round_id, [fourth], DAN)
    with pytest.raises(PermissionError):
        rounds.open_round(engine, "Mine?", "2026-01-01", "2026-01-02", "2026-01-03", 2, 1, BEN)
    with pytest.raises(ValueError, match="dates must run in order"):
        rounds.open_round(engine, "Q?", "2026-02-01", "2026-01-02", "2026-03-03", 2, 1, STAFF)
    with pytest.raises(ValueError, match="number to select"):
        rounds.open_round(engine, "Q?", "2026-01-01", "2026-01-02", "2026-01-03", 2, 3, STAFF)
