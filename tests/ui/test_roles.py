"""Sign-in and roles in the app: nobody gets past the sign-in page, a participant reaches no
staff page by any route, staff manage people and read the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lab_app.core import audit as audit_log
from lab_app.core.schema import extracts
from lab_app.core.settings import Settings
from lab_app.material.store import Store
from lab_app.people import accounts
from lab_app.ui.auth import SESSION_KEY
from tests.ui.conftest import APP, TEST_ACCOUNTS, TEST_PASSWORD

STAFF_PAGES = ["sources", "themes", "contributions", "essays", "exports", "people", "audit",
               "exchange_staff"]  # fmt: skip
EVERYONE = ["overview", "explore", "map", "timeline", "ideas", "tensions", "statements",
            "find_people", "exchange", "my_words"]  # fmt: skip


def _engine(home):
    return Store(Settings.from_env(home=home).sqlalchemy_url).engine


def _texts(at) -> str:
    """Everything the run put on the page as text (titles, markdown, captions, alerts)."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "error",
                 "warning", "success", "text"):  # fmt: skip
        parts.extend(str(element.value) for element in getattr(at, kind))
    return "\n".join(parts)


def _sign_in(at, name: str, password: str):
    at.text_input(key="signin-name").input(name)
    at.text_input(key="signin-password").input(password)
    at.button(key="signin-submit").click()
    return at.run()


def test_nobody_signed_in_sees_only_the_sign_in_page(open_page):
    at = open_page(role=None)
    assert not at.exception
    assert at.title[0].value == "Sign in"
    for page in EVERYONE + STAFF_PAGES:
        # Only the sign-in page is registered for this session: there is no route to another.
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"pages/{page}.py")


def test_signing_in_with_the_right_password_and_not_with_a_wrong_one(open_page, app_home):
    at = open_page(role=None)
    _sign_in(at, TEST_ACCOUNTS["participant"], "not-the-password")
    assert at.title[0].value == "Sign in" and at.error
    assert SESSION_KEY not in at.session_state
    _sign_in(at, TEST_ACCOUNTS["participant"], TEST_PASSWORD)
    assert not at.exception
    assert at.session_state[SESSION_KEY]["role"] == "participant"
    rows = audit_log.read(_engine(app_home), action="sign_in")
    assert [r["action"] for r in rows[:2]] == ["sign_in", "sign_in.failed"]


def test_a_participant_has_no_route_to_a_staff_page(open_page):
    at = open_page(role="participant")
    for page in STAFF_PAGES:
        # The participant's navigation registers no staff page, so none can be opened.
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"pages/{page}.py")
    for page in EVERYONE:
        at.switch_page(f"pages/{page}.py")
    staff = open_page(role="staff")
    for page in STAFF_PAGES:
        staff.switch_page(f"pages/{page}.py")  # registered for staff


def test_staff_pages_stop_a_participant_even_when_run_directly(app_home):
    """The pages' own guard: run as a script outside the navigation, they stop at once."""
    from streamlit.testing.v1 import AppTest

    for page in ("people", "audit", "sources", "themes", "contributions", "essays", "exports",
                 "exchange_staff"):  # fmt: skip
        at = AppTest.from_file(str(APP.parent / "pages" / f"{page}.py"), default_timeout=30)
        at.session_state[SESSION_KEY] = {
            "name": TEST_ACCOUNTS["participant"],
            "role": "participant",
            "at": __import__("time").time(),
        }
        at.run()
        assert not at.exception
        assert [e.value for e in at.error] == ["This page is for Lab staff."]
        assert not at.title


def test_a_disabled_account_is_signed_out(open_page, app_home):
    accounts.set_active(_engine(app_home), TEST_ACCOUNTS["participant"], False, who="test")
    at = open_page(role="participant")  # a session signed in before the account was disabled
    assert at.title[0].value == "Sign in"
    assert "disabled" in _texts(at)
    assert SESSION_KEY not in at.session_state


def test_an_idle_session_times_out(app_home):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=30)
    at.session_state[SESSION_KEY] = {"name": TEST_ACCOUNTS["staff"], "role": "staff", "at": 0.0}
    at.run()
    assert at.title[0].value == "Sign in"
    assert "timed out" in _texts(at)


def test_staff_see_the_people_and_audit_pages_and_can_add_an_account(open_page, app_home):
    at = open_page("people")
    assert not at.exception and at.title[0].value == "People"
    at.text_input(key="people-add-name").input("new-participant")
    at.selectbox(key="people-add-role").select("participant")
    at.button(key="people-add-submit").click()
    at.run()
    assert not at.exception
    assert accounts.get_user(_engine(app_home), "new-participant")["role"] == "participant"
    assert "shown once" in _texts(at)
    at.switch_page("pages/audit.py")
    at.run()
    assert not at.exception and at.title[0].value == "Audit trail"
    shown = at.dataframe[0].value
    assert "account.add" in set(shown["action"]) and "sign_in" not in set(shown["who"])


def test_staff_withdraw_a_person_from_the_people_page(open_page, app_home):
    engine = _engine(app_home)
    with engine.connect() as conn:
        person = conn.execute(
            select(extracts.c.person).where(extracts.c.kind == "contribution").limit(1)
        ).scalar()
    at = open_page("people")
    at.text_input(key="withdraw-person").input(person)
    at.button(key="withdraw-submit").click()
    at.run()
    assert "Tick the box" in _texts(at)  # not without confirming
    at.text_input(key="withdraw-person").input(person)
    at.checkbox(key="withdraw-confirm").check()
    at.button(key="withdraw-submit").click()
    at.run(timeout=300)
    assert not at.exception
    assert "Withdrawn:" in _texts(at).replace("\\", "")  # messages are shown as text
    with engine.connect() as conn:
        assert not conn.execute(select(extracts.c.id).where(extracts.c.person == person)).all()


def test_a_participant_sees_no_extract_whose_person_said_do_not_show(open_page, app_home):
    from lab_app.material.consent import set_consent
    from lab_app.year.overview import latest_contributions

    engine = _engine(app_home)
    newest = latest_contributions(engine, 1)[0]  # what the Overview would show first
    set_consent(engine, "person", newest["person"], "test-staff", show_to_participants=False)
    words = " ".join(newest["text"].split()[:8])
    for page in ("overview", "explore", "map"):
        at = open_page(page, role="participant")
        assert not at.exception, page
        charts = " ".join(chart.proto.spec for chart in at.get("plotly_chart"))  # hover texts
        shown = " ".join((_texts(at) + charts).replace("\\", "").split())
        assert words not in shown, f"{page} showed an extract its person withheld"
