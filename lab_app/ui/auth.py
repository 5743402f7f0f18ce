"""Who is signed in to this browser session, and the server-side role checks every page uses."""

from __future__ import annotations

import re
import time

import streamlit as st

from lab_app.core.settings import Settings
from lab_app.people import accounts, throttle
from lab_app.people import sessions as browser_sessions
from lab_app.ui import lab_switch, session_route
from lab_app.ui.resources import deployment

# {"name", "role", "at": last activity, "token": the browser's, "touched": its last refresh},
# kept on the server only
SESSION_KEY = "qlab-user"
DEFAULT_SESSION_MINUTES = Settings.session_minutes
NOTICE_KEY = "qlab-auth-notice"
COOKIE_KEY = "qlab-cookie"  # on the next run: a one-time code for the cookie, or "" to clear it


def session_minutes() -> int:
    """Minutes of inactivity after which a session is signed out (QLAB_SESSION_MINUTES)."""
    try:
        minutes = Settings.from_env().session_minutes
    except ValueError:  # a mistyped setting must not lock everyone out: use the default
        return DEFAULT_SESSION_MINUTES
    return minutes if minutes > 0 else DEFAULT_SESSION_MINUTES


def current_account() -> dict | None:
    """The signed-in account as {"name", "role"}, or None.

    The account is read again on every run, so disabling it or changing its role takes effect
    at the person's next click; an idle session ends after session_minutes().
    """
    signed = st.session_state.get(SESSION_KEY)
    if signed is None:
        signed = _from_identity_provider() or _from_cookie()
        if signed is None:
            return None
    if time.time() - float(signed.get("at", 0)) > session_minutes() * 60:
        _forget("Your session timed out: sign in again.")
        return None
    engine = deployment().engine
    # Checked on every run (one read; last_seen is written at most once a minute): a token
    # ended elsewhere (signed out in another tab, account disabled or withdrawn) ends this
    # session at its next click, not a minute later.
    if signed.get("token"):
        if browser_sessions.resume(engine, signed["token"], session_minutes()) is None:
            _forget("You were signed out: sign in again.")
            return None
        signed["touched"] = time.time()
    account = accounts.get_user(engine, signed["name"])
    if account is None or not account["active"]:
        _forget("This account is disabled: ask Lab staff.")
        return None
    role = lab_switch.role_here(account)  # the role in the Lab this session works in
    if role is None:
        _forget(accounts.NO_ROLE_MESSAGE)
        return None
    signed = {**signed, "name": account["name"], "role": role, "at": time.time()}
    st.session_state[SESSION_KEY] = signed
    return {"name": signed["name"], "role": signed["role"]}


def sign_in(name: str, password: str) -> throttle.Attempt:
    """Check a name and password, unless failed sign-ins for the name or from this browser's
    address have paused them (counted in the store: a reload or a new session changes
    nothing); on success this session is signed in as that account."""
    engine = deployment().engine
    attempt = throttle.sign_in(engine, name, password, client_address(), lab_switch.has_a_role)
    account = attempt.account
    if account is not None:
        token = browser_sessions.start(engine, account["name"])
        st.session_state[SESSION_KEY] = {
            "name": account["name"],
            "role": account["role"],
            "at": time.time(),
            "token": token,
            "touched": time.time(),
        }
        st.session_state[COOKIE_KEY] = browser_sessions.hand_off(engine, token)
    return attempt


def client_address() -> str | None:
    """The browser's address as Streamlit saw the connection (None on this machine, or when no
    browser is behind the run); behind a proxy, the one its X-Forwarded-For names."""
    try:
        address = st.context.ip_address
    except Exception:  # a script or test harness: no connection to name
        return None
    return address if isinstance(address, str) else None


def sign_out() -> None:
    signed = st.session_state.get(SESSION_KEY)
    if signed:
        accounts.record_sign_out(deployment().engine, signed["name"])
    _forget(None)
    if sso_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()


