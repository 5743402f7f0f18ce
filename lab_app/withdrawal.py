"""Withdrawal: take a person's words out of the store, the index, themes and drafts, for good.

A withdrawn person is remembered only as a hash in the audit trail ("people.withdraw"), and
ingest drops their extracts, so re-ingesting the original file does not bring them back.
Quotes of their words in themes, tensions, ideas and essay drafts are scrubbed by
withdrawal_scrub.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field

from sqlalchemy import delete, select, text, update

from ingest.pipeline import file_hash
from ingest.records import Source
from lab_app import browser_sessions, participation, store_lock
from lab_app.tables import (
    audit,
    extract_attributes,
    extracts,
    pending_contributions,
    people,
    sources,
    theme_builds,
    theme_members,
    theme_pins,
    votes,
)
from lab_app.tables_essays import essay_versions, essays
from lab_app.tables_people import consent, users
from lab_app.tables_year import (
    idea_comments,
    idea_history,
    idea_links,
    idea_supporters,
    ideas,
    tension_history,
)
from lab_app.theme_state import record_audit
from lab_app.withdrawal_scrub import scrub_derived, scrub_essays

ACTION = "people.withdraw"


@dataclass
class Withdrawal:
    """What a withdrawal removed and touched (counts and ids only, never content)."""

    person_hash: str
    extracts: int = 0
    pending_contributions: int = 0
    votes: int = 0
    idea_support: int = 0
    idea_comments: int = 0
    sources: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    essays_flagged: list[int] = field(default_factory=list)
    themes_rebuilt: bool = False

    def found_anything(self) -> bool:
        counts = (self.extracts, self.pending_contributions, self.votes, self.idea_support)
        return any(counts) or bool(self.idea_comments)

    def summary(self) -> dict:
        return {
            "extracts": self.extracts,
            "pending_contributions": self.pending_contributions,
            "votes": self.votes,
            "idea_support": self.idea_support,
            "idea_comments": self.idea_comments,
            "sources": len(self.sources),
            "themes": self.themes,
            "essays_flagged": self.essays_flagged,
            "themes_rebuilt": self.themes_rebuilt,
        }


def person_hash(person: str) -> str:
    """How a withdrawn person is remembered. A hash keeps the name out of the trail, though a
    short respondent number could be guessed back by trying them all: keep backups safe."""
    return hashlib.sha256(f"qlab-withdrawn\x1f{person.strip()}".encode()).hexdigest()


def pseudonym(person: str) -> str:
    """What the audit trail shows in place of a withdrawn person's name."""
    return f"withdrawn-{person_hash(person)[:12]}"


def withdrawn_hashes(engine) -> set[str]:
    with engine.connect() as conn:
        query = select(audit.c.target).where(audit.c.action == ACTION)
        return set(conn.execute(query).scalars())


def is_withdrawn(engine, person: str) -> bool:
    return person_hash(person) in withdrawn_hashes(engine)


def drop_withdrawn(source: Source, engine) -> int:
    """Leave out the extracts of withdrawn people from a parsed source (and blank their words
    in its text); return how many were left out. Called by ingest before anything is stored."""
    gone = withdrawn_hashes(engine)
    if not gone:
        return 0
    dropped = [e for e in source.extracts if e.person and person_hash(e.person) in gone]
    if not dropped:
        return 0
    source.extracts = [e for e in source.extracts if e not in dropped]
    source.text = _blank(source.text, [(e.start, e.end) for e in dropped])
    source.warnings.append(f"{len(dropped)} extracts left out: their authors withdrew")
    return len(dropped)


def withdraw(workspace, person: str, who: str, rebuild_themes: bool = True) -> Withdrawal:
    """Remove everything a person gave the Lab; see the module docstring. Raises ValueError
    when the workspace holds nothing of theirs."""
    person = (person or "").strip()
    if not person:
        raise ValueError("name the person to withdraw, as in the person column of the export")
    engine = workspace.store.engine
    # An approval running meanwhile could write their contribution back into the file it ingests.
    with store_lock.held(engine, participation.CONTRIBUTIONS_LOCK):
        report = _remove(workspace, person, who)
    workspace.repair_index()  # the touched sources were marked unindexed: the index follows
    if rebuild_themes and report.themes and workspace.list_themes():
        workspace.build_themes()  # themes they touched get new exemplars and descriptions
        report.themes_rebuilt = True
    _compact(engine)
    return report


def _remove(workspace, person: str, who: str) -> Withdrawal:
    """Take the person's words and traces out of the store, drafts and approved-contributions
    file, and remember them as withdrawn."""
    engine = workspace.store.engine
    app_ids = _app_contribution_ids(engine, person)
    with engine.connect() as conn:
        rows = list(
            conn.execute(
                select(
                    extracts.c.id,
                    extracts.c.source_id,
                    extracts.c.start,
                    extracts.c.end,
                    extracts.c.text,
                    extracts.c.meta,
                    extracts.c.person,
                ).where(
                    (extracts.c.person == person)
                    | extracts.c.source_id.in_(_app_source_ids(workspace, conn))
                )
            )
        )
    mine = [r for r in rows if r.person == person or (r.meta or {}).get("id") in app_ids]
    ids = [r.id for r in mine]
    words = [r.text for r in mine]
    report = Withdrawal(person_hash(person), extracts=len(ids))
    with engine.begin() as conn:
        report.themes = _themes_of(conn, ids)
        _remove_extracts(conn, mine)
        report.sources = sorted({r.source_id for r in mine})
        _remove_participation(conn, person, ids, report)
        report.essays_flagged = scrub_derived(conn, ids, words)
        _forget_name(conn, person)
        if not report.found_anything():
            raise ValueError(
                f"nothing in the workspace belongs to {person!r}: use the person column of "
                "`qlab export extracts` (or the name a participant contributed under)"
            )
        record_audit(conn, ACTION, report.person_hash, report.summary(), who=who)
    scrub_essays(engine, ids, words, who)
    _rewrite_app_contributions(workspace, person, app_ids)
    return report


