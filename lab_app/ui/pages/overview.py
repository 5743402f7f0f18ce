"""Overview: the Lab at a glance (filled in by the overview work)."""

import streamlit as st

st.title("Q Lab Workspace")
