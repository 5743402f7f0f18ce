"""The Map page on the themed demo Lab: points by theme, filters, safe hover, click-through."""

from __future__ import annotations

import json
from datetime import date

from lab_app.core.settings import Settings
from lab_app.themes.build import placements
from lab_app.ui.charts import theme_map
from lab_app.ui.components import safe_markdown
from lab_app.workspace import Workspace


def chart(at):
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    return charts[0]


def shown_ids(at) -> list[str]:
    spec = json.loads(chart(at).proto.spec)
    return [row[0] for trace in spec["data"] for row in trace["customdata"]]


def store(app_home):
    return Workspace(Settings.from_env(home=app_home)).store


def test_every_extract_is_drawn_coloured_by_theme(open_page, app_home):
    at = open_page("map")
    assert not at.exception, at.exception
    spec = json.loads(chart(at).proto.spec)
    ids = shown_ids(at)
    assert sorted(ids) == sorted(store(app_home).extract_ids())
    placed = placements(store(app_home).engine)
    for trace in spec["data"]:
        assert trace["type"] == "scattergl"
        themes = {placed.get(row[0], {}).get("theme_id") for row in trace["customdata"]}
        assert len(themes) == 1  # one trace per theme
        if themes == {"unsorted"}:
            assert trace["name"] == "Unsorted" and trace["marker"]["color"] == theme_map.PALE
        hover = " ".join(row[1] for row in trace["customdata"])
        assert "<a" not in hover and "<script" not in hover
    # The largest themes a colour each, never repeated; the rest share one "Other themes" grey.
    colours = [t["marker"]["color"] for t in spec["data"] if t["name"] != "Unsorted"]
    own = [c for c in colours if c != theme_map.OTHER]
    assert len(set(own)) == len(own) == len(theme_map.PALETTE) and theme_map.OTHER in colours
    legend = [t["name"] for t in spec["data"] if t.get("showlegend", True)]
    assert legend.count("Other themes") == 1


def test_kind_dates_and_attribute_filters_change_what_is_shown(open_page, app_home):
    at = open_page("map")
    details = store(app_home).extracts_by_ids(sorted(store(app_home).extract_ids()))

    at.multiselect(key="map-kind").set_value(["evidence"]).run()
    assert not at.exception, at.exception
    ids = shown_ids(at)
    assert ids and {details[i]["kind"] for i in ids} == {"evidence"}
    assert len(ids) == sum(1 for d in details.values() if d["kind"] == "evidence")

    at.multiselect(key="map-kind").set_value(["survey", "contribution"])
    at.date_input(key="map-dates").set_value((date(2026, 4, 1), date(2026, 4, 30))).run()
    ids = shown_ids(at)
    assert ids and all("2026-04-01" <= details[i]["date"] <= "2026-04-30" for i in ids)
    assert {details[i]["kind"] for i in ids} == {"survey", "contribution"}

    at.date_input(key="map-dates").set_value((date(2025, 12, 1), date(2026, 11, 30)))
    at.multiselect(key="map-kind").set_value(["survey", "evidence", "contribution"])
    at.selectbox(key="map-attribute").select("What is your age?").run()
    value = at.selectbox(key="map-attribute-value").options[0]
    at.selectbox(key="map-attribute-value").select(value).run()
    assert not at.exception, at.exception
    ids = shown_ids(at)
    names, rows = store(app_home).export_rows()
    expected = {r["extract_id"] for r in rows if r.get("attr:What is your age?") == value}
    assert ids and set(ids) == expected


def select_points(at, points: list[dict]) -> None:
    """What the browser sends when points are clicked: the chart's selection as widget state."""
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = chart(at).proto.id
    selection = {"points": points, "point_indices": [p["point_index"] for p in points]}
    state.string_value = json.dumps({"selection": dict(selection, box=[], lasso=[])})
    at._run(widget_state=states)


def test_selecting_a_point_offers_its_theme(open_page, app_home):
    at = open_page("map")
    spec = json.loads(chart(at).proto.spec)
    first = spec["data"][0]["customdata"][0]
    select_points(at, [{"curve_number": 0, "point_index": 0, "customdata": first}])
    assert not at.exception, at.exception
    theme_id = placements(store(app_home).engine)[first[0]]["theme_id"]
    button = at.button(key="map-open-theme")
    assert safe_markdown(theme_id) in button.label
    text = store(app_home).extracts_by_ids([first[0]])[first[0]]["text"]
    assert any(m.value.startswith("> ") for m in at.markdown)
    assert text.split()[0].strip(".,") in " ".join(m.value for m in at.markdown)

    button.click()
    select_points(at, [{"curve_number": 0, "point_index": 0, "customdata": first}])
    assert not at.exception, at.exception
    assert at.session_state["selected_theme"] == theme_id
    assert "map-chart" not in [c.key for c in at.get("plotly_chart")]  # now on the Themes page
    assert at.title[0].value != "Map"


