"""Ideas: proposals that emerge during the year, their status and supporters (arrives later)."""

import streamlit as st

from lab_app.ui.components import coming_later

st.title("Ideas")
coming_later(
    "Ideas as first-class items: where each came from, its linked themes and evidence, its "
    "status over time, supporters and comments, and candidate ideas suggested from "
    "contributions written as proposals.",
    "the timeline, ideas and tensions work (issue 6)",
)
