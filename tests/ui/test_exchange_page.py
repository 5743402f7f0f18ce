"""The Q Exchange pages in AppTest on the themed demo Lab: a member drafts and sees others
working on the same thing, proposes, votes; words show as typed; counts stay with staff until
the round closes."""

from __future__ import annotations

from lab_app.core.settings import Settings
from lab_app.rounds import ballots, proposals, rounds
from lab_app.workspace import Workspace
from tests.ui.conftest import TEST_ACCOUNTS

STAFF, MEMBER = TEST_ACCOUNTS["staff"], TEST_ACCOUNTS["participant"]
TRICKY = "Groups <b>after work</b> [click](https://example.org)"


def _round(home, state: str = "open") -> tuple[Workspace, int, int]:
    ws = Workspace(Settings.from_env(home=home))
    engine = ws.store.engine
    made = rounds.open_round(engine, "How could peer support reach people in work?",
                             "2026-10-01", "2026-11-01", "2026-11-20", 2, 1, STAFF)  # fmt: skip
    theirs = proposals.propose(
        ws, made, "someone-else", "A directory of local peer groups",
        "Nobody can tell people which peer groups meet near them.",
        "One shared list of local groups, kept up to date by the groups.",
    )  # fmt: skip
    if state != "open":
        rounds.move(engine, made, "shortlisting", STAFF)
        ballots.set_shortlist(engine, made, [theirs], STAFF)
        rounds.move(engine, made, "voting", STAFF)
    return ws, made, theirs


def _texts(at) -> str:
    parts = []
    for kind in ("markdown", "caption", "success", "error", "info", "subheader"):
        parts.extend(str(element.value) for element in getattr(at, kind))
    return "\n".join(parts)


def test_a_member_drafts_sees_others_working_on_it_and_proposes(open_page, app_home):
    ws, made, theirs = _round(app_home)
    at = open_page("exchange", role="participant")
    assert not at.exception, at.exception
    at.text_input(key=f"exchange-new-title-{made}").input(TRICKY)
    at.text_area(key=f"exchange-new-problem-{made}").input(
        "I cannot find out which peer support groups meet near where I live."
    )
    at.button(key=f"exchange-similar-{made}").click().run()
    shown = _texts(at)
    assert "Others working on this" in shown and "A directory of local peer groups" in shown
    at.text_area(key=f"exchange-new-idea-{made}").input("Evening groups, listed with the rest.")
    at.button(key=f"exchange-propose-{made}").click().run()
    assert not at.exception, at.exception
    assert "Your proposal is in" in _texts(at)
    mine = [p for p in proposals.list_proposals(ws.store.engine, made) if p["author"] == MEMBER]
    assert [p["title"] for p in mine] == [TRICKY]
    # The title is shown escaped: no bold, no link, whatever was typed.
    labels = [e.label for e in at.expander]
    assert any("\\<b\\>after work\\</b\\>" in label for label in labels), labels
    assert not any("<b>" in label or "](" in label for label in labels)
    # Only the author gets a revise form, and only on their own proposal.
    revisable = [b.key for b in at.button if b.key.startswith("exchange-revise-")]
    assert revisable == [f"exchange-revise-{mine[0]['id']}"]


def test_a_member_votes_and_sees_no_counts_until_the_round_closes(open_page, app_home):
    ws, made, theirs = _round(app_home, state="voting")
    at = open_page("exchange", role="participant")
    at.checkbox(key=f"exchange-choice-{made}-{theirs}").check()
    at.button(key=f"exchange-vote-{made}").click().run()
    assert not at.exception, at.exception
    assert "Your ballot is cast" in _texts(at)
    assert ballots.my_ballot(ws.store.engine, made, MEMBER) == [theirs]
    assert "ballots" not in _texts(at).replace("Your ballot", "")  # no counts for members yet
    at.button(key=f"exchange-vote-{made}").click().run()
    assert "it replaces your earlier one" in _texts(at)
    staff = open_page("exchange_staff")
    assert "**1 ballots**" in _texts(staff)  # staff see counts during the vote
