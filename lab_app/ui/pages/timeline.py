"""Timeline: the Lab's phases and events, and how themes grew and faded (arrives later)."""

import streamlit as st

from lab_app.ui.components import coming_later

st.title("Timeline")
coming_later(
    "The Lab's phases and dated events, theme volumes over time, what emerged or faded in "
    "each phase, and a 'what changed since…' summary.",
    "the timeline, ideas and tensions work (issue 6)",
)
