"""The My words page on the themed demo Lab: a participant sees their own contributions (never
anyone else's), changes their consent, and withdraws only after confirming; then they are
signed out with a message and nothing of theirs is left."""

from __future__ import annotations

import pytest

from lab_app.core import audit
from lab_app.core.settings import Settings
from lab_app.material.consent import consent_of
from lab_app.opinions import participation
from lab_app.people import accounts, withdrawal
from lab_app.ui.auth import NOTICE_KEY, SESSION_KEY
from lab_app.workspace import Workspace
from tests.ui.conftest import TEST_ACCOUNTS

ME = TEST_ACCOUNTS["participant"]
MINE = "Evening groups would suit <b>me</b> better than daytime ones, because of my shifts."
THEIRS = "Someone else's private thought that only they and staff may read."


@pytest.fixture
def ws(app_home):
    workspace = Workspace(Settings.from_env(home=app_home))
    engine = workspace.store.engine
    approved = participation.submit_contribution(engine, ME, MINE)
    participation.submit_contribution(engine, ME, "A second thought, still waiting for staff.")
    participation.submit_contribution(engine, TEST_ACCOUNTS["staff"], THEIRS)
    participation.approve(workspace, approved, TEST_ACCOUNTS["staff"])
    return workspace


def _written(at) -> str:
    return " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)


def test_a_participant_sees_only_their_own_words_with_their_status(open_page, ws):
    at = open_page("my_words", role="participant")
    assert not at.exception, at.exception
    written = _written(at)
    assert "Evening groups would suit \\<b\\>me\\</b\\>" in written  # inert, never HTML
    assert "A second thought" in written and "waiting for staff to read it" in written
    assert "approved\\: in the Lab's material" in written  # safe_markdown escapes ':'
    assert "private thought" not in written
    assert not at.warning  # what withdrawal would remove is counted only when asked for
    at.checkbox(key="mywords-withdraw-open").check().run()
    assert "Withdrawing will remove 1 contribution in the Lab's material" in at.warning[0].value
    assert at.button(key="mywords-withdraw").disabled  # nothing confirmed yet


def test_a_participant_changes_their_own_consent(open_page, ws):
    at = open_page("my_words", role="participant")
    at.checkbox(key="mywords-quote").uncheck()
    at.button(key="mywords-consent-save").click().run()
    assert not at.exception, at.exception
    engine = ws.store.engine
    assert consent_of(engine, "person", ME)["quote_in_publications"] is False
    assert consent_of(engine, "person", TEST_ACCOUNTS["staff"])["quote_in_publications"] is True
    assert "Your choices are saved" in " ".join(s.value for s in at.success)


def test_withdrawal_needs_the_confirmation_then_removes_everything_and_signs_out(open_page, ws):
    engine = ws.store.engine
    at = open_page("my_words", role="participant")
    at.checkbox(key="mywords-withdraw-open").check().run()
    at.checkbox(key="mywords-withdraw-confirm").check()
    at.text_input(key="mywords-withdraw-name").input("someone-else").run()
    assert at.button(key="mywords-withdraw").disabled  # the wrong name does not enable it
    at.text_input(key="mywords-withdraw-name").input(ME).run()
    at.button(key="mywords-withdraw").click().run(timeout=300)
    assert not at.exception, at.exception
    assert accounts.get_user(engine, ME) is None
    assert withdrawal.is_withdrawn(engine, ME)
    assert participation.contributions_by(engine, ME) == []
    # Signed out: the page now asks to sign in, and the sign-in page's notice waits.
    assert SESSION_KEY not in at.session_state
    assert "Sign in to see this page." in [w.value for w in at.warning]
    assert at.session_state[NOTICE_KEY].startswith("You have withdrawn from the Lab")
    assert all(ME not in str(row) for row in audit.read(engine, limit=100_000))  # none names them
    assert participation.contributions_by(engine, TEST_ACCOUNTS["staff"])  # others keep theirs
