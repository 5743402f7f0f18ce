"""Following themes on a themed copy of the demo Lab: follow and unfollow (audited), visits,
what is new since a visit, follows kept through rebuilds and merges, withdrawal forgets."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import select

from lab_app.core import audit
from lab_app.core.audit import now
from lab_app.core.schema import extract_arrivals, theme_readers
from lab_app.people import following, withdrawal
from lab_app.themes import curation
from lab_app.themes.build import placements
from tests.corpus.truth import TRUTH

READER = "reader-a"


def _active(ws) -> list[str]:
    return [t["id"] for t in ws.list_themes() if t["status"] == "active"]


def _central_texts(ws, count: int) -> dict[str, str]:
    """theme id -> a new paragraph close to the theme: its most central member's words."""
    engine = ws.store.engine
    placed = placements(engine)
    found = {}
    for theme_id in _active(ws):
        members = [e for e, p in placed.items() if p["theme_id"] == theme_id]
        text = ws.store.extracts_by_ids(members[:1])[members[0]]["text"] if members else ""
        if len(text.split()) >= 8:
            found[theme_id] = text
        if len(found) == count:
            break
    return found


def _ingest_posts(ws, tmp_path, texts: list[str], name: str = "later-posts.csv") -> set[str]:
    """Ingest a contributions export, one post per text (ids p1, p2, ...: a longer export of
    the same posts keeps theirs); the ids of the extracts it added."""
    before = set(ws.store.extract_ids())
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "author", "date", "text"])
        for number, text in enumerate(texts, 1):
            writer.writerow([f"p{number}", f"poster-{number}", "2026-11-20", text])
    outcomes = list(ws.ingest([path], ws.ingest_options(kind="contribution")))
    assert all(o.status == "ingested" for o in outcomes), outcomes
    return set(ws.store.extract_ids()) - before


def test_follow_and_unfollow_are_audited_and_idempotent(themed):
    engine = themed.store.engine
    theme_id = _active(themed)[0]
    assert following.follow(engine, READER, theme_id)
    assert not following.follow(engine, READER, theme_id)  # already followed
    assert following.followed(engine, READER) == [theme_id]
    assert following.followed(engine, "someone-else") == []
    assert following.unfollow(engine, READER, theme_id)
    assert not following.unfollow(engine, READER, theme_id)
    assert following.followed(engine, READER) == []
    lines = audit.read(engine, action="themes", who=READER)
    assert [line["action"] for line in lines] == ["themes.unfollow", "themes.follow"]
    assert {line["target"] for line in lines} == {theme_id}
    with pytest.raises(following.FollowError, match="no such theme"):
        following.follow(engine, READER, "T-999")
    with pytest.raises(following.FollowError, match="sign in"):
        following.follow(engine, "", theme_id)


def test_new_since_visit_counts_what_arrived_after_it(themed, tmp_path):
    engine = themed.store.engine
    themes = _active(themed)
    for theme_id in themes:
        following.record_visit(engine, READER, theme_id)
    assert not any(following.new_since_visit(engine, READER).values())  # nothing arrived yet
    near = _central_texts(themed, 6)
    added = _ingest_posts(themed, tmp_path, [f"At our later meeting: {t}" for t in near.values()])
    themed.build_themes()
    placed = placements(engine)
    joined = {e: placed[e]["theme_id"] for e in added if placed.get(e, {}).get("theme_id")}
    assert joined, "the new paragraphs, close to existing themes, join some of them"
    new = following.new_since_visit(engine, READER)
    assert {e: t for t, ids in new.items() for e in ids} == {
        e: t for e, t in joined.items() if t in themes
    }
    # Someone who never opened or followed a theme has no "since": nothing is counted for them.
    assert following.new_since_visit(engine, "someone-else") == {}
    # A visit now clears it; the clock is passed in, so an earlier visit counts them again.
    theme_id = next(iter(joined.values()))
    following.record_visit(engine, READER, theme_id)
    assert following.new_since_visit(engine, READER, [theme_id]) == {theme_id: []}
    earlier = following.last_visits(engine, READER)[theme_id].replace(year=2020)
    following.record_visit(engine, READER, theme_id, at=earlier)
    assert following.new_since_visit(engine, READER, [theme_id])[theme_id]


def test_reingesting_a_source_does_not_make_old_words_new(themed, tmp_path):
    engine = themed.store.engine
    near = list(_central_texts(themed, 3).values())
    first = _ingest_posts(themed, tmp_path, near[:2])
    themed.build_themes()
    with engine.connect() as conn:
        arrived = dict(
            conn.execute(select(extract_arrivals.c.extract_id, extract_arrivals.c.at)).all()
        )
    for theme_id in _active(themed):
        following.record_visit(engine, READER, theme_id)
    second = _ingest_posts(themed, tmp_path, near[:3])  # the same file, one paragraph longer
    themed.build_themes()
    kept = first & set(themed.store.extract_ids())
    assert kept == first  # the same posts in a longer export keep their ids
    with engine.connect() as conn:
        again = dict(
            conn.execute(select(extract_arrivals.c.extract_id, extract_arrivals.c.at)).all()
        )
    assert {e: again[e] for e in kept} == {e: arrived[e] for e in kept}
    new = {e for ids in following.new_since_visit(engine, READER).values() for e in ids}
    assert not new & kept
    assert new <= second


def test_follows_survive_rebuilds_and_follow_a_merge(themed):
    engine = themed.store.engine
    first, second = _active(themed)[:2]
    following.follow(engine, READER, first)
    following.follow(engine, READER, second)
    themed.build_themes()  # incremental: ids and placements kept
    assert following.followed(engine, READER) == sorted([first, second])
    curation.merge(engine, [second], into=first)
    assert following.followed(engine, READER) == [first]
    themed.build_themes()
    assert following.followed(engine, READER) == [first]


def test_withdrawal_forgets_follows_and_visits(themed):
    engine = themed.store.engine
    person = TRUTH["withdrawing_person"]
    theme_id = _active(themed)[0]
    following.follow(engine, person, theme_id, at=now())
    following.record_visit(engine, person, _active(themed)[1])
    following.follow(engine, READER, theme_id)
    withdrawal.withdraw(themed, person, who="staff-a", rebuild_themes=False)
    with engine.connect() as conn:
        accounts = set(conn.execute(select(theme_readers.c.account)).scalars())
    assert accounts == {READER}
    assert following.followed(engine, person) == []
    assert not [line for line in audit.read(engine, action="themes") if line["who"] == person]
