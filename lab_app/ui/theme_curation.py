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

    left, right = st.columns(2)
    with left:
        st.text_input("Name", key="themes-rename-text")
        st.button(
            "Rename",
            key="themes-rename",
            on_click=actions.curate,
            args=(engine, actions.rename, selected),
        )
        st.text_area("Description", key="themes-describe-text", height=100)
        st.button("Save description", key="themes-describe", on_click=actions.curate,
                  args=(engine, actions.describe, selected))  # fmt: skip
        st.multiselect(
            "Merge these themes into this one",
            others,
            key="themes-merge-others",
            format_func=lambda t: f"{active[t]['label']} ({t})",
        )
        st.button(
            "Merge",
            key="themes-merge",
            on_click=actions.curate,
            args=(engine, actions.merge, selected),
        )
        st.number_input("Split into parts", 2, 8, 2, step=1, key="themes-split-parts")
        st.button(
            "Split",
            key="themes-split",
            on_click=actions.curate,
            args=(engine, actions.split, selected),
        )
    with right:
        st.selectbox(
            "Move an extract",
            misfits,
            key="themes-move-extract",
            index=None,
            format_func=text_of.get,
            placeholder="Least typical first",
        )
        st.selectbox(
            "to theme",
            others,
            key="themes-move-target",
            index=None,
            placeholder="Choose a theme",
            format_func=lambda t: f"{active[t]['label']} ({t})",
        )
        st.button(
            "Move",
            key="themes-move",
            on_click=actions.curate,
            args=(engine, actions.move, selected),
        )
        st.selectbox(
            "Exclude an extract from every theme",
            misfits,
            key="themes-exclude-extract",
            index=None,
            format_func=text_of.get,
            placeholder="Least typical first",
        )
        st.button(
            "Exclude",
            key="themes-exclude",
            on_click=actions.curate,
            args=(engine, actions.exclude, selected),
        )
        st.selectbox(
            "Pin an extract as an exemplar",
            typical,
            key="themes-pin-extract",
            index=None,
            format_func=lambda e: ("📌 " if e in pinned else "") + text_of[e],
            placeholder="Most typical first",
        )
        st.button(
            "Pin", key="themes-pin", on_click=actions.curate, args=(engine, actions.pin, selected)
        )
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
        "Undo last action",
        key="themes-undo",
        on_click=actions.curate,
        args=(engine, actions.undo, selected),
        help="Reverses the last curation action by anyone",
    )
    st.caption("Every action is in the audit trail under your name and is kept through rebuilds.")
