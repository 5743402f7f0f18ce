"""Sign-in in the app: pauses that hold across fresh sessions, the HttpOnly cookie route and its
one-time code, and a token signed out elsewhere ending this session at its next run."""

from __future__ import annotations

import re
import time

from starlette.applications import Starlette
from starlette.testclient import TestClient
from streamlit.testing.v1 import AppTest

from lab_app.core.settings import Settings
from lab_app.material.store import Store
from lab_app.people import sessions as browser_sessions
from lab_app.people import throttle
from lab_app.ui import session_route
from lab_app.ui.auth import COOKIE_KEY, SESSION_KEY
from tests.ui.conftest import APP, TEST_ACCOUNTS, TEST_PASSWORD


def _engine(home):
    return Store(Settings.from_env(home=home).sqlalchemy_url).engine


def _fresh_sign_in(name: str, password: str) -> AppTest:
    """A new browser session (as after a reload) that signs in once."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.text_input(key="signin-name").input(name)
    at.text_input(key="signin-password").input(password)
    at.button(key="signin-submit").click()
    return at.run()


def test_failed_sign_ins_pause_the_name_across_fresh_sessions(app_home):
    name = TEST_ACCOUNTS["participant"]
    for n in range(throttle.FREE_FAILURES["name"]):
        at = _fresh_sign_in(name, f"wrong-password-{n}")
        assert SESSION_KEY not in at.session_state
    at = _fresh_sign_in(name, TEST_PASSWORD)  # a reload, then the right password
    assert SESSION_KEY not in at.session_state
    errors = " ".join(e.value for e in at.error).replace("\\", "")
    paused = r"Too many failed sign-ins for this account name: wait (29|30) seconds"
    assert re.search(paused, errors), errors
    other = _fresh_sign_in(TEST_ACCOUNTS["staff"], TEST_PASSWORD)  # another name still can
    assert other.session_state[SESSION_KEY]["role"] == "staff"


def test_the_page_carries_a_one_time_code_never_the_token(app_home):
    at = _fresh_sign_in(TEST_ACCOUNTS["participant"], TEST_PASSWORD)
    signed, code = at.session_state[SESSION_KEY], at.session_state[COOKIE_KEY]
    # The next run (the rerun the sign-in asks for) hands the code to the cookie route.
    again = AppTest.from_file(str(APP), default_timeout=30)
    again.session_state[SESSION_KEY] = signed
    again.session_state[COOKIE_KEY] = code
    again.run()
    scripts = " ".join(str(element.proto) for element in again.get("html"))
    assert code in scripts and "fetch(\\'/qlab-session\\'" in scripts
    assert signed["token"] not in scripts and "document.cookie" not in scripts
    assert browser_sessions.redeem(_engine(app_home), code) == signed["token"]


def test_a_token_signed_out_elsewhere_ends_this_session_at_its_next_run(app_home):
    engine = _engine(app_home)
    token = browser_sessions.start(engine, TEST_ACCOUNTS["participant"])
    at = AppTest.from_file(str(APP), default_timeout=30)
    # This session checked its token a moment ago; another tab signs out now.
    at.session_state[SESSION_KEY] = {
        "name": TEST_ACCOUNTS["participant"], "role": "participant", "at": time.time(),
        "token": token, "touched": time.time(),
    }  # fmt: skip
    browser_sessions.end(engine, token)
    at.run()
    assert at.title[0].value == "Sign in"
    assert SESSION_KEY not in at.session_state


def test_the_cookie_route_sets_an_httponly_cookie_once_per_code(app_home, monkeypatch):
    monkeypatch.setenv("QLAB_HOME", str(app_home))
    engine = _engine(app_home)
    token = browser_sessions.start(engine, TEST_ACCOUNTS["participant"])
    code = browser_sessions.hand_off(engine, token)
    client = TestClient(Starlette(routes=session_route.routes("")), base_url="http://testserver")
    here = {"Origin": "http://testserver"}

    refused = client.post("/qlab-session", content=code, headers={"Origin": "http://evil.test"})
    assert refused.status_code == 403 and "set-cookie" not in refused.headers
    answer = client.post("/qlab-session", content=code, headers=here)
    assert answer.status_code == 204
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{browser_sessions.COOKIE}={token};")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Max-Age" not in cookie  # gone when the browser closes
    assert client.post("/qlab-session", content=code, headers=here).status_code == 403  # spent

    ended = client.post("/qlab-session/end", headers=here)
    assert ended.status_code == 204 and "Max-Age=0" in ended.headers["set-cookie"]
    assert browser_sessions.resume(engine, token, idle_minutes=60) is None
