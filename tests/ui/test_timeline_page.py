"""The Timeline page on the themed demo Lab: theme volumes with phase bands and event markers,
shifts and activity per phase, what changed since a date, and staff editing events and phases."""

from __future__ import annotations

import json
from datetime import date

import pytest

from lab_app.core.settings import Settings
from lab_app.workspace import Workspace
from lab_app.year import changes as timeline_changes
from lab_app.year import timeline


@pytest.fixture
def engine(app_home):
    return Workspace(Settings.from_env(home=app_home)).store.engine


def _chart(at, key: str) -> dict:
    """The Plotly spec of the chart with this key (its element id carries the key)."""
    found = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if key in c.proto.id]
    assert len(found) == 1, f"no chart {key}"
    return found[0]


def test_theme_volumes_with_phases_and_events(open_page, engine):
    at = open_page("timeline")
    assert not at.exception, at.exception
    spec = _chart(at, "timeline-themes-chart")
    stacked = [t for t in spec["data"] if t.get("stackgroup") == "themes"]
    assert stacked and all(t["type"] == "scatter" for t in stacked)
    events = timeline.list_events(engine)
    (markers,) = [t for t in spec["data"] if t.get("name") == "Events"]
    assert sorted(markers["x"]) == sorted(e["date"] for e in events)
    bands = [s for s in spec["layout"]["shapes"] if s["type"] == "rect"]
    assert [(b["x0"], b["x1"]) for b in bands] == [
        (p["start"], p["end"]) for p in timeline.list_phases(engine)
    ]
    total = sum(sum(t["y"]) for t in stacked)
    from lab_app.themes.over_time import volumes

    assert total == sum(r["extracts"] for r in volumes(engine, by="month"))


def test_shifts_and_activity_per_phase(open_page, engine):
    at = open_page("timeline")
    shifts = _chart(at, "timeline-shifts-chart")
    expected = timeline.theme_shifts(engine)
    (faded,) = [t for t in shifts["data"] if t["name"] == "faded"]
    assert faded["x"] == [len(s["faded"]) for s in expected]  # bars lie on their side
    activity = _chart(at, "timeline-activity-chart")
    (survey,) = [t for t in activity["data"] if t["name"] == "Survey"]
    rows = timeline.activity_by_phase(engine)
    assert survey["y"] == [r["extracts"].get("survey", 0) for r in rows]
    written = " ".join(m.value for m in at.markdown)
    assert any(s["faded"] for s in expected) and "Faded:" in written


def test_what_changed_since_a_date(open_page, engine):
    at = open_page("timeline")
    at.date_input(key="timeline-since").set_value(date(2026, 8, 1)).run()
    assert not at.exception, at.exception
    written = [m.value for m in at.markdown]
    assert any(v.startswith("Since 2026") for v in written)
    changes = timeline_changes.changes_since(engine, "2026-08-01")
    for line in timeline_changes.summary_lines(changes)[1:]:
        assert any(line.lstrip("- ")[:20] in v.replace("\\", "") for v in written), line


def test_staff_add_an_event_and_bad_phases_are_refused(open_page, engine):
    at = open_page("timeline")
    before = len(timeline.list_events(engine))
    at.date_input(key="timeline-event-date").set_value(date(2026, 6, 1))
    at.text_input(key="timeline-event-title").input("Community <b>open</b> day")
    at.text_input(key="timeline-event-place").input("Hull")
    at.button(key="timeline-event-add").click().run()
    assert not at.exception, at.exception
    rows = timeline.list_events(engine)
    assert len(rows) == before + 1
    added = next(r for r in rows if r["place"] == "Hull")
    assert (added["date"], added["phase"]) == ("2026-06-01", "Develop")
    assert not [m for m in at.markdown if "<b>" in m.value and "\\<b" not in m.value]
    phases = timeline.list_phases(engine)
    at.text_area(key="timeline-phases-text").input("Discover, 2026-01-01, 2026-03-01\n"
                                                  "Define, 2026-02-01, 2026-04-30")  # fmt: skip
    at.button(key="timeline-phases-save").click().run()
    assert any("overlap" in e.value for e in at.error)
    assert timeline.list_phases(engine) == phases
