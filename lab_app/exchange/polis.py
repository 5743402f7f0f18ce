"""Pol.is conversations: read an export folder and import it (comments as contributions, votes).

An import writes the moderated-in comments to one normalised JSON file inside the workspace home
and ingests it like any contribution export, so redaction, extract ids, vectors and the index
all apply. Each vote is stored with the Pol.is participant number as the participant and the
comment's extract id as the statement. Comments the moderators rejected (moderated = -1) are
left aside, their words never stored; their votes are kept under a statement id no extract has
(lab_app.opinions.polis_input's MODERATED_OUT), because Pol.is counts them when it decides who
is grouped. Importing the same export again changes nothing; a later export of the same
conversation adds what is new. polis_export writes the same layout back.

Formula guard: folders written by polis_export carry a reversible guard against spreadsheet
formulas (explained there). Reading a folder whose summary.csv has the row
`qlab-guarded-cells,apostrophe`, one leading apostrophe is taken off every cell that has one;
folders without it (Pol.is's own exports) are read exactly as written.
"""

from __future__ import annotations

import csv
import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, insert, select

from ingest.redact import redact, redact_many
from lab_app.core.schema import extracts, sources, votes
from lab_app.material.reads import with_sources
from lab_app.opinions.polis_input import META_ATTRIBUTE, MODERATED_OUT

HOME_FOLDER = "polis"  # inside the workspace home
CONVERSATION_FILE = "conversation.json"  # which conversation this workspace holds
COMMENT_COLUMNS = [
    "timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated",
    "comment-body",
]  # fmt: skip
PARTICIPANT_COLUMNS = ["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"]
NOT_COMMENTS = {*PARTICIPANT_COLUMNS, "xid"}  # newer exports add the participant's external id
VOTE_COLUMNS = ["timestamp", "datetime", "comment-id", "voter-id", "vote"]
AUTHOR_PREFIX = "polis-"  # a comment author's person id: "polis-<participant number>"
GUARD_KEY, GUARD_VALUE = "qlab-guarded-cells", "apostrophe"  # summary.csv row: see polis_export


@dataclass
class Conversation:
    """What a Pol.is export folder holds, read as plain values."""

    name: str
    summary: dict[str, str] = field(default_factory=dict)
    comments: list[dict] = field(default_factory=list)  # id, author, timestamp, moderated, text
    participants: list[str] = field(default_factory=list)
    groups: dict[str, int] = field(default_factory=dict)  # Pol.is's own group-id
    votes: dict[tuple[str, str], int] = field(default_factory=dict)  # (participant, comment)
    vote_times: dict[tuple[str, str], int] = field(default_factory=dict)  # milliseconds

    @property
    def key(self) -> str:
        """What identifies the conversation across exports: its URL, else the folder name."""
        return self.summary.get("url") or self.name

    @property
    def slug(self) -> str:
        tail = self.key.rstrip("/").rsplit("/", 1)[-1]
        return re.sub(r"[^A-Za-z0-9._-]+", "-", tail).strip("-.") or "conversation"


def read_polis(path: Path) -> Conversation:
    """Read comments.csv, participants-votes.csv and (if there) votes.csv and summary.csv."""
    path = Path(path)
    comments_file, matrix_file = path / "comments.csv", path / "participants-votes.csv"
    if not path.is_dir() or not comments_file.exists() or not matrix_file.exists():
        raise ValueError(
            f"{path} is not a Pol.is export: the folder needs comments.csv and "
            "participants-votes.csv (download both from the conversation's report)"
        )
    guarded = _is_guarded(path)
    conversation = Conversation(name=path.resolve().name, summary=_read_summary(path, guarded))
    for row in _rows(comments_file, ("comment-id", "comment-body"), guarded):
        comment_id = row["comment-id"].strip()
        if not comment_id:
            continue
        conversation.comments.append(
            {
                "id": comment_id,
                "author": (row.get("author-id") or "").strip(),
                "timestamp": whole_number(row.get("timestamp")),
                "moderated": whole_number(row.get("moderated")) or 0,
                "meta": (row.get("is-meta") or "").strip().lower() == "true",
                "text": row.get("comment-body") or "",
            }
        )
    conversation.comments.sort(key=lambda c: comment_order(c["id"]))
    for row in _rows(matrix_file, ("participant",), guarded):
        participant = row["participant"].strip()
        if not participant:
            continue
        conversation.participants.append(participant)
        group = whole_number(row.get("group-id"))
        if group is not None:
            conversation.groups[participant] = group
        for column, value in row.items():
            if not value or column in NOT_COMMENTS or column is None:
                continue  # most cells are blank: unseen
            vote = whole_number(value)
            if vote in (-1, 0, 1):
                conversation.votes[(participant, column.strip())] = vote
    votes_file = path / "votes.csv"
    if votes_file.exists():
        for row in _rows(votes_file, ("comment-id", "voter-id"), guarded):
            key = (row["voter-id"].strip(), row["comment-id"].strip())
            stamp = whole_number(row.get("timestamp"))
            if stamp is not None and key in conversation.votes:
                conversation.vote_times[key] = max(stamp, conversation.vote_times.get(key, 0))
    return conversation


