"""The Statements page on the themed demo Lab: a participant votes on short cards and proposes
one; staff approve it; the votes are the signed-in account's, and user text stays inert."""

from __future__ import annotations

import pytest

from lab_app.core.settings import Settings
from lab_app.opinions import participation, statements
from lab_app.workspace import Workspace
from tests.ui.conftest import TEST_ACCOUNTS

ME = TEST_ACCOUNTS["participant"]
STAFF = TEST_ACCOUNTS["staff"]


@pytest.fixture
def ws(app_home):
    return Workspace(Settings.from_env(home=app_home))


def test_a_participant_votes_and_proposes_and_staff_approve(open_page, ws):
    engine = ws.store.engine
    first = statements.write(engine, "Peer groups should meet in the <b>evening</b> too.", STAFF)
    second = statements.write(engine, "Training for peer workers should be paid.", STAFF)
    at = open_page("statements", role="participant")
    assert not at.exception, at.exception
    written = " ".join(m.value for m in at.markdown)
    assert "\\<b\\>evening\\</b\\>" in written  # inert: never HTML
    assert "Opinion groups form once enough people have voted\\." in written
    at.button(key=f"statements-vote-{first}-1").click().run()
    at.button(key=f"statements-vote-{second}--1").click().run()
    assert not at.exception, at.exception
    votes = participation.votes_of(
        engine, ME, [statements.vote_id(first), statements.vote_id(second)]
    )
    assert votes == {statements.vote_id(first): 1, statements.vote_id(second): -1}
    assert "Waiting for your vote (0)" in [h.value for h in at.subheader]
    at.text_input(key="statements-propose-text").input("Groups should keep a waiting list open.")
    at.button(key="statements-propose-submit").click().run()
    (proposal,) = statements.listing(engine, "pending")
    assert proposal["proposed_by"] == ME and proposal["text"].startswith("Groups should keep")
    assert not any(b.key.startswith("statements-approve-") for b in at.button)  # staff only

    staff = open_page("statements", role="staff")
    staff.button(key=f"statements-approve-{proposal['id']}").click().run()
    assert not staff.exception, staff.exception
    assert statements.get(engine, proposal["id"])["status"] == "approved"
    staff.text_input(key="statements-write-text").input("Groups need a quiet room to meet.")
    staff.button(key="statements-write-submit").click().run()
    assert [r["text"] for r in statements.listing(engine, "approved")][-1] == (
        "Groups need a quiet room to meet."
    )
