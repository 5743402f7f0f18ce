"""Reads many page views share, cached until the store changes: themes, their quotes, searches.

Each cached function takes `key`, the store's fingerprint (`store_key`): it names the store and
changes with new material, a theme build, a curation action, a consent change or a withdrawal
(all in the audit trail), not with a vote or a sign-in. So reruns, and other people opening
the same page, reuse one answer; the next change makes a new one. A workshop of 50 people on
Explore otherwise asked the database some 300 questions per click (bench/load.py).
"""

from __future__ import annotations

import streamlit as st

from lab_app.opinions import participation
from lab_app.people import finder
from lab_app.themes import views
from lab_app.themes.build import list_themes, placements
from lab_app.themes.map import fingerprint
from lab_app.themes.state import load_state

# An attribute with more values than this is free text or an id, not something to filter by.
ATTRIBUTE_CHOICES = 40


def store_key(engine) -> str:
    """What the caches here are keyed on (four small queries)."""
    return fingerprint(engine)["themes"]


# Seconds an answer of "is the index behind the store?" is reused: counting the index held the
# GIL for about 7% of a 50-person search crowd's time (bench/load.py --profile-gil).
INDEX_CHECK_TTL_S = 5


@st.cache_data(show_spinner=False, max_entries=8, ttl=INDEX_CHECK_TTL_S)
def index_problem(key: str, _ws) -> str | None:
    """The workspace's index_problem(), asked at most every few seconds per store state."""
    return _ws.index_problem()


@st.cache_data(show_spinner=False, max_entries=8)
def themes(key: str, _engine) -> dict:
    """{"active": ids in the Themes page's order, "rows": id -> theme row (every status)}."""
    state = load_state(_engine)
    order = {row["id"]: i for i, row in enumerate(list_themes(_engine))}
    active = sorted(state.active(), key=lambda t: order.get(t, len(order)))
    return {"active": active, "rows": state.themes}


@st.cache_data(show_spinner=False, max_entries=16)
def descriptions(key: str, _engine, for_participants: bool) -> dict[str, str]:
    """Theme id -> the description this reader may see (participation.theme_descriptions)."""
    rows = themes(key, _engine)["rows"]
    active = [rows[t] for t in themes(key, _engine)["active"]]
    return participation.theme_descriptions(_engine, active, for_participants)


def marked(engine, rows: list[dict], staff: bool) -> list[dict]:
    """Participants get only the rows shown to participants (consent and the answer about
    quoting); staff get every one, those participants do not see marked hidden=True."""
    allowed = participation.shown_to_participants(engine, [row["extract_id"] for row in rows])
    if not staff:
        return [row for row in rows if row["extract_id"] in allowed]
    return [dict(row, hidden=row["extract_id"] not in allowed) for row in rows]


@st.cache_data(show_spinner=False, max_entries=1024)
def theme_quotes(key: str, _engine, theme_id: str, limit: int, staff: bool) -> list[dict]:
    """A theme's quotes for this reader: exemplars first, then the most typical
    (participation.theme_quotes), each only if the reader may see it (`marked`)."""
    details = themes(key, _engine)["rows"][theme_id]["details"] or {}
    rows = participation.theme_quotes(
        _engine,
        theme_id,
        first=details.get("exemplars") or [],
        limit=limit,
        for_participants=not staff,
    )
    return marked(_engine, rows, staff)


@st.cache_data(show_spinner=False, max_entries=512)
def search(key: str, _workspace, query: str, k: int, kind: str | None) -> list[dict]:
    """Workspace.search's hits, each with its theme_id and theme_label ("" when unplaced)."""
    placed = placements(_workspace.store.engine)
    return [
        dict(hit, **placed.get(hit["extract_id"], {"theme_id": "", "theme_label": ""}))
        for hit in _workspace.search(query, k=k, kind=kind)
    ]


@st.cache_data(show_spinner=False, max_entries=256)
def find_people(key: str, _workspace, query: str, limit: int) -> list[dict]:
    """finder.find's people for a question, as dicts. Every reader gets the same answer: it
    holds only what each person agreed to show; opting in or out is a change in the trail."""
    return [person.as_dict() for person in finder.find(_workspace, query, limit)]


@st.cache_data(show_spinner=False, max_entries=8)
def theme_index(key: str, _engine) -> list[dict]:
    """Active themes for Explore's index, areas largest first: id, label, area, live size."""
    return [
        {name: row[name] for name in ("id", "label", "area", "size", "kinds")}
        for row in views.theme_rows(_engine)
    ]


@st.cache_data(show_spinner=False, max_entries=512)
def search_rows(key: str, _workspace, query: str, k: int, kind: str | None) -> list[dict]:
    """`search`'s hits, each also with its respondent attributes (for Explore's filters)."""
    hits = search(key, _workspace, query, k, kind)
    attributes = views.attributes_of(_workspace.store.engine, [h["extract_id"] for h in hits])
    return [dict(hit, attributes=attributes.get(hit["extract_id"], {})) for hit in hits]


@st.cache_data(show_spinner=False, max_entries=8)
def attribute_choices(key: str, _engine) -> dict[str, list[str]]:
    """Attribute -> its values, for attributes with few enough values to pick from a list."""
    return views.attribute_values(_engine, ATTRIBUTE_CHOICES)


@st.cache_data(show_spinner=False, max_entries=8)
def date_span(key: str, _engine) -> tuple[str, str] | None:
    """The first and last extract date in the store (ISO), or None when nothing is dated."""
    return views.date_span(_engine)
