"""Explore's search: by meaning, with filters (kind, theme, attribute, dates), matched words in
bold, and more results on demand."""

from __future__ import annotations

from datetime import date

import streamlit as st

from lab_app.ui import cached, curate_selected
from lab_app.ui.components import safe_markdown, show_error
from lab_app.ui.highlight import query_words
from lab_app.ui.quotes import KINDS, PICK, statements

SEARCH_FIELDS = ("extract_id", "text", "source", "kind", "page", "row", "date")  # never person
PAGE = 10  # results a "Show more results" adds
POOL = 200  # closest extracts searched when a theme, attribute or date filter narrows them
MOST = 500  # the widest pool "Show more results" may ask for
SHOWN = "explore-results-shown"  # {"for": the search it counts for, "n": results shown}
ANY = ""
FLASH = "explore-flash"  # the outcome of the last move or undo, shown once


def filters(key: str, engine, labels: dict[str, str], active: list[str]) -> dict:
    """The filter widgets; their values by name (ANY / None when not used)."""
    left, middle, right = st.columns(3)
    kind = left.selectbox("Kind", list(KINDS), key="explore-kind", format_func=KINDS.get)
    theme = middle.selectbox(
        "Theme",
        ["all", *active],
        key="explore-theme",
        format_func=lambda t: "All themes" if t == "all" else labels.get(t, t),
    )
    choices = cached.attribute_choices(key, engine)
    attribute = right.selectbox(
        "Who (survey and workshop answers)",
        [ANY, *choices],
        key="explore-attribute",
        format_func=lambda a: "Anyone" if a == ANY else a,
    )
    value = ANY
    if attribute:
        value = right.selectbox(
            "Answer", [ANY, *choices[attribute]], key="explore-attribute-value",
            format_func=lambda v: "Any answer" if v == ANY else v,
        )  # fmt: skip
    span = cached.date_span(key, engine)
    first = last = None
    if span:
        low, high = date.fromisoformat(span[0]), date.fromisoformat(span[1])
        start, end = st.columns(2)
        first = start.date_input("From", None, low, high, key="explore-from")
        last = end.date_input("To", None, low, high, key="explore-to")
    return dict(kind=kind, theme=theme, attribute=attribute, value=value, first=first, last=last)


def keep(hit: dict, chosen: dict) -> bool:
    """Whether a hit passes the theme, attribute and date filters (kind is asked of search)."""
    if chosen["theme"] != "all" and hit["theme_id"] != chosen["theme"]:
        return False
    answer = hit["attributes"].get(chosen["attribute"])
    if chosen["attribute"] and chosen["value"] and answer != chosen["value"]:
        return False
    day = (hit.get("date") or "")[:10]
    if chosen["first"] and not (day and day >= chosen["first"].isoformat()):
        return False
    return not (chosen["last"] and not (day and day <= chosen["last"].isoformat()))


def narrowing(chosen: dict) -> bool:
    return (
        chosen["theme"] != "all" or bool(chosen["value"]) or bool(chosen["first"] or chosen["last"])
    )


def results_wanted(query: str, chosen: dict) -> int:
    """Results to show: ten, and ten more per click, until the search or a filter changes."""
    signature = repr((query, sorted((k, str(v)) for k, v in chosen.items())))
    shown = st.session_state.get(SHOWN)
    if not shown or shown.get("for") != signature:
        st.session_state[SHOWN] = shown = {"for": signature, "n": PAGE}
    return shown["n"]


def show(ws, key: str, labels: dict, active: list[str], participant: str, staff: bool, visible):
    """The search view; `visible` keeps what this reader may see."""
    engine = ws.store.engine
    query = st.text_input(
        "Search by meaning", key="explore-query",
        placeholder="e.g. what stops people finding a peer group",
    )  # fmt: skip
    chosen = filters(key, engine, labels, active)
    if not query.strip():
        return
    wanted = results_wanted(query.strip(), chosen)
    # Room for what participants may not see; a wide pool when filters drop most of it.
    k = min(MOST, max(POOL, wanted * 10)) if narrowing(chosen) else wanted * 3
    kind = None if chosen["kind"] == "all" else chosen["kind"]
    try:
        hits = cached.search_rows(key, ws, query.strip(), k, kind)
    except Exception as err:
        show_error(err)
        return
    if problem := cached.index_problem(key, ws):  # never an empty answer that only looks whole
        st.warning(f"Search may be missing results: {safe_markdown(problem)}")
    kept = [hit for hit in hits if keep(hit, chosen)]
    if narrowing(chosen):
        st.caption(
            f"Filters keep the matching extracts among the {k} closest to your search, so "
            "less similar ones may not appear; undated extracts are left out by a date filter."
        )
    rows = visible([{name: hit[name] for name in SEARCH_FIELDS} for hit in kept])
    page = rows[:wanted]
    if not page:
        st.info("Nothing found: try other words, or another kind, theme, answer or dates.")
        return
    themes_of = {hit["extract_id"]: hit["theme_label"] for hit in kept}
    statements(engine, participant, page, themes_of, pick=staff, wanted=query_words(query))
    st.caption(f"Showing {len(page)} results, closest first.")
    more = len(rows) > len(page) or (len(hits) == k and k < MOST)
    if more and st.button("Show more results", key="explore-more-results"):
        st.session_state[SHOWN]["n"] = wanted + PAGE  # same search: ten more
        st.rerun()
    if staff:  # the query and its results stay; only the outcome is new after an action
        picks = [f"{PICK}{row['extract_id']}" for row in page]
        chosen_ids = [p[len(PICK) :] for p in picks if st.session_state.get(p)]
        curate_selected.flash(FLASH)
        after = curate_selected.forgetting(*picks)
        curate_selected.move_panel(engine, "explore", chosen_ids, labels, FLASH, after)
