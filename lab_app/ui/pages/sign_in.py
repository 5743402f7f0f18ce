"""Sign in: name and password, or the organisation's identity provider when one is set up."""

from __future__ import annotations

import time

import streamlit as st

from lab_app.people.accounts import DEMO_ACCOUNTS_FILE
from lab_app.ui import auth
from lab_app.ui.components import show_error
from lab_app.ui.resources import workspace

MAX_FAILURES = 5  # per browser session, then a pause before the next try
PAUSE_SECONDS = 30

st.title("Sign in")
st.write("Q Lab Workspace is for the Lab's staff and participants. Sign in to continue.")

if notice := st.session_state.pop(auth.NOTICE_KEY, None):
    st.info(notice)

if auth.sso_configured():
    if st.button("Sign in with your organisation", key="signin-sso", type="primary"):
        st.login()
    st.caption("Or use a Lab account:")

with st.form("signin-form"):
    name = st.text_input("Name", key="signin-name")
    password = st.text_input("Password", type="password", key="signin-password")
    submitted = st.form_submit_button("Sign in", key="signin-submit")

if submitted:
    failures = st.session_state.get("signin-failures", 0)
    paused_until = st.session_state.get("signin-paused-until", 0.0)
    if time.time() < paused_until:
        show_error(ValueError("Too many failed attempts: wait half a minute, then try again."))
    else:
        try:
            account = auth.sign_in(name, password)
        except Exception as err:  # the store may be unreachable: one line, never a traceback
            show_error(err)
            account = None
        else:
            if account is None:
                failures += 1
                st.session_state["signin-failures"] = failures
                if failures >= MAX_FAILURES:
                    st.session_state["signin-failures"] = 0
                    st.session_state["signin-paused-until"] = time.time() + PAUSE_SECONDS
                show_error(ValueError("Name or password not recognised, or the account is off."))
        if account is not None:
            st.session_state.pop("signin-failures", None)
            st.rerun()

demo_file = workspace().settings.home / DEMO_ACCOUNTS_FILE
if demo_file.exists():
    st.caption(
        f"Trying the demo Lab? `qlab demo` made a staff and a participant account; their "
        f"passwords are in the file {DEMO_ACCOUNTS_FILE} in the workspace folder "
        "(printed by `qlab demo` too)."
    )
else:
    st.caption("No account yet? Lab staff create them (`qlab users add NAME --role ROLE`).")
