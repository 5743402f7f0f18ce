"""Every state-changing action in the app runs through `action`: the signed-in account is read
again on the server when the callback runs, a refused action never calls the package, and the
audit trail names whoever clicked."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import streamlit as st

from lab_app.core.audit import act_as
from lab_app.ui import auth

REFUSALS = "qlab-refusals"  # the name of every action refused in this session, oldest first


@dataclass(frozen=True)
class Action:
    """A registered action: who may run it, and the keys of the buttons that run it (a key
    ending in "-" is a prefix, for buttons made per row)."""

    name: str
    role: str  # "staff", or "participant" for anyone signed in
    keys: tuple[str, ...]

    def runs_from(self, key: str) -> bool:
        return any(key == k or (k.endswith("-") and key.startswith(k)) for k in self.keys)


# Every action the app's buttons and forms run, by name (tests/ui/test_guard.py clicks each
# one as a participant and as nobody and holds every button in lab_app/ui to this registry).
ACTIONS: dict[str, Action] = {}

# Buttons that change nothing in the store, and why; any other button must run an action.
NOT_WRITING = {
    "signin-submit": "signing in, the one thing nobody may do (throttled: people/throttle.py)",
    "signin-sso": "hands over to the organisation's identity provider",
    "overview-theme-": "opens a theme",
    "map-open-theme": "opens a theme",
    "explore-open-": "opens a theme",
    "explore-more": "shows more of a theme's quotes",
    "explore-more-results": "shows more search results",
    "exports-download-": "downloads a file a checked action prepared",
    "essay-download-": "downloads a file a checked action prepared",
    "exchange-similar-": "looks up proposals, ideas and themes like a draft",
}


def action(name: str, role: str, *keys: str):
    """Register a button or form callback as the action `name`, for `role` ("staff", or
    "participant" meaning anyone signed in); the wrapped callback refuses anyone else."""
    if role not in ("staff", "participant"):
        raise ValueError(f"an action is for staff or participant, not {role!r}")

    def register(function):
        ACTIONS[name] = Action(name, role, keys)

        @functools.wraps(function)
        def checked(*args, **kwargs):
            user = permitted(role)
            if user is None:
                _refuse(name)
                return None
            act_as(user["name"])  # callbacks run before app.py names the account
            return function(*args, **kwargs)

        checked.qlab_action = name
        return checked

    return register


def permitted(role: str) -> dict | None:
    """The signed-in account, read again from the store now, if it may act in this role."""
    user = auth.current_account()
    if user is None or (role == "staff" and not auth.is_staff(user)):
        return None
    return user


def action_for(key: str) -> Action | None:
    """The action a button with this key runs (the longest matching key wins)."""
    found = [(len(k), a) for a in ACTIONS.values() for k in a.keys if a.runs_from(key)]
    return max(found, key=lambda pair: pair[0])[1] if found else None


def _refuse(name: str) -> None:
    """Say so at the top of the page (drawn from the callback, so before the page itself)."""
    if auth.current_account() is None:
        st.error("Sign in to do that: nothing was changed.", icon="⛔")
    else:
        st.error("Only Lab staff can do that: nothing was changed.", icon="⛔")
    st.session_state[REFUSALS] = [*st.session_state.get(REFUSALS, []), name]
