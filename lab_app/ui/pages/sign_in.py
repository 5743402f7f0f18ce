"""Sign in: name and password, or the organisation's identity provider when one is set up."""

from __future__ import annotations

import streamlit as st

from lab_app.people.accounts import DEMO_ACCOUNTS_FILE
from lab_app.ui import auth
from lab_app.ui.components import safe_markdown, show_error
from lab_app.ui.resources import workspace

st.title("Sign in")
st.write("Q Lab Workspace is for the Lab's staff and participants. Sign in to continue.")

if notice := st.session_state.pop(auth.NOTICE_KEY, None):
    st.info(safe_markdown(notice))

if auth.sso_configured():
    if st.button("Sign in with your organisation", key="signin-sso", type="primary"):
        st.login()
    st.caption("Or use a Lab account:")

with st.form("signin-form"):
    name = st.text_input("Name", key="signin-name")
    password = st.text_input("Password", type="password", key="signin-password")
    submitted = st.form_submit_button("Sign in", key="signin-submit")

if submitted:
    # Failed sign-ins are counted in the store per account name and per address, so the pause
    # holds across reloads and new sessions (people/throttle.py).
    try:
        attempt = auth.sign_in(name, password)
    except Exception as err:  # the store may be unreachable: one line, never a traceback
        show_error(err)
    else:
        if attempt.account is None:
            show_error(ValueError(attempt.message()))
        else:
            st.rerun()

demo_file = workspace().settings.home / DEMO_ACCOUNTS_FILE
if demo_file.exists():
    st.caption(
        f"Trying the demo Lab? `qlab demo` made a staff and a participant account; their "
        f"passwords are in the file {DEMO_ACCOUNTS_FILE} in the workspace folder "
        "(printed by `qlab demo` too)."
    )
else:
    st.caption("No account yet? Lab staff create them (`qlab users add NAME`).")
