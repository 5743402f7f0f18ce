"""Timeline: the Lab's phases and events, theme volumes over time, shifts and activity per phase,
and what changed since a date; staff edit events and phases."""

from __future__ import annotations

from collections import Counter
from datetime import date

import plotly.graph_objects as go
import streamlit as st

from lab_app.core.audit import current_user
from lab_app.core.text import html_safe
from lab_app.themes.over_time import volumes
from lab_app.ui import auth
from lab_app.ui.components import safe_markdown, show_error, user_text
from lab_app.ui.resources import workspace
from lab_app.year import changes as timeline_changes
from lab_app.year import timeline

CHART_CONFIG = {"displaylogo": False}
TOP_THEMES = 10  # the stacked area shows the largest themes; the rest are summed as "Other"
BANDS = ["rgba(31,119,180,0.07)", "rgba(255,127,14,0.07)"]
KIND_NAMES = {"evidence": "Evidence", "survey": "Survey", "contribution": "Contributions"}


st.title("Timeline")
ws = workspace()
engine = ws.store.engine

if flash := st.session_state.pop("timeline-flash", None):
    (st.success if flash[0] == "ok" else st.error)(flash[1])


def theme_area_figure(rows: list[dict], labels: dict, lab_phases: list, events: list) -> go.Figure:
    """Monthly extracts per theme as stacked areas, phases as bands, events as markers."""
    months = sorted({r["period"] for r in rows})
    totals = Counter()
    for r in rows:
        totals[r["theme_id"]] += r["extracts"]
    top = [t for t, _ in totals.most_common(TOP_THEMES)]
    counts = Counter()
    for r in rows:
        counts[(r["theme_id"] if r["theme_id"] in top else "other", r["period"])] += r["extracts"]
    figure = go.Figure()
    for theme in [*top, "other"] if len(totals) > len(top) else top:
        name = "Other themes" if theme == "other" else f"{theme} {labels.get(theme, '')}"
        figure.add_trace(
            go.Scatter(
                x=[f"{m}-15" for m in months],  # mid-month, so points sit inside their month
                y=[counts[(theme, m)] for m in months],
                name=html_safe(name[:50]),
                mode="lines",
                stackgroup="themes",
                line=dict(width=0.5),
                hovertemplate="%{y} extracts<extra>" + html_safe(name[:40]) + "</extra>",
            )
        )
    for i, phase in enumerate(lab_phases):
        figure.add_vrect(
            x0=phase["start"],
            x1=phase["end"],
            fillcolor=BANDS[i % 2],
            line_width=0,
            annotation_text=html_safe(phase["name"]),
            annotation_position="top left",
        )
    if events:
        figure.add_trace(
            go.Scatter(
                x=[e["date"] for e in events],
                y=[0] * len(events),
                mode="markers",
                name="Events",
                marker=dict(symbol="triangle-up", size=12, color="#d62728"),
                text=[html_safe(f"{e['title']} ({e['kind']})") for e in events],
                hovertemplate="%{x}: %{text}<extra></extra>",
            )
        )
    figure.update_layout(
        height=480,
        margin=dict(t=30, b=10),
        xaxis=dict(type="date"),
        yaxis=dict(title="extracts per month"),
        legend=dict(font=dict(size=10)),
    )
    return figure


def shifts_figure(shifts: list[dict]) -> go.Figure:
    figure = go.Figure()
    phases = [s["phase"] for s in shifts]
    for field, colour in (("emerged", "#2ca02c"), ("grew", "#1f77b4"), ("faded", "#7f7f7f")):
        figure.add_bar(
            x=phases,
            y=[len(s[field]) for s in shifts],
            name=field,
            marker_color=colour,
            text=["<br>".join(html_safe(t["label"][:30]) for t in s[field]) for s in shifts],
            hovertemplate="%{text}<extra>" + field + "</extra>",
        )
    figure.update_layout(
        barmode="group", height=320, margin=dict(t=20, b=10), yaxis=dict(title="themes")
    )
    return figure


def activity_figure(activity: list[dict]) -> go.Figure:
    figure = go.Figure()
    phases = [a["phase"] for a in activity]
    for kind, name in KIND_NAMES.items():
        figure.add_bar(x=phases, y=[a["extracts"].get(kind, 0) for a in activity], name=name)
    figure.add_bar(x=phases, y=[a["votes"] for a in activity], name="Votes")
    figure.add_bar(x=phases, y=[a["ideas"] for a in activity], name="Ideas added")
    figure.update_layout(
        barmode="group", height=320, margin=dict(t=20, b=10), yaxis=dict(title="count")
    )
    return figure


try:
    lab_phases = timeline.list_phases(engine)
    events = timeline.list_events(engine)
    rows = volumes(engine, by="month")
    labels = {t["id"]: t["label"] for t in ws.list_themes()}
    shifts = timeline.theme_shifts(engine)
    activity = timeline.activity_by_phase(engine)
