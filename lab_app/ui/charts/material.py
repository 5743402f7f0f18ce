"""The Overview's material charts: counts by kind with level labels and counts above the bars."""

from __future__ import annotations

import plotly.graph_objects as go

from lab_app.ui.charts.readable import HALF_WIDTH, category_px, chars_for, wrap


def kind_bars(counts: dict[str, int], what: str, colours: dict[str, str]) -> go.Figure:
    """One bar per kind of material, its count written above it, never inside and turned
    sideways however short the bar; kind names level, wrapped to their share of half a page."""
    kinds = list(counts)
    values = [counts[k] for k in kinds]
    room = chars_for(category_px(HALF_WIDTH, len(kinds)))
    figure = go.Figure(
        go.Bar(
            x=[wrap(k, room) for k in kinds],
            y=values,
            marker_color=[colours[k] for k in kinds],
            text=[f"{v:,}" for v in values],
            textposition="outside",
            textangle=0,
            cliponaxis=False,
            hovertemplate="%{x}: %{y:,}<extra></extra>",
        )
    )
    figure.update_layout(
        title=f"{sum(values):,} {what} by kind",
        height=300,
        margin=dict(t=50, b=10),
        xaxis=dict(type="category", tickangle=0),
        yaxis=dict(tickformat=",d", rangemode="tozero", range=[0, max(values or [1]) * 1.15]),
    )
    return figure
