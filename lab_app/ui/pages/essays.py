"""Essays: end-of-project drafts built from themed extracts (arrives later)."""

import streamlit as st

from lab_app.ui.components import coming_later

st.title("Essays")
coming_later(
    "Grounded essay drafts: pick themes, an audience and a length; every quote verbatim and "
    "traceable; editable sections with versions; export to Markdown, DOCX and HTML.",
    "the essay drafting work (issue 7)",
)
