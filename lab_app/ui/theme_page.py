"""One theme on Explore: its header, what is new since the reader's last visit, and its quotes
by kind, a page at a time with "Show more"."""

from __future__ import annotations

import streamlit as st

from lab_app.people import following
from lab_app.ui import cached
from lab_app.ui.components import safe_markdown, user_text
from lab_app.ui.quotes import KINDS, statements
from lab_app.ui.theme_index import follow_button, visible_new

PAGE = 10  # quotes a "Show more" adds
SHOWN = "explore-shown"  # {theme id: quotes shown} for this browser
KIND = "explore-theme-kind"
VISITED = "explore-visited"  # {theme id: extract ids new at this browser's visit}
EVERY = 10**6  # all of a theme's quotes: one cached read, sliced for each page


def new_at_visit(engine, account: str, staff: bool, theme_id: str) -> set[str]:
    """What was new when this browser opened the theme; the visit is recorded once, so reruns
    (a vote, "Show more") keep showing the same extracts as new."""
    visited = st.session_state.setdefault(VISITED, {})
    if theme_id not in visited:
        new = visible_new(engine, account, staff, [theme_id]) if account else {}
        visited[theme_id] = new.get(theme_id, [])
        if account:
            following.record_visit(engine, account, theme_id)
    return set(visited[theme_id])


def header(row: dict, description: str, staff_note: bool, size: int) -> None:
    st.subheader(safe_markdown(row["label"]))
    if description:
        user_text(description)
    if staff_note:
        st.caption(
            "Participants see the key phrases instead: this description is the first sentence "
            "of an extract withheld from them."
        )
    area = f" · {row['area']}" if row.get("area") else ""
    st.caption(safe_markdown(f"{size:,} extracts{area}"))


def show(engine, key: str, theme_id: str, row: dict, texts: dict, account: str, staff: bool):
    """The theme page; `texts` holds its "description", "staff_note" (staff see a description
    participants do not) and live "size"."""
    rows = cached.theme_quotes(key, engine, theme_id, EVERY, staff)
    top, action = st.columns([5, 1], vertical_alignment="bottom")
    with top:
        header(row, texts["description"], texts["staff_note"], texts["size"])
    followed = set(following.followed(engine, account)) if account else set()
    with action:
        follow_button(theme_id, followed, account)
    new = new_at_visit(engine, account, staff, theme_id)
    if account and new:
        st.info(f"{len(new)} new since your last visit: marked below, newest material first.")
    elif account:
        st.caption("Nothing new since your last visit.")
    if not rows:
        st.caption("No quotable extract stands for this theme yet.")
        return
    quotes(engine, account, theme_id, rows, new)


def quotes(engine, account: str, theme_id: str, rows: list[dict], new: set[str]) -> None:
    """A page of the theme's quotes (new ones first, then the most typical), under a heading
    per kind, then "Show more"."""
    counts = {k: sum(1 for r in rows if r.get("kind") == k) for k in KINDS if k != "all"}
    options = ["all"] + [k for k, n in counts.items() if n]
    kind = st.radio(
        "Kind",
        options,
        key=f"{KIND}-{theme_id}",  # each theme has its own kinds
        horizontal=True,
        format_func=lambda k: f"{KINDS[k]} ({len(rows) if k == 'all' else counts[k]})",
    )
    chosen = [r for r in rows if kind == "all" or r.get("kind") == kind]
    chosen.sort(key=lambda r: r["extract_id"] not in new)  # stable: typical order kept
    limit = st.session_state.get(SHOWN, {}).get(theme_id, PAGE)
    page = chosen[:limit]
    # The kinds holding something new come first, so "newest material first" holds on screen.
    fresh = {r.get("kind") for r in page if r["extract_id"] in new}
    kinds = sorted((k for k in KINDS if k != "all"), key=lambda k: k not in fresh)
    for each in kinds:
        group = [r for r in page if r.get("kind") == each]
        if group:
            st.markdown(f"**{KINDS[each]}** · {len(group)} of {counts[each]}")
            statements(engine, account, group, new=new)
    st.caption(f"Showing {len(page)} of {len(chosen)} quotes.")
    if len(chosen) > len(page) and st.button("Show more", key="explore-more"):
        st.session_state.setdefault(SHOWN, {})[theme_id] = limit + PAGE
        st.rerun()
