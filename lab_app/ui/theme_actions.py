"""Theme curation from the Themes page: button callbacks that run before the rerun, so the
whole page already shows the result, and the one-line outcome shown after."""

from __future__ import annotations

import streamlit as st

from lab_app.core.audit import current_user
from lab_app.themes import views as theme_views
from lab_app.ui import guard
from lab_app.ui.components import safe_markdown, show_error

FLASH = "themes-flash"  # the outcome of the last curation action, shown once
VIEW_OF = "themes-view-of"  # the theme the curation inputs were last filled for
CURATION_INPUTS = ("themes-merge-others", "themes-move-extract", "themes-move-target",
                   "themes-exclude-extract", "themes-pin-extract")  # fmt: skip


def _curation():
    # curation brings scikit-learn (a split regroups), seconds to import: opening the page
    # should not wait for it, only the first action does.
    from lab_app.themes import curation

    return curation


@guard.action(
    "themes.curate", "staff", "themes-rename", "themes-describe", "themes-merge", "themes-split",
    "themes-move", "themes-exclude", "themes-pin", "themes-lock", "themes-undo",
)  # fmt: skip
def curate(engine, action, theme_id: str) -> None:
    """Run one action as a button callback; its outcome is shown once on the next run."""
    try:
        message = action(engine, theme_id)
    except Exception as err:  # any failure is one line on the page, never a traceback
        st.session_state[FLASH] = ("error", err)
        return
    st.session_state[FLASH] = ("success", message)
    st.session_state[VIEW_OF] = None  # refill the inputs from the changed theme
    for key in CURATION_INPUTS:
        st.session_state.pop(key, None)


def _picked(key: str, what: str) -> str:
    value = st.session_state.get(key)
    if not value:
        raise ValueError(f"choose {what} first")
    return value


def _label(engine, theme_id: str) -> str:
    return f"“{safe_markdown(theme_views.label_of(engine, theme_id))}”"


def _done(engine) -> str:
    """What the signed-in person just did, in words: themes by label, extracts by their text."""
    from lab_app.themes.undo import last_done

    return safe_markdown(last_done(engine, current_user()))


def rename(engine, theme_id: str) -> str:
    _curation().rename(engine, theme_id, st.session_state.get("themes-rename-text") or "")
    return _done(engine)


def describe(engine, theme_id: str) -> str:
    _curation().describe(engine, theme_id, st.session_state.get("themes-describe-text") or "")
    return f"Description of {_label(engine, theme_id)} saved."


def merge(engine, theme_id: str) -> str:
    others = st.session_state.get("themes-merge-others") or []
    if not others:
        raise ValueError("choose at least one theme to merge into this one")
    _curation().merge(engine, [*others, theme_id], into=theme_id)
    return _done(engine)


def split(engine, theme_id: str) -> str:
    parts = _curation().split(
        engine, theme_id, int(st.session_state.get("themes-split-parts") or 2)
    )
    return "Split into " + ", ".join(_label(engine, t) for t in parts) + "."


def move(engine, theme_id: str) -> str:
    extract_id = _picked("themes-move-extract", "an extract to move")
    target = _picked("themes-move-target", "the theme to move it to")
    _curation().move(engine, extract_id, target)
    return _done(engine)


def exclude(engine, theme_id: str) -> str:
    extract_id = _picked("themes-exclude-extract", "an extract to exclude")
    _curation().exclude(engine, extract_id)
    return _done(engine)


def pin(engine, theme_id: str) -> str:
    extract_id = _picked("themes-pin-extract", "an extract to pin")
    _curation().pin(engine, extract_id)
    return _done(engine)


def lock(engine, theme_id: str) -> str:
    _curation().lock(engine, theme_id, locked=True)
    return f"Locked {_label(engine, theme_id)}: its extracts stay as they are through rebuilds."


def unlock(engine, theme_id: str) -> str:
    _curation().lock(engine, theme_id, locked=False)
    return f"Unlocked {_label(engine, theme_id)}."


def undo(engine, _theme_id: str) -> str:
    return safe_markdown(_curation().undo(engine)["message"])


def flash() -> None:
    """The last action's outcome, shown once."""
    outcome = st.session_state.pop(FLASH, None)
    if outcome and outcome[0] == "success":
        st.success(outcome[1], icon="✅")
    elif outcome:
        show_error(outcome[1])
