"""Withdrawal: a person's words leave search, exports, themes, drafts and the store file, and a
re-ingest of the original file does not bring them back."""

from __future__ import annotations

import csv
import json
import shutil

import pytest
from sqlalchemy import insert, select

from lab_app.core.audit import now
from lab_app.core.forgetting import scrub_text
from lab_app.core.schema import (
    audit,
    essay_sections,
    essay_versions,
    essays,
    extracts,
    idea_comments,
    idea_supporters,
    ideas,
    pending_contributions,
    sources,
    theme_members,
    votes,
)
from lab_app.core.settings import Settings
from lab_app.material.consent import set_consent
from lab_app.opinions import participation
from lab_app.people import withdrawal
from lab_app.workspace import Workspace
from lab_app.year.idea_forget import UNTITLED
from tests.corpus.truth import TRUTH

CONTRIBUTOR = TRUTH["withdrawing_person"]
SURVEY_STEM = TRUTH["survey"]["file"].rsplit("/", 1)[-1].rsplit(".", 1)[0]
RESPONDENT = f"{SURVEY_STEM}/{TRUTH['survey']['withdrawing_respondent']}"
PEOPLE = (CONTRIBUTOR, RESPONDENT)
APP_TEXT = "My own note from the app: the Thursday group felt like coming home after years away."


def _words_of(engine, person: str) -> dict[str, str]:
    query = select(extracts.c.id, extracts.c.text).where(extracts.c.person == person)
    with engine.connect() as conn:
        return dict(conn.execute(query).all())


def _unique(engine, texts: dict[str, str]) -> dict[str, str]:
    """Their extracts whose text nobody else's extract holds (so absence proves removal)."""
    with engine.connect() as conn:
        others = conn.execute(
            select(extracts.c.text).where(
                extracts.c.person.not_in(PEOPLE) | extracts.c.person.is_(None)
            )
        ).scalars()
        held = " ".join(" ".join(t.split()) for t in others)
    return {e: t for e, t in texts.items() if " ".join(t.split()) not in held}


@pytest.fixture(scope="module")
def withdrawn(demo_home, tmp_path_factory):
    """The demo Lab with themes, participation and a draft quoting both people; then both
    withdraw. Yields (workspace, their words before, what each withdrawal reported)."""
    home = tmp_path_factory.mktemp("withdrawal") / "home"
    shutil.copytree(demo_home, home)
    ws = Workspace(Settings.from_env(home=home))
    engine = ws.store.engine
    pending_id = participation.submit_contribution(engine, CONTRIBUTOR, APP_TEXT)
    assert participation.approve(ws, pending_id, "staff-a").status == "ingested"
    participation.submit_contribution(engine, CONTRIBUTOR, "A second note still waiting.")
    ws.build_themes()
    words = {person: _words_of(engine, person) for person in PEOPLE}
    assert all(words.values()), "the demo Lab holds both people's extracts"
    quoted_id, quoted_text = next(iter(words[RESPONDENT].items()))
    other_id = next(iter(words[CONTRIBUTOR]))
    stamp = now()
    with engine.begin() as conn:
        conn.execute(
            insert(votes).values(participant=CONTRIBUTOR, statement=other_id, value=1, at=stamp)
        )
        conn.execute(
            insert(votes).values(participant="someone-else", statement=quoted_id, value=1, at=stamp)
        )
        conn.execute(
            insert(ideas).values(
                id="I-001", title="Evening groups", created_by="staff-a", created_at=stamp,
                updated_at=stamp, details={},
            )
        )  # fmt: skip
        # An accepted suggestion is titled with its proposer's own sentence.
        proposal = next(t for t in words[CONTRIBUTOR].values() if len(t.split(".")[0]) > 20)
        conn.execute(
            insert(ideas).values(
                id="I-002", title=proposal.split(".")[0], created_by="staff-a",
                created_at=stamp, updated_at=stamp, details={},
            )
        )  # fmt: skip
        conn.execute(
            insert(idea_supporters).values(idea_id="I-001", participant=CONTRIBUTOR, at=stamp)
        )
        conn.execute(
            insert(idea_comments).values(idea_id="I-001", author=CONTRIBUTOR, text="Yes!", at=stamp)
        )
        essay_id = conn.execute(
            insert(essays).values(
                title="What we heard", created_by="staff-a", created_at=stamp, updated_at=stamp,
                choice={}, flags=[],
            )
        ).inserted_primary_key[0]  # fmt: skip
        body = f"People told us:\n\n“{quoted_text.strip()}” [#{quoted_id}]\n\nMore to come."
        conn.execute(
            insert(essay_sections).values(
                essay_id=essay_id, key="opening", position=0, heading="Opening", body=body,
                grounding={"extracts": [quoted_id]}, updated_at=stamp,
            )
        )  # fmt: skip
        conn.execute(
            insert(essay_versions).values(
                essay_id=essay_id, key="opening", version=1, body=body, who="staff-a", at=stamp
            )
        )
    set_consent(engine, "person", CONTRIBUTOR, "staff-a", show_to_participants=False)
    unique = {person: _unique(engine, texts) for person, texts in words.items()}
    reports = {person: withdrawal.withdraw(ws, person, who="staff-a") for person in PEOPLE}
    yield ws, words, unique, reports, essay_id


