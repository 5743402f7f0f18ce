"""Things made once per server process and shared by every page view: the workspace."""

from __future__ import annotations

import streamlit as st

from lab_app.core.settings import Settings
from lab_app.workspace import Workspace


@st.cache_resource(show_spinner="Opening the workspace…")
def _open(home: str) -> Workspace:
    # The model inside loads on first use and then stays for the process (embedder cache).
    return Workspace(Settings.from_env(home=home))


def workspace() -> Workspace:
    """The current workspace (QLAB_HOME), opened once per server process and home."""
    return _open(str(Settings.from_env().home))
