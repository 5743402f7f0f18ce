"""Overview: the Lab at a glance — material, where the year stands, themes, latest voices."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import streamlit as st

from lab_app.core.text import html_safe
from lab_app.material.source_names import titled_sources
from lab_app.themes.map import fingerprint
from lab_app.themes.unsorted import fit_none
from lab_app.ui import followed, time_range
from lab_app.ui.auth import current_account, current_name, is_staff
from lab_app.ui.charts.material import kind_bars
from lab_app.ui.components import (
    open_theme_page,
    provenance,
    safe_markdown,
    show_error,
    user_text,
)
from lab_app.ui.resources import workspace
from lab_app.year import overview

KIND_COLOURS = {"evidence": "#1f77b4", "survey": "#ff7f0e", "contribution": "#2ca02c"}
OTHER_COLOUR = "#9467bd"
CHART_CONFIG = {"displaylogo": False}


def colour(kind: str) -> str:
    return KIND_COLOURS.get(kind, OTHER_COLOUR)


def bar_names(rows: list[dict]) -> list[str]:
    """A bar per theme, named by its label: with its id for staff (as on their pages); for
    participants a label two themes share ("Praise without detail") is numbered instead."""
    if staff:
        return [f"{r['id']} {html_safe(short(r['label']))}" for r in rows]
    names, seen = [], {}
    for row in rows:
        name = html_safe(short(row["label"]))
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return names


def short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def nice_day(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%b %Y}"


def open_theme(theme: dict, suffix: str = "") -> None:
    """A button that opens the theme: on the Themes page for staff, on Explore for participants
    (who have no Themes page). Labels are shown as plain text; the id only to staff, who
    curate by it."""
    label = safe_markdown(f"{theme['label']} ({theme['id']})" if staff else theme["label"])
    if st.button(label, key=f"overview-theme-{theme['id']}{suffix}", width="stretch"):
        open_theme_page(theme["id"], staff)


@st.cache_data(show_spinner=False, max_entries=8)
def cached_snapshot(key: str, _engine) -> dict:
    # Keyed on the store's fingerprint (which names the store): reruns and clicks reuse it;
    # new material, a theme build or a curation action makes a new one.
    return overview.snapshot(_engine)


def material_section(data: dict, engine) -> None:
    st.subheader("Material")
    counts = data["material"]
    if not counts["sources"]:
        st.write("Nothing in the workspace yet — staff add material on the Sources page.")
        return
    left, right = st.columns(2)
    for column, what in ((left, "sources"), (right, "extracts")):
        colours = {k: colour(k) for k in counts[what]}
        figure = kind_bars(counts[what], what, colours)
        column.plotly_chart(figure, key=f"overview-{what}-by-kind", config=CHART_CONFIG)
    kept = data["set_aside"]
    if kept["non_answers"] or kept["blank_answers"]:
        st.caption(
            f"Survey answers kept aside, counted but not extracts: {kept['non_answers']:,} "
            "non-answers (such as “Nothing”, “No”, “N/A”) and "
            f"{kept['blank_answers']:,} blank answers."
        )
    monthly = data["per_month"]
    if not monthly["rows"]:
        st.write("No extract carries a date yet, so there is nothing to show over time.")
        return
    # The Lab's year unless widened: a survey from years before is prior evidence, not months
    # of the Lab's activity to stretch the axis over.
    shown = time_range.date_range(engine, "overview-dates")
    first, last = (shown[0].isoformat()[:7], shown[1].isoformat()[:7]) if shown else ("", "~")
    rows = [r for r in monthly["rows"] if first <= r["month"] <= last]
    months = sorted({r["month"] for r in rows})
    figure = go.Figure()
    for kind in sorted({r["kind"] for r in rows}):
        per_month = {r["month"]: r["extracts"] for r in rows if r["kind"] == kind}
        figure.add_bar(
            x=months, y=[per_month.get(m, 0) for m in months], name=kind, marker_color=colour(kind)
        )
    figure.update_layout(
        barmode="stack",
        title="Extracts per month, by kind",
        height=320,
        margin=dict(t=40, b=10),
        xaxis=dict(type="category"),
    )
    st.plotly_chart(figure, key="overview-per-month", config=CHART_CONFIG)
    if shown:
        time_range.outside_note(engine, shown)
    if monthly["undated"]:
        st.caption(f"{monthly['undated']:,} extracts have no date and are not in this chart.")


def phase_section(engine, today: date) -> None:
    st.subheader("Where the Lab is")
    where = overview.lab_phase(engine, today)
    if where["state"] == "none":
        st.write("The Lab's phases have not been set yet.")
        return
    current, following = where["current"], where["next"]
    if where["state"] == "during":
        st.markdown(
            f"Today ({nice_day(where['today'])}) the Lab is in its "
            f"**{safe_markdown(current['name'])}** phase, "
            f"{nice_day(current['start'])} to {nice_day(current['end'])}."
        )
    elif where["state"] == "after":
        st.markdown(
            f"The Lab's year has ended. Its last phase was **{safe_markdown(current['name'])}**, "
            f"{nice_day(current['start'])} to {nice_day(current['end'])}."
        )
    elif where["state"] == "before":
        st.markdown(
            f"The Lab's year has not started: **{safe_markdown(following['name'])}** begins on "
            f"{nice_day(following['start'])}."
        )
    else:
        st.markdown(
            f"Between phases: **{safe_markdown(where['previous']['name'])}** ended on "
            f"{nice_day(where['previous']['end'])}; **{safe_markdown(following['name'])}** "
            f"begins on {nice_day(following['start'])}."
        )
    phases = where["phases"]
    figure = go.Figure()
    for phase in phases:
        start = date.fromisoformat(phase["start"])
        # Phases end on their last day: the bar runs to the start of the next day.
        days = (date.fromisoformat(phase["end"]) - start).days + 1
        is_current = current is not None and phase["name"] == current["name"]
        figure.add_bar(
            base=[phase["start"]],
            x=[days * 86_400_000],
            y=[phase["name"]],
            orientation="h",
            name=phase["name"],
            marker_color="#2ca02c" if is_current else "#c7c7c7",
            showlegend=False,
            hovertemplate=f"{phase['start']} to {phase['end']}<extra></extra>",
        )
    figure.add_shape(
        type="line", x0=where["today"], x1=where["today"], y0=0, y1=1, yref="paper",
        line=dict(color="#d62728", width=2, dash="dot"),
    )  # fmt: skip
    figure.add_annotation(
        x=where["today"], y=1, yref="paper", text="today", showarrow=False, yanchor="bottom"
    )
    figure.update_layout(
        height=90 + 32 * len(phases),
        margin=dict(t=30, b=10),
        xaxis=dict(type="date"),
        yaxis=dict(autorange="reversed", type="category"),
    )
    st.plotly_chart(figure, key="overview-phases", config=CHART_CONFIG)


def themes_section(data: dict) -> None:
    st.subheader("Themes")
    build, newest = data["build"], data["newest"]
    if build is None or not newest:
        st.write("No themes yet — staff can build them on the Themes page.")
        return
    unsorted = data.get("unsorted", 0)
    review = ": review on the Themes page" if is_staff(current_account()) else ""
    st.caption(
        f"Last built {build['at']:%d %b %Y %H:%M} ({build['mode']}): {build['themes']} themes, "
        f"{len(build['new'])} new, {len(build['grown'])} grown."
        + (f" {fit_none(unsorted)} yet{review}." if unsorted else "")
    )
    left, right = st.columns(2)
    shown: set[str] = set()
    with left:
        st.markdown("**Newest**")
        for theme in newest:
            open_theme(theme)
            st.caption(f"{theme['size']:,} extracts")
            shown.add(theme["id"])
    with right:
        st.markdown("**Fastest growing**")
        growing = data["growing"]
        if not growing["themes"]:
            st.write("No theme has grown in recent months (or no placed extract has a date).")
            return
        first, last = growing["window"]
        rows = growing["themes"][::-1]  # plotly draws the first bar at the bottom
        figure = go.Figure(
            go.Bar(
                x=[r["growth"] for r in rows],
                y=bar_names(rows),
                orientation="h",
                marker_color="#2ca02c",
                customdata=[[r["recent"], r["before"]] for r in rows],
                hovertemplate="%{y}: %{customdata[0]} extracts, "
                "%{customdata[1]} in the months before<extra></extra>",
            )
        )
        figure.update_layout(
            # Two short lines: one long title runs off a phone's screen.
            title=f"Extracts gained, {first} to {last}<br><sup>against the months before</sup>",
            height=100 + 40 * len(rows),
            margin=dict(t=60, b=10),
            yaxis=dict(type="category"),
        )
        st.plotly_chart(figure, key="overview-growing", config=CHART_CONFIG)
        for theme in growing["themes"]:
            # Each theme has one canonical button; a theme in both lists gets a second key.
            open_theme(theme, suffix="-growing" if theme["id"] in shown else "")
            st.caption(f"+{theme['growth']} ({theme['before']} → {theme['recent']} extracts)")


def contributions_section(data: dict, engine) -> None:
    st.subheader("Latest contributions")
    # Participants see only what its people let them see; staff see all, withheld ones marked.
    latest = data["latest"] if staff else data["latest_shown"]
    if not latest:
        st.write("No contributions yet.")
        return
    titles = titled_sources(engine)
    for row in latest:
        with st.container(border=True):
            user_text(row["text"], quote=True)
            # Never who wrote it: Explore promises an account name is never shown by a quote.
            withheld = " · withheld from participants" if row.get("withheld") else ""
            st.caption(safe_markdown(provenance(row, titles) + withheld))


st.title("Q Lab Workspace")
staff = is_staff(current_account())
st.write("The Lab at a glance: what has been gathered, where the year stands, and what is new.")
try:
    engine = workspace().store.engine
    data = cached_snapshot(fingerprint(engine)["themes"], engine)
except Exception as err:  # the store may be unreachable: say so in one line
    show_error(err)
    st.stop()

today = date.today()
sections = [
    lambda: material_section(data, engine),
    lambda: phase_section(engine, today),  # phases are read each time: staff may change them
    lambda: themes_section(data),
    lambda: followed.section(engine, current_name(), staff),
    lambda: contributions_section(data, engine),
]
for section in sections:
    try:
        section()
    except Exception as err:  # one broken section must not hide the others
        show_error(err)
