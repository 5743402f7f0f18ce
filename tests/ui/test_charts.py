"""Every chart built from the demo Lab reads right at a 1400 px window: date axes without times
of day, whole-number counts, answers in their scale's order with n shown, map colours that
never repeat, and every label level and within the room its category has."""

from __future__ import annotations

import html
import re
import shutil
from datetime import date, timedelta

import numpy as np
import pytest

from lab_app.ui.charts import attributes, material, over_time, phases, theme_map
from lab_app.ui.charts.readable import (
    AXIS_PX,
    FULL_WIDTH,
    HALF_WIDTH,
    category_px,
    char_px,
    widest_line,
)
from tests.corpus.truth import TRUTH

AGE = "What is your age?"
AGREE = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
KIND_NAMES = {"evidence": "Evidence", "survey": "Survey", "contribution": "Contributions"}
KIND_COLOURS = {"evidence": "#1f77b4", "survey": "#ff7f0e", "contribution": "#2ca02c"}
TIME_OF_DAY = re.compile(r"%[HIMSLfpX]")


@pytest.fixture(scope="module")
def lab(decided_home, tmp_path_factory):
    """One copy of the decided demo Lab (themes, ideas, tensions) for every chart here."""
    from lab_app.core.settings import Settings
    from lab_app.workspace import Workspace

    home = tmp_path_factory.mktemp("charts") / "lab"
    shutil.copytree(decided_home, home)
    return Workspace(Settings.from_env(home=home))


def assert_fits(labels: list[str], room_px: float, size: float = 12) -> None:
    """Each label's longest line fits across room_px at this font size."""
    for label in labels:
        assert widest_line(label) * char_px(size) <= room_px, (label, room_px)


def test_idea_over_time_is_a_date_axis_of_whole_bins_with_equal_bars(lab):
    from lab_app.year import ideas

    engine = lab.store.engine
    built = 0
    for idea in ideas.list_ideas(engine):
        dated = ideas.idea_dates(engine, idea["id"])
        if not dated:
            continue
        figure = over_time.dated_bars(dated)
        axis = figure.layout.xaxis
        assert axis.type == "date" and axis.tickangle == 0
        assert not TIME_OF_DAY.search(axis.tickformat) and not TIME_OF_DAY.search(axis.hoverformat)
        first, last = (date.fromisoformat(v[:10]) for v in axis.range)
        assert (last - first).days >= over_time.MIN_BINS  # one day is never a page-wide bar
        unit = over_time.bin_for(
            date.fromisoformat(dated[0]["date"]), date.fromisoformat(dated[-1]["date"])
        )
        bin_days = {"day": 1, "week": 7, "month": 31}[unit]
        shown = 0
        for bar in figure.data:
            # Bars of one width (a month's by its days), inside their bin, counts whole.
            assert {round(w / over_time.DAY_MS) for w in bar.width} <= {
                round(d * over_time.BAR_SHARE) for d in range(bin_days - 3, bin_days + 1)
            }
            assert all(float(y).is_integer() for y in bar.y)
            shown += sum(bar.y)
        assert shown == len(dated)
        assert figure.layout.yaxis.tickformat == "d"
        # Labelled ticks fit side by side across the plot.
        label = first.strftime(axis.tickformat)
        per_tick = axis.dtick if isinstance(axis.dtick, str) else axis.dtick / over_time.DAY_MS
        ticks = _ticks_between(first, last, per_tick)
        assert ticks * (len(label) + 1) * char_px() <= FULL_WIDTH - AXIS_PX
        built += 1
    assert built >= 5


def _ticks_between(first: date, last: date, dtick) -> int:
    """How many ticks a date axis draws from first to last, dtick being days or "M<n>"."""
    if isinstance(dtick, str):
        months = (last.year - first.year) * 12 + last.month - first.month
        return months // int(dtick[1:]) + 1
    return int((last - first) / timedelta(days=dtick)) + 1


def test_one_day_and_a_year_of_dates_pick_days_and_months():
    one = over_time.dated_bars([{"date": "2026-02-24", "what": "mention"}])
    assert one.layout.xaxis.tickformat == "%d %b %Y" and one.layout.yaxis.title.text == "per day"
    year = over_time.dated_bars(
        [{"date": d, "what": "mention"} for d in ("2025-12-04", "2026-06-30", "2026-11-06")]
    )
    assert year.layout.xaxis.tickformat == "%b %Y" and year.layout.xaxis.dtick.startswith("M")
    assert year.layout.xaxis.ticklabelmode == "period"


def test_timeline_shifts_lie_on_their_side_with_level_phase_names_and_whole_counts(lab):
    from lab_app.year import timeline, window

    engine = lab.store.engine
    shifts = timeline.theme_shifts(engine)
    year = window.lab_year(engine)
    names = [window.period_name(s["phase"], year) for s in shifts]
    figure = phases.shifts_figure(shifts, names)
    assert figure.layout.yaxis.type == "category" and figure.layout.yaxis.tickangle == 0
    assert figure.layout.xaxis.tickformat == "d" and figure.layout.xaxis.dtick == 1
    for bar in figure.data:
        assert bar.orientation == "h" and bar.textangle == 0
        assert all(isinstance(x, int) for x in bar.x)
        assert_fits(list(bar.y), phases.NAME_CHARS * char_px())
    emerged = next(b for b in figure.data if b.name == "emerged")
    assert sum(emerged.x) == sum(len(s["emerged"]) for s in shifts) > 0
    # The themes themselves are in the hover, escaped.
    assert any("Peer" in text for text in emerged.customdata)


