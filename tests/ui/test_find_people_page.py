"""The Find people page on the themed demo Lab: a participant makes and deletes their own profile
(never anyone else's), searches, and reads every name and word as plain text."""

from __future__ import annotations

import pytest

from lab_app.core.settings import Settings
from lab_app.material.consent import set_consent
from lab_app.people import accounts, finder
from lab_app.workspace import Workspace
from tests.ui.conftest import TEST_ACCOUNTS

HOSTILE = "Jo <b>bold</b> [link](http://evil.example)"
ME = TEST_ACCOUNTS["participant"]


@pytest.fixture
def ws(app_home):
    return Workspace(Settings.from_env(home=app_home))


def _written(at) -> str:
    return " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)


def test_a_participant_sets_and_stops_their_own_profile(open_page, ws):
    engine = ws.store.engine
    accounts.add_user(engine, "Tam R", "participant")
    finder.set_findable(ws, "Tam R", "Tam", "Eating disorder peer groups", who="Tam R")
    at = open_page("find_people", role="participant")
    assert not at.exception, at.exception
    at.text_input(key="finder-shown-as").input(HOSTILE)
    at.text_area(key="finder-expertise").input("Eating disorders; write to jo@example.org")
    at.button(key="finder-save").click().run()
    assert not at.exception, at.exception
    mine = finder.profile_of(engine, ME)
    assert mine["shown_as"] == HOSTILE and mine["expertise"] == "Eating disorders; write to [EMAIL]"
    assert finder.profile_of(engine, "Tam R")["shown_as"] == "Tam"  # only their own changed
    at.text_input(key="finder-query").input("who knows about eating disorders").run()
    assert not at.exception, at.exception
    written = _written(at)
    assert "Jo \\<b\\>bold\\</b\\> \\[link\\]\\(http" in written  # inert: no HTML, no link
    assert "**Tam**" in written and "Tam R" not in written  # the chosen name, never the sign-in
    assert "eating disorders got me through" in written  # Tam's consented words, quoted
    at.button(key="finder-off").click().run()
    assert not at.exception, at.exception
    assert finder.profile_of(engine, ME) is None
    assert finder.profile_of(engine, "Tam R") is not None


def test_words_a_person_withheld_are_not_on_the_page(open_page, ws):
    engine = ws.store.engine
    accounts.add_user(engine, "Tam R", "participant")
    finder.set_findable(ws, "Tam R", "Tam", "Eating disorder peer groups", who="Tam R")
    set_consent(engine, "person", "Tam R", who="test", show_to_participants=False)
    at = open_page("find_people", role="participant")
    at.text_input(key="finder-query").input("who knows about eating disorders").run()
    assert not at.exception, at.exception
    written = _written(at)
    assert "**Tam**" in written  # found by the expertise they wrote for this
    assert "eating disorders got me through" not in written
