"""The Map's figure: the largest themes in colours that never repeat, the rest one grey
"Other themes", and every theme named at its centre on the map itself."""

from __future__ import annotations

from collections import Counter

import numpy as np
import plotly.graph_objects as go

from lab_app.ui.charts.labels import place
from lab_app.ui.charts.readable import FULL_WIDTH, plain, shorten, wrap

# Ten hues are about as many as a reader can match from legend to point; a 33-colour legend
# repeats colours in all but name. These are D3's category colours less its grey.
PALETTE = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#bcbd22", "#17becf", "#393b79",
]  # fmt: skip
OTHER = "#9e9e9e"  # every theme beyond the palette: one grey, one legend entry
PALE = "#d9d9d9"  # Unsorted and not yet themed: not themes at all
NO_THEME = {None: "Not themed yet", "unsorted": "Unsorted"}
LABEL_CHARS = 18  # a theme's name on the map, per line (two lines at most)
MIN_LABELLED = 3  # points a theme needs on the map before its name is written there
HEIGHT = 650
LEGEND_PX = 240  # the legend's share of the chart's width


def colours_for(points: dict) -> dict:
    """Theme id -> colour for the len(PALETTE) largest themes in the store (so filtering never
    recolours); every other theme is OTHER."""
    sizes = Counter(t for t in points["theme_id"] if t not in NO_THEME)
    ranked = sorted(sizes, key=lambda t: (-sizes[t], t))
    return {t: PALETTE[i] if i < len(PALETTE) else OTHER for i, t in enumerate(ranked)}


def centres(xy: np.ndarray, rows_by_theme: dict) -> dict:
    """Theme -> (x, y): the median of its points shown (robust to a few strays)."""
    return {
        theme: tuple(np.median(xy[rows], axis=0))
        for theme, rows in rows_by_theme.items()
        if theme not in ("", "unsorted") and len(rows) >= MIN_LABELLED
    }


def map_figure(points: dict, xy: np.ndarray, shown: np.ndarray) -> tuple[go.Figure, list]:
    """One WebGL trace per theme (largest first, Unsorted last), the grey ones sharing one
    legend entry, and each theme's id and short name at its centre; trace -> extract ids."""
    colours = colours_for(points)
    theme_of = np.array([t or "" for t in points["theme_id"]], dtype=object)[shown]
    groups = Counter(theme_of)
    order = sorted(groups, key=lambda t: (t in ("", "unsorted"), -groups[t], t))
    label_of = dict(zip(points["theme_id"], points["theme_label"], strict=True))
    ids = np.array(points["id"], dtype=object)
    hover = np.array(points["hover"], dtype=object)
    figure, trace_ids, grey_shown, rows_by_theme = go.Figure(), [], False, {}
    for theme in order:
        rows = shown[theme_of == theme]
        rows_by_theme[theme] = rows
        name = label_of.get(theme or None, "")
        colour = colours.get(theme, PALE)
        grey = colour == OTHER
        legend = "Other themes" if grey else f"{theme} {name}" if colour != PALE else name
        figure.add_trace(
            go.Scattergl(
                x=xy[rows, 0],
                y=xy[rows, 1],
                mode="markers",
                name=plain(shorten(legend, 60)),
                legendgroup="other" if grey else theme,
                showlegend=not (grey and grey_shown),
                marker=dict(size=6, color=colour, opacity=0.8),
                customdata=np.column_stack([ids[rows], hover[rows]]),
                hovertemplate="%{customdata[1]}<extra></extra>",
            )
        )
        grey_shown = grey_shown or grey
        trace_ids.append(ids[rows].tolist())
    label_themes(figure, xy[shown], centres(xy, rows_by_theme), label_of, colours)
    figure.update_layout(
        height=HEIGHT,
        margin=dict(l=10, r=10, t=10, b=10),
        xaxis=dict(visible=False),
        yaxis=dict(visible=False, scaleanchor="x"),
        legend=dict(itemsizing="constant", font=dict(size=11)),
        dragmode="pan",
        hoverlabel=dict(align="left"),
    )
    return figure, trace_ids


def label_themes(figure: go.Figure, xy: np.ndarray, at: dict, label_of: dict, colours: dict):
    """Each theme's id and short name at its centre, largest themes placed first; a name
    nudged off a busier spot is tied back to its centre by a thin line."""
    themes = list(at)  # centres() keeps the traces' order: largest first
    texts = [f"<b>{plain(t)}</b> " + wrap(label_of.get(t, ""), LABEL_CHARS, 2) for t in themes]
    kept = xy[~np.isnan(xy[:, 0])]
    span = (kept[:, 0].min(), kept[:, 0].max(), kept[:, 1].min(), kept[:, 1].max())
    plot = (FULL_WIDTH - LEGEND_PX, HEIGHT - 20)
    offsets = place([at[t] for t in themes], texts, span, plot)
    for theme, text, (dx, dy) in zip(themes, texts, offsets, strict=True):
        colour = colours.get(theme, OTHER)
        figure.add_annotation(
            x=at[theme][0],
            y=at[theme][1],
            text=text,
            showarrow=bool(dx or dy),
            ax=dx,
            ay=dy,
            arrowhead=0,
            arrowwidth=1,
            arrowcolor=colour,
            font=dict(size=11, color="#222222"),
            bgcolor="rgba(255,255,255,0.8)",
            bordercolor=colour,
            borderwidth=1,
            borderpad=2,
        )
