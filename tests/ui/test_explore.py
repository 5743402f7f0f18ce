"""Explore and Contributions pages on a themed copy of the demo Lab: quotes, search, votes,
contributions, and staff approval into the store."""

from __future__ import annotations

import pytest

from lab_app import participation
from lab_app.settings import Settings
from lab_app.ui.components import safe_markdown
from lab_app.workspace import Workspace

HOSTILE = "Peer support <script>alert(1)</script> saved me, [click](http://evil.example) now"


@pytest.fixture
def ws(app_home):
    """The same workspace the app opens, for setting up and checking from the test."""
    return Workspace(Settings.from_env(home=app_home))


def _shown_statements(at) -> list[str]:
    prefix = "vote-agree-"
    return [b.key[len(prefix) :] for b in at.button if b.key and b.key.startswith(prefix)]


def _quotes(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("> ")]


def _search(at, query: str, **filters):
    at.radio(key="explore-view").set_value("Search").run()
    for key, value in filters.items():
        at.selectbox(key=key).set_value(value).run()
    at.text_input(key="explore-query").input(query).run()
    assert not at.exception, at.exception
    return at


def _contribute(at, name: str, text: str, thread: str = ""):
    at.text_input(key="explore-participant").input(name).run()
    at.text_area(key="explore-contribution-text").input(text)
    at.text_input(key="explore-contribution-thread").input(thread)
    at.button(key="explore-contribution-submit").click().run()
    assert not at.exception, at.exception
    return at


def test_themes_are_shown_with_quotes_and_no_person(open_page, ws):
    at = open_page("explore")
    assert not at.exception, at.exception
    active = [t for t in ws.list_themes() if t["status"] == "active"]
    headings = [h.value for h in at.subheader]
    assert all(safe_markdown(t["label"]) in headings for t in active)
    shown = _shown_statements(at)
    assert len(shown) >= len(active)  # every theme has quotable exemplars in the demo Lab
    assert len(_quotes(at)) >= len(shown)
    engine = ws.store.engine
    assert not participation.not_quotable(engine, shown)
    people = {row["person"] for row in ws.store.extracts_by_ids(shown).values()}
    captions = " ".join(c.value for c in at.caption)
    assert not [person for person in people if person and person in captions]


def test_answers_of_people_who_said_no_to_quoting_never_appear(open_page, ws):
    engine = ws.store.engine
    hidden = participation.not_quotable(engine, ws.store.extract_ids())
    at = _search(open_page("explore"), "peer support", **{"explore-kind": "survey"})
    assert _shown_statements(at) and not set(_shown_statements(at)) & hidden
    at.radio(key="explore-view").set_value("One theme").run()
    for theme in [t for t in ws.list_themes() if t["status"] == "active"]:
        at.selectbox(key="explore-theme-page").set_value(theme["id"]).run()
        shown = _shown_statements(at)
        assert 0 < len(shown) <= 10
        assert not set(shown) & hidden


def test_search_returns_results_with_provenance(open_page, ws):
    at = _search(open_page("explore"), "what stops people finding a peer group")
    shown = _shown_statements(at)
    assert 0 < len(shown) <= 10
    assert len(_quotes(at)) == len(shown)
    assert any("·" in c.value for c in at.caption)


def test_theme_filter_keeps_only_that_themes_extracts(open_page, ws):
    from lab_app.themes import placements

    theme = next(t for t in ws.list_themes() if t["status"] == "active")
    at = _search(open_page("explore"), theme["label"], **{"explore-theme": theme["id"]})
    shown = _shown_statements(at)
    assert shown
    placed = placements(ws.store.engine)
    assert all(placed[e]["theme_id"] == theme["id"] for e in shown)
    assert any("closest to your search" in c.value for c in at.caption)


def test_kind_filter(open_page):
    at = _search(open_page("explore"), "peer support", **{"explore-kind": "survey"})
    assert _shown_statements(at)
    assert all("Survey" in c.value for c in at.caption if "·" in c.value)