except Exception as err:
    show_error(err)
    st.stop()

st.subheader("Themes over time")
if rows:
    st.plotly_chart(
        theme_area_figure(rows, labels, lab_phases, events),
        key="timeline-themes-chart",
        config=CHART_CONFIG,
    )
    st.caption(
        "Each extract counts in the month of its own date: the source's, the survey response's "
        "or the contribution's. Bands are the Lab's phases; triangles its events."
    )
else:
    st.info("No themes yet: Lab staff find them on the Themes page.")

st.subheader("What emerged, grew or faded in each phase")
if shifts:
    st.plotly_chart(shifts_figure(shifts), key="timeline-shifts-chart", config=CHART_CONFIG)
    for shift in shifts:
        parts = [
            f"**{word}:** " + "; ".join(safe_markdown(t["label"]) for t in shift[field])
            for field, word in (("emerged", "Emerged"), ("grew", "Grew"), ("faded", "Faded"))
            if shift[field]
        ]
        if parts:
            st.markdown(f"**{safe_markdown(shift['phase'])}** — " + " · ".join(parts))
    st.caption(
        f"Judged by each theme's share of the phase's extracts: emerged when it first reaches "
        f"{timeline.MIN_SHARE:.0%} at {timeline.EMERGE_RATIO:g}× any earlier share; grew at "
        f"{timeline.GROW_RATIO:g}× the phase before; faded when it stays under a third of its "
        "earlier peak."
    )
else:
    st.caption("Nothing to compare yet: themes with dated extracts in more than one phase.")

st.subheader("Activity per phase")
if activity:
    st.plotly_chart(activity_figure(activity), key="timeline-activity-chart", config=CHART_CONFIG)

st.subheader("What changed since…")
first_day = date.fromisoformat(lab_phases[0]["start"]) if lab_phases else date.today()
since = st.date_input("Since", value=first_day, key="timeline-since")
try:
    changes = timeline_changes.changes_since(engine, since.isoformat())
except Exception as err:
    show_error(err)
else:
    for line in timeline_changes.summary_lines(changes):
        user_text(line)

st.subheader("Events")
for event in events:
    place = f" · {event['place']}" if event["place"] else ""
    st.markdown(
        f"**{event['date']}** · {safe_markdown(event['title'])}"
        f" ({safe_markdown(event['kind'])}{safe_markdown(place)})"
    )
    if event["description"]:
        st.caption(safe_markdown(event["description"]))
if not events:
    st.caption("No events yet.")


if not auth.is_staff(auth.current_account()):  # the rest of the page is staff tools
    st.stop()
st.divider()
st.subheader("Staff: events and phases")
st.caption(f"Acting as {safe_markdown(current_user())}. Sign-in and roles come later.")
with st.form("timeline-event-form", clear_on_submit=True):
    st.markdown("**Add an event**")
    left, right = st.columns(2)
    day = left.date_input("Date", key="timeline-event-date", value=first_day)
    kind = right.selectbox(
        "Kind", ["workshop", "survey", "milestone", "event"], key="timeline-event-kind"
    )
    title = st.text_input("Title", key="timeline-event-title")
    place = st.text_input("Place", key="timeline-event-place")
    description = st.text_area("Description", key="timeline-event-description")
    add = st.form_submit_button("Add event", key="timeline-event-add")
if add:
    try:
        timeline.add_event(engine, day.isoformat(), title, current_user(), kind, place, description)
    except Exception as err:
        show_error(err)
    else:
        st.session_state["timeline-flash"] = ("ok", "Event added.")
        st.rerun()

if events:
    left, right = st.columns([3, 1])
    chosen = left.selectbox(
        "Remove an event",
        [e["id"] for e in events],
        key="timeline-event-remove",
        format_func=lambda i: next(f"{e['date']} {e['title']}" for e in events if e["id"] == i),
    )
    if right.button("Remove", key="timeline-event-remove-button"):
        timeline.delete_event(engine, chosen, current_user())
        st.session_state["timeline-flash"] = ("ok", "Event removed.")
        st.rerun()

with st.form("timeline-phases-form"):
    st.markdown("**Phases** — one a line: name, first day, last day")
    text = st.text_area(
        "Phases",
        value="\n".join(f"{p['name']}, {p['start']}, {p['end']}" for p in lab_phases),
        key="timeline-phases-text",
        label_visibility="collapsed",
    )
    save = st.form_submit_button("Save phases", key="timeline-phases-save")
if save:
    try:
        items = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                parts = [p.strip() for p in line.rsplit(",", 2)]
                if len(parts) != 3:
                    raise ValueError(f"line {number} needs a name, a first day and a last day")
                items.append({"name": parts[0], "start": parts[1], "end": parts[2]})
        timeline.save_phases(engine, items, current_user())
    except Exception as err:
        show_error(err)
    else:
        st.session_state["timeline-flash"] = ("ok", f"{len(items)} phases saved.")
        st.rerun()
