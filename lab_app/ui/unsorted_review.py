"""The Themes page's Unsorted list: what fits no theme, said plainly and reviewed in place
(move several to a theme, or keep them out of every theme). Staff only."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lab_app.themes.unsorted import fit_none
from lab_app.ui import curate_selected

HEADING = "Unsorted: material that fits no theme"
PICK_GENERATION = "unsorted-pick-generation"  # bumped after an action: a fresh, empty selection


def pick_key() -> str:
    """The key of the Unsorted table (tests set its selection)."""
    return f"unsorted-pick-{st.session_state.get(PICK_GENERATION, 0)}"


def unsorted_panel(engine, rows: list[dict], labels: dict[str, str], flash_key) -> None:
    """`rows` are the Unsorted extracts (themes/unsorted.py), `labels` the active themes they
    may move to (id -> label). Says nothing when nothing is Unsorted."""
    if not rows:
        return
    st.markdown(
        f"**{fit_none(len(rows))}: review under Unsorted.** A rebuild leaves material here when "
        "it is close to no theme, rather than forcing it into one."
    )
    # The expander's label never changes, so it stays open (or shut) across an action.
    with st.expander(HEADING):
        key = pick_key()
        st.dataframe(
            pd.DataFrame(
                {
                    "Extract": [row["text"] for row in rows],
                    "Kind": [row["kind"] for row in rows],
                    "Source": [row["source"] for row in rows],
                }
            ),
            hide_index=True,
            key=key,
            on_select="rerun",
            selection_mode="multi-row",
            height=min(400, 40 + 35 * len(rows)),
            column_config={
                "Extract": st.column_config.TextColumn(width="large"),
                "Kind": st.column_config.TextColumn(width="small"),
            },
        )
        picked = (st.session_state.get(key) or {}).get("selection", {}).get("rows", [])
        chosen = [rows[r]["id"] for r in picked if r < len(rows)]
        st.caption(
            "Tick rows (shift-click for a run), then move them to the theme they belong in, or "
            "keep them out of every theme when they are not about the Lab's question."
        )
        after = curate_selected.renewing(PICK_GENERATION)
        curate_selected.move_panel(engine, "unsorted", chosen, labels, flash_key, after)
        st.button(
            "Keep selected out of every theme" + (f" ({len(chosen):,})" if chosen else ""),
            key="unsorted-exclude-selected",
            on_click=curate_selected.exclude_selected,
            args=(engine, chosen, flash_key, after),
            disabled=not chosen,
            help="Excluded extracts stay stored and searchable; no rebuild places them",
        )
