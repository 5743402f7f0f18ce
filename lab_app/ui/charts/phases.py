"""Per-phase charts of the Timeline: what emerged, grew or faded, turned on its side so phase
names read across, with whole-number counts."""

from __future__ import annotations

import plotly.graph_objects as go

from lab_app.ui.charts.readable import FULL_WIDTH, category_px, chars_for, plain, shorten, wrap

SHIFTS = (("emerged", "#2ca02c"), ("grew", "#1f77b4"), ("faded", "#7f7f7f"))
NAME_CHARS = 24  # a phase name wraps onto lines this long on the y axis
HOVER_LABEL = 40


def shifts_figure(shifts: list[dict], names: list[str]) -> go.Figure:
    """Horizontal grouped bars: one row per phase (named by `names`, first at the top), a bar
    per emerged/grew/faded counting themes, the count written beside it and the themes'
    labels in the hover."""
    rows = [wrap(name, NAME_CHARS) for name in names]
    figure = go.Figure()
    for field, colour in SHIFTS:
        counts = [len(s[field]) for s in shifts]
        figure.add_bar(
            y=rows,
            x=counts,
            orientation="h",
            name=field,
            marker_color=colour,
            text=[str(n) if n else "" for n in counts],
            textposition="outside",
            textangle=0,
            cliponaxis=False,
            customdata=[
                "<br>".join(plain(shorten(t["label"], HOVER_LABEL)) for t in s[field]) or "none"
                for s in shifts
            ],
            hovertemplate="%{customdata}<extra>" + field + "</extra>",
        )
    most = max([len(s[f]) for s in shifts for f, _ in SHIFTS] or [0])
    figure.update_layout(
        barmode="group",
        height=120 + 60 * len(shifts),
        margin=dict(t=30, b=10),
        legend=dict(orientation="h", y=1.08, traceorder="normal"),
        xaxis=dict(
            title="themes",
            tickformat="d",
            dtick=1 if most <= 10 else None,
            range=[0, max(most, 1) + 0.6],  # room for the count beside the longest bar
            tickangle=0,
        ),
        yaxis=dict(type="category", autorange="reversed", tickangle=0),
    )
    return figure


def activity_figure(activity: list[dict], names: list[str], kinds: dict[str, str]) -> go.Figure:
    """Grouped bars per phase (named by `names`): extracts of each kind, votes and ideas added;
    phase names wrapped to the room each phase has, so they stay level."""
    ticks = [wrap(name, chars_for(category_px(FULL_WIDTH, len(names)))) for name in names]
    series = [
        (name, [a["extracts"].get(kind, 0) for a in activity]) for kind, name in kinds.items()
    ]
    series += [("Votes", [a["votes"] for a in activity])]
    series += [("Ideas added", [a["ideas"] for a in activity])]
    figure = go.Figure()
    for name, values in series:
        figure.add_bar(x=ticks, y=values, name=name)
    figure.update_layout(
        barmode="group",
        height=360,
        margin=dict(t=20, b=10),
        legend=dict(orientation="h", y=1.12),  # above, so the phases have the full width
        xaxis=dict(type="category", tickangle=0),
        yaxis=dict(title="count", tickformat="d", rangemode="tozero"),
    )
    return figure
