"""Timeline: the Lab's phases and events, theme volumes over time, shifts and activity per phase,
and what changed since a date; staff edit events and phases."""

from __future__ import annotations

from collections import Counter
from datetime import date

import plotly.graph_objects as go
import streamlit as st

from lab_app.core.text import html_safe
from lab_app.themes.over_time import volumes
from lab_app.ui import auth, time_range, timeline_tools
from lab_app.ui.charts import phases as phase_charts
from lab_app.ui.components import safe_markdown, show_error, user_text
from lab_app.ui.resources import workspace
from lab_app.year import changes as timeline_changes
from lab_app.year import timeline, window

CHART_CONFIG = {"displaylogo": False}
TOP_THEMES = 10  # the stacked area shows the largest themes; the rest are summed as "Other"
BANDS = ["rgba(31,119,180,0.07)", "rgba(255,127,14,0.07)"]
KIND_NAMES = {"evidence": "Evidence", "survey": "Survey", "contribution": "Contributions"}


st.title("Timeline")
ws = workspace()
engine = ws.store.engine

if flash := st.session_state.pop("timeline-flash", None):
    (st.success if flash[0] == "ok" else st.error)(safe_markdown(flash[1]))


def theme_area_figure(
    rows: list[dict], labels: dict, lab_phases: list, events: list, shown: tuple | None
) -> go.Figure:
    """Monthly extracts per theme as stacked areas, phases as bands, events as markers; the
    x axis spans the dates shown (the Lab's year unless widened)."""
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
        xaxis=dict(type="date", range=[d.isoformat() for d in shown] if shown else None),
        yaxis=dict(title="extracts per month"),
        legend=dict(font=dict(size=10)),
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

year = window.lab_year(engine)
st.subheader("Themes over time")
if rows:
    shown = time_range.date_range(engine, "timeline-dates")
    marked = events
    if shown:
        first, last = shown[0].isoformat(), shown[1].isoformat()
        rows = [r for r in rows if first[:7] <= r["period"] <= last[:7]]
        marked = [e for e in events if first <= e["date"] <= last]
    st.plotly_chart(
        theme_area_figure(rows, labels, lab_phases, marked, shown),
        key="timeline-themes-chart",
        config=CHART_CONFIG,
    )
    st.caption(
        "Each extract counts in the month of its own date: the source's, the survey response's "
        "or the contribution's. Bands are the Lab's phases; triangles its events."
    )
    if shown:
        time_range.outside_note(engine, shown)
else:
    st.info("No themes yet: Lab staff find them on the Themes page.")

st.subheader("What emerged, grew or faded in each phase")
if shifts:
    names = [window.period_name(s["phase"], year) for s in shifts]
    figure = phase_charts.shifts_figure(shifts, names)
    st.plotly_chart(figure, key="timeline-shifts-chart", config=CHART_CONFIG)
    for shift in shifts:
        parts = [
            f"**{word}:** " + "; ".join(safe_markdown(t["label"]) for t in shift[field])
            for field, word in (("emerged", "Emerged"), ("grew", "Grew"), ("faded", "Faded"))
            if shift[field]
        ]
        if parts:
            name = window.period_name(shift["phase"], year)
            st.markdown(f"**{safe_markdown(name)}** — " + " · ".join(parts))
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
    names = [window.period_name(a["phase"], year) for a in activity]
    figure = phase_charts.activity_figure(activity, names, KIND_NAMES)
    st.plotly_chart(figure, key="timeline-activity-chart", config=CHART_CONFIG)

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


if auth.is_staff(auth.current_account()):  # the rest of the page is staff tools
    timeline_tools.staff_tools(events, lab_phases, first_day)
