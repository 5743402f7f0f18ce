"""Explore and Contributions pages on a themed copy of the demo Lab: quotes, search, votes,
contributions, and staff approval into the store."""

from __future__ import annotations

import time
from datetime import date

import pytest

from lab_app.core.settings import Settings
from lab_app.opinions import participation
from lab_app.ui.components import safe_markdown
from lab_app.ui.highlight import query_words, quote_markdown
from lab_app.workspace import Workspace
from tests.ui.conftest import TEST_ACCOUNTS

NAME_FIELD = "explore-participant"  # the free-text name box there was before sign-in
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


def _contribute(at, text: str, thread: str = ""):
    at.text_area(key="explore-contribution-text").input(text)
    at.text_input(key="explore-contribution-thread").input(thread)
    at.button(key="explore-contribution-submit").click().run()
    assert not at.exception, at.exception
    return at


def _open_theme(at, theme_id: str | None = None):
    """Open a theme's page from the index (the first theme when none is named)."""
    at.radio(key="explore-view").set_value("Themes").run()
    opener = [b for b in at.button if b.key and b.key.startswith("explore-open-")]
    key = f"explore-open-{theme_id}" if theme_id else opener[0].key
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    return at


def test_the_index_lists_themes_by_area_without_quotes(open_page, ws):
    from lab_app.themes.views import by_area, theme_rows

    at = open_page("explore", role="participant")
    assert not at.exception, at.exception
    assert at.radio(key="explore-view").value == "Themes"
    assert not _quotes(at) and not _shown_statements(at)  # a short page: no quotes at all
    areas = by_area(theme_rows(ws.store.engine))
    headings = [h.value for h in at.subheader if h.value != "Add your contribution"]
    assert headings == [safe_markdown(area) for area, _ in areas] and len(areas) > 1
    active = [t for t in ws.list_themes() if t["status"] == "active"]
    labels = {b.key.removeprefix("explore-open-"): b.label for b in at.button
              if b.key and b.key.startswith("explore-open-")}  # fmt: skip
    assert labels == {t["id"]: safe_markdown(t["label"]) for t in active}
    follows = [b for b in at.button if b.key and b.key.startswith("explore-follow-")]
    assert len(follows) == len(active) and {b.label for b in follows} == {"Follow"}
    sizes = [c.value for c in at.caption if " extracts" in c.value]
    assert len(sizes) >= len(active)


def test_a_theme_page_shows_ten_quotes_then_more_grouped_by_kind(open_page, ws):
    from lab_app.themes.build import placements

    engine = ws.store.engine
    placed = placements(engine)
    biggest = max(
        (t for t in ws.list_themes() if t["status"] == "active"),
        key=lambda t: sum(1 for p in placed.values() if p["theme_id"] == t["id"]),
    )
    at = _open_theme(open_page("explore", role="participant"), biggest["id"])
    assert at.radio(key="explore-view").value == "One theme"
    assert at.selectbox(key="explore-theme-page").value == biggest["id"]
    first = _shown_statements(at)
    assert len(first) == 10
    assert all(placed[e]["theme_id"] == biggest["id"] for e in first)
    groups = [m.value for m in at.markdown if " of " in m.value and m.value.startswith("**")]
    assert groups  # "**Survey** · 7 of 138": quotes under a heading per kind
    at.button(key="explore-more").click().run()
    assert not at.exception, at.exception
    more = _shown_statements(at)
    assert len(more) == 20 and set(first) < set(more)
    assert any(c.value.startswith("Showing 20 of") for c in at.caption)
    at.radio(key=f"explore-theme-kind-{biggest['id']}").set_value("survey").run()
    kinds = {row["kind"] for row in ws.store.extracts_by_ids(_shown_statements(at)).values()}
    assert kinds == {"survey"}
    assert not participation.not_quotable(engine, more)


def test_answers_of_people_who_said_no_to_quoting_never_appear(open_page, ws):
    engine = ws.store.engine
    hidden = participation.not_quotable(engine, ws.store.extract_ids())
    at = _search(
        open_page("explore", role="participant"), "peer support", **{"explore-kind": "survey"}
    )
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
    read_all = [e for e in at.expander if e.label == "Read all"]  # long quotes, in full
    assert len(_quotes(at)) == len(shown) + len(read_all)
    assert any("·" in c.value for c in at.caption)


