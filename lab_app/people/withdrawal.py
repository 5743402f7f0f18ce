"""Withdrawal: take a person's words out of the store, the index, themes and drafts, for good.

A withdrawn person is remembered only as hashes in the audit trail ("people.withdraw", and
"withdrawal.keys" for the keys that recognise them in other exports: people/identity.py), and
ingest drops their extracts, so re-ingesting the original file, a renamed or longer export of
it, or an upload of it does not bring them back. The same respondent already stored from
another export of the survey is withdrawn with them.
Withdrawal does not know where a person is kept: every package that keeps a person's name or
words offers `forget(conn, gone)` (see lab_app/core/forgetting.py), and FORGETTERS asks them
all in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text

from ingest.records import Source
from lab_app.core import audit
from lab_app.core import locks as store_lock
from lab_app.core.audit import record_audit
from lab_app.core.forgetting import Gone
from lab_app.core.schema import extracts, sources
from lab_app.essays import forget as essay_forget
from lab_app.material import consent, store
from lab_app.material.reads import with_sources
from lab_app.material.store import blank
from lab_app.material.uploads import clear_staged
from lab_app.opinions import participation, participation_forget, statements, tensions
from lab_app.people import accounts, finder, following, identity, throttle
from lab_app.rounds import forget as round_forget
from lab_app.themes import state
from lab_app.year import idea_forget

ACTION = identity.WITHDRAW_ACTION


@dataclass
class Withdrawal:
    """What a withdrawal removed and touched (counts and ids only, never content)."""

    person_hash: str
    extracts: int = 0
    pending_contributions: int = 0
    votes: int = 0
    idea_support: int = 0
    idea_comments: int = 0
    finder_profiles: int = 0
    round_proposals: int = 0
    round_comments: int = 0
    round_ballots: int = 0
    statements: int = 0
    sources: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    essays_flagged: list[int] = field(default_factory=list)
    themes_rebuilt: bool = False

    def add(self, found: dict) -> None:
        """Take in what one package reports it forgot (counts, ids), adding to what others
        reported for the same person under another name."""
        for name, value in found.items():
            before = getattr(self, name)
            if isinstance(before, list):
                value = before + [item for item in value if item not in before]
            elif isinstance(before, int) and not isinstance(before, bool):
                value = before + value
            setattr(self, name, value)

    def found_anything(self) -> bool:
        counts = (self.extracts, self.pending_contributions, self.votes, self.idea_support)
        rounds = (self.round_proposals, self.round_comments, self.round_ballots)
        others = (self.idea_comments, self.finder_profiles, self.statements)
        return any(counts + rounds) or any(bool(o) for o in others)

    def summary(self) -> dict:
        return {
            "extracts": self.extracts,
            "pending_contributions": self.pending_contributions,
            "votes": self.votes,
            "idea_support": self.idea_support,
            "idea_comments": self.idea_comments,
            "finder_profiles": self.finder_profiles,
            "round_proposals": self.round_proposals,
            "round_comments": self.round_comments,
            "round_ballots": self.round_ballots,
            "statements": self.statements,
            "sources": len(self.sources),
            "themes": self.themes,
            "essays_flagged": self.essays_flagged,
            "themes_rebuilt": self.themes_rebuilt,
        }


def person_hash(person: str) -> str:
    """How a withdrawn person's name is remembered (identity.key_hash: a hash, never the name)."""
    return identity.key_hash(person)


def pseudonym(person: str) -> str:
    """What the audit trail shows in place of a withdrawn person's name."""
    return f"withdrawn-{person_hash(person)[:12]}"


def withdrawn_hashes(engine) -> set[str]:
    """Every remembered hash: withdrawn names and the further keys that recognise them."""
    return identity.withdrawn(engine)[0]


def is_withdrawn(engine, person: str) -> bool:
    return person_hash(person) in withdrawn_hashes(engine)


