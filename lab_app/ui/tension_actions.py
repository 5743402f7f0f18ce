"""Tensions page actions: confirm, dismiss, recompute, each a staff action checked by guard."""

# guard.action reads the account again when the callback runs, whatever the page showed: a
# stale or forged click from a participant or a signed-out session is refused and changes
# nothing; an allowed one acts as whoever clicked (act_as), so current_user() names them.

from __future__ import annotations

import streamlit as st

from lab_app.core.audit import current_user
from lab_app.opinions import tensions
from lab_app.ui import guard
from lab_app.ui.resources import workspace

DONE, ERROR = "tensions-done", "tensions-error"


@guard.action("tensions.decide", "staff", "tension-confirm-", "tension-dismiss-")
def decide(identifier: str, status: str) -> None:
    try:
        tensions.decide(workspace().store.engine, identifier, status, current_user())
    except Exception as err:  # one line on the page, never a traceback
        st.session_state[ERROR] = str(err) or type(err).__name__
    else:
        st.session_state[DONE] = f"Tension {identifier} {status}."


@guard.action("tensions.recompute", "staff", "tensions-refresh")
def recompute() -> None:
    try:
        with st.spinner("Looking for tensions in votes, answers and text…"):
            result = tensions.refresh(workspace(), current_user())
    except Exception as err:
        st.session_state[ERROR] = str(err) or type(err).__name__
    else:
        st.session_state[DONE] = (
            f"Recomputed: {result['new']} new, {result['updated']} updated, "
            f"{result['unchanged']} unchanged."
        )
