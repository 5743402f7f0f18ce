"""Tensions page actions: confirm, dismiss, recompute. Each callback checks the staff role on
the server when it runs, whatever the page showed: a stale or forged click from a participant
or a signed-out session is refused and changes nothing."""

from __future__ import annotations

import streamlit as st

from lab_app.opinions import tensions
from lab_app.ui.auth import current_account, is_staff
from lab_app.ui.resources import workspace

DONE, ERROR = "tensions-done", "tensions-error"
REFUSED = "Only Lab staff can confirm, dismiss or recompute tensions: sign in as staff."


def _staff_name() -> str | None:
    user = current_account()
    if not is_staff(user):
        st.session_state[ERROR] = REFUSED
        return None
    return user["name"]


def decide(identifier: str, status: str) -> None:
    who = _staff_name()
    if who is None:
        return
    try:
        tensions.decide(workspace().store.engine, identifier, status, who)
    except Exception as err:  # one line on the page, never a traceback
        st.session_state[ERROR] = str(err) or type(err).__name__
    else:
        st.session_state[DONE] = f"Tension {identifier} {status}."


def recompute() -> None:
    who = _staff_name()
    if who is None:
        return
    try:
        result = tensions.refresh(workspace(), who)
    except Exception as err:
        st.session_state[ERROR] = str(err) or type(err).__name__
    else:
        st.session_state[DONE] = (
            f"Recomputed: {result['new']} new, {result['updated']} updated, "
            f"{result['unchanged']} unchanged."
        )
