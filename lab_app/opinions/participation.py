"""Participation: votes on statements, contributions sent from the app, and quotable extracts."""

from __future__ import annotations

import json
import os
from pathlib import Path

from sqlalchemy import delete, func, insert, select, update

from ingest.redact import redact, redact_person
from lab_app.core import locks as store_lock
from lab_app.core.audit import now, record_audit
from lab_app.core.schema import extract_attributes, pending_contributions, theme_members, votes
from lab_app.material.consent import may_show
from lab_app.material.reads import extracts_by_ids

VOTE_VALUES = {1: "agree", -1: "disagree", 0: "pass"}
MAX_CONTRIBUTION_CHARS = 5000
MAX_NAME_CHARS = 255
# Approved contributions live in one file the normal ingest reads, so ids stay stable.
CONTRIBUTIONS_FILE = Path("app-contributions") / "contributions.json"
CONTRIBUTIONS_LOCK = "app-contributions"  # held while that file is written and ingested
# An attribute whose name mentions quoting and holds one of these means "do not quote me".
NO_QUOTE_VALUES = ("no", "false", "n", "0")


# --- votes -----------------------------------------------------------------------------------


def vote(engine, participant: str, statement: str, value: int) -> None:
    """Record agree (1), disagree (-1) or pass (0); a participant's new vote replaces the old."""
    participant = required_name(participant, "participant")
    if not statement or not str(statement).strip():
        raise ValueError("a vote needs a statement")
    if isinstance(value, bool) or value not in VOTE_VALUES:
        raise ValueError(f"vote must be 1 (agree), -1 (disagree) or 0 (pass), not {value!r}")
    with engine.begin() as conn:
        # Delete then insert in one transaction: the same on SQLite and PostgreSQL.
        conn.execute(
            delete(votes).where(votes.c.participant == participant, votes.c.statement == statement)
        )
        conn.execute(
            insert(votes).values(
                participant=participant, statement=statement, value=int(value), at=now()
            )
        )


def vote_counts(engine, statements) -> dict[str, dict[str, int]]:
    """{statement: {"agree": n, "disagree": n, "pass": n}} for each statement asked about."""
    wanted = list(dict.fromkeys(statements))
    counts = {s: {name: 0 for name in VOTE_VALUES.values()} for s in wanted}
    if not wanted:
        return counts
    query = (
        select(votes.c.statement, votes.c.value, func.count())
        .where(votes.c.statement.in_(wanted))
        .group_by(votes.c.statement, votes.c.value)
    )
    with engine.connect() as conn:
        for statement, value, n in conn.execute(query):
            counts[statement][VOTE_VALUES[value]] = n
    return counts


def votes_of(engine, participant: str, statements) -> dict[str, int]:
    """This participant's current vote on each of these statements that they voted on."""
    wanted = list(dict.fromkeys(statements))
    if not participant or not wanted:
        return {}
    query = select(votes.c.statement, votes.c.value).where(
        votes.c.participant == participant.strip(), votes.c.statement.in_(wanted)
    )
    with engine.connect() as conn:
        return {row.statement: row.value for row in conn.execute(query)}


def votes_by(engine, participant: str) -> list[dict]:
    """Every vote this participant cast, newest first: statement, value, at."""
    query = (
        select(votes.c.statement, votes.c.value, votes.c.at)
        .where(votes.c.participant == (participant or "").strip())
        .order_by(votes.c.at.desc(), votes.c.statement)
    )
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


# --- contributions ---------------------------------------------------------------------------


def submit_contribution(engine, author: str, text: str, thread: str | None = None) -> int:
    """Store a contribution as pending staff approval; return its pending id."""
    author = required_name(author, "author")
    text = (text or "").strip()
    if not text:
        raise ValueError("the contribution is empty: write something first")
    if len(text) > MAX_CONTRIBUTION_CHARS:
        raise ValueError(
            f"the contribution is {len(text)} characters; the limit is {MAX_CONTRIBUTION_CHARS}"
            " — split it into several"
        )
    thread = (thread or "").strip() or None
    if thread and len(thread) > MAX_NAME_CHARS:
        raise ValueError(f"the thread name is over {MAX_NAME_CHARS} characters")
    with engine.begin() as conn:
        pending_id = conn.execute(
            insert(pending_contributions).values(
                author=author, text=text, thread=thread, submitted_at=now(), status="pending"
            )
        ).inserted_primary_key[0]
        # The audit trail never holds contribution text, only that one arrived and its size.
        record_audit(conn, "contribution.submit", str(pending_id), {"chars": len(text)}, who=author)
    return int(pending_id)


def pending(engine) -> list[dict]:
    """Contributions waiting for staff, oldest first."""
    query = (
        select(pending_contributions)
        .where(pending_contributions.c.status == "pending")
        .order_by(pending_contributions.c.submitted_at, pending_contributions.c.id)
    )
    with engine.connect() as conn:
        return [_pending_row(row) for row in conn.execute(query)]