# --- import ----------------------------------------------------------------------------------


def import_polis(workspace, path: Path) -> str:
    """Bring a Pol.is export into the workspace; return a one-line summary."""
    conversation = read_polis(path)
    home = workspace.settings.home
    _claim(home, conversation)
    kept = [c for c in conversation.comments if c["moderated"] != -1 and c["text"].strip()]
    left_aside = len(conversation.comments) - len(kept)
    if not kept:
        raise ValueError(f"{path} holds no moderated-in comment with text: nothing to import")
    comments_path = home / HOME_FOLDER / conversation.slug / "comments.json"
    texts = redact_many([c["text"] for c in kept])  # one batch: the name model reads batches fast
    _write_json(
        comments_path, [_comment_record(c, text) for c, (text, _) in zip(kept, texts, strict=True)]
    )
    options = workspace.ingest_options(kind="contribution")
    outcome = workspace.ingest_file(comments_path, options, root=home)
    if outcome.status == "refused":
        raise ValueError(f"the comments could not be ingested: {outcome.reason}")
    statement_of = statement_ids(workspace.store.engine, outcome.path)
    shown = len(statement_of)
    voters = {p for (p, c) in conversation.votes if c in statement_of}
    # Votes on comments left aside still count towards who Pol.is groups: kept, never shown.
    statement_of |= {c: MODERATED_OUT + c for (_, c) in conversation.votes if c not in statement_of}
    added, changed = _store_votes(workspace.store.engine, conversation, statement_of)
    workspace.refresh_tensions()  # groups and vote tensions follow the votes
    return (
        f"Pol.is {conversation.key}: {shown} statements ({outcome.status}"
        f"{f', {left_aside} moderated out and left aside' if left_aside else ''}), "
        f"votes from {len(voters)} participants: {added} new, {changed} changed"
    )


def held_conversation(home: Path) -> dict:
    """The record of the conversation this workspace holds; {} when it holds none."""
    record = home / HOME_FOLDER / CONVERSATION_FILE
    return json.loads(record.read_text(encoding="utf-8")) if record.exists() else {}


def _claim(home: Path, conversation: Conversation) -> None:
    """One conversation per workspace: Pol.is participant numbers only mean something inside
    their own conversation, so a second one would merge different people's votes."""
    record = home / HOME_FOLDER / CONVERSATION_FILE
    if record.exists():
        held = held_conversation(home)
        if held.get("key") != conversation.key:
            raise ValueError(
                f"this workspace already holds Pol.is conversation {held.get('key')}; import "
                f"{conversation.key} into a workspace of its own (qlab --home DIR import polis)"
            )
        return
    # The organisers' topic and description are redacted too; the url stays: it is the key.
    summary = {
        name: value if name == "url" else redact(value)[0]
        for name, value in conversation.summary.items()
    }
    _write_json(record, {"key": conversation.key, "slug": conversation.slug, **summary})


def _comment_record(comment: dict, redacted: str) -> dict:
    record = {
        "id": comment["id"],
        "author": AUTHOR_PREFIX + (comment["author"] or "unknown"),
        # Redacted already here: this copy waits in the workspace folder for every re-ingest.
        "text": redacted,
        "moderated": str(comment["moderated"]),
    }
    if comment.get("meta"):
        record[META_ATTRIBUTE] = "true"  # Pol.is leaves meta statements out of its clustering
    if comment["timestamp"] is not None:
        record["timestamp"] = str(comment["timestamp"])  # read by ingest as the date
    return record


