"""Recognising a withdrawn person in files yet to come: the keys that name them across exports.

A person is named by keys, each remembered only as a hash in the audit trail:
- the person column itself (a contribution's author; what every withdrawal recorded before);
- for a survey answer, the respondent within the survey recognised by its header, whatever
  the file is called (ingest/respondents.py), so a renamed or longer re-export, or an upload
  stored under a hash-prefixed name, still names them;
- a distinctive respondent id (Qualtrics, SurveyMonkey) alone, in any survey.

Withdrawals recorded before these keys existed hold only the hash of "<file stem>/<id>". They
still match that way, and also under the stem of any file the workspace ingested before, for a
distinctive id; when one matches, its new keys are recorded so that later exports match too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import PurePosixPath

from sqlalchemy import select

from lab_app.core.audit import record_audit
from lab_app.core.schema import audit, extracts, sources

WITHDRAW_ACTION = "people.withdraw"  # one line per person withdrawn: target = their name's hash
KEYS_ACTION = "withdrawal.keys"  # one line per further key: target = the key's hash
INGEST_ACTION = "ingest"


def key_hash(key: str) -> str:
    """How a key is remembered. A hash keeps the name out of the trail, though a short
    respondent number could be guessed back by trying them all: keep backups safe."""
    return hashlib.sha256(f"qlab-withdrawn\x1f{key.strip()}".encode()).hexdigest()


def person_keys(kind: str | None, person: str | None, meta: dict | None) -> set[str]:
    """Every key naming the person behind one extract (see the module docstring)."""
    keys = {person} if person else set()
    meta = meta or {}
    survey, respondent = meta.get("survey"), meta.get("respondent")
    if kind == "survey" and survey and respondent:
        keys.add(f"survey\x1f{survey}\x1f{respondent}")
        # Only a distinctive id is kept bare; a short one carries its row's date ("…|date").
        if "|" not in respondent:
            keys.add(f"respondent\x1f{respondent}")
    return keys


def key_hashes(kind: str | None, person: str | None, meta: dict | None) -> set[str]:
    return {key_hash(key) for key in person_keys(kind, person, meta)}


def withdrawn(engine) -> tuple[set[str], set[str]]:
    """(every remembered hash, the hashes of withdrawals made before further keys existed)."""
    query = select(audit.c.action, audit.c.target, audit.c.detail).where(
        audit.c.action.in_((WITHDRAW_ACTION, KEYS_ACTION))
    )
    every, legacy = set(), set()
    with engine.connect() as conn:
        for row in conn.execute(query):
            every.add(row.target)
            if row.action == WITHDRAW_ACTION and "keys" not in (row.detail or {}):
                legacy.add(row.target)
    return every, legacy


def remember(conn, hashes: Iterable[str], who: str) -> int:
    """Record further keys of withdrawn people (hashes only); return how many were new."""
    known = set(conn.execute(select(audit.c.target).where(audit.c.action == KEYS_ACTION)).scalars())
    fresh = sorted(set(hashes) - known)
    for value in fresh:
        record_audit(conn, KEYS_ACTION, value, {}, who=who)
    return len(fresh)


def matches(engine, items: list) -> tuple[list, set[str]]:
    """Which of these extracts (about to be stored) belong to withdrawn people, and the keys
    to remember for those only matched the old way."""
    every, legacy = withdrawn(engine)
    if not every:
        return [], set()
    stems = _ingested_stems(engine) if legacy else []
    gone, upgrade = [], set()
    for item in items:
        hashes = key_hashes(item.kind, item.person, item.meta)
        old = {key_hash(item.person)} if item.person else set()
        if (hashes - old) & every:
            gone.append(item)
        elif old & every or _legacy_match(item, stems, legacy):
            gone.append(item)
            upgrade |= hashes - old - every
    return gone, upgrade


def same_person(engine, rows: list, person: str) -> list[str]:
    """Other person names in the store that share a key with these extracts of `person`: the
    same respondent in another export of the survey, ingested under another file name."""
    wanted = set()
    for row in rows:
        wanted |= person_keys(row.kind, row.person, row.meta) - {row.person}
    if not wanted:
        return []
    query = select(extracts.c.person, extracts.c.meta).where(
        extracts.c.kind == "survey", extracts.c.person != person
    )
    found = set()
    with engine.connect() as conn:
        for row in conn.execute(query):
            if row.person not in found and person_keys("survey", None, row.meta) & wanted:
                found.add(row.person)
    return sorted(found)


def _legacy_match(item, stems: list[str], legacy: set[str]) -> bool:
    """An old withdrawal of this distinctive respondent under another file's stem: the old
    key was the person name, "<stem>/<id>"."""
    respondent = (item.meta or {}).get("respondent") or "|"
    if not legacy or item.kind != "survey" or "|" in respondent or "/" not in item.person:
        return False
    given = item.person.split("/", 1)[1]
    return any(key_hash(f"{stem}/{given}") in legacy for stem in stems)


def _ingested_stems(engine) -> list[str]:
    """The stem of every file the workspace has ingested (the audit trail remembers removed
    ones too): the first part of a survey person's old key."""
    with engine.connect() as conn:
        paths = set(conn.execute(select(sources.c.path)).scalars())
        query = select(audit.c.target).where(audit.c.action == INGEST_ACTION)
        paths |= set(conn.execute(query).scalars())
    return sorted({PurePosixPath(path).stem for path in paths if path})