def test_theme_filter_keeps_only_that_themes_extracts(open_page, ws):
    from lab_app.themes.build import placements

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
    at = _open_theme(open_page("explore"))
    statement = _shown_statements(at)[0]
    assert NAME_FIELD not in [t.key for t in at.text_input]  # votes are the account's
    assert at.button(key=f"vote-agree-{statement}").label == "Agree · 0"
    at.button(key=f"vote-agree-{statement}").click().run()
    assert not at.exception, at.exception
    assert at.button(key=f"vote-agree-{statement}").label == "Agree · 1"
    at.button(key=f"vote-disagree-{statement}").click().run()
    assert at.button(key=f"vote-agree-{statement}").label == "Agree · 0"
    assert at.button(key=f"vote-disagree-{statement}").label == "Disagree · 1"
    counts = participation.vote_counts(ws.store.engine, [statement])
    assert counts[statement] == {"agree": 0, "disagree": 1, "pass": 0}


def test_a_participants_vote_is_kept_under_their_account_name(open_page, ws):
    at = _open_theme(open_page("explore", role="participant"))
    statement = _shown_statements(at)[0]
    assert NAME_FIELD not in [t.key for t in at.text_input]
    assert any(safe_markdown(TEST_ACCOUNTS["participant"]) in c.value for c in at.caption)
    at.button(key=f"vote-disagree-{statement}").click().run()
    assert not at.exception, at.exception
    engine = ws.store.engine
    assert participation.votes_of(engine, TEST_ACCOUNTS["participant"], [statement]) == {
        statement: -1
    }
    at.switch_page("pages/overview.py").run()  # still the same person after another page
    _open_theme(at.switch_page("pages/explore.py").run())
    assert at.button(key=f"vote-disagree-{statement}").proto.type == "primary"  # my vote


@pytest.mark.parametrize("role", ["participant", "staff"])
def test_the_contribution_form_creates_a_pending_item(open_page, ws, role):
    at = _contribute(open_page("explore", role=role), "We meet in the library on Fridays.", "Ideas")
    assert any("waits for staff approval" in s.value for s in at.success)
    assert at.text_area(key="explore-contribution-text").value == ""
    [item] = participation.pending(ws.store.engine)
    assert (item["author"], item["text"], item["thread"]) == (
        TEST_ACCOUNTS[role],  # staff writing on the page write as themselves too
        "We meet in the library on Fridays.",
        "Ideas",
    )


def test_a_refused_contribution_keeps_the_text(open_page, ws):
    at = _contribute(open_page("explore", role="participant"), "   ")
    assert at.error and "empty" in at.error[0].value
    assert at.text_area(key="explore-contribution-text").value == "   "
    assert participation.pending(ws.store.engine) == []


def test_html_and_markdown_in_a_contribution_are_shown_as_text(open_page, ws):
    from streamlit.testing.v1 import AppTest

    from lab_app.people import accounts
    from lab_app.ui.auth import SESSION_KEY
    from tests.ui.conftest import APP

    name = "[me](http://evil.example)"  # an account name is text a person chose, too
    accounts.add_user(ws.store.engine, name, "participant", password="not-a-real-password")
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.session_state[SESSION_KEY] = {"name": name, "role": "participant", "at": time.time()}
    at.run()
    at.switch_page("pages/explore.py").run()
    at = _contribute(at, HOSTILE)
    [item] = participation.pending(ws.store.engine)
    assert item["author"] == name
    assert item["text"] == HOSTILE

    staff = open_page("contributions")
    bodies = [m.value for m in staff.markdown]
    assert safe_markdown(HOSTILE) in bodies
    assert any(safe_markdown("[me](http://evil.example)") in body for body in bodies)
    staff.button(key=f"contrib-approve-{item['id']}").click().run()
    assert not staff.exception, staff.exception

    at = _search(open_page("explore"), HOSTILE)
    quote = next(q for q in _quotes(at) if "script" in q)
    assert quote == quote_markdown(HOSTILE, query_words(HOSTILE)).rstrip()  # matches in bold
    plain = quote.replace("**", "")
    assert plain == "> " + safe_markdown(HOSTILE)
    assert "\\<script\\>alert\\(1\\)\\</script\\>" in plain
    assert "\\[click\\]\\(http\\:" in plain
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


def test_a_withheld_extract_is_left_out_for_participants_and_marked_for_staff(open_page, ws):
    from lab_app.material.consent import set_consent
    from lab_app.themes.build import placements

    engine = ws.store.engine
    details = ws.store.extracts_by_ids(ws.store.extract_ids())
    said_no = participation.not_quotable(engine, list(details))
    placed = placements(engine)
    extract_id = next(
        e for e, row in sorted(details.items())
        if row["kind"] == "contribution" and row["person"] and e not in said_no
        and placed.get(e, {}).get("theme_id", "unsorted") != "unsorted"
    )  # fmt: skip
    text = details[extract_id]["text"]
    participant = _search(open_page("explore", role="participant"), text)
    assert extract_id in _shown_statements(participant)  # found by its own words...

    set_consent(
        engine, "person", details[extract_id]["person"], "staff", show_to_participants=False
    )
    participant = _search(open_page("explore", role="participant"), text)
    assert _shown_statements(participant) and extract_id not in _shown_statements(participant)
    words = " ".join(text.split()[:8])
    assert not [q for q in _quotes(participant) if words in q.replace("\\", "")]
    participant.radio(key="explore-view").set_value("One theme").run()
    participant.selectbox(key="explore-theme-page").set_value(placed[extract_id]["theme_id"])
    participant.run()
    assert not participant.exception, participant.exception
    assert extract_id not in _shown_statements(participant)

    staff = _search(open_page("explore"), text)  # ...and staff still see it, marked
    assert extract_id in _shown_statements(staff)
    assert any(c.value.endswith(" · withheld from participants") for c in staff.caption)


