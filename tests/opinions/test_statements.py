"""Statements to vote on: written, picked from an extract or proposed and approved; their votes
group people by the same path an imported Pol.is conversation's votes take; withdrawal forgets
a person's proposals and the votes on them."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sklearn.metrics import adjusted_rand_score

from lab_app.exchange.polis import read_polis
from lab_app.opinions import group_views, participation, polis_input, statements
from lab_app.opinions import groups as opinion_groups
from lab_app.people import withdrawal

STAFF = "staff-1"


def test_a_proposal_waits_for_staff_then_takes_votes(workspace):
    engine = workspace.store.engine
    proposed = statements.propose(engine, "  Peer groups should  meet in the evening too. ", "pat")
    assert statements.get(engine, proposed)["status"] == "pending"
    assert statements.get(engine, proposed)["text"] == "Peer groups should meet in the evening too."
    with pytest.raises(ValueError, match="not open for votes"):
        statements.vote(engine, "sam", proposed, 1)
    assert statements.approved_ids(engine) == set()
    statements.review(engine, proposed, approve=True, who=STAFF)
    statements.vote(engine, "sam", proposed, 1)
    statements.vote(engine, "kit", proposed, -1)
    statements.vote(engine, "kit", proposed, 0)  # the latest vote counts
    (row,) = statements.listing(engine, "approved")
    assert row["votes"] == {"agree": 1, "disagree": 0, "pass": 1}
    assert row["reviewed_by"] == STAFF and row["origin"] == "participant"
    rejected = statements.propose(engine, "Another idea that staff turn down.", "pat")
    statements.review(engine, rejected, approve=False, who=STAFF)
    assert [r["id"] for r in statements.listing(engine, "rejected")] == [rejected]


def test_statements_are_short_one_line_and_redacted(workspace):
    engine = workspace.store.engine
    with pytest.raises(ValueError, match="at least 10 characters"):
        statements.write(engine, "Too short", STAFF)
    with pytest.raises(ValueError, match="keep it to 140"):
        statements.write(engine, "word " * 40, STAFF)
    made = statements.propose(engine, "Write to jo.bloggs@example.org about evening groups", "pat")
    assert statements.get(engine, made)["text"] == "Write to [EMAIL] about evening groups"
    long = "First sentence stays whole. " + "Then a second one that runs on and on " * 5
    assert statements.shorten(long) == "First sentence stays whole."


def test_staff_pick_a_statement_from_an_extract_the_author_let_be_shown(demo_workspace):
    engine = demo_workspace.store.engine
    rows = participation.extract_details(engine, sorted(demo_workspace.store.extract_ids())[:40])
    extract_id, row = next((k, v) for k, v in rows.items() if len(v["text"]) > 60)
    made = statements.from_extract(engine, extract_id, STAFF)
    stored = statements.get(engine, made)
    assert stored["status"] == "approved" and stored["extract_id"] == extract_id
    assert len(stored["text"]) <= statements.MAX_STATEMENT_CHARS
    assert " ".join(row["text"].split()).startswith(stored["text"].rstrip("…"))
    with pytest.raises(ValueError, match="no extract"):
        statements.from_extract(engine, "0" * 40, STAFF)


def _replay(engine, conversation) -> dict[str, int]:
    """Staff write each comment Pol.is kept in as a statement; every vote is cast in the order
    Pol.is received them. Returns comment id -> statement id."""
    ids = {}
    for comment in sorted(conversation.comments, key=lambda c: polis_input.natural(c["id"])):
        if comment["moderated"] != -1 and not comment.get("meta"):
            text = statements.shorten(comment["text"]).ljust(statements.MIN_STATEMENT_CHARS, ".")
            ids[comment["id"]] = statements.write(engine, text, STAFF)
    times = conversation.vote_times
    order = sorted(
        conversation.votes, key=lambda k: (times.get(k, 0), *map(polis_input.natural, k))
    )
    for participant, comment in order:
        if comment in ids:
            value = conversation.votes[(participant, comment)]
            statements.vote(engine, participant, ids[comment], value)
    return ids


def test_statement_votes_form_the_groups_an_import_of_the_same_votes_forms(workspace, eval_path):
    conversation = read_polis(eval_path("polis", "15-per-hour-seattle"))
    engine = workspace.store.engine
    ids = _replay(engine, conversation)
    ours = opinion_groups.from_workspace(engine)
    assert ours is not None and ours.k == len(set(conversation.groups.values())) == 2
    # The same votes read as an imported conversation (comments Pol.is moderated out left out,
    # as they never became statements): the same people grouped, the same groups.
    same = replace(
        conversation,
        comments=[c for c in conversation.comments if c["id"] in ids],
        votes={k: v for k, v in conversation.votes.items() if k[1] in ids},
    )
    imported = polis_input.from_conversation(same)
    assert set(imported.labels) == set(ours.labels) and len(ours.labels) == 144
    people = sorted(ours.labels)
    assert adjusted_rand_score([imported.labels[p] for p in people],
                               [ours.labels[p] for p in people]) == 1.0  # fmt: skip
    data = group_views.as_data(engine, ours, for_participants=True)
    texts = {statements.get(engine, n)["text"] for n in ids.values()}
    assert data["groups"] and all(
        pick["text"] in texts for group in data["groups"] for pick in group["representative"]
    )


def test_a_participant_sees_where_they_stand(workspace, eval_path):
    conversation = read_polis(eval_path("polis", "15-per-hour-seattle"))
    engine = workspace.store.engine
    ids = _replay(engine, conversation)
    result = opinion_groups.from_workspace(engine)
    someone = sorted(result.labels, key=polis_input.natural)[0]
    stand = group_views.where_you_stand(engine, someone, result)
    size = result.group_sizes()[result.labels[someone]]
    assert stand["group"] == opinion_groups.letter(result.labels[someone])
    assert stand["sentence"].startswith(f"You are in group {stand['group']} ({size} people), ")
    assert stand["sentence"].endswith(("which mostly agrees that", "which mostly disagrees that"))
    assert stand["text"] in {statements.get(engine, n)["text"] for n in ids.values()}
    newcomer = group_views.where_you_stand(engine, "newcomer", result)
    assert newcomer["group"] is None and "not in a group yet" in newcomer["sentence"]
    assert group_views.where_you_stand(engine, someone, None)["group"] is None


def test_withdrawal_forgets_their_proposals_and_every_vote_on_them(workspace):
    engine = workspace.store.engine
    theirs = statements.propose(engine, "Groups should meet in the evening as well.", "pat")
    staff_line = statements.write(engine, "Peer support should be free at the point of use.", "pat")
    statements.review(engine, theirs, approve=True, who=STAFF)
    for voter, value in (("sam", 1), ("kit", -1), ("pat", 1)):
        statements.vote(engine, voter, theirs, value)
        statements.vote(engine, voter, staff_line, value)
    preview = withdrawal.preview(workspace, "pat").summary()
    done = withdrawal.withdraw(workspace, "pat", STAFF)
    assert preview == done.summary()
    assert done.statements == 1 and done.votes == 2  # their own two votes
    assert [r["id"] for r in statements.listing(engine)] == [staff_line]
    counts = statements.listing(engine)[0]["votes"]
    assert counts == {"agree": 1, "disagree": 1, "pass": 0}  # others' votes on staff's line stay
    assert statements.get(engine, staff_line)["proposed_by"] == withdrawal.pseudonym("pat")
    assert statements.proposed_by(engine, "pat") == []
