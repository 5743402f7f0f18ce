"""The Timeline page's staff tools: add and remove events, set the phases; each a checked action."""

from __future__ import annotations

import streamlit as st

from lab_app.core.audit import current_user
from lab_app.ui import guard
from lab_app.ui.components import safe_markdown
from lab_app.ui.resources import workspace
from lab_app.year import timeline

FLASH = "timeline-flash"  # ("ok" | "error", line) shown once by the page


def _outcome(change, done: str) -> None:
    """Run a change; its outcome is one line on the next run, never a traceback."""
    try:
        change()
    except Exception as err:
        st.session_state[FLASH] = ("error", str(err) or type(err).__name__)
    else:
        st.session_state[FLASH] = ("ok", done)


@guard.action("timeline.add_event", "staff", "timeline-event-add")
def add_event() -> None:
    state = st.session_state
    day = state.get("timeline-event-date")

    def change() -> None:
        timeline.add_event(
            workspace().store.engine,
            day.isoformat() if day else "",
            state.get("timeline-event-title", ""),
            current_user(),
            state.get("timeline-event-kind", "event"),
            state.get("timeline-event-place", ""),
            state.get("timeline-event-description", ""),
        )

    _outcome(change, "Event added.")


@guard.action("timeline.remove_event", "staff", "timeline-event-remove-button")
def remove_event() -> None:
    chosen = st.session_state.get("timeline-event-remove")
    engine = workspace().store.engine
    _outcome(lambda: timeline.delete_event(engine, chosen, current_user()), "Event removed.")


@guard.action("timeline.save_phases", "staff", "timeline-phases-save")
def save_phases() -> None:
    text = st.session_state.get("timeline-phases-text", "")

    def change() -> None:
        items = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                parts = [p.strip() for p in line.rsplit(",", 2)]
                if len(parts) != 3:
                    raise ValueError(f"line {number} needs a name, a first day and a last day")
                items.append({"name": parts[0], "start": parts[1], "end": parts[2]})
        timeline.save_phases(workspace().store.engine, items, current_user())

    count = len([line for line in text.splitlines() if line.strip()])
    _outcome(change, f"{count} phases saved.")


def staff_tools(events: list[dict], lab_phases: list[dict], first_day) -> None:
    """The forms; each submits to one of the checked actions above."""
    st.divider()
    st.subheader("Staff: events and phases")
    st.caption(f"Acting as {safe_markdown(current_user())}.")
    with st.form("timeline-event-form", clear_on_submit=True):
        st.markdown("**Add an event**")
        left, right = st.columns(2)
        left.date_input("Date", key="timeline-event-date", value=first_day)
        kinds = ["workshop", "survey", "milestone", "event"]
        right.selectbox("Kind", kinds, key="timeline-event-kind")
        st.text_input("Title", key="timeline-event-title")
        st.text_input("Place", key="timeline-event-place")
        st.text_area("Description", key="timeline-event-description")
        st.form_submit_button("Add event", key="timeline-event-add", on_click=add_event)
    if events:
        left, right = st.columns([3, 1])
        left.selectbox(
            "Remove an event",
            [e["id"] for e in events],
            key="timeline-event-remove",
            format_func=lambda i: next(f"{e['date']} {e['title']}" for e in events if e["id"] == i),
        )
        right.button("Remove", key="timeline-event-remove-button", on_click=remove_event)
    with st.form("timeline-phases-form"):
        st.markdown("**Phases** — one a line: name, first day, last day")
        st.text_area(
            "Phases",
            value="\n".join(f"{p['name']}, {p['start']}, {p['end']}" for p in lab_phases),
            key="timeline-phases-text",
            label_visibility="collapsed",
        )
        st.form_submit_button("Save phases", key="timeline-phases-save", on_click=save_phases)
