"""lab_app.year.overview and lab_app.themes.map on real stores: counts, phases, themes, the map."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from ingest.records import Extract, Source
from lab_app.material.consent import set_consent
from lab_app.material.store import Store
from lab_app.themes import map as projection
from lab_app.themes import map_points
from lab_app.themes.build import build
from lab_app.themes.over_time import set_phases
from lab_app.year import overview

PHASES = [
    {"name": "Discover", "start": "2026-01-01", "end": "2026-03-31"},
    {"name": "Develop", "start": "2026-05-01", "end": "2026-08-31"},
    {"name": "Share", "start": "2026-09-01", "end": "2026-11-30"},
]
WORDS = {
    "garden": "allotment garden growing vegetables soil",
    "phone": "phone call line evening listening",
    "money": "funding grant budget commissioners money",
}


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'store.sqlite3'}")


def clusters(n_per: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three well separated groups of unit vectors, and each row's group."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, 384))
    groups = np.repeat(np.arange(3), n_per)
    vectors = centres[groups] + rng.normal(scale=0.35, size=(len(groups), 384))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float32), groups


def add(store: Store, path: str, kind: str, extracts: list[Extract], vectors) -> None:
    for i, extract in enumerate(extracts):
        extract.id = extract.id or f"{path}-{i:04d}"
    source = Source(path=path, kind=kind, content_hash=path, text="", extracts=extracts)
    store.replace_source(source, np.asarray(vectors, dtype=np.float32))


def themed_store(store: Store) -> Store:
    """60 contributions in three topics; only the garden topic gets material in Sep-Nov."""
    vectors, groups = clusters(20)
    topics = list(WORDS)
    extracts = []
    for i, group in enumerate(groups):
        topic = topics[group]
        recent = topic == "garden" and i % 20 >= 8
        month = 9 + i % 3 if recent else 2 + i % 3
        extracts.append(
            Extract(
                text=f"{WORDS[topic]} note {i}",
                kind="contribution",
                start=0,
                end=0,
                date=f"2026-{month:02d}-{1 + i % 27:02d}",
                person=f"person{i % 7}",
                attributes={"role": "carer" if i % 2 else "peer worker"},
                id=f"c{i:04d}",
            )
        )
    add(store, "chat.json", "contribution", extracts, vectors)
    set_phases(store.engine, PHASES)
    build(store.engine)
    return store


# --- overview -------------------------------------------------------------------------------


def test_an_empty_store_gives_empty_answers(store):
    engine = store.engine
    assert overview.material(engine) == {"sources": {}, "extracts": {}}
    assert overview.extracts_per_month(engine) == {"rows": [], "undated": 0}
    assert overview.lab_phase(engine, date(2026, 5, 1))["state"] == "none"
    assert overview.last_build_summary(engine) is None
    assert overview.newest_themes(engine) == []
    assert overview.growing_themes(engine) == {"window": None, "themes": []}
    assert overview.latest_contributions(engine) == []
    assert set(overview.snapshot(engine)) == {
        "material", "set_aside", "per_month", "build", "unsorted", "newest", "growing", "latest",
        "latest_shown",
    }  # fmt: skip
    assert overview.snapshot(engine)["unsorted"] == 0
    assert overview.snapshot(engine)["set_aside"] == {
        "non_answers": 0, "non_answers_by_type": {}, "blank_answers": 0
    }  # fmt: skip


def test_material_and_months_count_by_kind(store):
    vectors, _ = clusters(2)
    survey = [
        Extract(text=f"answer {i}", kind="survey", start=0, end=0, date=d)
        for i, d in enumerate(["2026-03-02", "2026-03-09", "2026-04-01", None])
    ]
    evidence = [Extract(text="a report", kind="evidence", start=0, end=0, date="2026-03-15")]
    add(store, "survey.csv", "survey", survey, vectors[:4])
    add(store, "report.pdf", "evidence", evidence, vectors[4:5])
    assert overview.material(store.engine) == {
        "sources": {"evidence": 1, "survey": 1},
        "extracts": {"evidence": 1, "survey": 4},
    }
    months = overview.extracts_per_month(store.engine)
    assert months["undated"] == 1
    assert months["rows"] == [
        {"month": "2026-03", "kind": "evidence", "extracts": 1},
        {"month": "2026-03", "kind": "survey", "extracts": 2},
        {"month": "2026-04", "kind": "survey", "extracts": 1},
    ]


@pytest.mark.parametrize(
    ("today", "state", "current", "following"),
    [
        (date(2025, 12, 31), "before", None, "Discover"),
        (date(2026, 1, 1), "during", "Discover", "Develop"),
        (date(2026, 3, 31), "during", "Discover", "Develop"),
        (date(2026, 4, 15), "between", None, "Develop"),
        (date(2026, 11, 30), "during", "Share", None),
        (date(2026, 12, 1), "after", "Share", None),
    ],
)
def test_the_phase_of_a_day(store, today, state, current, following):
    set_phases(store.engine, PHASES)
    where = overview.lab_phase(store.engine, today)
    assert where["state"] == state
    assert (where["current"] or {}).get("name") == current
    assert (where["next"] or {}).get("name") == following
    assert [p["name"] for p in where["phases"]] == ["Discover", "Develop", "Share"]
    if state == "between":
        assert where["previous"]["name"] == "Discover"


def test_latest_contributions_are_the_newest_contribution_extracts(store):
    vectors, _ = clusters(3)
    dates = ["2026-01-05", None, "2026-06-01", "2026-02-01", "2026-06-01", "2026-05-20", "2026-03"]
    chat = [
        Extract(text=f"message {i}", kind="contribution", start=0, end=0, date=d, person=f"p{i}")
        for i, d in enumerate(dates)
    ]
    add(store, "chat.json", "contribution", chat, vectors[: len(chat)])
    later = [Extract(text="a survey answer", kind="survey", start=0, end=0, date="2026-12-01")]
    add(store, "survey.csv", "survey", later, vectors[7:8])
    latest = overview.latest_contributions(store.engine)
    assert [r["text"] for r in latest] == [
        "message 4",  # same day as message 2 but later in the file
        "message 2",
        "message 5",
        "message 6",
        "message 3",
    ]
    assert latest[0]["source"] == "chat.json" and latest[0]["person"] == "p4"
    assert len(overview.latest_contributions(store.engine, n=10)) == 7
    assert overview.latest_contributions(store.engine, n=10)[-1]["text"] == "message 1"


def test_latest_contributions_for_participants_leave_out_the_withheld(store):
    vectors, _ = clusters(10)
    chat = [
        Extract(text=f"message {i}", kind="contribution", start=0, end=0,
                date=f"2026-01-{10 + i:02d}", person="quiet" if i >= 20 else f"p{i}")
        for i in range(30)
    ]  # fmt: skip
    add(store, "chat.json", "contribution", chat, vectors)
    set_consent(store.engine, "person", "quiet", "staff", show_to_participants=False)
    everyone = overview.latest_contributions(store.engine, n=12)
    # Staff see the newest, the withheld marked; the ten newest are all the quiet person's.
    assert [r["text"] for r in everyone[:10]] == [f"message {i}" for i in range(29, 19, -1)]
    assert [r["withheld"] for r in everyone] == [True] * 10 + [False] * 2
    shown = overview.latest_contributions(store.engine, n=12, shown_only=True)
    # Still twelve for participants: the reading goes on past the withheld ones.
    assert [r["text"] for r in shown] == [f"message {i}" for i in range(19, 7, -1)]
    assert not any(r["withheld"] for r in shown)
    assert overview.snapshot(store.engine)["latest_shown"] == shown[:5]


def test_newest_and_growing_themes_after_a_build(store):
    engine = themed_store(store).engine
    summary = overview.last_build_summary(engine)
    assert summary["mode"] == "first" and summary["themes"] >= 2
    assert len(summary["new"]) == summary["themes"]
    newest = overview.newest_themes(engine, n=10)
    assert len(newest) == summary["themes"]
    sizes = [t["size"] for t in newest]
    assert sizes == sorted(sizes, reverse=True)  # one build: larger first
    assert all(t["emerged"] is not None and t["label"] for t in newest)

    growing = overview.growing_themes(engine)
    assert growing["window"] == ("2026-09", "2026-11")
    top = growing["themes"][0]
    assert top["before"] == 0 and top["recent"] == top["growth"] == 12
    label_words = set(top["label"].replace("·", " ").split())
    assert label_words & set(WORDS["garden"].split())
    assert all(t["growth"] > 0 for t in growing["themes"])


def test_months_back_crosses_the_year():
    assert overview._months_back("2026-02", 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]


# --- projection ------------------------------------------------------------------------------


def test_layout_shapes_and_small_inputs():
    assert projection.layout(np.zeros((0, 384), np.float32)).shape == (0, 2)
    for n in (1, 2, 5, 8, 30):
        vectors, _ = clusters(10)
        xy = projection.layout(vectors[:n])
        assert xy.shape == (n, 2) and xy.dtype == np.float32
        assert np.isfinite(xy).all() and np.abs(xy).max() <= 1.0 + 1e-6
    same = projection.layout(np.ones((50, 384), np.float32))
    assert np.isfinite(same).all()


def test_layout_is_deterministic_and_keeps_groups_apart():
    vectors, groups = clusters(200, seed=3)
    first = projection.layout(vectors)
    assert np.array_equal(first, projection.layout(vectors.copy()))
    # Every point's nearest point on the map is from its own group.
    d = ((first[:, None, :] - first[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    assert (groups[d.argmin(axis=1)] == groups).mean() > 0.97


def neighbour_recall(vectors: np.ndarray, xy: np.ndarray, k: int = 10) -> float:
    similar = vectors @ vectors.T
    np.fill_diagonal(similar, -np.inf)
    near = ((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(near, np.inf)
    high = np.argsort(-similar, axis=1)[:, :k]
    low = np.argsort(near, axis=1)[:, :k]
    return float(np.mean([len(set(a) & set(b)) / k for a, b in zip(high, low, strict=True)]))


def test_layout_keeps_real_neighbours_better_than_pca(demo_workspace):
    ids, vectors = projection.vectors_for_map(demo_workspace.store.engine)
    assert ids == sorted(ids)
    ours = neighbour_recall(vectors, projection.layout(vectors))
    pca = neighbour_recall(vectors, projection._pca(vectors, 2))
    # Measured on the demo Lab: about 0.20 against 0.04.
    assert ours > 3 * pca, (ours, pca)


def test_layout_is_stored_reused_and_redone_when_vectors_change(store):
    vectors, _ = clusters(10)
    add(store, "a.csv", "survey", [
        Extract(text=f"answer {i}", kind="survey", start=0, end=0, row=i + 1, id=f"a{i:03d}")
        for i in range(len(vectors) // 2)
    ], vectors[: len(vectors) // 2])  # fmt: skip
    first = projection.map_layout(store.engine)
    assert first["ids"] == sorted(first["ids"]) and first["xy"].shape == (len(first["ids"]), 2)
    # Another process (a fresh engine on the same database) reads the stored layout as is.
    again = projection.map_layout(Store(store.url).engine)
    assert again["ids"] == first["ids"] and np.array_equal(again["xy"], first["xy"])
    computed = projection.layout(projection.vectors_for_map(store.engine)[1])
    assert np.array_equal(first["xy"], computed)
    add(store, "b.csv", "survey", [
        Extract(text=f"more {i}", kind="survey", start=0, end=0, row=i + 1, id=f"b{i:03d}")
        for i in range(len(vectors) - len(vectors) // 2)
    ], vectors[len(vectors) // 2 :])  # fmt: skip
    grown = projection.map_layout(store.engine)
    assert len(grown["ids"]) == len(vectors) and grown["xy"].shape == (len(vectors), 2)


def test_map_points_filters_and_safe_hover(store):
    vectors, _ = clusters(3)
    survey = [
        Extract(
            text=f"answer {i} "
            + ("<a href='https://x'>click</a> & <b>me</b> " * 3 if i == 0 else ""),
            kind="survey",
            start=0,
            end=0,
            row=i + 1,
            date=f"2026-0{3 + i % 3}-01",
            attributes={"age": "18-24" if i % 2 else "65+"},
            id=f"s{i:03d}",
        )
        for i in range(6)
    ]
    evidence = [Extract(text="a report page", kind="evidence", start=0, end=0, page=2, id="e001")]
    add(store, "survey.csv", "survey", survey, vectors[:6])
    add(store, "report.pdf", "evidence", evidence, vectors[6:7])
    before = projection.fingerprint(store.engine)
    points = map_points.map_points(store.engine)
    assert points["id"] == sorted(points["id"]) == ["e001"] + [f"s{i:03d}" for i in range(6)]
    assert all(len(points[name]) == 7 for name in map_points.POINT_FIELDS)
    assert set(points["theme_label"]) == {"Not themed yet"}
    assert points["attributes"]["age"]["65+"] == [1, 3, 5]

    mask = map_points.filter_mask(points, kinds=["evidence"])
    assert np.flatnonzero(mask).tolist() == [0]
    mask = map_points.filter_mask(points, dates=("2026-03-01", "2026-03-31"))
    assert [points["id"][i] for i in np.flatnonzero(mask)] == ["s000", "s003"]  # undated out
    mask = map_points.filter_mask(points, kinds=["survey"], attribute="age", value="18-24")
    assert [points["id"][i] for i in np.flatnonzero(mask)] == ["s001", "s003", "s005"]
    assert map_points.filter_mask(points).all()

    hover = map_points.hover_texts(points)
    first = hover[points["id"].index("s000")]
    assert "&lt;a href='https://x'&gt;click&lt;/a&gt; &amp; &lt;b&gt;me&lt;/b&gt;" in first
    assert "<a " not in first and "<b>me" not in first
    assert "<i>survey.csv · row 1</i>" in first
    assert "<i>report.pdf · page 2</i>" in hover[0]

    layout = projection.map_layout(store.engine)
    assert layout["ids"] == points["id"] and layout["xy"].shape == (7, 2)
    build(store.engine)
    after = projection.fingerprint(store.engine)
    assert after["vectors"] == before["vectors"] and after["themes"] != before["themes"]
    assert "Not themed yet" not in map_points.map_points(store.engine)["theme_label"]


def test_subset_points_leaves_no_trace_of_what_is_left_out(store):
    vectors, _ = clusters(3)
    answers = [
        Extract(text=f"answer {i}", kind="survey", start=0, end=0, row=i + 1, id=f"s{i:03d}",
                attributes={"age": "18-24" if i % 2 else "65+"})
        for i in range(6)
    ]  # fmt: skip
    add(store, "survey.csv", "survey", answers, vectors[:6])
    points = map_points.map_points(store.engine)
    points["hover"] = map_points.hover_texts(points)
    kept = map_points.subset_points(points, {"s001", "s002", "s005"})
    assert kept["id"] == ["s001", "s002", "s005"]
    assert all(len(kept[name]) == 3 for name in [*map_points.POINT_FIELDS, "hover"])
    assert kept["hover"] == [points["hover"][i] for i in (1, 2, 5)]
    assert kept["attributes"] == {"age": {"18-24": [0, 2], "65+": [1]}}
    mask = map_points.filter_mask(kept, attribute="age", value="18-24")
    assert [kept["id"][i] for i in np.flatnonzero(mask)] == ["s001", "s005"]
    narrowed = map_points.keep_attribute_values(kept, {("age", "18-24")})
    assert narrowed["attributes"] == {"age": {"18-24": [0, 2]}}
    assert map_points.keep_attribute_values(kept, set())["attributes"] == {}


def test_themes_with_fewer_people_than_the_minimum_are_left_out():
    points = {
        "id": ["a", "b", "c", "d", "e", "f", "g"],
        "person": ["p1", "p1", "p2", "p3", None, None, "p4"],
        "theme_id": ["T-1", "T-1", "T-1", "T-1", "T-1", "T-2", None],
    }
    every = np.ones(7, dtype=bool)
    # T-1 holds four people (p1, p2, p3 and the person-less e); T-2 and Not themed one each.
    kept = map_points.without_small_theme_groups(points, every, minimum=4)
    assert kept.tolist() == [True] * 5 + [False, False]
    assert not map_points.without_small_theme_groups(points, every, minimum=5).any()
    some = np.array([True, True, False, False, False, True, False])
    assert not map_points.without_small_theme_groups(points, some, minimum=2)[[0, 1, 5]].any()


def test_even_sample_is_even_and_bounded():
    indices = np.arange(100, 200)
    assert np.array_equal(map_points.even_sample(indices, 500), indices)
    sample = map_points.even_sample(indices, 10)
    assert len(sample) == 10 and sample[0] == 100 and sample[-1] == 199
    assert len(set(sample.tolist())) == 10
