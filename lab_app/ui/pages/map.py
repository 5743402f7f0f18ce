"""Map: every extract placed by meaning, coloured by theme; filter it, click through to a theme."""

from __future__ import annotations

from collections import Counter
from datetime import date

import numpy as np
import streamlit as st

from lab_app.material import consent
from lab_app.material.source_names import titled_sources
from lab_app.opinions import participation
from lab_app.themes import map as projection
from lab_app.themes import map_points
from lab_app.ui import cached, curate_selected
from lab_app.ui.auth import current_account, is_staff
from lab_app.ui.charts.theme_map import map_figure
from lab_app.ui.components import (
    open_theme_page,
    provenance,
    safe_markdown,
    show_error,
    user_text,
)
from lab_app.ui.resources import workspace

MAX_POINTS = 20_000  # above this the map draws an even sample so the browser stays quick
ANY = "(any)"
NO_THEME = {None: "Not themed yet", "unsorted": "Unsorted"}


# The cached values are keyed on the store's fingerprint (which names the store): reruns,
# filter changes and clicks reuse them; new material, a build or a curation action does not.
@st.cache_data(show_spinner="Laying out the map…", max_entries=4)
def cached_layout(key: str, _engine) -> dict:
    return projection.map_layout(_engine)


@st.cache_data(show_spinner="Reading the extracts…", max_entries=4)
def cached_points(key: str, _engine) -> dict:
    points = map_points.map_points(_engine)
    points["hover"] = map_points.hover_texts(points)
    return points


@st.cache_data(show_spinner="Reading the extracts…", max_entries=4)
def cached_participant_points(key: str, _engine) -> dict:
    """The points a participant may see: only extracts consent lets them see (and not answers
    whose author said no to quoting, as on Explore), and the
    attribute filter offers only values held by at least consent.MIN_GROUP people (a smaller
    group could point at one of them)."""
    points = cached_points(key, _engine)
    allowed = participation.shown_to_participants(_engine, points["id"])
    visible = map_points.subset_points(points, allowed)
    people = consent.people_per_value(_engine, list(visible["attributes"]))
    enough = {pair for pair, n in people.items() if n >= consent.MIN_GROUP}
    return map_points.keep_attribute_values(visible, enough)


def filters(points: dict) -> dict:
    """The filter widgets; returns filter_mask's arguments and a note on undated extracts."""
    kinds_present = sorted(set(points["kind"]))
    left, middle, right, far = st.columns([3, 2, 3, 3])
    kinds = left.multiselect("Kind", kinds_present, default=kinds_present, key="map-kind")
    dated = sorted(d for d in points["date"] if d)
    dates = None
    if dated:
        first, last = date.fromisoformat(dated[0]), date.fromisoformat(dated[-1])
        chosen = middle.date_input(
            "Dates", value=(first, last), min_value=first, max_value=last, key="map-dates"
        )
        # A range half picked (start only) or the whole span filters nothing, undated included.
        if isinstance(chosen, tuple | list) and len(chosen) == 2 and tuple(chosen) != (first, last):
            dates = (chosen[0].isoformat(), chosen[1].isoformat())
    names = list(points["attributes"])
    attribute = right.selectbox("Attribute", [ANY, *names], key="map-attribute")
    value = None
    if attribute != ANY:
        values = list(points["attributes"][attribute])
        value = far.selectbox("Value", values, key="map-attribute-value")
    return {
        "kinds": kinds,
        "dates": dates,
        "attribute": None if attribute == ANY else attribute,
        "value": value,
    }


def selected_ids(event, trace_ids: list) -> list[str]:
    """Extract ids of the points selected on the chart (customdata first, else the trace)."""
    found = []
    for point in (event or {}).get("selection", {}).get("points", []):
        custom = point.get("customdata")
        if custom:
            found.append(custom[0] if isinstance(custom, list) else custom)
        elif point.get("curve_number") is not None and point.get("point_index") is not None:
            curve, index = point["curve_number"], point["point_index"]
            if curve < len(trace_ids) and index < len(trace_ids[curve]):
                found.append(trace_ids[curve][index])
    return list(dict.fromkeys(found))


