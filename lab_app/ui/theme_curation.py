"""The Themes page's Curate tab: the inputs and buttons that rename, merge, split, move, pin."""

from __future__ import annotations

import streamlit as st

from lab_app.ui import theme_actions as actions

PICKER_LIMIT = 1000  # extracts offered in one picker: more makes every page run slower


def curation_form(engine, theme: dict, active: dict[str, dict], selected: str) -> None:
    """Draw the curation inputs for the open theme; each button runs one theme_actions action."""
    others = [t for t in active if t != selected]
    members = theme["members"]
    text_of = {m["id"]: f"{m['text']} ({m['kind']})" for m in members}
    pinned = {m["id"] for m in members if m["pinned"]}
    # Least typical first where staff look for misfits, most typical first for exemplars.
    misfits = [m["id"] for m in reversed(members)][:PICKER_LIMIT]
    typical = [m["id"] for m in members][:PICKER_LIMIT]
    if len(members) > PICKER_LIMIT:
        st.caption(f"Extract pickers list {PICKER_LIMIT:,} of this theme's {len(members):,}.")

    def act(label: str, key: str, action) -> None:
        st.button(label, key=key, on_click=actions.curate, args=(engine, action, selected))

    def pick_extract(label: str, options: list[str], key: str, placeholder: str, show) -> None:
        st.selectbox(label, options, key=key, index=None, format_func=show, placeholder=placeholder)

    def with_pin(extract_id: str) -> str:
        return ("📌 " if extract_id in pinned else "") + text_of[extract_id]

    def theme_name(theme_id: str) -> str:
        return active[theme_id]["label"]

    left, right = st.columns(2)
    with left:
        st.text_input("Name", key="themes-rename-text")
        act("Rename", "themes-rename", actions.rename)
        st.text_area("Description", key="themes-describe-text", height=100)
        act("Save description", "themes-describe", actions.describe)
        st.multiselect(
            "Merge these themes into this one",
            others,
            key="themes-merge-others",
            format_func=theme_name,
        )
        act("Merge", "themes-merge", actions.merge)
        st.number_input("Split into parts", 2, 8, 2, step=1, key="themes-split-parts")
        act("Split", "themes-split", actions.split)
    with right:
        pick_extract(
            "Move an extract", misfits, "themes-move-extract", "Least typical first", text_of.get
        )
        st.selectbox(
            "to theme",
            others,
            key="themes-move-target",
            index=None,
            placeholder="Choose a theme",
            format_func=theme_name,
        )
        act("Move", "themes-move", actions.move)
        pick_extract(
            "Exclude an extract from every theme",
            misfits,
            "themes-exclude-extract",
            "Least typical first",
            text_of.get,
        )
        act("Exclude", "themes-exclude", actions.exclude)
        pick_extract(
            "Pin an extract as an exemplar",
            typical,
            "themes-pin-extract",
            "Most typical first",
            with_pin,
        )
        act("Pin", "themes-pin", actions.pin)
    st.divider()
    lock_col, undo_col = st.columns(2)
    lock_col.button(
        "Unlock theme" if theme["locked"] else "Lock theme",
        key="themes-lock",
        on_click=actions.curate,
        args=(engine, actions.unlock if theme["locked"] else actions.lock, selected),
        help="A locked theme keeps exactly its extracts through every rebuild",
    )
    undo_col.button(
        "Undo my last change",
        key="themes-undo",
        on_click=actions.curate,
        args=(engine, actions.undo, selected),
        help="Reverses your own last curation action, never someone else's",
    )
    st.caption("Every action is in the audit trail under your name and is kept through rebuilds.")
