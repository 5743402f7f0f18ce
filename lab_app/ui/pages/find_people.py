"""Find people: search the members who chose to be findable; set or stop your own profile."""

from __future__ import annotations

import streamlit as st

from lab_app.core.audit import current_user
from lab_app.people import finder
from lab_app.ui import cached, guard
from lab_app.ui.auth import require_role
from lab_app.ui.components import safe_markdown, show_error, user_text
from lab_app.ui.resources import workspace

LIMIT = 10  # people shown for a question

user = require_role("participant")
st.title("Find people")
ws = workspace()
engine = ws.store.engine

if flash := st.session_state.pop("finder-flash", None):
    kind, message = flash
    if kind == "ok":
        st.success(safe_markdown(message))
    else:
        show_error(ValueError(message))


def _outcome(change, done: str) -> None:
    """Run a change from a checked callback; its line (or its error) shows on the next run."""
    try:
        change()
    except (ValueError, PermissionError) as err:
        st.session_state["finder-flash"] = ("error", str(err))
    else:
        st.session_state["finder-flash"] = ("ok", done)


# Both actions change the profile of the account the guard has just read again, and no other:
# the page never passes an account name, so nobody can change someone else's profile here.
@guard.action("finder.save", "participant", "finder-save")
def save_profile() -> None:
    me = current_user()
    shown_as = st.session_state.get("finder-shown-as", "")
    expertise = st.session_state.get("finder-expertise", "")
    _outcome(
        lambda: finder.set_findable(ws, me, shown_as, expertise, who=me),
        "You are findable: others searching for what you know will see your profile.",
    )


@guard.action("finder.off", "participant", "finder-off")
def stop_findable() -> None:
    me = current_user()
    _outcome(
        lambda: finder.set_unfindable(engine, me, who=me),
        "You are no longer findable: your profile is deleted.",
    )


st.caption(
    "Members who chose to be findable, ranked by the line they wrote about their expertise, "
    "their contributions that everyone may read, and ideas they proposed or backed."
)
query = st.text_input(
    "Who knows about…", key="finder-query", placeholder="peer support in rural areas"
)
if query.strip():
    try:
        found = cached.find_people(cached.store_key(engine), ws, query, LIMIT)
    except ValueError as err:
        show_error(err)
        found = None
    if found == []:
        st.info("Nobody findable knows about that yet: try other words.")
    for person in found or []:
        with st.container(border=True):
            st.markdown(f"**{safe_markdown(person['shown_as'])}** · match {person['score']:.2f}")
            user_text(person["expertise"])
            for match in person["matches"]:
                if match["kind"] == "idea":
                    st.caption(f"Proposed idea {match['idea_id']}")
                else:
                    st.caption(f"Wrote{' on ' + match['date'] if match['date'] else ''}")
                user_text(match["text"], quote=True)

st.divider()
st.subheader("Be findable")
profile = finder.profile_of(engine, user["name"])
st.write(
    "Others see the name you choose here (never your sign-in name), your line of expertise, "
    "and up to three of your approved contributions or ideas that match what they searched "
    "for. Contributions you asked not to be shown or quoted are never used. Stop at any time: "
    "your profile is deleted."
)
with st.form("finder-profile"):
    st.text_input(
        "The name others see",
        value=profile["shown_as"] if profile else "",
        key="finder-shown-as",
        max_chars=finder.MAX_SHOWN_AS,
    )
    st.text_area(
        "Your expertise, in a line or two",
        value=profile["expertise"] if profile else "",
        key="finder-expertise",
        max_chars=finder.MAX_EXPERTISE,
        placeholder="Running a peer support group in a rural area",
    )
    label = "Save my profile" if profile else "Be findable"
    st.form_submit_button(label, key="finder-save", on_click=save_profile)
st.caption("You are findable." if profile else "You are not findable.")
st.button("Stop being findable", key="finder-off", on_click=stop_findable)