def contributions_by(engine, author: str) -> list[dict]:
    """Every contribution this person sent from the app, whatever its status, newest first."""
    query = (
        select(pending_contributions)
        .where(pending_contributions.c.author == (author or "").strip())
        .order_by(pending_contributions.c.submitted_at.desc(), pending_contributions.c.id.desc())
    )
    with engine.connect() as conn:
        return [_pending_row(row) for row in conn.execute(query)]


def approve(workspace, pending_id: int, reviewer: str):
    """Add a pending contribution to the store through the normal ingest; return its outcome.

    Every approved contribution is written to one JSON file in the workspace, re-ingested as a
    whole: redaction, ids, vectors and the index all work as for any contribution export, and
    earlier items keep their extract ids because ids come from each object's id ("app-<n>").
    Approving an approved contribution again changes nothing. Once reviewed, the waiting copy
    keeps only the redacted text, as the store does.
    """
    reviewer = required_name(reviewer, "reviewer")
    engine = workspace.store.engine
    # Two staff approving at once, in any process, must not interleave writing the file and
    # ingesting it: the later ingest would replace the file without the earlier approval.
    with store_lock.held(engine, CONTRIBUTIONS_LOCK):
        row = _get(engine, pending_id)
        if row["status"] == "rejected":
            raise ValueError(f"contribution {pending_id} was rejected; it cannot be approved")
        already = row["status"] == "approved"
        found = redact(row["text"])[1]  # the file and the queue are redacted where written
        approved = _approved_rows(engine)
        if not already:
            approved.append(row)
        path = contributions_path(workspace)
        _write_contributions(path, approved)
        options = workspace.ingest_options(kind="contribution")
        outcome = workspace.ingest_file(path, options, root=workspace.settings.home)
        if outcome.status == "refused":
            # Put the file back as the store knows it, so the next approval starts clean.
            _write_contributions(path, approved[:-1] if not already else approved)
            return outcome
        if not already:
            with engine.begin() as conn:
                _mark_reviewed(conn, row, "approved", reviewer)
                record_audit(
                    conn,
                    "contribution.approve",
                    str(pending_id),
                    {"outcome": outcome.status, "redactions": dict(found)},
                    who=reviewer,
                )
    return outcome


def reject(engine, pending_id: int, reviewer: str) -> None:
    """Turn a pending contribution down; it never reaches the store. Rejecting twice is fine.
    What stays in the review queue is redacted: a refusal is often for the identifiers in it."""
    reviewer = required_name(reviewer, "reviewer")
    # Under the approvals' lock: an approval finishing meanwhile must not be turned into a
    # rejection, which the next approval's rewrite of the file would then drop from the store.
    with store_lock.held(engine, CONTRIBUTIONS_LOCK):
        row = _get(engine, pending_id)
        if row["status"] == "approved":
            raise ValueError(f"contribution {pending_id} is already approved and in the workspace")
        if row["status"] == "rejected":
            return
        with engine.begin() as conn:
            _mark_reviewed(conn, row, "rejected", reviewer)
            record_audit(conn, "contribution.reject", str(pending_id), {}, who=reviewer)


def _mark_reviewed(conn, row: dict, status: str, reviewer: str) -> None:
    """Record the decision; the queue keeps only redacted words from then on."""
    thread = row.get("thread")
    conn.execute(
        update(pending_contributions)
        .where(pending_contributions.c.id == row["id"])
        .values(
            status=status,
            reviewed_by=reviewer,
            reviewed_at=now(),
            text=redact(row["text"])[0],
            thread=redact(thread)[0] if thread else thread,
        )
    )


def contributions_path(workspace) -> Path:
    """The JSON file holding every approved contribution, inside the workspace home."""
    return workspace.settings.home / CONTRIBUTIONS_FILE


def contribution_id(pending_id: int) -> str:
    """The id an approved contribution carries in the file, and so in the store's meta."""
    return f"app-{pending_id}"


# --- what participants may see ---------------------------------------------------------------


def not_quotable(engine, extract_ids) -> set[str]:
    """Extracts whose author said No to being quoted (an attribute about quoting set to No)."""
    wanted = list(dict.fromkeys(extract_ids))
    if not wanted:
        return set()
    query = select(extract_attributes.c.extract_id).where(
        extract_attributes.c.extract_id.in_(wanted),
        func.lower(extract_attributes.c.name).contains("quot"),
        func.lower(func.trim(extract_attributes.c.value)).in_(NO_QUOTE_VALUES),
    )
    with engine.connect() as conn:
        return set(conn.execute(query).scalars())


