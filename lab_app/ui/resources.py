"""Things made once per server process and shared by every page view: the deployment and
the workspace of each of its Labs."""

from __future__ import annotations

import gc

import streamlit as st

from lab_app.core.settings import Settings
from lab_app.network.registry import DEFAULT, Deployment
from lab_app.workspace import Workspace

# The Lab this browser session works in (ui/lab_switch.py); absent means QLAB_LAB or default.
LAB_KEY = "qlab-lab"


@st.cache_resource(show_spinner="Opening the workspace…")
def _open(home: str) -> Deployment:
    # Each Lab's workspace opens once and stays; the model inside loads on first use and then
    # stays for the process (embedder cache).
    return Deployment(Settings.from_env(home=home))


def deployment() -> Deployment:
    """The deployment (QLAB_HOME): its Labs, and the accounts every sign-in checks."""
    return _open(str(Settings.from_env().home))


def current_lab() -> str:
    """The slug of the Lab this session works in."""
    try:
        chosen = st.session_state.get(LAB_KEY)
    except Exception:  # no session (the server warming up): the deployment's first Lab
        chosen = None
    return chosen or Settings.from_env().lab or DEFAULT


def workspace() -> Workspace:
    """The workspace of the Lab this session works in (on a single-Lab deployment, the
    workspace itself), opened once per server process."""
    return deployment().workspace(current_lab())


def warm_up() -> None:
    """Open the workspace and load the model and the index at server start (`qlab serve`), so
    the first sign-in and the first search do not wait 5-15 s for them."""
    ws = workspace()
    ws.search("what people said", k=1)  # torch, the model, Chroma's files, the store
    # What is alive now lives as long as the process: the collector need not scan it again.
    # With torch and the model loaded, each full collection otherwise walks millions of objects.
    gc.freeze()
