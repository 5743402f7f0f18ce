"""The Themes page's theme × attribute heatmap: answers in their natural order (the matrix
gives them so), n on both axes and in every cell, labels level and wrapped to their column."""

from __future__ import annotations

import plotly.graph_objects as go

from lab_app.ui.charts.readable import (
    FULL_WIDTH,
    char_px,
    chars_for,
    plain,
    shorten,
    widest_line,
    wrap,
)

THEME_CHARS = 30  # a theme's label on the y axis, before its " (n=…)"
COLORBAR_PX = 70
VALUE_LINES = 4
VALUE_FONT = 10  # answers' labels a size smaller: twelve regions must fit side by side


def column_px(values: int, ticks: list[str]) -> float:
    """The width of one answer's column: its share of what the theme labels and the colour
    bar leave of the chart's width."""
    labels = max(widest_line(t) for t in ticks) * char_px() + 10
    return (FULL_WIDTH - labels - COLORBAR_PX) / max(values, 1)


def matrix_figure(matrix: dict, current: str) -> go.Figure | None:
    """Share of each theme's holders giving each answer, coloured; each cell's count written in
    it; answers in the matrix's order (a scale low to high) with their n; themes with theirs."""
    if not matrix["themes"]:
        return None
    values = matrix["values"]
    rows = [{"id": "all", "label": "All extracts", **matrix["overall"]}, *matrix["themes"]]
    hover = [
        [[plain(row["label"]), plain(value), count, row["holders"]] for value, count in
         zip(values, row["counts"], strict=True)]
        for row in rows
    ]  # fmt: skip
    ticks = [
        ("▶ " if row["id"] == current else "")
        + plain(shorten(row["label"], THEME_CHARS))
        + f" (n={row['holders']:,})"
        for row in rows
    ]
    room = chars_for(column_px(len(values), ticks), VALUE_FONT)
    columns = [
        f"{wrap(value, room, VALUE_LINES)}<br>n={count:,}"
        for value, count in zip(values, matrix["overall"]["counts"], strict=True)
    ]
    figure = go.Figure(
        go.Heatmap(
            z=[row["share"] for row in rows],
            x=list(range(len(values))),
            y=list(range(len(rows))),
            text=[[f"{c:,}" for c in row["counts"]] for row in rows],
            texttemplate="%{text}",
            textfont={"size": 10},
            customdata=hover,
            colorscale="Blues",
            zmin=0,
            zmax=1,
            colorbar={"title": "share", "tickformat": ".0%", "thickness": 14},
            hovertemplate=(
                "%{customdata[0]}<br>%{customdata[1]}: %{z:.0%} "
                "(%{customdata[2]} of %{customdata[3]})<extra></extra>"
            ),
        )
    )
    figure.update_layout(
        height=200 + 24 * len(rows),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={
            "tickmode": "array",
            "tickvals": list(range(len(values))),
            "ticktext": columns,
            "side": "top",
            "tickangle": 0,
            "tickfont": {"size": VALUE_FONT},
            "automargin": True,
        },
        yaxis={
            "tickmode": "array",
            "tickvals": list(range(len(rows))),
            "ticktext": ticks,
            "autorange": "reversed",
            "tickangle": 0,
            "automargin": True,
        },
    )
    return figure