def drop_withdrawn(source: Source, engine) -> int:
    """Leave out the extracts of withdrawn people from a parsed source (and blank their words
    in its text); return how many were left out. Called by ingest before anything is stored."""
    dropped, upgrade = identity.matches(engine, source.extracts)
    if upgrade:  # matched only the old way: remember how to recognise them from now on
        with engine.begin() as conn:
            identity.remember(conn, upgrade, who=audit.current_user())
    # Their blank replies and non-answers leave the counts too: nothing of theirs is kept.
    gone_people = {e.person for e in dropped}
    every, _ = identity.withdrawn(engine) if source.set_aside else (set(), set())
    source.set_aside = [
        s
        for s in source.set_aside
        if not (s.person and (s.person in gone_people or identity.key_hash(s.person) in every))
    ]
    if not dropped:
        return 0
    left_out = {id(e) for e in dropped}
    source.extracts = [e for e in source.extracts if id(e) not in left_out]
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
    clear_staged(workspace.settings.home)  # an upload waiting for Ingest may hold them too
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
    participation_forget.forget,
    statements.forget,
    tensions.forget,
    idea_forget.forget,
    round_forget.forget,
    consent.forget,
    finder.forget,
    following.forget,
    accounts.forget,
    throttle.forget,
    store.forget,
    essay_forget.forget,
    audit.forget,
)


def _remove(workspace, person: str, who: str) -> Withdrawal:
    """Ask every package to forget the person (under each name the store knows them by),
    remember them as withdrawn, and take their items out of the approved-contributions file."""
    engine = workspace.store.engine
    app_ids = participation_forget.app_contribution_ids(engine, person)
    names = _names(workspace, person, app_ids)
    with engine.begin() as conn:
        report, keys = _forget_everywhere(conn, person, names, who)
        names_hashed = {person_hash(name) for name in names}
        # "keys" marks a withdrawal made with further keys (identity.withdrawn tells old ones).
        detail = dict(report.summary(), keys=len(keys - names_hashed), names=len(names))
        for hashed in sorted(names_hashed):
            record_audit(conn, ACTION, hashed, detail, who=who)
        identity.remember(conn, keys - names_hashed, who)
    participation_forget.drop_from_file(workspace, person, app_ids)
    return report


def preview(workspace, person: str) -> Withdrawal:
    """What withdraw(person) would remove now, changing nothing: the same forgetting runs in a
    transaction that is rolled back, so the counts are the ones withdrawal would report
    (before any theme rebuild). Raises ValueError as withdraw does when nothing is theirs."""
    person = (person or "").strip()
    if not person:
        raise ValueError("name the person whose withdrawal to preview")
    engine = workspace.store.engine
    names = _names(workspace, person, participation_forget.app_contribution_ids(engine, person))
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            report = _forget_everywhere(conn, person, names, "preview")[0]
        finally:
            transaction.rollback()
    return report


def their_words(workspace, person: str) -> list:
    """The stored extracts that are this person's (id, text, meta, person, kind)."""
    app_ids = participation_forget.app_contribution_ids(workspace.store.engine, person)
    return _their_extracts(workspace, person, app_ids)


def _names(workspace, person: str, app_ids: set[str]) -> dict[str, list]:
    """Each name the store knows the person by, with the extracts stored under it."""
    mine = _their_extracts(workspace, person, app_ids)
    names = {person: mine}
    for other in identity.same_person(workspace.store.engine, mine, person):
        names[other] = _their_extracts(workspace, other, set())
    return names


def _forget_everywhere(conn, person: str, names: dict[str, list], who: str):
    """Ask every forgetter, in `conn`, about each name the person is known by; return what they
    reported and the keys that recognise the person in other exports."""
    report = Withdrawal(person_hash(person))
    keys: set[str] = set()
    for name, rows in names.items():
        ids, words = [r.id for r in rows], [r.text for r in rows]
        gone = Gone.of(name, pseudonym(name), ids, words, who)
        for forget in FORGETTERS:
            report.add(forget(conn, gone))
        keys |= {h for r in rows for h in identity.key_hashes(r.kind, r.person, r.meta)}
    if not report.found_anything():
        raise ValueError(
            f"nothing in the workspace belongs to {person!r}: use the person column of "
            "`qlab export extracts` (or the name a participant contributed under)"
        )
    return report, keys


def _their_extracts(workspace, person: str, app_ids: set[str]) -> list:
    """Their extracts: under their name, or sent from the app under a pseudonym."""
    app_source = _app_source_path(workspace)
    query = with_sources(
        extracts.c.id, extracts.c.text, extracts.c.meta, extracts.c.person, extracts.c.kind
    )
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