def end_session(notice: str) -> None:
    """Sign this browser out without a sign-out line in the audit trail (after a person withdrew
    themselves, their name must not be written again); the sign-in page shows the notice."""
    _forget(notice)


def current_name() -> str:
    """The signed-in account's name, under which votes, backing and comments are kept; ""
    when nobody is signed in."""
    user = current_account()
    return user["name"] if user else ""


def is_staff(user: dict | None) -> bool:
    return bool(user) and user["role"] == "staff"


def require_role(role: str) -> dict:
    """Stop the page here, on the server, unless the signed-in account has this role
    (staff may open every page); return the account."""
    user = current_account()
    if user is None:
        st.warning("Sign in to see this page.")
        st.stop()
    if role == "staff" and not is_staff(user):
        st.error("This page is for Lab staff.")
        st.stop()
    return user


def sso_configured() -> bool:
    """True when secrets.toml has an [auth] section and Authlib is installed."""
    try:
        from streamlit.auth_util import is_authlib_installed

        return "auth" in st.secrets and is_authlib_installed()
    except Exception:  # no secrets file, or an unreadable one: password sign-in only
        return False


def _from_identity_provider() -> dict | None:
    """Map an identity-provider sign-in (st.user) to a Lab account with the same e-mail."""
    if not sso_configured() or not getattr(st.user, "is_logged_in", False):
        return None
    email = st.user.get("email") or ""
    if st.session_state.get("qlab-sso-refused") == email:
        return None  # refused once already: do not fill the audit trail on every rerun
    refusal = f"{email or 'This identity'} has no Lab account: ask Lab staff to add it."
    try:
        account = accounts.sso_account(deployment().engine, email, lab_switch.has_a_role)
    except accounts.NoRoleError as no_role:
        account, refusal = None, str(no_role)
    if account is None:
        st.session_state["qlab-sso-refused"] = email
        st.session_state[NOTICE_KEY] = refusal
        return None
    signed = {"name": account["name"], "role": account["role"], "at": time.time()}
    st.session_state[SESSION_KEY] = signed
    return signed


def _from_cookie() -> dict | None:
    """A reloaded page: the browser's cookie names a token still in use, so it stays signed in."""
    try:
        token = st.context.cookies.get(browser_sessions.COOKIE)
    except Exception:  # no browser behind this run (a script or test harness): nothing to read
        return None
    try:
        name = browser_sessions.resume(deployment().engine, token, session_minutes())
    except Exception:  # the store is unreachable: the sign-in page opens, not a traceback
        return None
    if name is None:
        return None
    return {"name": name, "role": "", "at": time.time(), "token": token, "touched": time.time()}


def write_cookie() -> None:
    """After a sign-in, the page trades its one-time code at the server route for the cookie,
    which the route sets HttpOnly (ui/session_route.py): the page's scripts never hold the
    token. After a sign-out, the page asks the route to clear the cookie."""
    code = st.session_state.pop(COOKIE_KEY, None)
    if code is None or not re.fullmatch(r"[A-Za-z0-9_-]*", code):
        return  # codes are URL-safe random text made here, never anything a person typed
    base = re.sub(r"[^A-Za-z0-9/_.-]", "", st.get_option("server.baseUrlPath") or "")
    url = session_route.cookie_path(base).rstrip("/") + "/" + session_route.PATH
    call = (
        f"fetch('{url}', {{method: 'POST', body: '{code}', credentials: 'same-origin'}})"
        if code
        else f"fetch('{url}/end', {{method: 'POST', credentials: 'same-origin'}})"
    )
    st.html(f"<script>{call};</script>", unsafe_allow_javascript=True, width="content")


def _forget(notice: str | None) -> None:
    signed = st.session_state.pop(SESSION_KEY, None)
    if signed and signed.get("token"):
        browser_sessions.end(deployment().engine, signed["token"])
        st.session_state[COOKIE_KEY] = ""
    if notice:
        st.session_state[NOTICE_KEY] = notice