def selection_panel(ws, points: dict, chosen: list[str]) -> None:
    """What was clicked: the extract (or a summary of many) and a way to its theme."""
    position = {extract_id: i for i, extract_id in enumerate(points["id"])}
    rows = [position[e] for e in chosen if e in position]
    if not rows:
        return
    themes = Counter(points["theme_id"][i] for i in rows)
    placed = [(t, n) for t, n in themes.most_common() if t not in NO_THEME]
    with st.container(border=True):
        if len(rows) == 1:
            details = ws.store.extracts_by_ids([points["id"][rows[0]]])
            row = details.get(points["id"][rows[0]])
            if row is not None:
                user_text(row["text"], quote=True)
                # Never who wrote it: an account name is never shown beside a quote.
                withheld = ""
                one = [points["id"][rows[0]]]
                if staff and not participation.shown_to_participants(ws.store.engine, one):
                    withheld = " · withheld from participants"
                titles = titled_sources(ws.store.engine)
                st.caption(safe_markdown(provenance(row, titles) + withheld))
        else:
            st.write(f"{len(rows):,} extracts selected.")
        if not placed:
            st.write("Not in a theme: " + safe_markdown(points["theme_label"][rows[0]]) + ".")
            return
        theme_id, count = placed[0]
        label = points["theme_label"][position_of_theme(points, theme_id)]
        share = f" ({count:,} of {len(rows):,} selected)" if len(rows) > 1 else ""
        text = safe_markdown(f"Open theme {theme_id}: {label}{share}")
        if st.button(text, key="map-open-theme"):
            open_theme_page(theme_id, staff)


def position_of_theme(points: dict, theme_id: str) -> int:
    return points["theme_id"].index(theme_id)


st.title("Map")
st.write(
    "Every extract placed by meaning: extracts that say similar things sit close together. "
    "Each theme is named at its centre; the largest have a colour each, the rest share grey, "
    "and Unsorted is pale. Hover for the text, click (or draw a box) to select."
)
staff = is_staff(current_account())
try:
    ws = workspace()
    engine = ws.store.engine
    fingerprint = projection.fingerprint(engine)
    # Consent changes are in the audit trail, so they change the fingerprint and these caches.
    if staff:
        points = cached_points(fingerprint["themes"], engine)
    else:
        points = cached_participant_points(fingerprint["themes"], engine)
    layout = cached_layout(fingerprint["vectors"], engine)
except Exception as err:  # the store may be unreachable: say so in one line
    show_error(err)
    st.stop()

if not points["id"]:
    st.write("Nothing to map yet — staff add material on the Sources page.")
    st.stop()

if layout["ids"] == points["id"]:
    xy = layout["xy"]
else:  # the store changed between the two reads: place what both know, the rest next time
    at = {extract_id: i for i, extract_id in enumerate(layout["ids"])}
    xy = np.array([layout["xy"][at[e]] if e in at else (np.nan, np.nan) for e in points["id"]])

try:
    chosen_filters = filters(points)
    mask = map_points.filter_mask(points, **chosen_filters) & ~np.isnan(xy[:, 0])
    if not staff and chosen_filters["attribute"]:
        kept = map_points.without_small_theme_groups(points, mask, consent.MIN_GROUP)
        if kept.sum() < mask.sum():
            st.caption(
                f"Themes where fewer than {consent.MIN_GROUP} people give this answer are "
                "not drawn: so few could be recognised."
            )
        mask = kept
    matching = np.flatnonzero(mask)
    shown = map_points.even_sample(matching, MAX_POINTS)
    if not len(matching):
        st.write("No extract matches these filters.")
        st.stop()
    if not any(t not in NO_THEME for t in points["theme_id"]):
        st.caption("No themes yet — staff can build them on the Themes page; until then all grey.")
    figure, trace_ids = map_figure(points, xy, shown)
    if staff:
        curate_selected.keep_view(figure)
    if len(shown) < len(matching):
        st.caption(
            f"Showing an even sample of {len(shown):,} of {len(matching):,} matching extracts "
            "so the map stays quick; filter to see the rest."
        )
    else:
        st.caption(f"{len(shown):,} of {len(points['id']):,} extracts shown.")
    event = st.plotly_chart(
        figure,
        on_select="rerun",
        selection_mode=("points", "box", "lasso"),
        key="map-chart",
        config={"displaylogo": False, "scrollZoom": True},
    )
    chosen = selected_ids(event, trace_ids)
    selection_panel(ws, points, chosen)
    if staff:
        known = cached.themes(cached.store_key(engine), engine)
        labels = {t: known["rows"][t]["label"] for t in known["active"]}
        curate_selected.map_panel(engine, xy, points["id"], chosen, labels)
except Exception as err:  # a broken filter or chart must show as one line, never a traceback
    show_error(err)