def test_their_extracts_are_gone_from_store_and_index(withdrawn):
    ws, words, _, _, _ = withdrawn
    gone = {e for texts in words.values() for e in texts}
    assert not gone & ws.store.extract_ids()
    assert not gone & ws.index.ids()
    assert ws.check().ok


def test_search_no_longer_finds_their_words(withdrawn):
    ws, words, _, _, _ = withdrawn
    gone = {e for texts in words.values() for e in texts}
    for texts in words.values():
        for text in list(texts.values())[:3]:
            hits = ws.search(text, k=10)
            assert hits and not {h["extract_id"] for h in hits} & gone


def test_the_export_holds_neither_their_words_nor_their_name(withdrawn, tmp_path):
    ws, _, unique, _, _ = withdrawn
    out = tmp_path / "extracts.csv"
    ws.export_extracts(out)
    exported = out.read_text(encoding="utf-8-sig")
    with out.open(encoding="utf-8-sig") as handle:
        people_column = {row["person"] for row in csv.DictReader(handle)}
    assert not set(PEOPLE) & people_column
    flat = " ".join(exported.split())
    for texts in unique.values():
        for text in texts.values():
            assert " ".join(text.split()) not in flat


def test_themes_were_rebuilt_and_hold_nothing_of_theirs(withdrawn):
    ws, words, unique, reports, _ = withdrawn
    assert any(r.themes_rebuilt for r in reports.values())
    gone = {e for texts in words.values() for e in texts}
    engine = ws.store.engine
    with engine.connect() as conn:
        members = set(conn.execute(select(theme_members.c.extract_id)).scalars())
    assert not members & gone
    themes_text = json.dumps(ws.list_themes(), ensure_ascii=False)
    details = json.dumps([t["details"] for t in withdrawal_themes(engine)], ensure_ascii=False)
    assert not any(e in details for e in gone)
    for texts in unique.values():
        for text in texts.values():
            first = " ".join(text.split())[:60]
            assert first not in themes_text


def withdrawal_themes(engine) -> list[dict]:
    from lab_app.core.schema import themes

    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(themes))]


def test_the_draft_that_quoted_them_lost_the_words_and_is_flagged(withdrawn):
    ws, words, _, reports, essay_id = withdrawn
    engine = ws.store.engine
    quoted = " ".join(next(iter(words[RESPONDENT].values())).split())
    with engine.connect() as conn:
        bodies = list(conn.execute(select(essay_sections.c.body)).scalars())
        bodies += list(conn.execute(select(essay_versions.c.body)).scalars())
        flags = conn.execute(select(essays.c.flags).where(essays.c.id == essay_id)).scalar()
    assert bodies and all(quoted not in " ".join(b.split()) for b in bodies)
    assert any(flag.get("reason") == "withdrawal" for flag in flags)
    assert essay_id in reports[RESPONDENT].essays_flagged


def test_contributions_votes_and_idea_backing_are_gone(withdrawn):
    ws, _, _, _, _ = withdrawn
    engine = ws.store.engine
    with engine.connect() as conn:
        assert not conn.execute(
            select(pending_contributions).where(pending_contributions.c.author == CONTRIBUTOR)
        ).all()
        assert not conn.execute(select(votes).where(votes.c.participant == CONTRIBUTOR)).all()
        assert not conn.execute(select(idea_supporters)).all()
        assert not conn.execute(select(idea_comments)).all()
    approved = participation.contributions_path(ws).read_text(encoding="utf-8")
    assert APP_TEXT not in approved and CONTRIBUTOR not in approved


