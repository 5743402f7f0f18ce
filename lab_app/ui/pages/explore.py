"""Explore: an index of themes by area, a page per theme, search with filters, votes and
contributions."""

from __future__ import annotations

import streamlit as st

from lab_app.core.audit import current_user
from lab_app.opinions import participation
from lab_app.ui import cached, explore_search, guard, theme_index, theme_page
from lab_app.ui.auth import current_account, current_name, is_staff
from lab_app.ui.components import safe_markdown, show_error
from lab_app.ui.quotes import ERROR, HIDDEN_NOTE
from lab_app.ui.resources import workspace

VIEWS = ["Themes", "Search", "One theme"]

st.title("Explore")

ws = workspace()
engine = ws.store.engine

# Who votes and contributes: the signed-in account, staff included; "" when nobody is.
participant = current_name()
staff = is_staff(current_account())

if error := st.session_state.pop(ERROR, None):
    show_error(ValueError(error))
if participant:
    st.caption(
        f"Your votes and contributions are kept under your account name, "
        f"**{safe_markdown(participant)}**. Lab staff see it; it is never shown beside a quote."
    )
else:
    st.caption("Sign in to vote and to contribute.")
if staff:
    st.caption(
        f"As staff you also see extracts participants do not: each is marked “{HIDDEN_NOTE}”."
    )


def visible(rows: list[dict]) -> list[dict]:
    """Participants get only the extracts shown to participants (consent and the answer about
    quoting); staff get every one, those participants do not see marked "hidden"."""
    return cached.marked(engine, rows, staff)


try:
    # Themes, descriptions and quotes change only with the store: read once per change.
    key = cached.store_key(engine)
    known = cached.themes(key, engine)
except Exception as err:
    show_error(err)
    st.stop()
active, theme_rows = known["active"], known["rows"]
labels = {t: theme_rows[t]["label"] for t in active}
# A built description is a participant's own sentence: participants may not always see it.
participant_descriptions = cached.descriptions(key, engine, True)
descriptions = cached.descriptions(key, engine, False) if staff else participant_descriptions

# The Overview and the Map open a theme here (participants have no Themes page).
if (opened := st.session_state.pop("explore-open-theme", None)) in active:
    st.session_state["explore-view"] = "One theme"
    st.session_state["explore-theme-page"] = opened


view = st.radio("Show", VIEWS, key="explore-view", horizontal=True, label_visibility="collapsed")

if view == "Themes":
    rows = cached.theme_index(key, engine)
    theme_index.show(engine, rows, descriptions, participant, staff)
elif view == "Search":
    explore_search.show(ws, key, labels, active, participant, staff, visible)
elif not active:
    st.info("No themes yet: Lab staff find them on the Themes page.")
else:
    theme_id = st.selectbox(
        "Theme", active, key="explore-theme-page", format_func=lambda t: labels[t]
    )
    size = {row["id"]: row["size"] for row in cached.theme_index(key, engine)}
    texts = {
        "description": descriptions.get(theme_id, ""),
        "staff_note": staff
        and descriptions.get(theme_id) != participant_descriptions.get(theme_id),
        "size": size.get(theme_id, 0),
    }
    theme_page.show(engine, key, theme_id, theme_rows[theme_id], texts, participant, staff)

st.divider()
st.subheader("Add your contribution")
st.caption("Staff read each contribution before it joins the workspace.")
if st.session_state.pop("explore-sent", False):
    # Emptied only after a successful send, so a refused one keeps the words typed.
    st.session_state["explore-contribution-text"] = ""
    st.session_state["explore-contribution-thread"] = ""
    st.success("Thank you: your contribution waits for staff approval before others see it.")


@guard.action("explore.contribute", "participant", "explore-contribution-submit")
def _contribute() -> None:
    text = st.session_state.get("explore-contribution-text", "")
    thread = st.session_state.get("explore-contribution-thread") or None
    try:
        participation.submit_contribution(engine, current_user(), text, thread)
    except Exception as err:  # one line in the page, never a traceback; the words stay typed
        st.session_state["explore-error"] = str(err) or type(err).__name__
    else:
        st.session_state["explore-sent"] = True


with st.form("explore-contribute"):
    st.text_area(
        "Your contribution",
        key="explore-contribution-text",
        max_chars=participation.MAX_CONTRIBUTION_CHARS,
    )
    st.text_input("Thread (optional)", key="explore-contribution-thread")
    st.form_submit_button(
        "Send for approval", key="explore-contribution-submit", on_click=_contribute
    )
