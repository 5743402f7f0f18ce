"""Withdrawal: take a person's words out of the store, the index, themes and drafts, for good.

A withdrawn person is remembered only as a hash in the audit trail ("people.withdraw"), and
ingest drops their extracts, so re-ingesting the original file does not bring them back.
Withdrawal does not know where a person is kept: every package that keeps a person's name or
words offers `forget(conn, gone)` (see lab_app/core/forgetting.py), and FORGETTERS asks them
all in one transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import select, text

from ingest.records import Source
from lab_app.core import audit
from lab_app.core import locks as store_lock
from lab_app.core.audit import record_audit
from lab_app.core.forgetting import Gone
from lab_app.core.schema import audit as audit_table
from lab_app.core.schema import extracts, sources
from lab_app.essays import forget as essay_forget
from lab_app.material import consent, store
from lab_app.material.store import blank, with_sources
from lab_app.opinions import participation, tensions
from lab_app.people import accounts
from lab_app.themes import state
from lab_app.year import ideas

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

    def add(self, found: dict) -> None:
        """Take in what one package reports it forgot (counts, ids)."""
        for name, value in found.items():
            setattr(self, name, value)

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
        query = select(audit_table.c.target).where(audit_table.c.action == ACTION)
        return set(conn.execute(query).scalars())


def is_withdrawn(engine, person: str) -> bool:
    return person_hash(person) in withdrawn_hashes(engine)


def drop_withdrawn(source: Source, engine) -> int:
    """Leave out the extracts of withdrawn people from a parsed source (and blank their words
    in its text); return how many were left out. Called by ingest before anything is stored."""
    gone = withdrawn_hashes(engine)
    if not gone:
        return 0
    # Their blank replies and non-answers leave the counts too: nothing of theirs is kept.
    source.set_aside = [
        s for s in source.set_aside if not (s.person and person_hash(s.person) in gone)
    ]
    dropped = [e for e in source.extracts if e.person and person_hash(e.person) in gone]
    if not dropped:
        return 0
    source.extracts = [e for e in source.extracts if e not in dropped]
    source.text = blank(source.text, [(e.start, e.end) for e in dropped])
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


# Every package that keeps a person's name or words answers for them: withdrawal asks each in
# turn, in one transaction, and knows none of their tables. The order matters twice: themes and
# votes look up the person's extracts before the store deletes them, and essay drafts look for
# quotations of extracts the store no longer holds after it has.
FORGETTERS = (
    state.forget,
    participation.forget,
    tensions.forget,
    ideas.forget,
    consent.forget,
    accounts.forget,
    store.forget,
    essay_forget.forget,
    audit.forget,
)


def _remove(workspace, person: str, who: str) -> Withdrawal:
    """Ask every package to forget the person, remember them as withdrawn, and take their
    items out of the approved-contributions file."""
    engine = workspace.store.engine
    app_ids = participation.app_contribution_ids(engine, person)
    mine = _their_extracts(workspace, person, app_ids)
    gone = Gone.of(person, pseudonym(person), [r.id for r in mine], [r.text for r in mine], who)
    report = Withdrawal(person_hash(person))
    with engine.begin() as conn:
        for forget in FORGETTERS:
            report.add(forget(conn, gone))
        if not report.found_anything():
            raise ValueError(
                f"nothing in the workspace belongs to {person!r}: use the person column of "
                "`qlab export extracts` (or the name a participant contributed under)"
            )
        record_audit(conn, ACTION, report.person_hash, report.summary(), who=who)
    participation.drop_from_file(workspace, person, app_ids)
    return report


def _their_extracts(workspace, person: str, app_ids: set[str]) -> list:
    """Their extracts: under their name, or sent from the app under a pseudonym."""
    app_source = _app_source_path(workspace)
    query = with_sources(extracts.c.id, extracts.c.text, extracts.c.meta, extracts.c.person)
    query = query.where((extracts.c.person == person) | (sources.c.path == app_source))
    with workspace.store.engine.connect() as conn:
        rows = list(conn.execute(query))
    return [r for r in rows if r.person == person or (r.meta or {}).get("id") in app_ids]


def _app_source_path(workspace) -> str:
    """How the store names the file of contributions approved in the app."""
    path = participation.contributions_path(workspace)
    try:
        return path.relative_to(workspace.settings.home).as_posix()
    except ValueError:
        return path.as_posix()


def _compact(engine) -> None:
    """On SQLite, rewrite the file so deleted text does not linger in free pages or the WAL."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM"))
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
