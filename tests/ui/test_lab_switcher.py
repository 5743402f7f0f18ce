"""The Lab switcher on a deployment of two Labs: one sign-in, only the person's Labs listed,
the role read in the Lab the session works in, and a guarded action refused in a Lab where the
person is not staff (the server decides, whatever the page was drawn for)."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from lab_app.core import audit as audit_log
from lab_app.core.settings import Settings
from lab_app.network import members
from lab_app.network.registry import Deployment
from lab_app.people import accounts
from lab_app.ui.auth import SESSION_KEY
from lab_app.ui.guard import REFUSALS
from lab_app.ui.resources import LAB_KEY
from tests.ui.conftest import APP, TEST_PASSWORD
from tests.ui.test_roles import _sign_in


@pytest.fixture
def two_labs(tmp_path, monkeypatch):
    """Default Lab and North East Lab, no material: alice staff in the first, participant in
    the second; bob a participant in the first only; carol staff in the second only; frank an
    account with no role in either."""
    monkeypatch.setenv("QLAB_HOME", str(tmp_path / "labs-home"))
    deployment = Deployment(Settings.from_env())
    deployment.add("north-east", "North East Lab", who="ops")
    for name, role in (("alice", "staff"), ("bob", "participant"), ("carol", "participant")):
        accounts.add_user(deployment.engine, name, role, password=TEST_PASSWORD)
    members.grant(deployment, "north-east", "alice", "participant", who="ops")
    members.grant(deployment, "north-east", "carol", "staff", who="ops")
    members.grant(deployment, "default", "carol", "none", who="ops")
    accounts.add_user(deployment.engine, "frank", "participant", password=TEST_PASSWORD)
    members.grant(deployment, "default", "frank", "none", who="ops")
    yield deployment
    deployment.close()


def _signed_in_as(name: str) -> AppTest:
    """The app's first run for a session signed in as `name` (AppTest runs app.py, and so
    the sidebar, until a test switches page)."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state[SESSION_KEY] = {"name": name, "role": "", "at": time.time()}
    return at.run()


def _role_caption(at) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Signed in as"))


def test_one_sign_in_lists_only_the_persons_labs_and_switching_reads_the_role_there(two_labs):
    signing = AppTest.from_file(str(APP), default_timeout=60).run()
    _sign_in(signing, "alice", TEST_PASSWORD)  # the deployment's account, through the form
    assert signing.session_state[SESSION_KEY]["role"] == "staff"  # her role in the default Lab

    at = _signed_in_as("alice")
    assert not at.exception, at.exception
    switch = at.selectbox(key="lab-switch")
    assert switch.options == ["Default Lab", "North East Lab"] and switch.value == "default"
    assert _role_caption(at).endswith("(staff)")
    at.selectbox(key="lab-switch").set_value("north-east").run()
    assert not at.exception, at.exception
    assert at.session_state[LAB_KEY] == "north-east"
    assert at.session_state[SESSION_KEY]["role"] == "participant"  # read in north-east

    # AppTest runs app.py (navigation, sidebar) on a session's first run only: a new session
    # already working in north-east shows what the switch leads to.
    again = AppTest.from_file(str(APP), default_timeout=60)
    again.session_state[LAB_KEY] = "north-east"
    again.session_state[SESSION_KEY] = {"name": "alice", "role": "staff", "at": time.time()}
    again.run()
    assert _role_caption(again).endswith("(participant)")
    assert again.selectbox(key="lab-switch").value == "north-east"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        again.switch_page("pages/people.py")  # no staff page in this Lab's navigation

    bob = _signed_in_as("bob")  # one Lab only: no select, the Lab named
    assert not bob.selectbox and any("Default Lab" in c.value for c in bob.caption)
    carol = _signed_in_as("carol")  # no role in the default Lab: she lands in hers
    assert carol.session_state[LAB_KEY] == "north-east"
    assert _role_caption(carol).endswith("(staff)") and not carol.selectbox


def test_a_staff_action_is_refused_in_a_lab_where_the_person_is_a_participant(two_labs):
    at = _signed_in_as("alice")
    at.switch_page("pages/people.py").run()  # drawn while alice is staff in the default Lab
    at.text_input(key="people-add-name").input("dave")
    at.button(key="people-add-submit").click()
    at.session_state[LAB_KEY] = "north-east"  # the session works in the other Lab since
    at.run()
    assert at.session_state[REFUSALS] == ["people.add"]
    assert any("Only Lab staff can do that" in e.value for e in at.error)
    for slug in ("default", "north-east"):
        assert accounts.get_user(two_labs.workspace(slug).store.engine, "dave") is None
    assert at.session_state[SESSION_KEY]["name"] == "alice"  # refused, not signed out


def test_staff_of_a_lab_add_a_person_to_it_and_to_no_other(two_labs):
    at = _signed_in_as("carol")  # staff in north-east only, where the session lands
    at.switch_page("pages/people.py").run()
    at.text_input(key="people-add-name").input("erin")
    at.button(key="people-add-submit").click().run()
    assert not at.exception, at.exception
    assert any("erin is participant in this Lab" in s.value for s in at.success)
    assert any("Password for erin" in i.value for i in at.info)  # the deployment's account
    roles = [(m.lab.slug, m.role) for m in members.memberships(two_labs, "erin")]
    assert roles == [("north-east", "participant")]


def test_an_account_with_no_role_anywhere_is_refused_at_sign_in_and_the_trail_says_so(two_labs):
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    _sign_in(at, "frank", TEST_PASSWORD)  # the right password
    assert not at.exception, at.exception
    assert SESSION_KEY not in at.session_state
    errors = [e.value.replace("\\", "") for e in at.error]
    assert errors == ["This account has no role in any Lab: ask Lab staff."]
    trail = audit_log.read(two_labs.engine, action="sign_in")
    assert [(r["action"], r["target"]) for r in trail[:1]] == [("sign_in.refused", "frank")]
    assert not [r for r in trail if r["action"] == "sign_in" and r["target"] == "frank"]
    _sign_in(at, "carol", TEST_PASSWORD)  # a role in one Lab only is a way in
    assert at.session_state[SESSION_KEY]["name"] == "carol"
