"""Explore: themes with anonymised quotes, search by meaning, votes and contributions."""

from __future__ import annotations

import streamlit as st

from lab_app.core.audit import current_user
from lab_app.opinions import participation
from lab_app.ui import cached, curate_selected, guard
from lab_app.ui.auth import current_account, current_name, is_staff
from lab_app.ui.components import provenance, safe_markdown, show_error, user_text
from lab_app.ui.resources import workspace

SEARCH_FIELDS = ("extract_id", "text", "source", "kind", "page", "row", "date")  # never person
KINDS = {"all": "All kinds", "evidence": "Evidence", "survey": "Survey", "contribution": "Posts"}
VIEWS = ["Themes", "Search", "One theme"]
THEME_FILTER_POOL = 50  # extracts searched before keeping a theme's: see the caption shown
SHOWN = 10
EXEMPLARS_SHOWN = 3  # quotes under each theme in the Themes view
THEMES_SHOWN = 8  # themes at a time in the Themes view
HIDDEN_NOTE = "withheld from participants"
PICK = "explore-pick-"  # a search result's "Select to move" box, staff only
FLASH = "explore-flash"  # the outcome of the last move or undo, shown once

st.title("Explore")

ws = workspace()
engine = ws.store.engine

# Who votes and contributes: the signed-in account, staff included; "" when nobody is.
participant = current_name()
staff = is_staff(current_account())

if error := st.session_state.pop("explore-error", None):
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


@guard.action("explore.vote", "participant", "vote-")
def _cast(extract_id: str, value: int) -> None:
    # A callback runs before the page, so the counts drawn afterwards already include the vote.
    try:
        participation.vote(engine, current_user(), extract_id, value)
    except Exception as err:  # one line in the page, never a traceback
        st.session_state["explore-error"] = str(err) or type(err).__name__


def visible(rows: list[dict]) -> list[dict]:
    """Participants get only the extracts shown to participants (consent and the answer about
    quoting); staff get every one, those participants do not see marked "hidden"."""
    return cached.marked(engine, rows, staff)


def tallies(ids: list[str]) -> tuple[dict, dict]:
    """Vote counts and this person's votes for these extracts: two queries for a whole view."""
    return participation.vote_counts(engine, ids), participation.votes_of(engine, participant, ids)


def statements(
    rows: list[dict],
    themes_of: dict[str, str] | None = None,
    tally: tuple | None = None,
    pick: bool = False,
) -> None:
    """Each row as an anonymous quote with where it came from, then agree/disagree/pass; with
    `pick` (staff), a box to select it for moving."""
    counts, mine = tally or tallies([row["extract_id"] for row in rows])
    for row in rows:
        extract_id = row["extract_id"]
        user_text(row["text"], quote=True)
        where = [provenance(row), KINDS.get(row.get("kind"), row.get("kind") or "")]
        if themes_of and themes_of.get(extract_id):
            where.append(f"theme: {themes_of[extract_id]}")
        if row.get("hidden"):
            where.append(HIDDEN_NOTE)
        st.caption(safe_markdown(" · ".join(part for part in where if part)))
        if pick:  # under its own quote, so it is clear which extract the box selects
            st.checkbox("Select to move", key=f"{PICK}{extract_id}")
        tally = counts[extract_id]
        columns = st.columns(3)
        for column, (name, value, label) in zip(
            columns,
            [("agree", 1, "Agree"), ("disagree", -1, "Disagree"), ("pass", 0, "Pass")],
            strict=True,
        ):
            column.button(
                f"{label} · {tally[name]}",
                key=f"vote-{name}-{extract_id}",
                on_click=_cast,
                args=(extract_id, value),
                disabled=not participant,
                type="primary" if mine.get(extract_id) == value else "secondary",
                use_container_width=True,
            )


def theme_header(row: dict, details: dict) -> None:
    st.subheader(safe_markdown(row["label"]))
    if described := descriptions.get(row["id"]):
        user_text(described)
    if staff and described != participant_descriptions.get(row["id"]):
        st.caption(
            "Participants see the key phrases instead: this description is the first sentence "
            "of an extract withheld from them."
        )
    area = f" · {row['area']}" if row.get("area") else ""
    st.caption(safe_markdown(f"{details.get('size', 0)} extracts{area}"))


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


