"""Statements to vote on: short lines staff write or pick from an extract, or participants propose
(pending until staff approve); their votes live with every other vote, so opinion groups read
them exactly as they read an imported Pol.is conversation's (opinions/polis_input.py)."""

from __future__ import annotations

import re

from sqlalchemy import delete, insert, select, update

from ingest.redact import redact
from lab_app.core.audit import now, record_audit
from lab_app.core.schema import statements, votes
from lab_app.material.reads import chunks
from lab_app.opinions import participation

MAX_STATEMENT_CHARS = 140  # Pol.is's limit: one idea a person can agree or disagree with
MIN_STATEMENT_CHARS = 10
PREFIX = "statement:"  # a statement's id among votes' statements
STATUSES = ("pending", "approved", "rejected")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def vote_id(statement_id: int) -> str:
    """How votes name a statement: "statement:<id>" (never an extract id)."""
    return f"{PREFIX}{int(statement_id)}"


def number_of(vote_statement: str) -> int | None:
    """The statement id in a vote's statement column, or None when it names something else."""
    if not str(vote_statement).startswith(PREFIX):
        return None
    tail = str(vote_statement)[len(PREFIX) :]
    return int(tail) if tail.isdigit() else None


def write(engine, text: str, who: str) -> int:
    """A statement staff write: approved at once. Returns its id."""
    return _add(engine, _checked(text), "approved", "staff", None, who)


def propose(engine, text: str, who: str) -> int:
    """A participant's statement: waits for staff approval. Returns its id."""
    return _add(engine, _checked(text), "pending", "participant", None, who)


def from_extract(engine, extract_id: str, who: str, text: str | None = None) -> int:
    """A statement staff pick from an extract: its first sentence (or `text`, their shortening),
    redacted as ingest redacts. Refused when the extract's author did not agree to be shown."""
    found = participation.extract_details(engine, [extract_id])
    if extract_id not in found:
        raise ValueError(f"no extract {extract_id}: pick one from search or a theme")
    if extract_id not in participation.shown_to_participants(engine, [extract_id]):
        raise ValueError("its author did not agree to be shown to participants: pick another")
    words = text if text and text.strip() else shorten(found[extract_id]["text"])
    return _add(engine, _checked(words), "approved", "extract", extract_id, who)


def shorten(text: str) -> str:
    """As many whole sentences from the start as fit a statement, else the first one cut at a
    word boundary with an ellipsis."""
    flat = " ".join((text or "").split())
    kept = ""
    for sentence in _SENTENCE_END.split(flat):
        joined = f"{kept} {sentence}".strip()
        if len(joined) > MAX_STATEMENT_CHARS:
            break
        kept = joined
    if kept:
        return kept
    cut = flat[: MAX_STATEMENT_CHARS - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def review(engine, statement_id: int, approve: bool, who: str) -> None:
    """Staff approve or reject a proposed statement; reviewing it the same way again is fine."""
    row = get(engine, statement_id)
    status = "approved" if approve else "rejected"
    if row["status"] == status:
        return
    with engine.begin() as conn:
        conn.execute(
            update(statements)
            .where(statements.c.id == row["id"])
            .values(status=status, reviewed_by=who, reviewed_at=now())
        )
        record_audit(conn, f"statement.{'approve' if approve else 'reject'}", str(row["id"]),
                     {}, who=who)  # fmt: skip


def vote(engine, participant: str, statement_id: int, value: int) -> None:
    """Agree (1), disagree (-1) or pass (0) on an approved statement; the latest vote counts."""
    if get(engine, statement_id)["status"] != "approved":
        raise ValueError(f"statement {statement_id} is not open for votes yet")
    participation.vote(engine, participant, vote_id(statement_id), value)


def get(engine, statement_id: int) -> dict:
    try:
        number = int(statement_id)
    except (TypeError, ValueError):
        raise ValueError(f"{statement_id!r} is not a statement number") from None
    with engine.connect() as conn:
        row = conn.execute(select(statements).where(statements.c.id == number)).first()
    if row is None:
        raise ValueError(f"no statement {statement_id}: `qlab statements list` shows them")
    return dict(row._mapping)


def listing(engine, status: str | None = None) -> list[dict]:
    """Statements (of one status, or all), oldest first, with their vote counts."""
    query = select(statements).order_by(statements.c.id)
    if status:
        if status not in STATUSES:
            raise ValueError(f"status is one of {', '.join(STATUSES)}, not {status!r}")
        query = query.where(statements.c.status == status)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    counts = participation.vote_counts(engine, [vote_id(r["id"]) for r in rows])
    return [dict(r, votes=counts[vote_id(r["id"])]) for r in rows]


def approved_ids(engine) -> set[str]:
    """The vote ids of every approved statement: the ones opinion groups count."""
    query = select(statements.c.id).where(statements.c.status == "approved")
    with engine.connect() as conn:
        return {vote_id(n) for n in conn.execute(query).scalars()}


def texts(engine, vote_ids) -> dict[str, str]:
    """vote id -> words, for approved statements among these (all participants may read them)."""
    numbers = [n for n in (number_of(v) for v in vote_ids) if n is not None]
    if not numbers:
        return {}
    query = select(statements.c.id, statements.c.text).where(
        statements.c.id.in_(numbers), statements.c.status == "approved"
    )
    with engine.connect() as conn:
        return {vote_id(row.id): row.text for row in conn.execute(query)}


def proposed_by(engine, person: str) -> list[dict]:
    """The statements this person proposed, newest first."""
    query = select(statements).where(statements.c.proposed_by == person)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query.order_by(statements.c.id.desc()))]
    return rows


