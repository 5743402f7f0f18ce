"""Ideas: proposals with status, supporters, linked themes and quoted sources; participants back
and comment; staff add, edit, change status, merge and accept suggested candidates."""

from __future__ import annotations

import streamlit as st

from lab_app.core.audit import current_user
from lab_app.material.source_names import titled_sources
from lab_app.opinions import participation
from lab_app.ui import auth, guard
from lab_app.ui.charts.over_time import dated_bars
from lab_app.ui.components import provenance, safe_markdown, show_error, user_text
from lab_app.ui.resources import workspace
from lab_app.year import ideas
from lab_app.year import suggestions as idea_suggestions

STATUS_ICONS = {
    "emerging": "🌱",
    "developing": "🛠️",
    "testing": "🧪",
    "adopted": "✅",
    "parked": "⏸️",
}
QUOTES_SHOWN = 8

st.title("Ideas")
ws = workspace()
engine = ws.store.engine


def act(action, *args, done: str = "") -> None:
    """Run a change from a checked callback (guard.action); its outcome shows as one line on
    the next run. current_user() is the account the guard just read again."""
    try:
        action(*args)
    except Exception as err:  # one line in the page, never a traceback
        st.session_state["ideas-flash"] = ("error", str(err) or type(err).__name__)
    else:
        if done:
            st.session_state["ideas-flash"] = ("ok", done)


@guard.action("ideas.back", "participant", "ideas-support")
def back(idea_id: str, backed: bool) -> None:
    change = ideas.unsupport if backed else ideas.support
    done = "Backing withdrawn." if backed else "Thank you for backing this idea."
    act(change, engine, idea_id, current_user(), done=done)


@guard.action("ideas.comment", "participant", "ideas-comment-submit")
def add_comment(idea_id: str) -> None:
    text = st.session_state.get("ideas-comment-text", "")
    act(ideas.comment, engine, idea_id, current_user(), text, done="Comment added.")


@guard.action("ideas.edit", "staff", "ideas-edit-save")
def save_edit(idea_id: str) -> None:
    title = st.session_state.get("ideas-edit-title", "")
    description = st.session_state.get("ideas-edit-description", "")
    act(ideas.edit_idea, engine, idea_id, current_user(), title, description, done="Saved.")


@guard.action("ideas.merge", "staff", "ideas-merge-submit")
def merge_into(idea_id: str) -> None:
    merged = st.session_state.get("ideas-merge-from") or []
    act(ideas.merge, engine, merged, idea_id, current_user(), done=f"Merged into {idea_id}.")


@guard.action("ideas.add", "staff", "ideas-add-submit")
def add_idea() -> None:
    title = st.session_state.get("ideas-add-title", "")
    description = st.session_state.get("ideas-add-description", "")
    act(ideas.create_idea, engine, title, current_user(), description, done="Idea added.")


# Who backs, comments and (for staff) edits: the signed-in account; "" when nobody is.
participant = auth.current_name()
staff = auth.is_staff(auth.current_account())
if flash := st.session_state.pop("ideas-flash", None):
    (st.success if flash[0] == "ok" else st.error)(safe_markdown(flash[1]))


def status_label(status: str) -> str:
    return f"{STATUS_ICONS.get(status, '')} {status}"


def idea_detail(idea_id: str) -> None:
    idea = ideas.get_idea(engine, idea_id)
    st.subheader(safe_markdown(idea["title"]))
    themes = ", ".join(t["label"] for t in idea["themes"])
    st.caption(
        safe_markdown(
            f"{idea['id']} · {status_label(idea['status'])} · {len(idea['supporters'])} backing"
            + (f" · themes: {themes}" if themes else "")
        )
    )
    if idea["description"]:
        user_text(idea["description"])
    backed = any(s["participant"] == participant for s in idea["supporters"])
    st.button(
        "Withdraw my backing" if backed else "Back this idea",
        key="ideas-support",
        disabled=not participant,
        on_click=back,
        args=(idea_id, backed),
    )
    if not participant:
        st.caption("Sign in to back an idea or comment.")

    dates = ideas.idea_dates(engine, idea_id)
    if dates:
        st.markdown("**Over time**")
        st.plotly_chart(dated_bars(dates), key="ideas-detail-chart")
    st.markdown("**History**")
    for event in idea["history"]:
        what = event["event"] + (f" → {event['status']}" if event["status"] else "")
        note = (event["detail"] or {}).get("note")
        st.caption(
            safe_markdown(f"{event['at']:%Y-%m-%d} · {what} · {event['who']}")
            + (f" — {safe_markdown(note)}" if note else "")
        )

    linked = [r for r in idea["links"] if r["target_type"] == "extract"]
    # The same rule as Explore: consent to be shown, and no No to being quoted.
    shown = participation.shown_to_participants(engine, [r["target_id"] for r in linked])
    found = participation.extract_details(engine, [r["target_id"] for r in linked])
    quotes = sorted(
        (
            found[r["target_id"]] | {"role": r["role"]}
            for r in linked
            if r["target_id"] in shown and r["target_id"] in found
        ),
        key=lambda q: (q["role"] != "source", q.get("date") or ""),
    )
    st.markdown(f"**Where it came from** ({len(quotes)} of {len(linked)} linked extracts shown)")
    titles = titled_sources(engine)
    for quote in quotes[:QUOTES_SHOWN]:
        user_text(quote["text"], quote=True)
        st.caption(safe_markdown(f"{quote['role']} · {provenance(quote, titles)}"))
    if len(linked) > len(quotes):
        st.caption("Some linked extracts are not shown: their authors or sources did not agree.")

    st.markdown(f"**Comments** ({len(idea['comments'])})")
    for row in idea["comments"]:
        user_text(row["text"], quote=True)
        st.caption(f"{row['at']:%Y-%m-%d}")  # never the author's account name by their words
    with st.form("ideas-comment-form", clear_on_submit=True):
        st.text_area(
            "Add a comment",
            key="ideas-comment-text",
            max_chars=participation.MAX_CONTRIBUTION_CHARS,
        )
        st.form_submit_button(
            "Comment", key="ideas-comment-submit", on_click=add_comment, args=(idea_id,)
        )
    if staff:
        staff_tools(idea)


