"""What the Themes page reads, on the demo Lab with real themes: rows, detail, matrix, report."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest

from lab_app.core.settings import Settings
from lab_app.themes import curation
from lab_app.themes import views as theme_views
from lab_app.themes.build import placements
from lab_app.themes.state import load_state
from lab_app.workspace import Workspace

AGE = "What is your age?"
KINDS_OF_SUPPORT = "Which kinds of peer support would you consider?"  # a tick-all question


@pytest.fixture(scope="module")
def themed_home(demo_home, tmp_path_factory):
    """The demo Lab with themes built, once for this module."""
    home = tmp_path_factory.mktemp("theme-views")
    shutil.copytree(demo_home, home, dirs_exist_ok=True)
    Workspace(Settings.from_env(home=home)).build_themes()
    return home


@pytest.fixture(scope="module")
def reader(themed_home):
    """The themed demo, for tests that only read."""
    return Workspace(Settings.from_env(home=themed_home))


@pytest.fixture
def themed(themed_home, tmp_path, monkeypatch):
    """A private copy of the themed demo, for tests that curate."""
    monkeypatch.setenv("QLAB_USER", "sam.staff")
    home = tmp_path / "themed"
    shutil.copytree(themed_home, home)
    return Workspace(Settings.from_env(home=home))


def _placed(engine) -> dict[str, str]:
    return {e: p["theme_id"] for e, p in placements(engine).items() if p["theme_id"] != "unsorted"}


def test_rows_hold_every_active_theme_once_with_live_counts_grouped_by_area(reader):
    engine = reader.store.engine
    rows = theme_views.theme_rows(engine)
    active = [t for t in reader.list_themes() if t["status"] == "active"]
    assert sorted(r["id"] for r in rows) == sorted(t["id"] for t in active)
    sizes = Counter(_placed(engine).values())
    months, _ = theme_views.volumes(engine)[1:]
    for row in rows:
        assert row["size"] == sizes[row["id"]] == sum(row["kinds"].values())
        assert len(row["volumes"]) == len(months) and sum(row["volumes"]) <= row["size"]
        assert row["flags"] == []  # a first build flags nothing: every theme would be "new"
    areas = [r["area"] for r in rows]
    runs = [a for i, a in enumerate(areas) if i == 0 or a != areas[i - 1]]
    assert len(runs) == len(set(runs))  # each area is one run of rows
    assert [a for a, _ in theme_views.by_area(rows)] == runs
    for _, members in theme_views.by_area(rows):
        assert [m["size"] for m in members] == sorted((m["size"] for m in members), reverse=True)


def test_sparkline_months_run_without_gaps_and_count_dated_extracts(reader):
    engine = reader.store.engine
    _, months, series = theme_views.volumes(engine)
    assert months == sorted(months) and len(months) == len(set(months))
    for earlier, later in zip(months, months[1:], strict=False):
        year, month = int(earlier[:4]), int(earlier[5:])
        assert later == (f"{year + 1}-01" if month == 12 else f"{year}-{month + 1:02d}")
    dated = sum(
        1 for e in reader.store.extracts_by_ids(list(_placed(engine))).values() if e["date"]
    )
    assert sum(sum(line) for line in series.values()) == dated


def test_flags_come_from_an_incremental_build_report_only():
    report = {"mode": "incremental", "new": ["T-009"], "grown": ["T-001", "T-002"],
              "faded": ["T-002"]}  # fmt: skip
    assert theme_views.build_flags(report) == {
        "T-009": ["new"],
        "T-001": ["grown"],
        "T-002": ["grown", "faded"],
    }
    assert theme_views.build_flags(dict(report, mode="first")) == {}
    assert theme_views.build_flags(None) == {}


def test_detail_shows_exemplars_with_provenance_and_respondent_attributes(reader):
    engine = reader.store.engine
    rows = theme_views.theme_rows(engine)
    survey_theme = max(rows, key=lambda r: r["kinds"].get("survey", 0))
    detail = theme_views.theme_detail(reader.store, survey_theme["id"])
    assert detail["label"] == survey_theme["label"] and detail["size"] == survey_theme["size"]
    stored = load_state(engine).themes[survey_theme["id"]]["details"]["exemplars"]
    assert [e["id"] for e in detail["exemplars"]] == stored
    for extract in detail["exemplars"]:
        assert extract["source"] and extract["text"]
        if extract["kind"] == "survey":
            assert extract["row"] and AGE in extract["attributes"]
    # The pickers list every member, most central first.
    similarities = [m["similarity"] for m in detail["members"]]
    assert len(detail["members"]) == detail["size"]
    assert similarities == sorted(similarities, reverse=True)
    assert all(len(m["text"]) <= theme_views.SHORT_TEXT for m in detail["members"])
    assert detail["history"][0]["event"] == "emerged"
    assert theme_views.theme_detail(reader.store, "T-999") is None


def test_a_pinned_extract_comes_first_and_a_split_theme_still_has_exemplars(themed):
    engine = themed.store.engine
    theme_id = theme_views.theme_rows(engine)[0]["id"]
    members = theme_views.theme_detail(themed.store, theme_id)["members"]
    least_typical = members[-1]["id"]
    curation.pin(engine, least_typical)
    detail = theme_views.theme_detail(themed.store, theme_id)
    assert detail["exemplars"][0]["id"] == least_typical and detail["exemplars"][0]["pinned"]
    assert len(detail["exemplars"]) == 4  # the pin, then the build's three
    new_part = curation.split(engine, theme_id, parts=2)[1]
    part = theme_views.theme_detail(themed.store, new_part)
    assert part["size"] > 0 and len(part["exemplars"]) == min(3, part["size"])


def test_version_moves_with_every_curation_action_and_undo(themed):
    engine = themed.store.engine
    first = theme_views.version(engine)
    theme_id = theme_views.theme_rows(engine)[0]["id"]
    curation.rename(engine, theme_id, "Someone who has been there")
    second = theme_views.version(engine)
    curation.undo(engine)
    assert len({first, second, theme_views.version(engine)}) == 3
    assert theme_views.label_of(engine, theme_id) != "Someone who has been there"
    assert theme_views.label_of(engine, "T-999") == "T-999"


AGE_BANDS = [
    "Under 18", "18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+", "Prefer not to say",
]  # fmt: skip


def test_matrix_shares_are_counted_among_a_themes_holders(reader):
    engine = reader.store.engine
    order = [r["id"] for r in theme_views.theme_rows(engine)]
    matrix = theme_views.attribute_matrix(engine, AGE, order)
    placed = _placed(engine)
    ages = {
        e: attrs[AGE]
        for e, attrs in theme_views.attributes_of(engine, list(placed)).items()
        if AGE in attrs
    }
    # The survey's age bands youngest first, "Prefer not to say" last: never alphabetical.
    assert matrix["values"] == [a for a in AGE_BANDS if a in set(ages.values())]
    with_ages = {placed[e] for e in ages}
    assert [t["id"] for t in matrix["themes"]] == [t for t in order if t in with_ages]
    for row in matrix["themes"]:
        expected = Counter(v for e, v in ages.items() if placed[e] == row["id"])
        assert row["counts"] == [expected[v] for v in matrix["values"]]
        assert row["holders"] == sum(expected.values())
        assert sum(row["share"]) == pytest.approx(1.0)  # one age per extract
    assert matrix["overall"]["holders"] >= sum(t["holders"] for t in matrix["themes"])


def test_a_tick_all_question_is_one_attribute_whose_options_are_its_values(reader):
    engine = reader.store.engine
    names = theme_views.matrix_attributes(engine)
    assert KINDS_OF_SUPPORT in names
    assert not any(theme_views.OPTION_SEPARATOR in n for n in names)
    matrix = theme_views.attribute_matrix(engine, KINDS_OF_SUPPORT)
    assert "Online group or forum" in matrix["values"] and len(matrix["values"]) >= 4
    # Several options per answer: shares may add up to more than one, each stays within it.
    assert any(sum(row["share"]) > 1 for row in matrix["themes"])
    assert all(0 <= s <= 1 for row in matrix["themes"] for s in row["share"])
    empty = theme_views.attribute_matrix(engine, "no such question")
    assert empty["themes"] == [] and empty["values"] == []


def test_respondent_joins_the_options_of_a_tick_all_question():
    attributes = {
        AGE: "45-54",
        f"{KINDS_OF_SUPPORT} — Group in person": "Group in person",
        f"{KINDS_OF_SUPPORT} — Phone or video call": "Phone or video call",
    }
    assert theme_views.respondent(attributes) == [
        (AGE, "45-54"),
        (KINDS_OF_SUPPORT, "Group in person, Phone or video call"),
    ]


def test_a_build_report_reads_with_labels(themed):
    engine = themed.store.engine
    first, second = [r["id"] for r in theme_views.theme_rows(engine)[:2]]
    curation.rename(engine, first, "Being heard")
    report = {
        "mode": "incremental", "themes": 3, "extracts": 10, "unsorted": 1,
        "unsorted_share": 0.1, "build": 4, "new": [second], "grown": [], "faded": [],
        "merged": [f"{second}→{first}"], "split": [f"{first}→{first}+T-999"],
    }  # fmt: skip
    labelled = theme_views.labelled_report(engine, report)
    assert labelled["themes"] == 3 and labelled["new"][0]["id"] == second
    assert labelled["merged"] == [
        {
            "from": [{"id": second, "label": theme_views.label_of(engine, second)}],
            "to": [{"id": first, "label": "Being heard"}],
        }
    ]
    # A theme gone since keeps its id as its name.
    assert labelled["split"][0]["to"][1] == {"id": "T-999", "label": "T-999"}


def test_no_faded_themes_after_a_first_build(reader):
    assert theme_views.faded_themes(reader.store.engine) == []
