"""Static PNG charts for exports: a theme's extracts per month over the Lab's year."""

from __future__ import annotations

import io

from lab_app.themes.over_time import volumes
from lab_app.themes.views import month_range


def theme_months(engine) -> tuple[list[str], dict[str, list[int]]]:
    """Every month from the first dated placed extract to the last, and each theme's counts."""
    rows = volumes(engine, "month")
    if not rows:
        return [], {}
    months = month_range(min(r["period"] for r in rows), max(r["period"] for r in rows))
    position = {m: i for i, m in enumerate(months)}
    series: dict[str, list[int]] = {}
    for row in rows:
        series.setdefault(row["theme_id"], [0] * len(months))[position[row["period"]]] += row[
            "extracts"
        ]
    return months, series


def month_chart(months: list[str], counts: list[int], title: str) -> bytes:
    """A bar chart of extracts per month as PNG bytes (matplotlib, no display needed)."""
    import matplotlib

    matplotlib.use("Agg")  # no window system: draw straight to memory
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 2.6), dpi=120)
    axes = figure.add_subplot()
    labels = [_short_month(m) for m in months]
    axes.bar(range(len(counts)), counts, color="#3b6ea5")
    axes.set_xticks(range(len(labels)), labels, rotation=0, fontsize=7)
    axes.set_ylabel("extracts", fontsize=8)
    axes.set_title(title, fontsize=9, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(axis="y", labelsize=7)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _short_month(month: str) -> str:
    names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    year, number = month[:4], int(month[5:7])
    return (
        f"{names[number - 1]}\n{year}"
        if number == 1 or month.endswith("-12")
        else names[number - 1]
    )