def test_a_vote_changes_the_counts(open_page, ws):
    at = open_page("explore")
    statement = _shown_statements(at)[0]
    assert at.button(key=f"vote-agree-{statement}").disabled  # no name yet
    at.text_input(key="explore-participant").input("birch").run()
    assert at.button(key=f"vote-agree-{statement}").label == "Agree · 0"
    at.button(key=f"vote-agree-{statement}").click().run()
    assert not at.exception, at.exception
    assert at.button(key=f"vote-agree-{statement}").label == "Agree · 1"
    at.button(key=f"vote-disagree-{statement}").click().run()
    assert at.button(key=f"vote-agree-{statement}").label == "Agree · 0"
    assert at.button(key=f"vote-disagree-{statement}").label == "Disagree · 1"
    counts = participation.vote_counts(ws.store.engine, [statement])
    assert counts[statement] == {"agree": 0, "disagree": 1, "pass": 0}


def test_the_participant_name_survives_a_visit_to_another_page(open_page):
    at = open_page("explore")
    at.text_input(key="explore-participant").input("birch").run()
    at.switch_page("pages/overview.py").run()
    at.switch_page("pages/explore.py").run()
    assert at.text_input(key="explore-participant").value == "birch"


def test_the_contribution_form_creates_a_pending_item(open_page, ws):
    at = _contribute(open_page("explore"), "hazel", "We meet in the library on Fridays.", "Ideas")
    assert any("waits for staff approval" in s.value for s in at.success)
    assert at.text_area(key="explore-contribution-text").value == ""
    [item] = participation.pending(ws.store.engine)
    assert (item["author"], item["text"], item["thread"]) == (
        "hazel",
        "We meet in the library on Fridays.",
        "Ideas",
    )


def test_a_contribution_needs_a_name_and_keeps_the_text_when_refused(open_page, ws):
    at = _contribute(open_page("explore"), "", "Words worth keeping.")
    assert at.error and "name" in at.error[0].value
    assert at.text_area(key="explore-contribution-text").value == "Words worth keeping."
    assert participation.pending(ws.store.engine) == []


def test_html_and_markdown_in_a_contribution_are_shown_as_text(open_page, ws):
    at = _contribute(open_page("explore"), "[me](http://evil.example)", HOSTILE)
    [item] = participation.pending(ws.store.engine)
    assert item["text"] == HOSTILE

    staff = open_page("contributions")
    bodies = [m.value for m in staff.markdown]
    assert safe_markdown(HOSTILE) in bodies
    assert any(safe_markdown("[me](http://evil.example)") in body for body in bodies)
    staff.button(key=f"contrib-approve-{item['id']}").click().run()
    assert not staff.exception, staff.exception

    at = _search(open_page("explore"), HOSTILE)
    quote = next(q for q in _quotes(at) if "script" in q)
    assert quote == "> " + safe_markdown(HOSTILE)
    assert "\\<script\\>alert\\(1\\)\\</script\\>" in quote
    assert "\\[click\\]\\(http\\:" in quote
    assert "<script>" not in quote and "[click](" not in quote
    assert not at.get("html")


def test_approving_empties_the_list_and_makes_the_text_searchable(open_page, ws):
    text = "Our allotment club doubles as a peer group for men who will not go to a clinic."
    pending_id = participation.submit_contribution(ws.store.engine, "rowan", text)
    at = open_page("contributions")
    assert any(m.value == safe_markdown(text) for m in at.markdown)
    at.button(key=f"contrib-approve-{pending_id}").click().run()
    assert not at.exception, at.exception
    assert any("approved as app-" in s.value for s in at.success)
    assert any("No contribution is waiting" in i.value for i in at.info)
    assert not [b for b in at.button if b.key and b.key.startswith("contrib-")]
    assert participation.pending(ws.store.engine) == []
    hits = ws.search("allotment club peer group for men avoiding clinics", k=3)
    assert hits[0]["text"] == text and hits[0]["kind"] == "contribution"


def test_rejecting_empties_the_list_and_keeps_the_text_out(open_page, ws):
    text = "Something staff decided not to keep."
    pending_id = participation.submit_contribution(ws.store.engine, "rowan", text)
    at = open_page("contributions")
    at.button(key=f"contrib-reject-{pending_id}").click().run()
    assert not at.exception, at.exception
    assert any("rejected" in s.value for s in at.success)
    assert participation.pending(ws.store.engine) == []
    assert all(hit["text"] != text for hit in ws.search(text, k=5))
