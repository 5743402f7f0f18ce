"""The demo Lab: every file loads, the counts hold, planted identifiers come out redacted."""

import json

import pytest

from lab_app.core.settings import Settings
from lab_app.demo import demo_dir, load_demo
from lab_app.workspace import Workspace

TRUTH = json.loads((demo_dir() / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo(demo_home):
    """The session's demo workspace (ingested once, every file checked there) and its sources."""
    workspace = Workspace(Settings.from_env(home=demo_home))
    return workspace, workspace.store.list_sources()


@pytest.fixture(scope="module")
def rows(demo):
    _, exported = demo[0].store.export_rows()
    return list(exported)


def test_every_listed_file_is_stored(demo):
    from lab_app.demo import demo_dir, demo_sources

    _, stored = demo
    root = demo_dir().parent
    listed = {path.relative_to(root).as_posix() for path, _ in demo_sources(demo_dir())}
    assert {source.path for source in stored} == listed
    assert all(source.indexed and source.extract_count > 0 for source in stored)


def test_counts_match_the_issue(demo, rows):
    workspace, stored = demo
    status = workspace.status()
    assert 10 <= status["sources_by_kind"]["evidence"] <= 15
    formats = {s.path.rsplit(".", 1)[-1] for s in stored if "/evidence/" in s.path}
    assert formats == {"pdf", "docx", "html", "md", "txt"}
    survey_people = {r["person"] for r in rows if r["kind"] == "survey"}
    assert len(survey_people) >= 400
    assert status["extracts_by_kind"]["contribution"] >= 150
    dates = sorted(r["date"] for r in rows if r["kind"] == "contribution")
    lab = TRUTH["lab"]
    assert dates[0] >= lab["start"] and dates[-1] <= lab["end"]
    months = {d[:7] for d in dates}
    assert len(months) == 12  # contributions spread over the whole year


def test_planted_identifiers_are_redacted(demo, rows):
    workspace, _ = demo
    stored = "\n".join(r["text"] for r in rows)
    for source in workspace.store.list_sources():
        stored += workspace.store.source_by_path(source.path).text
    assert len(TRUTH["identifiers"]) >= 5
    for identifier in TRUTH["identifiers"]:
        assert identifier["value"] not in stored, identifier
        assert f"[{identifier['type']}]" in stored
    assert sum(workspace.status()["redactions"].values()) >= len(TRUTH["identifiers"])


def test_truth_items_trace_to_their_extracts(rows):
    flat = {" ".join(r["text"].split()) for r in rows}
    by_row = {(r["source"].split("/", 1)[1], r["row"], r["text"]) for r in rows if r["row"]}
    found = 0
    for item in TRUTH["items"]:
        if "contains" in item:
            needle = " ".join(item["contains"].split())
            assert any(needle in text for text in flat), item
            found += 1
        elif "row" in item:
            assert any(f == item["file"] and row == item["row"] for f, row, _ in by_row), item
            found += 1
    assert found > 900


def test_loading_again_changes_nothing(demo):
    workspace, _ = demo
    before = workspace.status()
    again = Workspace(workspace.settings)
    assert {o.status for o in load_demo(again)} == {"unchanged"}
    assert again.embedder.texts_embedded == 0
    assert again.status() == before
    assert again.check().ok
