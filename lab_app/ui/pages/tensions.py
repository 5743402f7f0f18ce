"""Tensions: two sides with quotes, found from votes, answers and text; staff confirm or dismiss."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lab_app.core.audit import current_user
from lab_app.opinions import (
    groups as opinion_groups,
)
from lab_app.opinions import (
    participation,
    tensions,
)
from lab_app.opinions import (
    signals as tension_signals,
)
from lab_app.themes.views import label_of
from lab_app.ui.components import provenance, safe_markdown, show_error, user_text
from lab_app.ui.resources import workspace

SIGNALS = {
    "votes": "Votes: statements that split the opinion groups",
    "attributes": "Answers: respondent groups lean opposite ways",
    "text": "Text: opposite ends of a theme (suggestions)",
}
OPEN_FIRST = 3  # tensions shown with both sides open; the rest open on a click

st.title("Tensions")
st.caption(
    "Where the Lab's material pulls two ways. Each tension shows its two sides with quotes and "
    "the evidence it was found from. Text tensions are suggestions: the language model measures "
    "closeness in topic, not agreement, so staff confirm or dismiss them. Respondent groups "
    f"under {tension_signals.MIN_GROUP} people are never shown."
)

ws = workspace()
engine = ws.store.engine
who = current_user()

if done := st.session_state.pop("tensions-done", None):
    st.success(done)
if error := st.session_state.pop("tensions-error", None):
    show_error(ValueError(error))


def _refresh() -> None:
    try:
        with st.spinner("Looking for tensions in votes, answers and text…"):
            result = tensions.refresh(ws, who)
    except Exception as err:  # one line in the page, never a traceback
        st.session_state["tensions-error"] = str(err) or type(err).__name__
    else:
        st.session_state["tensions-done"] = (
            f"Recomputed: {result['new']} new, {result['updated']} updated, "
            f"{result['unchanged']} unchanged."
        )


def _decide(identifier: str, status: str) -> None:
    try:
        tensions.decide(engine, identifier, status, who)
    except Exception as err:
        st.session_state["tensions-error"] = str(err) or type(err).__name__
    else:
        st.session_state["tensions-done"] = f"Tension {identifier} {status}."


def groups_chart() -> None:
    """Everyone who voted on the 2-D opinion map, coloured by group."""
    result = opinion_groups.from_workspace(engine)
    if result is None:
        return
    st.subheader("Opinion groups")
    sizes = ", ".join(f"group {g + 1}: {n} people" for g, n in result.group_sizes().items())
    st.caption(
        f"{result.k} groups from agree / disagree / pass votes ({sizes}); people who voted on "
        f"fewer than {opinion_groups.MIN_VOTES} statements are shown grey and not grouped."
    )
    figure = go.Figure()
    names = {-1: "not grouped"} | {g: f"group {g + 1}" for g in range(result.k)}
    for group, name in names.items():
        members = [p for p in result.participants if result.labels.get(p, -1) == group]
        if not members:
            continue
        figure.add_trace(
            go.Scattergl(
                x=[result.positions[p][0] for p in members],
                y=[result.positions[p][1] for p in members],
                mode="markers",
                name=name,
                marker={"size": 6, "color": "lightgrey"} if group == -1 else {"size": 7},
                hoverinfo="name",
            )
        )
    figure.update_layout(height=360, margin={"l": 10, "r": 10, "t": 10, "b": 10})
    figure.update_xaxes(showticklabels=False)
    figure.update_yaxes(showticklabels=False)
    st.plotly_chart(figure, key="tensions-groups-chart")


def quotes(side: dict) -> None:
    """Up to a few quotes participants may see; the rest are counted, not shown. Staff see
    the same, so what they confirm is what participants will read."""
    wanted = list(dict.fromkeys(side.get("quotes") or side.get("extract_ids", [])))
    allowed = participation.shown_to_participants(engine, wanted)
    details = participation.extract_details(engine, [e for e in wanted if e in allowed])
    shown = [details[e] for e in wanted if e in details][: tension_signals.QUOTES_PER_SIDE]
    for row in shown:
        user_text(row["text"], quote=True)
        st.caption(provenance(row))
    withheld = len([e for e in wanted if e not in allowed])
    if withheld:
        st.caption(f"{withheld} quotes not shown: their authors did not agree to it.")
    if not shown and not withheld:
        st.caption("No quote available (the material may have been withdrawn).")


def measures(row: dict) -> None:
    found = row["measures"] or {}
    if row["signal"] == "votes":
        st.markdown(
            f"Divisiveness {found.get('divisiveness', 0):.2f} · group-informed consensus "
            f"{found.get('consensus_agree', 0):.2f} · {found.get('votes', 0)} votes"
        )
        table = pd.DataFrame(
            [{"group": g, **values} for g, values in (found.get("groups") or {}).items()]
        )
        st.dataframe(table, hide_index=True, key=f"tension-table-{row['id']}")
    elif row["signal"] == "attributes":
        st.markdown(
            f"**Question:** {safe_markdown(found.get('question', ''))}  \n"
            f"**Grouped by:** {safe_markdown(found.get('grouped_by', ''))}  \n"
            f"Agree shares {found.get('agree_gap', 0):.0%} apart · Cramér's V "
            f"{found.get('cramers_v', 0):.2f} · p {found.get('p_value', 1):.1g}"
        )
        st.dataframe(
            pd.DataFrame(found.get("groups") or []),
            hide_index=True,
            key=f"tension-table-{row['id']}",
        )
        if found.get("suppressed_groups"):
            st.caption(
                f"{found['suppressed_groups']} groups under {tension_signals.MIN_GROUP} people "
                "suppressed."
            )
    else:
        pairs = found.get("pairs") or []
        st.markdown(
            f"{len(pairs)} pairs of extracts close in topic at opposite ends of the theme "
            f"(score {found.get('score', 0):.2f}; "
            f"{sum(p.get('contrast_cue', False) for p in pairs)} with a push-back cue)."
        )


def history(row: dict) -> None:
    events = tensions.history(engine, row["id"])
    by_month = (row["measures"] or {}).get("by_month")
    if by_month:
        frame = pd.DataFrame(by_month, index=["one side", "other side"]).T
        st.bar_chart(frame, height=180)
    for event in events:
        st.caption(
            f"{event['at']:%Y-%m-%d %H:%M} · {event['event']} · {safe_markdown(event['who'])}"
        )


def show(row: dict, open_sides: bool) -> None:
    with st.container(border=True):
        st.markdown(
            f"**{safe_markdown(row['title'])}**  \n"
            f"{row['signal']} · {row['status']} · `{row['id']}`"
        )
        if row["themes"]:
            names = ", ".join(safe_markdown(label_of(engine, t)) for t in row["themes"])
            st.caption(f"Themes: {names}")
        measures(row)
        with st.expander("Both sides, in their words", expanded=open_sides):
            columns = st.columns(len(row["sides"]) or 1)
            for column, side in zip(columns, row["sides"], strict=False):
                with column:
                    st.markdown(f"**{safe_markdown(side['label'].capitalize())}**")
                    st.caption(side["summary"])
                    quotes(side)
        with st.expander("History"):
            history(row)
        confirm, dismiss, _ = st.columns([1, 1, 4])
        if row["status"] != "confirmed":
            confirm.button(
                "Confirm", key=f"tension-confirm-{row['id']}",
                on_click=_decide, args=(row["id"], "confirmed"),
            )  # fmt: skip
        if row["status"] != "dismissed":
            dismiss.button(
                "Dismiss", key=f"tension-dismiss-{row['id']}",
                on_click=_decide, args=(row["id"], "dismissed"),
            )  # fmt: skip


try:
    groups_chart()
    rows = tensions.list_tensions(engine, include_dismissed=True)
except Exception as err:
    show_error(err)
    st.stop()

left, middle, right = st.columns([3, 1, 1])
chosen = left.multiselect(
    "Signals", list(SIGNALS), default=list(SIGNALS), format_func=SIGNALS.get, key="tensions-signal"
)
with_dismissed = middle.checkbox("Show dismissed", key="tensions-dismissed")
right.button("Recompute (staff)", key="tensions-refresh", on_click=_refresh)

if not rows:
    st.info(
        "No tensions found yet. Staff: build themes, then press Recompute "
        "(or run `qlab tensions --refresh`)."
    )
visible = [
    r for r in rows if r["signal"] in chosen and (with_dismissed or r["status"] != "dismissed")
]
if visible:
    counts = Counter(r["status"] for r in visible)
    st.caption(
        f"{len(visible)} tensions: "
        + ", ".join(
            f"{counts[s]} {s}" for s in ("confirmed", "suggested", "dismissed") if counts[s]
        )
        + f". The first {OPEN_FIRST} and every confirmed one open with both sides' words."
    )
# A long list of suggestions reads best as titles and measures: open the first few and the
# confirmed ones; the rest open on a click.
for position, row in enumerate(visible):
    show(row, open_sides=row["status"] == "confirmed" or position < OPEN_FIRST)