def shown_to_participants(engine, extract_ids) -> set[str]:
    """The extracts among these a participant may read in the app: their person or source let
    them be shown (consent.may_show) and their author did not say No to being quoted."""
    wanted = list(dict.fromkeys(extract_ids))
    return may_show(engine, wanted) - not_quotable(engine, wanted)


def theme_quotes(
    engine,
    theme_id: str,
    first: list[str] | None = None,
    limit: int = 10,
    for_participants: bool = True,
):
    """Up to `limit` extracts placed in a theme: `first` ones (exemplars), then the most
    typical. For participants (the default) only those shown_to_participants; staff
    (for_participants=False) get every one. Rows carry text and provenance, never the person."""
    ranked = select(theme_members.c.extract_id).where(
        theme_members.c.theme_id == theme_id, theme_members.c.status == "placed"
    )
    with engine.connect() as conn:
        members = list(
            conn.execute(
                ranked.order_by(
                    theme_members.c.similarity.desc().nulls_last(), theme_members.c.extract_id
                )
            ).scalars()
        )
    placed = set(members)
    order = list(dict.fromkeys([e for e in (first or []) if e in placed] + members))
    chosen: list[str] = []
    # Candidates in batches, with room for the ones that may not be shown: a theme whose first
    # members are all withheld still finds the ones further down.
    batch = max(limit * 4, 20)
    for start in range(0, len(order), batch):
        if len(chosen) >= limit:
            break
        candidates = order[start : start + batch]
        if for_participants:
            allowed = shown_to_participants(engine, candidates)
            candidates = [e for e in candidates if e in allowed]
        chosen += candidates[: limit - len(chosen)]
    details = extract_details(engine, chosen)
    return [details[e] for e in chosen if e in details]


def theme_descriptions(engine, theme_rows, for_participants: bool = True) -> dict[str, str]:
    """Theme id -> the description a reader may see. A staff-written description is always
    fine; a built one is the first sentence of the theme's most central extract (details
    "central"), a participant's own words, so participants see it only when that extract is
    shown_to_participants, and its key phrases otherwise."""
    rows = list(theme_rows)
    centrals = [(row.get("details") or {}).get("central") for row in rows]
    allowed = shown_to_participants(engine, [c for c in centrals if c])
    found = {}
    for row in rows:
        details = row.get("details") or {}
        written = row.get("description") or ""
        fine = row.get("description_by_staff") or details.get("central") in allowed
        if written and (fine or not for_participants):
            found[row["id"]] = written
        elif details.get("phrases"):
            found[row["id"]] = "Key phrases: " + ", ".join(details["phrases"])
        else:
            found[row["id"]] = ""
    return found


def extract_details(engine, extract_ids) -> dict[str, dict]:
    """Text and provenance of extracts, without the person."""
    found = extracts_by_ids(engine, list(dict.fromkeys(extract_ids)))
    return {
        extract_id: {"extract_id": extract_id, **{k: v for k, v in row.items() if k != "person"}}
        for extract_id, row in found.items()
    }


# --- helpers ---------------------------------------------------------------------------------


def required_name(value: str | None, role: str) -> str:
    """A person's name, trimmed; a clear error when it is missing or too long."""
    value = (value or "").strip()
    if not value:
        raise ValueError(f"the {role} name is missing")
    if len(value) > MAX_NAME_CHARS:
        raise ValueError(f"the {role} name is over {MAX_NAME_CHARS} characters")
    return value


def _pending_row(row) -> dict:
    data = dict(row._mapping)
    submitted = data["submitted_at"]
    data["date"] = submitted.date().isoformat() if submitted else None
    return data


def _get(engine, pending_id: int) -> dict:
    query = select(pending_contributions).where(pending_contributions.c.id == int(pending_id))
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise ValueError(f"no contribution {pending_id} is waiting or was reviewed")
    return _pending_row(row)


def _approved_rows(engine) -> list[dict]:
    query = (
        select(pending_contributions)
        .where(pending_contributions.c.status == "approved")
        .order_by(pending_contributions.c.id)
    )
    with engine.connect() as conn:
        return [_pending_row(row) for row in conn.execute(query)]


def _write_contributions(path: Path, rows: list[dict]) -> None:
    """Write the approved contributions file whole, atomically, in a stable order. Text is
    redacted here too (contributions approved before redaction at approval kept it raw), so no
    identifier waits on disk for the next ingest."""
    records = []
    for row in sorted(rows, key=lambda r: r["id"]):
        record = {
            "id": contribution_id(row["id"]),
            "author": redact_person(row["author"])[0],
            "date": row["submitted_at"].strftime("%Y-%m-%dT%H:%M:%S"),
            "text": redact(row["text"])[0],
        }
        if row.get("thread"):
            record["thread"] = redact(row["thread"])[0]
        records.append(record)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(records, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(temporary, path)
