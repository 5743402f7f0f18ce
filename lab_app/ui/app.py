"""Entry point: one st.navigation listing every page, staff pages in their own section."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).parent / "pages"

st.set_page_config(page_title="Q Lab Workspace", page_icon="🧭", layout="wide")

everyone = [
    st.Page(PAGES / "overview.py", title="Overview", icon="🏠", default=True),
    st.Page(PAGES / "explore.py", title="Explore", icon="🔎"),
    st.Page(PAGES / "map.py", title="Map", icon="🗺️"),
    st.Page(PAGES / "timeline.py", title="Timeline", icon="📅"),
    st.Page(PAGES / "ideas.py", title="Ideas", icon="💡"),
    st.Page(PAGES / "tensions.py", title="Tensions", icon="⚖️"),
]
staff = [
    st.Page(PAGES / "sources.py", title="Sources (staff)", icon="📥"),
    st.Page(PAGES / "themes.py", title="Themes (staff)", icon="🧩"),
    st.Page(PAGES / "contributions.py", title="Contributions (staff)", icon="✉️"),
    st.Page(PAGES / "essays.py", title="Essays (staff)", icon="📝"),
]
st.navigation({"The Lab": everyone, "Staff": staff}).run()