def test_timeline_activity_labels_each_phase_level_within_its_column(lab):
    from lab_app.year import timeline, window

    engine = lab.store.engine
    activity = timeline.activity_by_phase(engine)
    year = window.lab_year(engine)
    names = [window.period_name(a["phase"], year) for a in activity]
    figure = phases.activity_figure(activity, names, KIND_NAMES)
    assert figure.layout.xaxis.tickangle == 0 and figure.layout.yaxis.tickformat == "d"
    assert figure.layout.legend.orientation == "h"  # the phases keep the chart's width
    assert_fits(list(figure.data[0].x), category_px(FULL_WIDTH, len(names)))
    assert [x.replace("<br>", " ") for x in figure.data[0].x] == [html.escape(n) for n in names]


def test_overview_material_bars_write_counts_level_above_the_bars(lab):
    from lab_app.year import overview

    counts = overview.material(lab.store.engine)
    for what in ("sources", "extracts"):
        figure = material.kind_bars(counts[what], what, KIND_COLOURS)
        (bar,) = figure.data
        assert bar.textangle == 0 and bar.textposition == "outside"
        assert list(bar.text) == [f"{v:,}" for v in counts[what].values()]
        assert figure.layout.xaxis.tickangle == 0
        assert_fits(list(bar.x), category_px(HALF_WIDTH, len(bar.x)))
        assert figure.layout.yaxis.range[1] > max(counts[what].values())  # room for the text


def _matrix(lab, question: str) -> dict:
    from lab_app.themes import views

    engine = lab.store.engine
    order = [r["id"] for r in views.theme_rows(engine)]
    return views.attribute_matrix(engine, question, order)


def test_heatmap_puts_likert_answers_in_scale_order_and_shows_n(lab):
    matrix = _matrix(lab, TRUTH["survey"]["likert_question"])
    assert set(matrix["values"]) == set(TRUTH["survey"]["likert_by_role"]["carer"])
    assert matrix["values"] == [*AGREE, "Don't know"]  # the scale low to high, then off it
    figure = attributes.matrix_figure(matrix, matrix["themes"][0]["id"])
    (heat,) = figure.data
    columns = list(figure.layout.xaxis.ticktext)
    totals = matrix["overall"]["counts"]
    for column, value, n in zip(columns, matrix["values"], totals, strict=True):
        assert column.replace("<br>", " ").startswith(value.replace("'", "&#x27;")[:10])
        assert column.endswith(f"n={n:,}")
    rows = [matrix["overall"], *matrix["themes"]]
    assert [[int(t.replace(",", "")) for t in r] for r in heat.text] == [r["counts"] for r in rows]
    assert all(t.endswith(f"(n={r['holders']:,})") for t, r in zip(
        figure.layout.yaxis.ticktext, rows, strict=True
    ))  # fmt: skip
    assert figure.layout.xaxis.tickangle == 0 and figure.layout.yaxis.tickangle == 0


def test_heatmap_labels_fit_their_columns_for_every_attribute(lab):
    from lab_app.themes import views

    for question in views.matrix_attributes(lab.store.engine):
        matrix = _matrix(lab, question)
        figure = attributes.matrix_figure(matrix, "")
        if figure is None:
            continue
        room = attributes.column_px(len(matrix["values"]), list(figure.layout.yaxis.ticktext))
        assert room >= 40, question  # twelve regions still get a readable column
        assert_fits(list(figure.layout.xaxis.ticktext), room, attributes.VALUE_FONT)
    ages = _matrix(lab, AGE)["values"]
    assert ages.index("Under 18") < ages.index("18-24") < ages.index("75+")
    assert ages[-1] == "Prefer not to say"


def test_map_names_every_theme_and_never_repeats_a_colour(lab):
    from lab_app.themes import map as projection
    from lab_app.themes import map_points

    engine = lab.store.engine
    points = map_points.map_points(engine)
    points["hover"] = map_points.hover_texts(points)
    layout = projection.map_layout(engine)
    assert layout["ids"] == points["id"]
    shown = np.arange(len(points["id"]))
    figure, trace_ids = theme_map.map_figure(points, layout["xy"], shown)
    assert sum(len(t) for t in trace_ids) == len(shown)
    legend = [(t.name, t.marker.color) for t in figure.data if t.showlegend is not False]
    colours = [c for _, c in legend]
    assert len(colours) == len(set(colours))  # one colour, one legend entry
    assert len(legend) <= len(theme_map.PALETTE) + 2  # the palette, Other themes, Unsorted
    by_theme = {}
    for trace in figure.data:
        theme = trace.name.split(" ", 1)[0] if trace.legendgroup != "other" else None
        if theme and trace.marker.color not in (theme_map.OTHER, theme_map.PALE):
            by_theme[theme] = trace.marker.color
    assert len(by_theme) == len(set(by_theme.values())) == len(theme_map.PALETTE)
    themes = {t for t in points["theme_id"] if t not in theme_map.NO_THEME}
    named = {re.match(r"<b>(\S+)</b>", a.text).group(1) for a in figure.layout.annotations}
    sizes = {t: points["theme_id"].count(t) for t in themes}
    assert named == {t for t in themes if sizes[t] >= theme_map.MIN_LABELLED}
    for note in figure.layout.annotations:
        assert widest_line(note.text.replace("<b>", "").replace("</b>", "")) <= (
            theme_map.LABEL_CHARS + 8
        )  # the id and a short name, two lines at most
        assert note.text.count("<br>") <= 1
