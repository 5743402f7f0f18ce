"""Themes (staff): themes by area, one theme's evidence and who said it, curation, rebuilds."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from lab_app.core.audit import current_user
from lab_app.material.source_names import titled_sources
from lab_app.themes import views as theme_views
from lab_app.themes.state import last_build
from lab_app.themes.unsorted import fit_none, unsorted_extracts
from lab_app.ui import guard, time_range
from lab_app.ui import theme_actions as actions
from lab_app.ui.auth import require_role
from lab_app.ui.charts.attributes import matrix_figure
from lab_app.ui.components import provenance, safe_markdown, user_text
from lab_app.ui.curate_selected import theme_selection
from lab_app.ui.resources import workspace
from lab_app.ui.theme_curation import curation_form
from lab_app.ui.unsorted_review import unsorted_panel
from lab_app.year import window

require_role("staff")  # checked on the server, whatever route reached this page

FLAG_MARKS = {"new": "🆕 new", "grown": "📈 grown", "faded": "📉 faded"}

ws = workspace()
engine = ws.store.engine
home = str(ws.settings.home)


# Reads are cached on the workspace and its version (last audit line, extract count, last
# ingest), so every rerun between two changes costs one small query. cache_resource hands back
# the same object without a copy: unpickling a big theme's members cost more than reading them.
# The page never changes what it gets back.
@st.cache_resource(show_spinner=False, max_entries=4)
def _theme_rows(_engine, home: str, version: tuple) -> list[dict]:
    return theme_views.theme_rows(_engine)


@st.cache_resource(show_spinner=False, max_entries=16)
def _detail(_store, home: str, version: tuple, theme_id: str) -> dict | None:
    return theme_views.theme_detail(_store, theme_id)


@st.cache_resource(show_spinner=False, max_entries=4)
def _unsorted(_engine, home: str, version: tuple) -> list[dict]:
    return unsorted_extracts(_engine)


@st.cache_resource(show_spinner=False, max_entries=4)
def _attributes(_engine, home: str, version: tuple) -> list[str]:
    return theme_views.matrix_attributes(_engine)


# The matrix, not its figure, is cached: a figure is cheap to draw, costly to copy.
@st.cache_resource(show_spinner=False, max_entries=16)
def _matrix(_engine, home: str, version: tuple, attribute: str, order: tuple) -> dict:
    return theme_views.attribute_matrix(_engine, attribute, list(order))


def _open_from_table(key: str, ids: list[str]) -> None:
    rows = st.session_state[key].selection.rows
    if rows:
        st.session_state["selected_theme"] = ids[rows[0]]


def _open_from_select() -> None:
    # The browser keeps the chosen option as its shown text ("label (id · size)"): after an
    # action changes that text, the next click sends a text no option has, handed back as
    # that text. Only a theme id opens a theme, so the open one stays open after an action.
    chosen = st.session_state.get("themes-select")
    if chosen in {row["id"] for row in _theme_rows(engine, home, theme_views.version(engine))}:
        st.session_state["selected_theme"] = chosen


# --- the page ------------------------------------------------------------------------------

st.title("Themes")
header = st.empty()  # filled after a rebuild, so it names the build just made


@guard.action("themes.rebuild", "staff", "themes-rebuild")
def _rebuild() -> None:
    with st.spinner("Rebuilding themes…"):
        try:
            st.session_state["themes-report"] = ws.build_themes()
        except Exception as err:  # a failed build is one line on the page, never a traceback
            st.session_state[actions.FLASH] = ("error", err)


st.button(
    "Rebuild themes", key="themes-rebuild", help="Place new material; curation stays",
    on_click=_rebuild,
)  # fmt: skip

build = last_build(engine)
header.caption(
    f"Acting as {safe_markdown(current_user())} · "
    + (
        f"last build #{build['id']} ({build['mode']}) on {build['at']:%Y-%m-%d %H:%M} "
        f"by {safe_markdown(build['who'])}"
        if build
        else "themes not built yet"
    )
)

version = theme_views.version(engine)

if "themes-report" in st.session_state:
    report = theme_views.labelled_report(engine, st.session_state["themes-report"])
    with st.container(border=True):
        st.markdown(
            f"**Rebuilt ({report['mode']}, build #{report['build']}):** {report['themes']} "
            f"themes over {report['extracts']:,} extracts; {report['unsorted']:,} unsorted "
            f"({report['unsorted_share']:.1%})."
            + (f" {fit_none(report['fit_none'])}: review." if report.get("fit_none") else "")
        )
        for key in ("new", "grown", "faded"):
            names = ", ".join(f"“{safe_markdown(t['label'])}”" for t in report[key])
            st.markdown(f"**{key.capitalize()} ({len(report[key])}):** {names or 'none'}")
        for key in ("merged", "split"):
            changes = "; ".join(
                " + ".join(safe_markdown(t["label"]) for t in change["from"])
                + " → "
                + " + ".join(safe_markdown(t["label"]) for t in change["to"])
                for change in report[key]
            )
            st.markdown(f"**{key.capitalize()} ({len(report[key])}):** {changes or 'none'}")

rows = _theme_rows(engine, home, version)
active = {row["id"]: row for row in rows}
if not rows:
    actions.flash()
    st.info("No themes yet: press **Rebuild themes** to find them in the pooled extracts.")
    st.stop()

# Another page may name a theme to open (st.session_state["selected_theme"]) before switching.
wanted = st.session_state.get("selected_theme")
if wanted in active and st.session_state.get("themes-select") != wanted:
    st.session_state["themes-select"] = wanted
elif st.session_state.get("themes-select") not in active:
    st.session_state["themes-select"] = None

st.selectbox(
    "Open a theme",
    list(active),
    key="themes-select",
    index=None,
    placeholder="Choose a theme, or click a row below",
    format_func=lambda t: f"{active[t]['label']} ({t} · {active[t]['size']} extracts)",
    on_change=_open_from_select,
)
selected = st.session_state.get("themes-select")

total = sum(row["size"] for row in rows)
st.caption(f"{len(rows)} active themes holding {total:,} extracts, by area, largest first.")
# The sparklines cover the Lab's year unless widened: prior evidence does not stretch them.
shown = time_range.date_range(engine, "themes-dates")
keep = window.months_between(*shown, rows[0]["months"]) if shown else None
for i, (area, members) in enumerate(theme_views.by_area(rows)):
    size = sum(row["size"] for row in members)
    expanded = selected is None or selected in {row["id"] for row in members}
    with st.expander(
        f"{safe_markdown(area) or 'No area'} — {len(members)} themes, {size:,} extracts",
        expanded=expanded,
    ):
        ids = [row["id"] for row in members]
        table = pd.DataFrame(
            {
                "Theme": [row["label"] for row in members],
                "Extracts": [row["size"] for row in members],
                "Volume by month": [
                    row["volumes"] if keep is None else [row["volumes"][i] for i in keep]
                    for row in members
                ],
                "Flags": [
                    " ".join([FLAG_MARKS[f] for f in row["flags"]] + ["🔒"] * row["locked"])
                    for row in members
                ],
                "ID": ids,
            }
        )
        st.dataframe(
            table,
            hide_index=True,
            key=f"themes-area-{i}",
            on_select=partial(_open_from_table, f"themes-area-{i}", ids),
            selection_mode="single-row",
            column_config={
                "Theme": st.column_config.TextColumn(width="large"),
                "Volume by month": st.column_config.LineChartColumn(width="small", y_min=0),
            },
        )

faded = theme_views.faded_themes(engine)
if faded:
    st.caption(
        "Faded in the last build: " + ", ".join(f"“{safe_markdown(t['label'])}”" for t in faded)
    )

offered = {t: row["label"] for t, row in active.items()}
unsorted_panel(engine, _unsorted(engine, home, version), offered, actions.FLASH)

if selected is None:
    actions.flash()
    st.stop()

theme = _detail(ws.store, home, version, selected)
if st.session_state.get(actions.VIEW_OF) != selected:
    # The curation inputs start from this theme, not the one open before.
    st.session_state["themes-rename-text"] = theme["label"]
    st.session_state["themes-describe-text"] = theme["description"]
    for key in actions.CURATION_INPUTS:
        st.session_state.pop(key, None)
    st.session_state[actions.VIEW_OF] = selected

st.divider()
st.subheader(safe_markdown(theme["label"]))
marks = [FLAG_MARKS[f] for f in active[selected]["flags"]]
marks += ["🔒 locked"] * theme["locked"] + ["name by staff"] * theme["label_by_staff"]
st.caption(" · ".join([selected, safe_markdown(theme["area"]), *marks]))
if theme["description"]:
    user_text(theme["description"])
kinds = ", ".join(f"{kind} {n:,}" for kind, n in theme["kinds"].items())
st.markdown(f"**{theme['size']:,} extracts** ({kinds or 'none'})")
if theme["phrases"]:
    st.caption("Key phrases: " + safe_markdown(", ".join(theme["phrases"])))
actions.flash()

# A keyed tab set that tells the server which tab is open: after an action (whose one-line
# outcome appears above the tabs) the same tab is drawn open again, not the first.
evidence, matrix_tab, curate, history = st.tabs(
    ["Representative extracts", "Theme × attribute", "Curate", "History"],
    key="themes-tab",
    on_change="rerun",
)

with evidence:
    if not theme["exemplars"]:
        st.info("This theme holds no extracts.")
    titles = titled_sources(ws.store.engine)
    for extract in theme["exemplars"]:
        with st.container(border=True):
            user_text(extract["text"])
            where = [provenance(extract, titles)]
            if extract.get("paragraph") is not None and not extract.get("page"):
                where.append(f"paragraph {extract['paragraph'] + 1}")
            pin = "📌 pinned · " if extract["pinned"] else ""
            st.caption(pin + safe_markdown(" · ".join(p for p in where if p)))
            answers = theme_views.respondent(extract["attributes"])
            if answers:
                st.caption(safe_markdown(" · ".join(f"{q}: {a}" for q, a in answers)))

with matrix_tab:
    names = _attributes(engine, home, version)
    if not names:
        st.info("No extract carries respondent attributes yet (they come with survey answers).")
    else:
        attribute = st.selectbox("Attribute", names, key="themes-matrix-attribute")
        matrix = _matrix(engine, home, version, attribute, tuple(active))
        figure = matrix_figure(matrix, selected)
        if figure is None:
            st.info("No extract in a theme carries this attribute.")
        else:
            st.caption(
                "Share of each theme's extracts holding each value, among its extracts that "
                "carry this attribute; the top row is every extract. ▶ marks this theme."
            )
            st.plotly_chart(figure, key="themes-heatmap")
    st.markdown("**Over-represented in this theme** (at the last build)")
    if theme["over_represented"]:
        st.dataframe(
            pd.DataFrame(theme["over_represented"]).rename(
                columns={"share": "in theme", "overall": "overall"}
            ),
            hide_index=True,
            column_config={
                "in theme": st.column_config.NumberColumn(format="percent"),
                "overall": st.column_config.NumberColumn(format="percent"),
            },
        )
    else:
        st.caption("No attribute value is markedly commoner here than overall.")

with curate:
    curation_form(engine, theme, active, selected)
    st.divider()
    theme_selection(engine, theme, active, selected, actions.FLASH)

with history:
    events = theme["history"][-20:]
    if not events:
        st.caption("No history yet.")
    for event in reversed(events):
        size = f" · {event['size']} extracts" if event.get("size") else ""
        who = (event.get("detail") or {}).get("who")
        by = f" · by {safe_markdown(who)}" if who else ""
        st.markdown(f"- {event['at']:%Y-%m-%d %H:%M} · **{event['event']}**{size}{by}")
