"""Small inline SVG charts for the HTML report: drawn here (a few rectangles and labels), so
the page needs no font, image or script from anywhere; every label is escaped."""

from __future__ import annotations

import html

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
BAR = "#3b6ea5"
CROWDED = 18  # more months than this and only each January is labelled
AREA_COLOURS = ["#3b6ea5", "#c8553d", "#2a9d8f", "#8d6a9f", "#e9a23b", "#577590", "#6a994e"]


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def month_bars(months: list[str], counts: list[int], title: str) -> str:
    """Extracts per month as bars, each with its count as a tooltip; months as 'YYYY-MM'."""
    width, height, left, bottom = 560, 140, 30, 28
    step = (width - left - 10) / max(1, len(months))
    top = max(counts, default=0) or 1
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{_e(title)}">',
        f"<title>{_e(title)}</title>",
        f'<text x="{left}" y="12" class="axis">{top} at most</text>',
    ]
    plot = height - bottom - 18
    for i, (month, n) in enumerate(zip(months, counts, strict=True)):
        x = left + i * step
        bar = plot * n / top
        y = height - bottom - bar
        name = MONTHS[int(month[5:7]) - 1]
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{step - 4:.1f}" height="{bar:.1f}" '
            f'fill="{BAR}"><title>{_e(name)} {_e(month[:4])}: {n}</title></rect>'
        )
        label = f"{name} {month[2:4]}" if month.endswith(("-01", "-12")) or i == 0 else name
        if len(months) > CROWDED and not (month.endswith("-01") or i == 0):
            label = ""  # years of months: January alone names its year
        parts.append(
            f'<text x="{x + step / 2:.1f}" y="{height - bottom + 14}" class="axis" '
            f'text-anchor="middle">{_e(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def theme_bars(rows: list[dict]) -> str:
    """Every theme's size as a horizontal bar coloured by area, each bar a link to its theme:
    rows of {"label", "size", "area_index", "anchor"}."""
    row_height, label_width, width = 22, 300, 760
    height = row_height * len(rows) + 10
    top = max((r["size"] for r in rows), default=0) or 1
    parts = [
        f'<svg class="chart overview" role="img" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="Themes by number of extracts">',
        "<title>Themes by number of extracts</title>",
    ]
    for i, row in enumerate(rows):
        y = 5 + i * row_height
        bar = (width - label_width - 60) * row["size"] / top
        colour = AREA_COLOURS[row["area_index"] % len(AREA_COLOURS)]
        label = row["label"] if len(row["label"]) <= 44 else row["label"][:43] + "…"
        parts.append(
            f'<a href="#{_e(row["anchor"])}"><text x="{label_width - 8}" y="{y + 15}" '
            f'text-anchor="end" class="label">{_e(label)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{bar:.1f}" height="{row_height - 6}" '
            f'fill="{colour}"><title>{_e(row["label"])}: {row["size"]}</title></rect>'
            f'<text x="{label_width + bar + 6:.1f}" y="{y + 15}" class="axis">{row["size"]}'
            "</text></a>"
        )
    parts.append("</svg>")
    return "".join(parts)
