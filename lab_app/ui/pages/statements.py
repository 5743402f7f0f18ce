"""Statements: short cards to agree, disagree or pass on, where you stand among the opinion
groups, proposals; staff also approve proposals and write or pick statements here."""

from __future__ import annotations

import streamlit as st

from lab_app.core.audit import current_user
from lab_app.opinions import group_views, participation, statements
from lab_app.opinions import groups as opinion_groups
from lab_app.ui import guard
from lab_app.ui.auth import is_staff, require_role
from lab_app.ui.components import safe_markdown, show_error, user_text
from lab_app.ui.resources import workspace

SHOWN = 10  # statements waiting for this person's vote, shown at once
LABELS = {1: "Agree", -1: "Disagree", 0: "Pass"}

user = require_role("participant")
me = user["name"]
ws = workspace()
engine = ws.store.engine

if flash := st.session_state.pop("statements-flash", None):
    kind, message = flash
    if kind == "ok":
        st.success(safe_markdown(message))
    else:
        show_error(ValueError(message))


def _outcome(change, done: str) -> None:
    """Run a change from a checked callback; its line (or its error) shows on the next run."""
    try:
        change()
    except ValueError as err:
        st.session_state["statements-flash"] = ("error", str(err))
    else:
        st.session_state["statements-flash"] = ("ok", done)


# Votes and proposals are the signed-in account's, read again by the guard: never a name
# from a widget.
@guard.action("statements.vote", "participant", "statements-vote-")
def cast_vote(statement_id: int, value: int) -> None:
    _outcome(lambda: statements.vote(engine, current_user(), statement_id, value), "Vote saved.")


@guard.action("statements.propose", "participant", "statements-propose-submit")
def propose() -> None:
    text = st.session_state.get("statements-propose-text", "")
    _outcome(
        lambda: statements.propose(engine, text, current_user()),
        "Thank you: staff read each proposal before it is open for votes.",
    )
    if st.session_state["statements-flash"][0] == "ok":  # a refused one keeps the words typed
        st.session_state["statements-propose-text"] = ""


@guard.action("statements.review", "staff", "statements-approve-", "statements-reject-")
def review(statement_id: int, approve: bool) -> None:
    done = "Approved: open for votes." if approve else "Turned down."
    _outcome(lambda: statements.review(engine, statement_id, approve, current_user()), done)


@guard.action("statements.write", "staff", "statements-write-submit")
def write() -> None:
    text = st.session_state.get("statements-write-text", "")
    extract = (st.session_state.get("statements-write-extract") or "").strip()
    who = current_user()
    if extract:
        _outcome(lambda: statements.from_extract(engine, extract, who, text), "Statement added.")
    else:
        _outcome(lambda: statements.write(engine, text, who), "Statement added.")


st.title("Statements")
st.caption(
    "Short statements to agree, disagree or pass on. Votes group people who think alike, as "
    "Pol.is does; nobody sees how you voted."
)

stand = group_views.where_you_stand(engine, me, opinion_groups.from_workspace(engine))
with st.container(border=True):
    st.markdown(f"**{safe_markdown(stand['sentence'])}**")
    if stand.get("text"):
        user_text(stand["text"], quote=True)

open_rows = statements.listing(engine, "approved")
mine = participation.votes_of(engine, me, [statements.vote_id(r["id"]) for r in open_rows])
waiting = [r for r in open_rows if statements.vote_id(r["id"]) not in mine]
st.subheader(f"Waiting for your vote ({len(waiting)})")
if not open_rows:
    st.info("No statements are open for votes yet.")
for row in waiting[:SHOWN]:
    with st.container(border=True):
        user_text(row["text"])
        with st.container(horizontal=True):  # one row on a phone too, where columns stack
            for value, label in LABELS.items():
                st.button(
                    label,
                    key=f"statements-vote-{row['id']}-{value}",
                    on_click=cast_vote,
                    args=(row["id"], value),
                )
if len(waiting) > SHOWN:
    st.caption(f"{len(waiting) - SHOWN} more come up as you vote on these.")
voted = [r for r in open_rows if statements.vote_id(r["id"]) in mine]
if voted:
    with st.expander(f"Your votes ({len(voted)})"):
        for row in voted:
            said = participation.VOTE_VALUES[mine[statements.vote_id(row["id"])]]
            st.markdown(f"**You {said}d**" if said != "pass" else "**You passed**")
            user_text(row["text"], quote=True)

st.subheader("Propose a statement")
with st.form("statements-propose"):
    st.text_input(
        "One idea people can agree or disagree with",
        key="statements-propose-text",
        max_chars=statements.MAX_STATEMENT_CHARS,
    )
    st.form_submit_button("Send for approval", key="statements-propose-submit", on_click=propose)

if is_staff(user):
    st.divider()
    st.subheader("Staff: proposals and new statements")
    proposals = statements.listing(engine, "pending")
    if not proposals:
        st.caption("No proposals wait for review.")
    for row in proposals:
        with st.container(border=True):
            user_text(row["text"])
            st.caption(safe_markdown(f"proposed by {row['proposed_by']}"))
            left, right = st.columns(2)
            left.button("Approve", key=f"statements-approve-{row['id']}", on_click=review,
                        args=(row["id"], True))  # fmt: skip
            right.button("Turn down", key=f"statements-reject-{row['id']}", on_click=review,
                         args=(row["id"], False))  # fmt: skip
    with st.form("statements-write"):
        st.text_input(
            "Statement (leave empty to take an extract's first sentences)",
            key="statements-write-text",
            max_chars=statements.MAX_STATEMENT_CHARS,
        )
        st.text_input(
            "…or pick it from an extract (its id, from search)", key="statements-write-extract"
        )
        st.form_submit_button("Add statement", key="statements-write-submit", on_click=write)