def theme_block(theme_id: str, limit: int, tally: tuple | None = None) -> None:
    """A theme's header and its quotes: exemplars first (those still placed in the theme), then
    its most typical extracts, each only if this reader may see it."""
    row = theme_rows[theme_id]
    theme_header(row, row["details"] or {})
    rows = cached.theme_quotes(key, engine, theme_id, limit, staff)
    if rows:
        statements(rows, tally=tally)
    else:
        st.caption("No quotable extract stands for this theme yet.")


view = st.radio("Show", VIEWS, key="explore-view", horizontal=True, label_visibility="collapsed")

if view == "Themes":
    if not active:
        st.info("No themes yet: Lab staff find them on the Themes page.")
    # A few themes at a time: each brings some 30 elements to draw and send, and a page of
    # every theme (300 buttons) was the slowest view under a workshop's load.
    parts = [active[i : i + THEMES_SHOWN] for i in range(0, len(active), THEMES_SHOWN)]
    part = 0
    if len(parts) > 1:
        part = st.radio(
            f"Themes, {len(active)} in all",
            range(len(parts)),
            key="explore-themes-part",
            horizontal=True,
            format_func=lambda i: f"{i * THEMES_SHOWN + 1}–{i * THEMES_SHOWN + len(parts[i])}",
        )
    shown = parts[part] if parts else []
    quoted = [cached.theme_quotes(key, engine, t, EXEMPLARS_SHOWN, staff) for t in shown]
    tally = tallies([row["extract_id"] for rows in quoted for row in rows])
    for theme_id in shown:
        theme_block(theme_id, EXEMPLARS_SHOWN, tally)
        st.divider()

elif view == "Search":
    query = st.text_input(
        "Search by meaning",
        key="explore-query",
        placeholder="e.g. what stops people finding a peer group",
    )
    left, right = st.columns(2)
    kind = left.selectbox("Kind", list(KINDS), key="explore-kind", format_func=KINDS.get)
    theme = right.selectbox(
        "Theme",
        ["all", *active],
        key="explore-theme",
        format_func=lambda t: "All themes" if t == "all" else labels.get(t, t),
    )
    if query.strip():
        try:
            # Room for the answers participants may not see, and for the theme filter.
            k = THEME_FILTER_POOL if theme != "all" else SHOWN * 3
            hits = cached.search(key, ws, query.strip(), k, None if kind == "all" else kind)
        except Exception as err:
            show_error(err)
            hits = []
        else:
            problem = ws.index_problem()  # never an empty answer that only looks complete
            if problem:
                st.warning(f"Search may be missing results: {safe_markdown(problem)}")
        if theme != "all":
            hits = [h for h in hits if h["theme_id"] == theme]
            st.caption(
                f"The theme filter keeps the theme's extracts among the {THEME_FILTER_POOL} "
                "closest to your search, so less similar ones in the theme may not appear."
            )
        rows = [{key: hit[key] for key in SEARCH_FIELDS} for hit in hits]
        rows = visible(rows)[:SHOWN]
        if rows:
            statements(rows, {hit["extract_id"]: hit["theme_label"] for hit in hits}, pick=staff)
            if staff:  # the query and its results stay; only the outcome is new after an action
                picks = [f"{PICK}{row['extract_id']}" for row in rows]
                chosen = [key[len(PICK) :] for key in picks if st.session_state.get(key)]
                curate_selected.flash(FLASH)
                after = curate_selected.forgetting(*picks)
                curate_selected.move_panel(engine, "explore", chosen, labels, FLASH, after)
        else:
            st.info("Nothing found: try other words, or another kind or theme.")

else:
    if not active:
        st.info("No themes yet: Lab staff find them on the Themes page.")
    else:
        theme_id = st.selectbox(
            "Theme", active, key="explore-theme-page", format_func=lambda t: labels[t]
        )
        theme_block(theme_id, SHOWN)

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
