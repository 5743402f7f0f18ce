"""Votes, contributions sent from the app and approved into the store, and what participants
may see: quotable, consented extracts and theme descriptions."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lab_app.core.schema import audit, extract_attributes, extracts, pending_contributions, sources
from lab_app.material.consent import set_consent
from lab_app.opinions import participation as p
from lab_app.themes.state import load_state


def _contribution_extracts(ws) -> list:
    query = (
        select(extracts.c.id, extracts.c.text, extracts.c.meta)
        .join(sources, sources.c.id == extracts.c.source_id)
        .where(sources.c.path == p.CONTRIBUTIONS_FILE.as_posix())
        .order_by(extracts.c.position)
    )
    with ws.store.engine.connect() as conn:
        return list(conn.execute(query))


def test_a_new_vote_replaces_the_old_one(workspace):
    engine = workspace.store.engine
    p.vote(engine, "ash", "e1", 1)
    p.vote(engine, "ash", "e1", -1)
    assert p.vote_counts(engine, ["e1"]) == {"e1": {"agree": 0, "disagree": 1, "pass": 0}}
    assert p.votes_of(engine, "ash", ["e1"]) == {"e1": -1}


def test_counts_add_up_per_statement_and_unvoted_ones_are_zero(workspace):
    engine = workspace.store.engine
    p.vote(engine, "ash", "e1", 1)
    p.vote(engine, "birch", "e1", 1)
    p.vote(engine, "cedar", "e1", 0)
    p.vote(engine, "ash", "e2", -1)
    assert p.vote_counts(engine, ["e1", "e2", "e3"]) == {
        "e1": {"agree": 2, "disagree": 0, "pass": 1},
        "e2": {"agree": 0, "disagree": 1, "pass": 0},
        "e3": {"agree": 0, "disagree": 0, "pass": 0},
    }


@pytest.mark.parametrize("value", [2, -2, True, "1", None])
def test_votes_other_than_agree_disagree_pass_are_refused(workspace, value):
    with pytest.raises(ValueError, match="vote must be"):
        p.vote(workspace.store.engine, "ash", "e1", value)


def test_a_vote_needs_a_participant(workspace):
    with pytest.raises(ValueError, match="participant"):
        p.vote(workspace.store.engine, "  ", "e1", 1)


def test_empty_and_too_long_contributions_are_refused(workspace):
    engine = workspace.store.engine
    with pytest.raises(ValueError, match="empty"):
        p.submit_contribution(engine, "ash", "   \n ")
    with pytest.raises(ValueError, match="limit"):
        p.submit_contribution(engine, "ash", "x" * (p.MAX_CONTRIBUTION_CHARS + 1))
    with pytest.raises(ValueError, match="author"):
        p.submit_contribution(engine, "", "some words")
    assert p.pending(engine) == []


def test_submitted_contribution_waits_and_the_audit_line_holds_no_text(workspace):
    engine = workspace.store.engine
    pending_id = p.submit_contribution(engine, "ash", "  A secret-ish sentence.  ", "Week 1")
    [row] = p.pending(engine)
    assert (row["id"], row["author"], row["text"], row["thread"]) == (
        pending_id,
        "ash",
        "A secret-ish sentence.",
        "Week 1",
    )
    with engine.connect() as conn:
        line = conn.execute(select(audit).where(audit.c.action == "contribution.submit")).one()
    assert line.who == "ash" and line.target == str(pending_id)
    assert "secret" not in str(line.detail)


def test_rejected_contribution_leaves_the_queue_and_never_reaches_the_store(workspace):
    engine = workspace.store.engine
    pending_id = p.submit_contribution(engine, "ash", "Not for the store.")
    p.reject(engine, pending_id, "staff")
    p.reject(engine, pending_id, "staff")  # twice is harmless
    assert p.pending(engine) == []
    assert not p.contributions_path(workspace).exists()
    with pytest.raises(ValueError, match="rejected"):
        p.approve(workspace, pending_id, "staff")


def test_unknown_contribution_is_a_clear_error(workspace):
    with pytest.raises(ValueError, match="no contribution 99"):
        p.approve(workspace, 99, "staff")


def test_approved_contribution_is_ingested_and_searchable(demo_workspace):
    ws = demo_workspace
    engine = ws.store.engine
    text = "Our village hall runs a Tuesday walking group where peers talk about their lows."
    pending_id = p.submit_contribution(engine, "hazel", text, thread="Rural ideas")
    outcome = p.approve(ws, pending_id, "staff")
    assert outcome.status == "ingested", outcome.reason
    assert outcome.path == p.CONTRIBUTIONS_FILE.as_posix()
    assert p.pending(engine) == []
    [stored] = _contribution_extracts(ws)
    assert stored.text == text and stored.meta["id"] == "app-1"
    hits = ws.search("walking group in the village hall to talk about lows", k=3)
    assert hits[0]["extract_id"] == stored.id and hits[0]["kind"] == "contribution"
    assert ws.check().ok
    with pytest.raises(ValueError, match="already approved"):
        p.reject(engine, pending_id, "staff")


def test_approving_twice_changes_nothing(demo_workspace):
    ws = demo_workspace
    pending_id = p.submit_contribution(ws.store.engine, "hazel", "Peer groups on the bus route.")
    p.approve(ws, pending_id, "staff")
    before = ws.status()["extracts"]
    again = p.approve(ws, pending_id, "staff")
    assert again.status == "unchanged"
    assert ws.status()["extracts"] == before
    assert len(_contribution_extracts(ws)) == 1
    with ws.store.engine.connect() as conn:
        approvals = conn.execute(
            select(func.count()).where(audit.c.action == "contribution.approve")
        ).scalar_one()
    assert approvals == 1


def test_earlier_approved_contributions_keep_their_extract_ids(demo_workspace):
    ws = demo_workspace
    engine = ws.store.engine
    first = p.submit_contribution(engine, "hazel", "A first thought about waiting lists.")
    p.approve(ws, first, "staff")
    [earlier] = _contribution_extracts(ws)
    second = p.submit_contribution(engine, "rowan", "A second thought about peer training.")
    assert p.approve(ws, second, "staff").status == "ingested"
    rows = _contribution_extracts(ws)
    assert [r.meta["id"] for r in rows] == ["app-1", "app-2"]
    assert rows[0].id == earlier.id
    assert ws.check().ok


def test_an_email_address_in_an_approved_contribution_is_redacted_everywhere(demo_workspace):
    ws = demo_workspace
    engine = ws.store.engine
    text = "Happy to help set up a group, email me at jo.bloggs@example.org any time."
    pending_id = p.submit_contribution(engine, "jo", text)
    outcome = p.approve(ws, pending_id, "staff")
    assert outcome.status == "ingested", outcome.reason
    [stored] = _contribution_extracts(ws)
    assert "jo.bloggs@example.org" not in stored.text
    assert "[EMAIL]" in stored.text
    hit = ws.search("help set up a group, email me any time", k=1)[0]
    assert hit["extract_id"] == stored.id and "example.org" not in hit["text"]
    # Nor does the address wait on disk or in the review queue once approved.
    assert "example.org" not in p.contributions_path(ws).read_text(encoding="utf-8")
    with engine.connect() as conn:
        kept = conn.execute(
            select(pending_contributions.c.text).where(pending_contributions.c.id == pending_id)
        ).scalar_one()
        approval = conn.execute(
            select(audit.c.detail).where(audit.c.action == "contribution.approve")
        ).scalar_one()
    assert "example.org" not in kept and "[EMAIL]" in kept
    assert approval["redactions"] == {"EMAIL": 1}


def test_answers_whose_author_said_no_to_quoting_are_not_quotable(demo_workspace):
    engine = demo_workspace.store.engine
    with engine.connect() as conn:
        said_no = set(
            conn.execute(
                select(extract_attributes.c.extract_id).where(
                    extract_attributes.c.value.in_(["No", "false"]),
                    extract_attributes.c.name.contains("quot"),
                )
            ).scalars()
        )
        all_ids = list(conn.execute(select(extracts.c.id)).scalars())
    assert said_no  # the demo Lab has survey respondents and posters who said no
    assert p.not_quotable(engine, all_ids) == said_no


def test_theme_quotes_and_descriptions_honour_consent_and_never_carry_the_person(demo_workspace):
    ws = demo_workspace
    ws.build_themes()
    engine = ws.store.engine
    hidden = p.not_quotable(engine, ws.store.extract_ids())
    for theme in ws.list_themes():
        if theme["status"] != "active":
            continue
        quotes = p.theme_quotes(engine, theme["id"], limit=10)
        assert 0 < len(quotes) <= 10
        assert not {q["extract_id"] for q in quotes} & hidden
        assert all("person" not in q for q in quotes)
    # A person who said "do not show": gone from participants' quotes and from the built
    # description (their own sentence), which gives way to the key phrases; staff see both.
    state = load_state(engine)
    spoken = {t: state.themes[t]["details"]["central"] for t in state.active()
              if not state.themes[t]["description_by_staff"]}  # fmt: skip
    owners = ws.store.extracts_by_ids(list(spoken.values()))
    # A theme whose description is a person's sentence (others come from documents).
    theme_id = next(t for t, e in spoken.items() if owners[e]["person"])
    row, central = state.themes[theme_id], spoken[theme_id]
    person = owners[central]["person"]
    theirs = {e for e, r in ws.store.extracts_by_ids(ws.store.extract_ids()).items()
              if r["person"] == person}  # fmt: skip
    assert p.theme_descriptions(engine, [row])[theme_id] == row["description"] or central in hidden
    set_consent(engine, "person", person, "staff", show_to_participants=False)
    assert not p.shown_to_participants(engine, theirs)
    quotes = p.theme_quotes(engine, theme_id, first=[central], limit=50)
    assert quotes and not {q["extract_id"] for q in quotes} & theirs
    staff_view = p.theme_quotes(engine, theme_id, first=[central], limit=50, for_participants=False)
    assert staff_view[0]["extract_id"] == central
    described = p.theme_descriptions(engine, [row])[theme_id]
    assert described == "Key phrases: " + ", ".join(row["details"]["phrases"])
    for_staff = p.theme_descriptions(engine, [row], for_participants=False)
    assert for_staff[theme_id] == row["description"]
    staff_written = dict(row, description_by_staff=True)
    assert p.theme_descriptions(engine, [staff_written])[theme_id] == row["description"]


def test_an_author_named_by_e_mail_is_a_pseudonym_on_disk_and_in_the_store(demo_workspace):
    ws = demo_workspace
    engine = ws.store.engine
    pending_id = p.submit_contribution(engine, "jo.bloggs@example.org", "Evening groups, please.")
    assert p.approve(ws, pending_id, "staff").status == "ingested"
    assert "example.org" not in p.contributions_path(ws).read_text(encoding="utf-8")
    with engine.connect() as conn:
        person = conn.execute(
            select(extracts.c.person).where(extracts.c.text == "Evening groups, please.")
        ).scalar_one()
    assert person.startswith("person-") and "example" not in person


def test_a_rejected_contribution_keeps_no_identifier_in_the_queue(workspace):
    engine = workspace.store.engine
    text = "Call me on 07700 900123 about the Tuesday group."
    pending_id = p.submit_contribution(engine, "ash", text, thread="Ring me 07700 900123")
    p.reject(engine, pending_id, "staff")
    with engine.connect() as conn:
        kept = conn.execute(
            select(pending_contributions.c.text, pending_contributions.c.thread).where(
                pending_contributions.c.id == pending_id
            )
        ).one()
    assert "900123" not in kept.text + kept.thread and "[PHONE]" in kept.text
