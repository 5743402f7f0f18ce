"""Curation sticks: every staff action survives incremental and fresh rebuilds, and undoes."""

import pytest
from sqlalchemy import select

from lab_app.core.schema import audit
from lab_app.themes import curation
from lab_app.themes.build import placements
from lab_app.themes.state import load_state


@pytest.fixture
def themed(demo_workspace, monkeypatch):
    monkeypatch.setenv("QLAB_USER", "sam.staff")
    demo_workspace.build_themes()
    return demo_workspace


def _themes(workspace):
    return {row["id"]: row for row in workspace.list_themes()}


def _members(workspace, theme_id):
    return sorted(
        e for e, p in placements(workspace.store.engine).items() if p["theme_id"] == theme_id
    )


def _biggest(workspace, n=2):
    return [t["id"] for t in sorted(workspace.list_themes(), key=lambda t: -t["size"])[:n]]


@pytest.mark.parametrize("fresh", [False, True])
def test_each_action_survives_a_rebuild(themed, fresh):
    engine = themed.store.engine
    first, second = _biggest(themed)
    small = [t["id"] for t in themed.list_themes() if t["status"] == "active"][-1]
    curation.rename(engine, first, "Being understood by someone who has been there")
    curation.describe(engine, first, "Why people value peers, in their words.")
    moved = _members(themed, second)[0]
    curation.move(engine, moved, first)
    excluded = _members(themed, second)[1]
    curation.exclude(engine, excluded)
    pinned = _members(themed, first)[-1]
    curation.pin(engine, pinned)
    curation.lock(engine, small)
    locked_members = _members(themed, small)
    merged_away = _members(themed, second)
    curation.merge(engine, [second], into=first)
    parts = curation.split(engine, _biggest(themed, 3)[-1], parts=2)

    report = themed.build_themes(fresh=fresh)

    rows = _themes(themed)
    assert rows[first]["label"] == "Being understood by someone who has been there"
    assert rows[first]["description"] == "Why people value peers, in their words."
    assert rows[second]["status"] == "merged"
    placed = placements(engine)
    assert placed[moved]["theme_id"] == first
    assert excluded not in placed
    assert all(placed[e]["theme_id"] == first for e in merged_away if e != excluded)
    assert _members(themed, small) == locked_members and rows[small]["locked"]
    assert all(rows[p]["status"] == "active" for p in parts)
    state = load_state(engine)
    assert pinned in state.themes[first]["details"]["exemplars"]
    if not fresh:
        assert report["merged"] and report["split"]


def test_undo_puts_back_the_last_action_and_the_audit_trail_says_who(themed):
    engine = themed.store.engine
    first, second = _biggest(themed)
    label = _themes(themed)[first]["label"]
    before = _members(themed, second)
    curation.merge(engine, [second], into=first)
    curation.rename(engine, first, "Renamed")
    assert curation.undo(engine)["undid"] == "curate.rename"
    assert _themes(themed)[first]["label"] == label
    assert curation.undo(engine)["undid"] == "curate.merge"
    assert _themes(themed)[second]["status"] == "active"
    assert _members(themed, second) == before
    with engine.connect() as conn:
        trail = list(conn.execute(select(audit).order_by(audit.c.id)))
    assert [row.action for row in trail][-4:] == ["curate.merge", "curate.rename", "undo", "undo"]
    assert {row.who for row in trail[-4:]} == {"sam.staff"}


def test_bad_requests_say_what_is_wrong(themed):
    engine = themed.store.engine
    with pytest.raises(curation.CurationError, match="no such theme"):
        curation.rename(engine, "T-999", "x")
    with pytest.raises(curation.CurationError, match="not in the workspace"):
        curation.move(engine, "nope", _biggest(themed, 1)[0])
    with pytest.raises(curation.CurationError, match="nothing of yours to undo"):
        curation.undo(engine)