def statement_ids(engine, source_path: str) -> dict[str, str]:
    """Pol.is comment id -> extract id, for the comments ingested from this source file (a long
    comment split into parts is voted on as its first part)."""
    query = (
        with_sources(extracts.c.id, extracts.c.meta)
        .where(sources.c.path == source_path)
        .order_by(extracts.c.position)
    )
    found: dict[str, str] = {}
    with engine.connect() as conn:
        for row in conn.execute(query):
            comment = (row.meta or {}).get("id")
            if comment is not None:
                found.setdefault(str(comment), row.id)
    return found


def _store_votes(engine, conversation: Conversation, statement_of: dict) -> tuple[int, int]:
    """Insert new votes and update changed ones; identical ones are left untouched."""
    default_time = {c["id"]: c["timestamp"] for c in conversation.comments}
    wanted = {}
    for (participant, comment), value in conversation.votes.items():
        statement = statement_of.get(comment)
        if statement is None:
            continue
        stamp = conversation.vote_times.get((participant, comment), default_time.get(comment))
        wanted[(participant, statement)] = (value, _from_millis(stamp))
    statements = sorted(set(statement_of.values()))
    with engine.connect() as conn:
        existing = {}
        for start in range(0, len(statements), 500):
            chunk = statements[start : start + 500]
            query = select(votes.c.participant, votes.c.statement, votes.c.value).where(
                votes.c.statement.in_(chunk)
            )
            existing.update({(r.participant, r.statement): r.value for r in conn.execute(query)})
    new = [key for key in wanted if key not in existing]
    changed = [key for key in wanted if key in existing and existing[key] != wanted[key][0]]
    with engine.begin() as conn:
        for participant, statement in changed:
            conn.execute(
                delete(votes).where(
                    votes.c.participant == participant, votes.c.statement == statement
                )
            )
        rows = [
            {"participant": p, "statement": s, "value": wanted[(p, s)][0], "at": wanted[(p, s)][1]}
            for p, s in new + changed
        ]
        for start in range(0, len(rows), 5000):
            conn.execute(insert(votes), rows[start : start + 5000])
    return len(new), len(changed)


# --- small helpers ---------------------------------------------------------------------------


def _rows(path: Path, required: tuple[str, ...], guarded: bool = False):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if guarded and reader.fieldnames:
            reader.fieldnames = [_unguard(name) for name in reader.fieldnames]
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(
                f"{path.name} has no {', '.join(missing)} column: is it a Pol.is export file?"
            )
        for row in reader:
            # Extra cells sit under None as a list; only text cells carry the guard.
            yield {k: _unguard(v) if guarded and isinstance(v, str) else v for k, v in row.items()}


def _summary_pairs(path: Path) -> list[list[str]]:
    summary_file = path / "summary.csv"
    if not summary_file.exists():
        return []
    with summary_file.open(encoding="utf-8-sig", newline="") as handle:
        return [row for row in csv.reader(handle) if len(row) >= 2]


def _is_guarded(path: Path) -> bool:
    """True for a folder export_polis wrote: its cells carry the reversible formula guard."""
    return any(
        key.strip() == GUARD_KEY and value.strip() == GUARD_VALUE
        for key, value, *_ in _summary_pairs(path)
    )


def _read_summary(path: Path, guarded: bool = False) -> dict[str, str]:
    wanted = ("topic", "url", "conversation-description")
    found = {}
    for key, value, *_ in _summary_pairs(path):
        key, value = (_unguard(key), _unguard(value)) if guarded else (key, value)
        if key.strip() in wanted:
            found[key.strip()] = value.strip()
    return found


def _unguard(text: str) -> str:
    return text[1:] if text.startswith("'") else text


def _write_json(path: Path, data) -> None:
    """Write only when the content differs, so an unchanged import leaves the file alone."""
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def whole_number(value) -> int | None:
    """A CSV cell as a whole number ("3", "3.0"); None when it is not a number."""
    try:
        return int(float(str(value).strip()))
    except (TypeError, ValueError):
        return None


def comment_order(value: str):
    """Sort key for comment ids: numeric ids in number order, then any others by text."""
    return (0, int(value), "") if str(value).lstrip("-").isdigit() else (1, 0, str(value))


def _from_millis(stamp: int | None) -> datetime:
    # A vote with no time anywhere gets the epoch: a fixed value keeps re-imports identical.
    return datetime.fromtimestamp((stamp or 0) / 1000, tz=UTC)
