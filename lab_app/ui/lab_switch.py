"""The Lab switcher: the Lab this session works in, the person's role there, the sidebar select.

The role is read on the server on every run from the Lab's own store (network/members.py), so
every page's require_role and every guarded callback (ui/guard.py) holds a person to their role
in the Lab they are working in, whatever the browser sends.
"""

from __future__ import annotations

import streamlit as st

from lab_app.network import members
from lab_app.network.registry import DEFAULT
from lab_app.people import accounts
from lab_app.ui.components import safe_markdown
from lab_app.ui.resources import LAB_KEY, current_lab, deployment

SWITCH_KEY = "lab-switch"
# Session keys that outlive a switch: the sign-in, its notices and the guard's refusals (they
# all start "qlab-"); every page's own state belongs to the Lab it was made in.
KEPT_PREFIX = "qlab-"


def role_here(account: dict) -> str | None:
    """The account's role in this session's Lab; when it has none there, the session moves to
    the first Lab where it has one. None when it has a role nowhere."""
    role = _role(current_lab(), account)
    if role is not None:
        return role
    for membership in members.memberships(deployment(), account["name"]):
        st.session_state[LAB_KEY] = membership.lab.slug
        return membership.role
    return None


def has_a_role(account: dict) -> bool:
    """Whether the account has a role in any Lab of the deployment (checked at sign-in)."""
    return _role(DEFAULT, account) is not None or bool(
        members.memberships(deployment(), account["name"])
    )


def _role(slug: str, account: dict) -> str | None:
    if slug == DEFAULT:  # the account's own row holds its role in the default Lab
        return account["role"] if account["role"] in accounts.ROLES else None
    try:
        return members.role_in(deployment(), slug, account["name"])
    except ValueError:  # a Lab no longer registered
        return None


def several_labs() -> bool:
    return len(deployment().labs()) > 1


def sidebar(user: dict) -> None:
    """On a deployment of several Labs: the Lab this session works in, and a select of the
    Labs where the person has a role when there is more than one. Nothing on a single Lab."""
    if not several_labs():
        return
    mine = {m.lab.slug: m.lab.name for m in members.memberships(deployment(), user["name"])}
    here = current_lab()
    if len(mine) < 2:
        st.caption(f"Lab: **{safe_markdown(mine.get(here, here))}**")
        return
    st.session_state[SWITCH_KEY] = here  # the select shows the Lab the server says, always
    st.selectbox("Lab", list(mine), format_func=mine.get, key=SWITCH_KEY, on_change=_switch)


def _switch() -> None:
    """Work in the chosen Lab from this run on: the page state of the last Lab is dropped
    (its theme ids, selections and drafts mean nothing here); the role is read again."""
    chosen = st.session_state.get(SWITCH_KEY)
    for key in list(st.session_state):
        if not str(key).startswith(KEPT_PREFIX) and key != SWITCH_KEY:
            del st.session_state[key]
    st.session_state[LAB_KEY] = chosen
