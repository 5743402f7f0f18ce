"""Counts over time on a date axis: bins of whole days, weeks or months chosen from the span,
bars of equal width centred in their bin, ticks that never show a time of day."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, datetime, time, timedelta

import plotly.graph_objects as go

from lab_app.ui.charts.readable import AXIS_PX, CHAR_PX, FULL_WIDTH

DAY_MS = 86_400_000
BAR_SHARE = 0.8  # of its bin a bar fills, so neighbouring bars never touch
MIN_BINS = 7  # an axis shows at least this many bins: one day alone is not a page-wide bar
UNITS = {"day": "per day", "week": "per week", "month": "per month"}
TICK_FORMAT = {"day": "%d %b %Y", "week": "%d %b %Y", "month": "%b %Y"}
WHAT_COLOURS = {"mention": "#1f77b4", "backing": "#2ca02c", "comment": "#ff7f0e"}
WHAT_NAMES = {"mention": "mentions", "backing": "backing", "comment": "comments"}


def bin_for(first: date, last: date) -> str:
    """Days for up to six weeks, weeks for up to six months, months beyond."""
    days = (last - first).days + 1
    return "day" if days <= 42 else "week" if days <= 183 else "month"


def bin_start(day: date, unit: str) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())  # weeks start on Monday
    if unit == "month":
        return day.replace(day=1)
    return day


def next_bin(start: date, unit: str) -> date:
    if unit == "day":
        return start + timedelta(days=1)
    if unit == "week":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def bins_between(first: date, last: date, unit: str) -> list[date]:
    """Every bin's first day from first's bin to last's, empty ones included."""
    starts, start = [], bin_start(first, unit)
    while start <= last:
        starts.append(start)
        start = next_bin(start, unit)
    return starts


def widened(starts: list[date], unit: str) -> list[date]:
    """The bins with empty ones added either side, up to MIN_BINS."""
    starts = list(starts)
    while len(starts) < MIN_BINS:
        starts.append(next_bin(starts[-1], unit))
        if len(starts) < MIN_BINS:
            starts.insert(0, bin_start(starts[0] - timedelta(days=1), unit))
    return starts


def tick_step(bins: int, width: float, label: str) -> int:
    """Bins between labelled ticks, so labels like `label` fit side by side across `width`
    with a gap of four characters between them."""
    return max(1, math.ceil(bins * (len(label) + 4) * CHAR_PX / width))


def dated_bars(dated: list[dict], width: float = FULL_WIDTH) -> go.Figure:
    """Stacked counts of [{date: "YYYY-MM-DD", what}] per day, week or month (chosen from the
    span), each bar its bin's width less a gap, on a date axis labelled by day or month."""
    days = sorted(date.fromisoformat(d["date"]) for d in dated)
    unit = bin_for(days[0], days[-1])
    starts = widened(bins_between(days[0], days[-1], unit), unit)
    ends = [next_bin(s, unit) for s in starts]
    # Each bar sits at its bin's middle (noon for a day): a date alone would centre it on the
    # bin's first instant and cut it in half at the axis's start.
    mids = [datetime.combine(s, time()) + (e - s) / 2 for s, e in zip(starts, ends, strict=True)]
    widths = [(e - s).days * DAY_MS * BAR_SHARE for s, e in zip(starts, ends, strict=True)]
    counts = Counter((bin_start(date.fromisoformat(d["date"]), unit), d["what"]) for d in dated)
    whats = list(dict.fromkeys(d["what"] for d in dated))
    figure = go.Figure()
    for what in whats:
        figure.add_bar(
            x=[m.isoformat() for m in mids],
            y=[counts[(s, what)] for s in starts],
            width=widths,
            name=WHAT_NAMES.get(what, what),
            marker_color=WHAT_COLOURS.get(what),
            customdata=[s.isoformat() for s in starts],
            hovertemplate="%{customdata}: %{y}<extra>" + WHAT_NAMES.get(what, what) + "</extra>",
        )
    step = tick_step(len(starts), width - AXIS_PX, starts[0].strftime(TICK_FORMAT[unit]))
    most = max(sum(counts[(s, w)] for w in whats) for s in starts)
    figure.update_layout(
        barmode="stack",
        height=240,
        margin=dict(t=10, b=10),
        legend=dict(orientation="h", y=1.15),
        xaxis=dict(
            type="date",
            range=[starts[0].isoformat(), ends[-1].isoformat()],
            # A day's tick at its noon sits under its bar; a week's or month's label is
            # centred on its period ("period"), not put on its first instant.
            tick0=mids[0].isoformat() if unit == "day" else starts[0].isoformat(),
            dtick=f"M{step}" if unit == "month" else step * (7 if unit == "week" else 1) * DAY_MS,
            tickformat=TICK_FORMAT[unit],
            ticklabelmode="instant" if unit == "day" else "period",
            hoverformat="%d %b %Y",
            tickangle=0,
        ),
        yaxis=dict(title=UNITS[unit], tickformat="d", rangemode="tozero", dtick=count_step(most)),
    )
    return figure


def count_step(most: int) -> int | None:
    """Whole-number ticks: one apart for small counts, plotly's own choice above ten."""
    return 1 if most <= 10 else None
