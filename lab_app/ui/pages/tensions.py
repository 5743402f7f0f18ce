"""Tensions: where people stand and where the Lab's material pulls two ways, in plain words."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lab_app.material.source_names import titled_sources
from lab_app.opinions import group_views, participation, tensions
from lab_app.opinions import groups as opinion_groups
from lab_app.opinions import signals as tension_signals
from lab_app.opinions.tension_views import (
    SHORT_LIST,
    group_words,
    plain_summary,
    rows_for,
    staff_measures,
    statement_words,
    title_for,
    upper_first,
)
from lab_app.ui import tension_actions as act
from lab_app.ui.auth import is_staff, require_role
from lab_app.ui.components import provenance, safe_markdown, show_error, user_text
from lab_app.ui.resources import workspace

OPEN_FIRST = 3  # tensions shown with both sides open; the rest open on a click

user = require_role("participant")  # any signed-in account; staff actions check again
staff = is_staff(user)
ws = workspace()
engine = ws.store.engine
titles = titled_sources(engine)  # once per run: every side's quotes name their sources

st.title("Tensions")
st.caption(
    "Where people in the Lab stand, and where its material pulls two ways: each tension names "
    "what it is about and shows both sides in people's own words."
)
if done := st.session_state.pop(act.DONE, None):
    st.success(done)
if error := st.session_state.pop(act.ERROR, None):
    show_error(ValueError(error))


def quotes(side: dict) -> None:
    """A few quotes participants may see (staff see the same, so what they confirm is what
    participants will read); the rest are counted, not shown."""
    wanted = list(dict.fromkeys(side.get("quotes") or side.get("extract_ids", [])))
    allowed = participation.shown_to_participants(engine, wanted)
    details = participation.extract_details(engine, [e for e in wanted if e in allowed])
    shown = [details[e] for e in wanted if e in details][: tension_signals.QUOTES_PER_SIDE]
    for row in shown:
        user_text(row["text"], quote=True)
        st.caption(safe_markdown(provenance(row, titles)))
    withheld = len([e for e in wanted if e not in allowed])
    if withheld:
        quotes_word = "quote" if withheld == 1 else "quotes"
        st.caption(f"{withheld} {quotes_word} not shown: their authors did not agree to it.")
    if not shown and not withheld:
        st.caption("No quote available (the material may have been withdrawn).")


def group_quotes(row: dict, side: dict) -> None:
    """For a vote tension: what the group(s) on this side also agree with, in their words."""
    words = group_words(engine, row, side, staff)
    if words:
        st.caption("They also tend to agree with:")
    for text in words:
        user_text(text, quote=True)
    if not words:
        st.caption("No other statement sets them apart yet.")


def where_people_stand() -> None:
    """Opinion groups from votes, in plain words; staff also see the map."""
    result = opinion_groups.from_workspace(engine)
    if result is None or result.k < 2:
        return
    data = group_views.as_data(engine, result, for_participants=True)
    words = group_views.sentences(data)
    st.subheader("Where people stand")
    sizes = ", ".join(f"group {g['group']} ({g['size']} people)" for g in data["groups"])
    st.caption(f"From agree / disagree votes, people fall into {result.k} groups: {sizes}.")
    for line in words["shared"]:
        st.markdown(f"**{line['lead']}**")
        user_text(line["text"], quote=True)
    for name, group in words["apart"].items():
        with st.expander(f"What sets group {name} apart ({group['size']} people)"):
            for line in group["lines"]:
                st.markdown(f"**{line['lead']}**")
                user_text(line["text"], quote=True)
    if staff:
        groups_chart(result)


def groups_chart(result) -> None:
    names = {-1: "not grouped"} | {g: f"group {opinion_groups.letter(g)}" for g in range(result.k)}
    figure = go.Figure()
    for group, name in names.items():
        members = [p for p in result.participants if result.labels.get(p, -1) == group]
        if members:
            figure.add_trace(
                go.Scattergl(
                    x=[result.positions[p][0] for p in members],
                    y=[result.positions[p][1] for p in members],
                    mode="markers", name=name, hoverinfo="name",
                    marker={"size": 6, "color": "lightgrey"} if group == -1 else {"size": 7},
                )
            )  # fmt: skip
    figure.update_layout(height=320, margin={"l": 10, "r": 10, "t": 10, "b": 10})
    figure.update_xaxes(showticklabels=False)
    figure.update_yaxes(showticklabels=False)
    st.caption(
        f"Staff: the opinion map; people who voted on fewer than {opinion_groups.MIN_VOTES} "
        "statements are grey and not grouped."
    )
    st.plotly_chart(figure, key="tensions-groups-chart")


def show(row: dict, open_sides: bool) -> None:
    with st.container(border=True):
        status = "confirmed by Lab staff" if row["status"] == "confirmed" else "not yet reviewed"
        st.markdown(f"**{safe_markdown(title_for(engine, row, staff))}**")
        st.caption(status + (f" · {row['signal']} · `{row['id']}`" if staff else ""))
        if words := statement_words(engine, row, staff):
            st.caption("The statement people voted on:")
            user_text(words, quote=True)
        for line in plain_summary(row):
            st.markdown(safe_markdown(line))
        with st.expander("Both sides, in their words", expanded=open_sides):
            columns = st.columns(len(row["sides"]) or 1)
            for column, side in zip(columns, row["sides"], strict=False):
                with column:
                    st.markdown(f"**{safe_markdown(upper_first(side['label']))}**")
                    if row["signal"] == "votes":
                        group_quotes(row, side)
                    else:
                        quotes(side)
        if staff:
            staff_part(row)


def staff_part(row: dict) -> None:
    line, table = staff_measures(row)
    with st.expander("Measures and history (staff)"):
        st.markdown(safe_markdown(line))
        if table:
            st.dataframe(pd.DataFrame(table), hide_index=True, key=f"tension-table-{row['id']}")
        for event in tensions.history(engine, row["id"]):
            st.caption(
                f"{event['at']:%Y-%m-%d %H:%M} · {event['event']} · {safe_markdown(event['who'])}"
            )
    confirm, dismiss, _ = st.columns([1, 1, 4])
    if row["status"] != "confirmed":
        confirm.button("Confirm", key=f"tension-confirm-{row['id']}", on_click=act.decide,
                       args=(row["id"], "confirmed"))  # fmt: skip
    if row["status"] != "dismissed":
        dismiss.button("Dismiss", key=f"tension-dismiss-{row['id']}", on_click=act.decide,
                       args=(row["id"], "dismissed"))  # fmt: skip


with_dismissed = False
try:
    where_people_stand()
    if staff:
        left, right = st.columns([4, 1])
        with_dismissed = left.checkbox("Show dismissed", key="tensions-dismissed")
        right.button("Recompute", key="tensions-refresh", on_click=act.recompute)
    rows = rows_for(engine, staff, with_dismissed=with_dismissed)
except Exception as err:
    show_error(err)
    st.stop()

st.subheader("Tensions")
if not rows:
    st.info("No tensions to show yet.")
main = [r for r in rows if tensions.likely(r)]
weaker = [r for r in rows if not tensions.likely(r)]
shown = main if staff else main[:SHORT_LIST]
for position, row in enumerate(shown):
    show(row, open_sides=row["status"] == "confirmed" or position < OPEN_FIRST)
if not staff and len(main) > SHORT_LIST:
    with st.expander(f"{len(main) - SHORT_LIST} more tensions"):
        for row in main[SHORT_LIST:]:
            show(row, open_sides=False)
if staff and weaker:
    with st.expander(f"{len(weaker)} text suggestions below the stance threshold (staff only)"):
        for row in weaker:
            show(row, open_sides=False)
