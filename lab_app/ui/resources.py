"""Things made once per server process and shared by every page view: the workspace."""

from __future__ import annotations

import gc

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


def warm_up() -> None:
    """Open the workspace and load the model and the index at server start (`qlab serve`), so
    the first sign-in and the first search do not wait 5-15 s for them."""
    ws = workspace()
    ws.search("what people said", k=1)  # torch, the model, Chroma's files, the store
    # What is alive now lives as long as the process: the collector need not scan it again.
    # With torch and the model loaded, each full collection otherwise walks millions of objects.
    gc.freeze()
