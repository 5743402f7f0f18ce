"""The Overview's "New in the themes you follow": per followed theme, what arrived since the
reader last opened it, one click from its page on Explore."""

from __future__ import annotations

import streamlit as st

from lab_app.people import following
from lab_app.ui import cached
from lab_app.ui.components import open_theme_page, safe_markdown
from lab_app.ui.theme_index import visible_new


def section(engine, account: str, staff: bool) -> None:
    """Nothing for someone signed out; one line inviting a reader who follows nothing."""
    if not account:
        return
    st.subheader("New in the themes you follow")
    followed = following.followed(engine, account)
    if not followed:
        st.caption("You follow no themes yet: open Explore and press Follow beside a theme.")
        return
    rows = cached.themes(cached.store_key(engine), engine)["rows"]
    new = visible_new(engine, account, staff, followed)
    # Most news first: a reader with little time sees where things moved.
    for theme_id in sorted(followed, key=lambda t: (-len(new.get(t, [])), rows[t]["label"])):
        count = len(new.get(theme_id, []))
        label = safe_markdown(rows[theme_id]["label"])
        if st.button(label, key=f"overview-theme-new-{theme_id}", type="tertiary"):
            open_theme_page(theme_id, staff=False)  # Explore marks what is new and notes the visit
        st.caption(
            f"{count} new since your last visit" if count else "Nothing new since your last visit"
        )
