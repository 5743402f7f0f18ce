"""What happened to my words, on the themed demo Lab: a participant's contributions with their
status, votes, themes, drafts that quote them, consent, and a withdrawal preview that matches
what withdrawal then removes."""

from __future__ import annotations

from lab_app.essays.store import Section, create_essay
from lab_app.material.consent import may_show
from lab_app.opinions import participation, statements
from lab_app.people import my_words, withdrawal
from lab_app.themes import curation

ME = "pat-participant"
OTHER = "sam-participant"
WORDS = (
    "Evening peer groups would let me go after work, because the daytime ones clash with "
    "every one of my shifts at the care home."
)


def _participant_lab(ws) -> dict:
    """ME sent three contributions (one approved into a theme and quoted in a draft, one waiting,
    one turned down), voted on three extracts and proposed a statement; OTHER sent one too."""
    engine = ws.store.engine
    approved = participation.submit_contribution(engine, ME, WORDS)
    waiting = participation.submit_contribution(engine, ME, "A second thought, still waiting.")
    refused = participation.submit_contribution(engine, ME, "Something staff turned down.")
    participation.submit_contribution(engine, OTHER, "Someone else's words, never shown to me.")
    assert participation.approve(ws, approved, "staff-1").status == "ingested"
    participation.reject(engine, refused, "staff-1")
    mine = next(r for r in withdrawal.their_words(ws, ME))
    theme = ws.list_themes()[0]
    curation.move(engine, [mine.id], theme["id"])
    quoted = f"Someone said “{WORDS}” [#{mine.id[:8]}]"
    essay = create_essay(engine, "Draft", "", "short", {}, [Section("opening", "Opening", quoted)],
                         "staff-1")  # fmt: skip
    others = [e for e in participation.theme_quotes(engine, theme["id"], limit=5)]
    for row, value in zip(others[:3], (1, -1, 0), strict=True):
        participation.vote(engine, ME, row["extract_id"], value)
    statements.propose(engine, "Groups should meet in the evening as well as the day.", ME)
    return {"extract": mine.id, "theme": theme["label"], "essay": essay, "waiting": waiting}


def test_my_words_lists_every_contribution_with_status_votes_themes_and_drafts(themed):
    made = _participant_lab(themed)
    mine = my_words.my_words(themed, ME)
    by_status = {c.status: c for c in mine.contributions}
    assert set(by_status) == {"approved", "pending", "rejected"}
    assert len(mine.contributions) == 3  # OTHER's words are not in ME's list
    assert by_status["approved"].extract_id == made["extract"]
    assert by_status["approved"].theme == made["theme"]
    assert mine.themes() == [made["theme"]]
    assert by_status["approved"].drafts == [made["essay"]]
    assert [c.extract_id for c in mine.quoted()] == [made["extract"]] and mine.drafts() == 1
    assert by_status["pending"].pending_id == made["waiting"] and by_status["pending"].theme is None
    assert sorted(v["vote"] for v in mine.votes) == ["agree", "disagree", "pass"]
    assert all(v["text"] for v in mine.votes)  # the words they voted on, shown to them
    assert [s["status"] for s in mine.proposed] == ["pending"]
    assert mine.consent == {"show_to_participants": True, "quote_in_publications": True}
    assert [c.extract_id for c in mine.may_be_in_report()] == [made["extract"]]


def test_changing_consent_withholds_their_words_and_only_theirs(themed):
    made = _participant_lab(themed)
    engine = themed.store.engine
    saved = my_words.change_consent(themed, ME, show=False, quote=False)
    assert saved == {"show_to_participants": False, "quote_in_publications": False}
    mine = my_words.my_words(themed, ME)
    assert {c.status for c in mine.contributions} == {"withheld", "pending", "rejected"}
    assert made["extract"] not in may_show(engine, [made["extract"]])
    assert mine.may_be_in_report() == []
    other = my_words.my_words(themed, OTHER)
    assert other.consent["show_to_participants"] is True


def test_the_withdrawal_preview_counts_what_withdrawal_then_removes(themed):
    _participant_lab(themed)
    preview = my_words.my_words(themed, ME).removal
    assert preview["extracts"] == 1 and preview["pending_contributions"] == 3
    assert preview["votes"] == 3 and preview["statements"] == 1
    assert preview == withdrawal.preview(themed, ME).summary()  # changed nothing the first time
    sentence = my_words.removal_sentence(preview)
    assert sentence.startswith("Withdrawing will remove 1 contribution in the Lab's material")
    assert "3 votes" in sentence and "1 statement" in sentence and "1 draft" in sentence
    done = withdrawal.withdraw(themed, ME, "staff-1", rebuild_themes=False)
    assert done.summary() == preview
    after = my_words.my_words(themed, ME)
    assert after.contributions == [] and after.votes == [] and after.proposed == []
    assert after.removal == {}
    assert my_words.my_words(themed, OTHER).contributions  # OTHER keeps theirs
