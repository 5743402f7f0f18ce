"""Contributions (staff): approve participants' contributions into the workspace, or reject them."""

from __future__ import annotations

import streamlit as st

from lab_app.core.audit import current_user
from lab_app.opinions import participation
from lab_app.ui import guard
from lab_app.ui.auth import require_role
from lab_app.ui.components import safe_markdown, show_error, user_text
from lab_app.ui.resources import workspace

require_role("staff")  # checked on the server, whatever route reached this page

st.title("Contributions")
st.caption(
    "Contributions sent from the Explore page wait here. Approving one adds it to the workspace "
    "like any contribution export: identifiers are replaced, then it is searchable at once and "
    "joins a theme at the next theme build. Rejected ones never reach the store."
)

ws = workspace()

# Decisions are made, then the page runs again, so the list never shows a decided item.
if done := st.session_state.pop("contrib-done", None):
    kind, message = done
    (st.success if kind == "ok" else st.warning)(message)
if error := st.session_state.pop("contrib-error", None):
    show_error(ValueError(error))


def _approved_message(pending_id: int, outcome) -> tuple[str, str]:
    if outcome.status == "refused":
        return "warn", f"Contribution {pending_id} was not added: {outcome.reason}"
    message = (
        f"Contribution {pending_id} approved as {participation.contribution_id(pending_id)}: "
        f"{outcome.path} {outcome.status}, {outcome.extracts} extracts from the app in all."
    )
    if outcome.redactions:
        found = ", ".join(f"{n} {label}" for label, n in sorted(outcome.redactions.items()))
        message += f" Identifiers replaced in that file: {found}."
    for warning in outcome.warnings:
        message += f" Note: {warning}."
    return "ok", message


@guard.action("contributions.approve", "staff", "contrib-approve-")
def approve(pending_id: int) -> None:
    try:
        with st.spinner("Adding it to the workspace…"):
            outcome = participation.approve(ws, pending_id, current_user())
    except Exception as err:  # one line in the page, never a traceback
        st.session_state["contrib-error"] = str(err) or type(err).__name__
    else:
        st.session_state["contrib-done"] = _approved_message(pending_id, outcome)


@guard.action("contributions.reject", "staff", "contrib-reject-")
def reject(pending_id: int) -> None:
    try:
        participation.reject(ws.store.engine, pending_id, current_user())
    except Exception as err:
        st.session_state["contrib-error"] = str(err) or type(err).__name__
    else:
        st.session_state["contrib-done"] = ("ok", f"Contribution {pending_id} rejected.")


try:
    waiting = participation.pending(ws.store.engine)
except Exception as err:
    show_error(err)
    st.stop()

if not waiting:
    st.info("No contribution is waiting for review.")
for item in waiting:
    pending_id = item["id"]
    with st.container(border=True):
        heading = f"**{safe_markdown(item['author'])}** · {item['date'] or ''}"
        if item.get("thread"):
            heading += f" · thread: {safe_markdown(item['thread'])}"
        st.markdown(heading)
        user_text(item["text"])
        approve_col, reject_col, _ = st.columns([1, 1, 4])
        approve_col.button(
            "Approve", key=f"contrib-approve-{pending_id}", type="primary",
            on_click=approve, args=(pending_id,),
        )  # fmt: skip
        reject_col.button(
            "Reject", key=f"contrib-reject-{pending_id}", on_click=reject, args=(pending_id,)
        )