def test_an_idea_titled_with_their_sentence_loses_the_title(withdrawn):
    ws = withdrawn[0]
    with ws.store.engine.connect() as conn:
        titles = dict(conn.execute(select(ideas.c.id, ideas.c.title)).all())
    assert titles["I-002"] == UNTITLED
    assert titles["I-001"] == "Evening groups"  # staff's own words stay


def test_the_audit_trail_records_the_withdrawal_by_hash_only(withdrawn):
    ws, _, _, reports, _ = withdrawn
    with ws.store.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(audit))]
    lines = [r for r in rows if r["action"] == withdrawal.ACTION]
    assert {r["target"] for r in lines} == {r.person_hash for r in reports.values()}
    trail = json.dumps(rows, default=str, ensure_ascii=False)
    for person in PEOPLE:
        assert person not in trail


def test_the_store_file_no_longer_holds_their_words(withdrawn):
    ws, _, unique, _, _ = withdrawn
    stored = b"".join(
        path.read_bytes() for path in ws.settings.home.glob("store.sqlite3*") if path.is_file()
    )
    checked = 0
    for texts in unique.values():
        for text in texts.values():
            # A long single-line run of their words, as SQLite would store it.
            run = max(text.splitlines(), key=len).strip()
            if len(run) >= 40:
                assert run.encode() not in stored
                checked += 1
    assert checked


def test_reingesting_the_original_files_does_not_bring_them_back(withdrawn, tmp_path):
    ws, words, _, _, _ = withdrawn
    lab = tmp_path / "again"
    demo = withdrawal_demo_dir()
    for relative in (TRUTH["survey"]["file"], "contributions/online-space.json"):
        target = lab / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(demo / relative, target)
    outcomes = list(ws.ingest([lab], root=tmp_path))
    assert [o.status for o in outcomes] == ["unchanged", "unchanged"]  # same bytes: skipped
    # A re-export: the same answers and posts in new bytes, so both files are read again.
    survey = lab / TRUTH["survey"]["file"]
    survey.write_bytes(survey.read_bytes() + b"\n")
    posts = lab / "contributions/online-space.json"
    posts.write_text(json.dumps(json.loads(posts.read_text("utf-8")), indent=1), "utf-8")
    outcomes = list(ws.ingest([lab], root=tmp_path))
    assert [o.status for o in outcomes] == ["ingested", "ingested"]
    assert any("withdrew" in w for o in outcomes for w in o.warnings)
    engine = ws.store.engine
    with engine.connect() as conn:
        back = conn.execute(select(extracts.c.id).where(extracts.c.person.in_(PEOPLE))).all()
        texts = " ".join(
            " ".join(t.split())
            for t in conn.execute(
                select(sources.c.text).where(sources.c.path.startswith("again/"))
            ).scalars()
        )
    assert not back
    survey_words = list(words[RESPONDENT].values())
    assert all(" ".join(t.split()) not in texts for t in survey_words if len(t) > 40)


def withdrawal_demo_dir():
    from lab_app.demo import demo_dir

    return demo_dir()


def test_withdrawing_someone_unknown_is_a_clear_error(workspace):
    with pytest.raises(ValueError, match="nothing in the workspace belongs to"):
        withdrawal.withdraw(workspace, "nobody-at-all", who="staff-a")
    with pytest.raises(ValueError, match="name the person"):
        withdrawal.withdraw(workspace, "  ", who="staff-a")


def test_quotes_are_scrubbed_whole_elided_or_escaped():
    passage = "the group met on a Thursday evening and it felt like coming home"
    body = (
        "Intro. “the group met on a Thursday evening … felt like coming home” [#abc123]\n\n"
        "> the group met on a Thursday \\*evening\\* and it felt like coming home\n\n"
        "Someone said “a completely different thing about buses and trains”."
    )
    scrubbed, changed = scrub_text(body.replace("\\*", ""), [passage])
    assert changed
    assert "Thursday" not in scrubbed
    assert "buses and trains" in scrubbed