@guard.action("ideas.status", "staff", "ideas-status-save")
def change_status(idea_id: str) -> None:
    # Read at click time: the note may have been typed since the page last ran.
    status = st.session_state[f"ideas-status-{idea_id}"]
    note = st.session_state.get(f"ideas-status-note-{idea_id}", "")
    act(
        ideas.set_status,
        engine,
        idea_id,
        status,
        current_user(),
        note,
        done=f"Status is now {status}.",
    )


def staff_tools(idea: dict) -> None:
    st.markdown("**Staff**")
    left, right = st.columns([3, 1])
    left.selectbox(
        "Status",
        ideas.STATUSES,
        index=ideas.STATUSES.index(idea["status"]),
        key=f"ideas-status-{idea['id']}",
        format_func=status_label,
    )
    left.text_input("Why (kept in the history)", key=f"ideas-status-note-{idea['id']}")
    right.button(
        "Change status", key="ideas-status-save", on_click=change_status, args=(idea["id"],)
    )
    with st.form(f"ideas-edit-form-{idea['id']}"):
        st.text_input("Title", value=idea["title"], key="ideas-edit-title")
        st.text_area("Description", value=idea["description"], key="ideas-edit-description")
        st.form_submit_button("Save", key="ideas-edit-save", on_click=save_edit, args=(idea["id"],))
    others = [r for r in ideas.list_ideas(engine) if r["id"] != idea["id"]]
    if others:
        merged = st.multiselect(
            "Merge into this idea",
            [r["id"] for r in others],
            key="ideas-merge-from",
            format_func=lambda i: next(
                f"{r['id']} {r['title'][:60]}" for r in others if r["id"] == i
            ),
        )
        st.button(
            "Merge",
            key="ideas-merge-submit",
            disabled=not merged,
            on_click=merge_into,
            args=(idea["id"],),
        )


@st.cache_data(show_spinner="Looking for proposals in contributions…", max_entries=4, ttl=600)
def cached_candidates(home: str, extracts: int, ideas_count: int) -> list[dict]:
    return idea_suggestions.suggest_ideas(ws)


@guard.action("ideas.accept", "staff", "ideas-accept-")
def accept(candidate: dict, key: str) -> None:
    title = st.session_state.get(key) or candidate["title"]
    who = current_user()
    act(idea_suggestions.accept_candidate, engine, candidate, who, title, done="Idea added.")


def candidates_section() -> None:
    st.subheader("Suggested from contributions")
    st.caption(
        "Contributions written as proposals ('we should…', 'what if…', 'could we…'), grouped by "
        "meaning, with the replies and contributions close to them. Titles are the "
        "contributor's own words: edit them before accepting."
    )
    counts = ws.store.counts()
    live = ideas.list_ideas(engine)
    found = cached_candidates(str(ws.settings.home), counts.get("extracts", 0), len(live))
    if not found:
        st.caption("No proposals found among the contributions.")
    for candidate in found:
        with st.container(border=True):
            user_text(candidate["title"], quote=True)
            st.caption(
                f"{candidate['people']} people · {candidate['mentions']} mentions · "
                f"{candidate['first_date']} to {candidate['last_date']}"
            )
            # Keyed by the central proposal: accepting one must not shift the others' inputs.
            key = f"ideas-candidate-title-{candidate['central']}"
            st.text_input("Title for the idea", value=candidate["title"][:300], key=key)
            st.button(
                "Accept as an idea",
                key=f"ideas-accept-{candidate['central']}",
                on_click=accept,
                args=(candidate, key),
            )


def add_section() -> None:
    with st.form("ideas-add-form", clear_on_submit=True):
        st.markdown("**Add an idea**")
        st.text_input("Title", key="ideas-add-title")
        st.text_area("Description", key="ideas-add-description")
        st.form_submit_button("Add idea", key="ideas-add-submit", on_click=add_idea)


try:
    rows = ideas.list_ideas(engine)
except Exception as err:
    show_error(err)
    st.stop()

if rows:
    for row in rows:
        themes = ", ".join(t["label"] for t in row["themes"])
        st.markdown(f"{STATUS_ICONS.get(row['status'], '')} **{safe_markdown(row['title'])}**")
        st.caption(
            safe_markdown(
                f"{row['id']} · {row['status']} · {row['supporters']} backing · "
                f"{row['comments']} comments" + (f" · themes: {themes}" if themes else "")
            )
        )
    chosen = st.selectbox(
        "Open an idea",
        [r["id"] for r in rows],
        key="ideas-selected",
        format_func=lambda i: next(f"{r['id']} · {r['title'][:80]}" for r in rows if r["id"] == i),
    )
    st.divider()
    try:
        idea_detail(chosen)
    except ValueError as err:
        show_error(err)
else:
    st.info("No ideas yet." + (" Accept a suggestion below, or add one." if staff else ""))

if staff:
    st.divider()
    st.caption(f"Staff tools · acting as {safe_markdown(participant)}")
    add_section()
    duplicates = idea_suggestions.near_duplicates(ws) if len(rows) > 1 else []
    for pair in duplicates:
        st.warning(
            f"{pair['ideas'][0]} and {pair['ideas'][1]} read alike "
            f"(similarity {pair['similarity']}): consider merging them."
        )
    candidates_section()