def _checked(text: str) -> str:
    """The statement as stored: one line, redacted, within the length a vote can bear."""
    flat = " ".join((text or "").split())
    if len(flat) < MIN_STATEMENT_CHARS:
        raise ValueError(f"a statement needs at least {MIN_STATEMENT_CHARS} characters")
    if len(flat) > MAX_STATEMENT_CHARS:
        raise ValueError(
            f"the statement is {len(flat)} characters; keep it to {MAX_STATEMENT_CHARS}, "
            "one idea a person can agree or disagree with"
        )
    return redact(flat)[0]


def _add(engine, text: str, status: str, origin: str, extract_id, who: str) -> int:
    who = participation.required_name(who, "author")
    stamp = now()
    reviewed = {"reviewed_by": who, "reviewed_at": stamp} if status == "approved" else {}
    with engine.begin() as conn:
        new_id = conn.execute(
            insert(statements).values(
                text=text, status=status, origin=origin, extract_id=extract_id,
                proposed_by=who, created_at=stamp, **reviewed,
            )
        ).inserted_primary_key[0]  # fmt: skip
        # The audit trail keeps the action and size, never the words.
        record_audit(conn, f"statement.{origin}", str(new_id), {"chars": len(text)}, who=who)
    return int(new_id)


# --- withdrawal ------------------------------------------------------------------------------

FORGETS = (statements.c.proposed_by, statements.c.reviewed_by)


def forget(conn, gone) -> dict:
    """Statements they proposed, and those picked from their extracts, go with every vote on
    them (their own votes go with participation_forget.forget); statements they wrote or reviewed as
    staff keep a pseudonym."""
    proposed = (statements.c.proposed_by == gone.person) & (statements.c.origin == "participant")
    numbers = set(conn.execute(select(statements.c.id).where(proposed)).scalars())
    for chunk in chunks(sorted(gone.extract_ids)):
        query = select(statements.c.id).where(statements.c.extract_id.in_(chunk))
        numbers.update(conn.execute(query).scalars())
    if numbers:
        conn.execute(delete(votes).where(votes.c.statement.in_([vote_id(n) for n in numbers])))
        conn.execute(delete(statements).where(statements.c.id.in_(sorted(numbers))))
    for column in FORGETS:
        conn.execute(update(statements).where(column == gone.person).values(
            {column.name: gone.alias}))  # fmt: skip
    return {"statements": len(numbers)}
