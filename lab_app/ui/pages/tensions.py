"""Tensions: opinion groups and divisive statements from votes (arrives later)."""

import streamlit as st

from lab_app.ui.components import coming_later

st.title("Tensions")
coming_later(
    "Opinion groups computed from everyone's agree / disagree / pass votes, the statements "
    "that divide them, and each group's representative statements.",
    "the timeline, ideas and tensions work (issue 6)",
)