def test_search_shows_more_results_and_filters_by_answer_and_date(open_page, ws):
    from lab_app.themes.views import attribute_values, attributes_of

    at = _search(open_page("explore", role="participant"), "peer support")
    first = _shown_statements(at)
    assert len(first) == 10
    assert any("**support**" in q or "**peer**" in q.lower() for q in _quotes(at))
    at.button(key="explore-more-results").click().run()
    assert not at.exception, at.exception
    assert len(_shown_statements(at)) == 20 and set(first) < set(_shown_statements(at))

    # An answer the first survey result gave, to a question with few answers (a role, a region).
    choices = attribute_values(ws.store.engine, 40)
    survey = [e for e, row in ws.store.extracts_by_ids(first).items() if row["kind"] == "survey"]
    held = attributes_of(ws.store.engine, survey[:1])[survey[0]]
    name, value = next((n, v) for n, v in sorted(held.items()) if n in choices)
    at.selectbox(key="explore-attribute").set_value(name).run()
    at.selectbox(key="explore-attribute-value").set_value(value).run()
    assert not at.exception, at.exception
    alike = _shown_statements(at)
    assert survey[0] in alike and len(alike) <= 10  # a new search: ten again
    found = attributes_of(ws.store.engine, alike)
    assert {found[e][name] for e in alike} == {value}
    assert any("among the" in c.value for c in at.caption)

    at.selectbox(key="explore-attribute").set_value("").run()
    at.date_input(key="explore-from").set_value(date(2026, 6, 1)).run()
    at.date_input(key="explore-to").set_value(date(2026, 8, 31)).run()
    dated = ws.store.extracts_by_ids(_shown_statements(at))
    assert dated and all("2026-06-01" <= row["date"][:10] <= "2026-08-31" for row in dated.values())


def test_a_participant_follows_a_theme_and_the_overview_shows_it(open_page, ws):
    from lab_app.people import following

    at = open_page("explore", role="participant")
    theme_id = next(b.key for b in at.button if b.key.startswith("explore-open-"))
    theme_id = theme_id.removeprefix("explore-open-")
    at.button(key=f"explore-follow-{theme_id}").click().run()
    assert not at.exception, at.exception
    engine = ws.store.engine
    assert following.followed(engine, TEST_ACCOUNTS["participant"]) == [theme_id]
    assert at.button(key=f"explore-follow-{theme_id}").label == "Unfollow"

    at.switch_page("pages/overview.py").run()
    assert "New in the themes you follow" in [h.value for h in at.subheader]
    at.button(key=f"overview-theme-new-{theme_id}").click().run()
    assert not at.exception, at.exception
    assert at.selectbox(key="explore-theme-page").value == theme_id  # opened on Explore
    assert following.last_visits(engine, TEST_ACCOUNTS["participant"])[theme_id]
    at.button(key=f"explore-follow-{theme_id}").click().run()  # unfollow from the theme page
    assert following.followed(engine, TEST_ACCOUNTS["participant"]) == []


def test_the_overview_invites_a_reader_who_follows_nothing(open_page):
    at = open_page("overview", role="participant")
    assert any("You follow no themes yet" in c.value for c in at.caption)
    nobody = open_page(None, role=None)  # the sign-in page
    assert "New in the themes you follow" not in [h.value for h in nobody.subheader]


def test_a_document_is_named_by_its_title_not_its_file(open_page, ws):
    titled = {s.path: s.title for s in ws.store.list_sources() if s.kind == "evidence" and s.title}
    assert titled  # the demo's reports and web pages carry their own titles
    at = _search(
        open_page("explore"), "peer support outcomes evidence", **{"explore-kind": "evidence"}
    )
    captions = [c.value.replace("\\", "") for c in at.caption if "·" in c.value]
    assert captions
    assert not [c for c in captions if any(path in c for path in titled)]
    shown_titles = {t.split(" | ")[0] for t in titled.values()}
    assert any(c.startswith(tuple(shown_titles)) for c in captions), captions
