"""Quotes as Explore shows them: shortened with "Read all", where each came from, and votes."""

from __future__ import annotations

import streamlit as st

from lab_app.core.audit import current_user
from lab_app.material.source_names import titled_sources
from lab_app.opinions import participation
from lab_app.ui import guard
from lab_app.ui.components import provenance, safe_markdown
from lab_app.ui.highlight import quote_markdown, shortened
from lab_app.ui.resources import workspace

KINDS = {"all": "All kinds", "evidence": "Evidence", "survey": "Survey", "contribution": "Posts"}
HIDDEN_NOTE = "withheld from participants"
PICK = "explore-pick-"  # a search result's "Select to move" box, staff only
ERROR = "explore-error"  # a refused vote, said once at the top of the page
VOTES = [("agree", 1, "Agree"), ("disagree", -1, "Disagree"), ("pass", 0, "Pass")]


@guard.action("explore.vote", "participant", "vote-")
def _cast(extract_id: str, value: int) -> None:
    # A callback runs before the page, so the counts drawn afterwards already include the vote.
    try:
        participation.vote(workspace().store.engine, current_user(), extract_id, value)
    except Exception as err:  # one line in the page, never a traceback
        st.session_state[ERROR] = str(err) or type(err).__name__


def tallies(engine, participant: str, ids: list[str]) -> tuple[dict, dict]:
    """Vote counts and this person's votes for these extracts: two queries for a whole view."""
    return participation.vote_counts(engine, ids), participation.votes_of(engine, participant, ids)


def quote(text: str, wanted: list[str] | None = None) -> None:
    """The words, cut to a readable length; the whole text one click away."""
    short = shortened(text)
    st.markdown(quote_markdown(short, wanted))
    if short != text:
        with st.expander("Read all"):
            st.markdown(quote_markdown(text, wanted))


def statements(
    engine,
    participant: str,
    rows: list[dict],
    themes_of: dict[str, str] | None = None,
    tally: tuple | None = None,
    pick: bool = False,
    wanted: list[str] | None = None,
    new: set[str] | None = None,
) -> None:
    """Each row as an anonymous quote with where it came from, then agree/disagree/pass; with
    `pick` (staff), a box to select it for moving; `wanted` words in bold; `new` ones marked."""
    counts, mine = tally or tallies(engine, participant, [row["extract_id"] for row in rows])
    titles = titled_sources(engine)
    for row in rows:
        extract_id = row["extract_id"]
        quote(row["text"], wanted)
        where = [provenance(row, titles), KINDS.get(row.get("kind"), row.get("kind") or "")]
        if themes_of and themes_of.get(extract_id):
            where.append(f"theme: {themes_of[extract_id]}")
        if row.get("hidden"):
            where.append(HIDDEN_NOTE)
        if new and extract_id in new:
            where.append("new since your last visit")
        st.caption(safe_markdown(" · ".join(part for part in where if part)))
        if pick:  # under its own quote, so it is clear which extract the box selects
            st.checkbox("Select to move", key=f"{PICK}{extract_id}")
        tally_of = counts[extract_id]
        # One row on a phone too (columns stack there: three full-width buttons a quote).
        with st.container(horizontal=True):
            for name, value, label in VOTES:
                st.button(
                    f"{label} · {tally_of[name]}",
                    key=f"vote-{name}-{extract_id}",
                    on_click=_cast,
                    args=(extract_id, value),
                    disabled=not participant,
                    type="primary" if mine.get(extract_id) == value else "secondary",
                    width="stretch",
                )
