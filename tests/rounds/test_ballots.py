"""Ballots: limits, one per member, secrecy from other members, paper ballots."""

from __future__ import annotations

import json

import pytest

from lab_app.rounds import ballots, results, rounds
from tests.rounds.lab import AMY, BEN, CAT, DAN, STAFF, make_round


def test_a_ballot_holds_one_to_n_shortlisted_proposals_never_the_voters_own(workspace):
    engine = workspace.store.engine
    round_id, made = make_round(workspace)
    cases = [
        ([], "between 1 and 2"),
        ([made[AMY], made[BEN], made[CAT]], "between 1 and 2"),
        ([made[AMY], made[AMY]], "chosen twice"),
        ([max(made.values()) + 50], "not on round"),
        (["seven"], "proposal numbers"),
    ]
    for choices, message in cases:
        with pytest.raises(ValueError, match=message):
            ballots.cast(engine, round_id, DAN, choices)
    with pytest.raises(ValueError, match="is yours"):
        ballots.cast(engine, round_id, AMY, [made[AMY]])
    assert ballots.my_ballot(engine, round_id, DAN) is None  # nothing refused was stored
    assert results.counts(engine, round_id, STAFF)["ballots"] == 0


def test_casting_again_replaces_the_members_one_ballot(workspace):
    engine = workspace.store.engine
    round_id, made = make_round(workspace)
    assert ballots.cast(engine, round_id, DAN, [made[AMY], made[BEN]]) is False
    assert ballots.cast(engine, round_id, DAN, [made[CAT]]) is True
    assert ballots.my_ballot(engine, round_id, DAN) == [made[CAT]]
    tally = results.counts(engine, round_id, STAFF)
    assert tally["ballots"] == 1
    assert {row["id"]: row["votes"] for row in tally["proposals"]}[made[AMY]] == 0


def test_ballots_only_while_voting(workspace):
    engine = workspace.store.engine
    round_id, made = make_round(workspace, voting=False)
    with pytest.raises(ValueError, match="only while it is voting"):
        ballots.cast(engine, round_id, DAN, [made[AMY]])
    with pytest.raises(ValueError, match="only while it is voting"):
        ballots.enter_paper(engine, round_id, [made[AMY]], STAFF)


def test_members_read_only_their_own_ballot_and_no_counts_until_closed(workspace):
    engine = workspace.store.engine
    round_id, made = make_round(workspace)
    ballots.cast(engine, round_id, DAN, [made[AMY], made[BEN]])
    ballots.cast(engine, round_id, CAT, [made[BEN]])
    assert ballots.my_ballot(engine, round_id, CAT) == [made[BEN]]
    assert ballots.my_ballot(engine, round_id, BEN) is None  # not anyone else's
    for member in (AMY, BEN, CAT, DAN):
        with pytest.raises(PermissionError, match="not Lab staff"):
            results.counts(engine, round_id, member)
    staff_view = results.counts(engine, round_id, STAFF)
    # Counts name proposals, never who voted for them; nor do ballots read for counting.
    shown = json.dumps([staff_view, ballots.all_ballots(engine, round_id)], default=str)
    assert DAN not in shown.replace('"author": "dan"', "") and '"voter"' not in shown
    results.close_round(engine, round_id, STAFF)
    closed = results.counts(engine, round_id, AMY)
    assert closed["ballots"] == 2 and '"voter"' not in json.dumps(closed, default=str)


def test_paper_ballots_are_counted_marked_paper_and_need_staff(workspace):
    engine = workspace.store.engine
    round_id, made = make_round(workspace)
    with pytest.raises(PermissionError, match="not Lab staff"):
        ballots.enter_paper(engine, round_id, [made[AMY]], BEN)
    for _ in range(3):  # a paper ballot per person at the event: several may be the same
        ballots.enter_paper(engine, round_id, [made[CAT]], STAFF)
    tally = results.counts(engine, round_id, STAFF)
    assert (tally["ballots"], tally["paper"]) == (3, 3)
    assert tally["proposals"][0] == dict(tally["proposals"][0], id=made[CAT], votes=3)
    closed = results.close_round(engine, round_id, STAFF)
    assert [row["id"] for row in closed["proposals"] if row["winner"]] == [made[CAT]]
    assert rounds.get_round(engine, round_id)["state"] == "closed"


def test_a_tie_across_the_cut_is_reported(workspace):
    engine = workspace.store.engine
    round_id, made = make_round(workspace)
    ballots.enter_paper(engine, round_id, [made[AMY]], STAFF)
    ballots.enter_paper(engine, round_id, [made[BEN]], STAFF)
    ballots.enter_paper(engine, round_id, [made[CAT]], STAFF)
    tally = results.counts(engine, round_id, STAFF)
    assert sorted(tally["tied_at_cut"]) == sorted(made.values())
    assert [row["winner"] for row in tally["proposals"]] == [True, True, False]