def test_a_box_of_points_opens_their_commonest_theme(open_page, app_home):
    at = open_page("map")
    spec = json.loads(chart(at).proto.spec)
    picked = [
        {"curve_number": 0, "point_index": i, "customdata": spec["data"][0]["customdata"][i]}
        for i in range(3)
    ] + [{"curve_number": 1, "point_index": 0}]  # no customdata: found by trace and index
    select_points(at, picked)
    assert not at.exception, at.exception
    assert any("4 extracts selected" in m.value for m in at.markdown)
    assert safe_markdown("(3 of 4 selected)") in at.button(key="map-open-theme").label


def test_an_empty_workspace_has_nothing_to_map(empty_app):
    at = empty_app("staff")
    at.run()
    at.switch_page("pages/map.py")
    at.run()
    assert not at.exception, at.exception
    assert not at.get("plotly_chart")
    assert any("Nothing to map yet" in m.value for m in at.markdown)


def test_a_participant_sees_no_withheld_point_and_filters_only_by_groups_of_five(
    open_page, app_home
):
    from lab_app.material import consent
    from lab_app.opinions import participation

    engine = store(app_home).engine
    details = store(app_home).extracts_by_ids(sorted(store(app_home).extract_ids()))
    person = next(r["person"] for r in details.values() if r["kind"] == "contribution")
    theirs = {e for e, r in details.items() if r["person"] == person}
    consent.set_consent(engine, "person", person, "staff", show_to_participants=False)

    at = open_page("map", role="participant")
    assert not at.exception, at.exception
    ids = shown_ids(at)
    shown = participation.shown_to_participants(engine, list(details))
    assert set(ids) == shown and not set(ids) & theirs
    words = [" ".join(details[e]["text"].split()[:6]) for e in theirs]
    hover = " ".join(" ".join(chart(at).proto.spec.replace("\\", "").split()).split("<br>"))
    assert not [w for w in words if w in hover]
    assert any(f"{len(ids):,} of {len(ids):,} extracts shown" in c.value for c in at.caption)

    # A hidden point sent as if clicked shows nothing of it.
    hidden = sorted(theirs)[0]
    select_points(at, [{"curve_number": 0, "point_index": 0, "customdata": [hidden, ""]}])
    assert not at.exception, at.exception
    assert not [m for m in at.markdown if m.value.startswith("> ")]
    assert "map-open-theme" not in [b.key for b in at.button]

    age = "What is your age?"
    at.selectbox(key="map-attribute").select(age).run()
    offered = at.selectbox(key="map-attribute-value").options
    small = {v for (name, v), n in consent.people_per_value(engine, [age]).items() if n < 5}
    assert small  # the demo Lab has an age group of fewer than five people...
    assert offered and set(offered) <= set(consent.shown_values(engine, age))
    assert not set(offered) & small  # ...which a participant cannot filter by
    at.selectbox(key="map-attribute-value").select(offered[0]).run()
    assert not at.exception, at.exception
    placed = placements(engine)
    people: dict = {}
    for extract_id in shown_ids(at):  # each theme drawn holds at least five people
        theme = placed.get(extract_id, {}).get("theme_id")
        people.setdefault(theme, set()).add(details[extract_id]["person"] or extract_id)
    assert people and min(len(who) for who in people.values()) >= consent.MIN_GROUP

    staff = open_page("map")
    assert theirs <= set(shown_ids(staff))  # staff see every point
    staff.selectbox(key="map-attribute").select(age).run()
    assert small <= set(staff.selectbox(key="map-attribute-value").options)


def test_a_participant_opens_a_theme_on_explore(open_page, app_home):
    at = open_page("map", role="participant")
    spec = json.loads(chart(at).proto.spec)
    first = spec["data"][0]["customdata"][0]
    select_points(at, [{"curve_number": 0, "point_index": 0, "customdata": first}])
    theme_id = placements(store(app_home).engine)[first[0]]["theme_id"]
    at.button(key="map-open-theme").click()
    select_points(at, [{"curve_number": 0, "point_index": 0, "customdata": first}])
    assert not at.exception, at.exception
    assert at.title[0].value == "Explore"  # participants have no Themes page
    assert at.radio(key="explore-view").value == "One theme"
    assert at.selectbox(key="explore-theme-page").value == theme_id
