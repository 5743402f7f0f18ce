"""What `qlab serve` runs: the app (app.py) plus the route that sets the HttpOnly sign-in cookie.

`streamlit run` finds `app` below (an st.App) and serves it with uvicorn; the pages are exactly
those of app.py. Run app.py directly and everything works except that a reload signs out."""

from __future__ import annotations

import streamlit as st
from streamlit import config

from lab_app.ui import session_route

app = st.App("app.py", routes=session_route.routes(config.get_option("server.baseUrlPath")))