# --- the store -------------------------------------------------------------------------------


def _app_source_ids(workspace, conn) -> list[int]:
    """The source holding contributions approved in the app (empty when there is none)."""
    path = participation.contributions_path(workspace)
    try:
        shown = path.relative_to(workspace.settings.home).as_posix()
    except ValueError:
        shown = path.as_posix()
    return list(conn.execute(select(sources.c.id).where(sources.c.path == shown)).scalars())


def _app_contribution_ids(engine, person: str) -> set[str]:
    """The file ids ("app-<n>") of contributions this person sent from the app: their stored
    author may be a pseudonym when they gave an e-mail as their name."""
    query = select(pending_contributions.c.id).where(pending_contributions.c.author == person)
    with engine.connect() as conn:
        return {participation.contribution_id(n) for n in conn.execute(query).scalars()}


def _themes_of(conn, ids: list[str]) -> list[str]:
    found: set[str] = set()
    for chunk in _chunks(ids):
        query = select(theme_members.c.theme_id).where(
            theme_members.c.extract_id.in_(chunk), theme_members.c.theme_id.is_not(None)
        )
        found.update(conn.execute(query).scalars())
    return sorted(found)


def _remove_extracts(conn, rows) -> None:
    """Delete the extracts and everything keyed on them; blank their words in the source text
    (other extracts keep their offsets) and mark the sources for the index to follow."""
    ids = [r.id for r in rows]
    for chunk in _chunks(ids):
        for table, column in (
            (theme_members, theme_members.c.extract_id),
            (theme_pins, theme_pins.c.extract_id),
            (extract_attributes, extract_attributes.c.extract_id),
            (votes, votes.c.statement),
        ):
            conn.execute(delete(table).where(column.in_(chunk)))
        conn.execute(
            delete(idea_links).where(
                idea_links.c.target_type == "extract", idea_links.c.target_id.in_(chunk)
            )
        )
        conn.execute(delete(extracts).where(extracts.c.id.in_(chunk)))
    spans: dict[int, list[tuple[int, int]]] = {}
    for row in rows:
        spans.setdefault(row.source_id, []).append((row.start, row.end))
    for source_id, ranges in spans.items():
        source = conn.execute(select(sources.c.text).where(sources.c.id == source_id)).one()
        left = conn.execute(select(extracts.c.id).where(extracts.c.source_id == source_id)).all()
        conn.execute(
            update(sources)
            .where(sources.c.id == source_id)
            .values(text=_blank(source.text, ranges), extract_count=len(left), indexed=False)
        )


def _remove_participation(conn, person: str, ids: list[str], report: Withdrawal) -> None:
    report.votes = conn.execute(delete(votes).where(votes.c.participant == person)).rowcount
    report.pending_contributions = conn.execute(
        delete(pending_contributions).where(pending_contributions.c.author == person)
    ).rowcount
    report.idea_support = conn.execute(
        delete(idea_supporters).where(idea_supporters.c.participant == person)
    ).rowcount
    report.idea_comments = conn.execute(
        delete(idea_comments).where(idea_comments.c.author == person)
    ).rowcount


def _forget_name(conn, person: str) -> None:
    """Their consent rows, person row and account go; the audit trail and histories keep a
    pseudonym in place of their name."""
    conn.execute(
        delete(consent).where(consent.c.subject_type == "person", consent.c.subject_id == person)
    )
    conn.execute(delete(people).where(people.c.id == person))
    conn.execute(delete(users).where(users.c.name == person))
    browser_sessions.end_all(conn, person)
    alias = pseudonym(person)
    conn.execute(update(audit).where(audit.c.who == person).values(who=alias))
    for target in (person, f"person:{person}"):
        renamed = alias if target == person else f"person:{alias}"
        conn.execute(update(audit).where(audit.c.target == target).values(target=renamed))
    for table, column in (
        (idea_history, idea_history.c.who),
        (tension_history, tension_history.c.who),
        (essay_versions, essay_versions.c.who),
        (theme_builds, theme_builds.c.who),
        (ideas, ideas.c.created_by),
        (essays, essays.c.created_by),
    ):
        conn.execute(update(table).where(column == person).values({column.name: alias}))


def _rewrite_app_contributions(workspace, person: str, app_ids: set[str]) -> None:
    """Drop their items from the approved-contributions file, and keep the store's hash of it
    in step so the file and the store agree."""
    path = participation.contributions_path(workspace)
    if not path.is_file():
        return
    records = json.loads(path.read_text(encoding="utf-8"))
    kept = [r for r in records if r.get("author") != person and r.get("id") not in app_ids]
    if len(kept) == len(records):
        return
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(kept, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(temporary, path)
    shown = path.relative_to(workspace.settings.home).as_posix()
    with workspace.store.engine.begin() as conn:
        conn.execute(
            update(sources).where(sources.c.path == shown).values(content_hash=file_hash(path))
        )


def _compact(engine) -> None:
    """On SQLite, rewrite the file so deleted text does not linger in free pages or the WAL."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM"))
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


# --- small helpers ---------------------------------------------------------------------------


def _blank(text_value: str, ranges: list[tuple[int, int]]) -> str:
    """The text with these spans replaced by spaces (same length: other offsets stay right)."""
    chars = list(text_value)
    for start, end in ranges:
        for i in range(max(0, start), min(end, len(chars))):
            if not chars[i].isspace():
                chars[i] = " "
    return "".join(chars)


def _chunks(ids: list[str], size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
