"""Pol.is conversations: import an export folder (comments as contributions, votes) and write one.

An import writes the moderated-in comments to one normalised JSON file inside the workspace home
and ingests it like any contribution export, so redaction, extract ids, vectors and the index
all apply. Each vote is stored with the Pol.is participant number as the participant and the
comment's extract id as the statement. Comments the moderators rejected (moderated = -1) are
left aside with their votes. Importing the same export again changes nothing; a later export
of the same conversation adds what is new. `export_polis` writes the same layout back.

Formula guard: every text cell an export writes goes through exports.safe_cell, so a comment
such as "=HYPERLINK(...)" opens in a spreadsheet as text ("'=HYPERLINK(...)"). To keep the
round trip lossless the guard is made reversible: a text cell that already starts with an
apostrophe gets one more, and summary.csv says so in a row `qlab-guarded-cells,apostrophe`.
Reading a folder with that row, one leading apostrophe is taken off every cell that has one;
folders without it (Pol.is's own exports) are read exactly as written. Whole numbers, such as a
-1 vote, are numbers to a spreadsheet, never formulas, and are written as they are.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, insert, select

from ingest.redact import redact
from lab_app.exports import safe_cell
from lab_app.tables import extracts, sources, votes

HOME_FOLDER = "polis"  # inside the workspace home
CONVERSATION_FILE = "conversation.json"  # which conversation this workspace holds
COMMENT_COLUMNS = [
    "timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated",
    "comment-body",
]  # fmt: skip
PARTICIPANT_COLUMNS = ["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"]
VOTE_COLUMNS = ["timestamp", "datetime", "comment-id", "voter-id", "vote"]
AUTHOR_PREFIX = "polis-"  # a comment author's person id: "polis-<participant number>"
GUARD_KEY, GUARD_VALUE = "qlab-guarded-cells", "apostrophe"  # summary.csv row: see above
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")


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
                "timestamp": _integer(row.get("timestamp")),
                "moderated": _integer(row.get("moderated")) or 0,
                "text": row.get("comment-body") or "",
            }
        )
    conversation.comments.sort(key=lambda c: _number(c["id"]))
    for row in _rows(matrix_file, ("participant",), guarded):
        participant = row["participant"].strip()
        if not participant:
            continue
        conversation.participants.append(participant)
        group = _integer(row.get("group-id"))
        if group is not None:
            conversation.groups[participant] = group
        for column, value in row.items():
            if column in PARTICIPANT_COLUMNS or column is None:
                continue
            vote = _integer(value)
            if vote in (-1, 0, 1):
                conversation.votes[(participant, column.strip())] = vote
    votes_file = path / "votes.csv"
    if votes_file.exists():
        for row in _rows(votes_file, ("comment-id", "voter-id"), guarded):
            key = (row["voter-id"].strip(), row["comment-id"].strip())
            stamp = _integer(row.get("timestamp"))
            if stamp is not None and key in conversation.votes:
                conversation.vote_times[key] = max(stamp, conversation.vote_times.get(key, 0))
    return conversation


def polis_matrix(conversation: Conversation, include_moderated_out: bool = False):
    """(participants, comment ids, matrix) for opinion groups: moderated-out comments left out,
    as Pol.is leaves them out of its clustering."""
    import numpy as np

    kept = [c["id"] for c in conversation.comments if include_moderated_out or c["moderated"] != -1]
    column_of = {c: j for j, c in enumerate(kept)}
    row_of = {p: i for i, p in enumerate(conversation.participants)}
    matrix = np.full((len(row_of), len(kept)), np.nan)
    for (participant, comment), value in conversation.votes.items():
        if comment in column_of and participant in row_of:
            matrix[row_of[participant], column_of[comment]] = value
    return list(conversation.participants), kept, matrix


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
    _write_json(comments_path, [_comment_record(c) for c in kept])
    options = workspace.ingest_options(kind="contribution")
    outcome = workspace.ingest_file(comments_path, options, root=home)
    if outcome.status == "refused":
        raise ValueError(f"the comments could not be ingested: {outcome.reason}")
    statement_of = statement_ids(workspace.store.engine, outcome.path)
    added, changed = _store_votes(workspace.store.engine, conversation, statement_of)
    voters = {p for (p, c) in conversation.votes if c in statement_of}
    return (
        f"Pol.is {conversation.key}: {len(statement_of)} statements ({outcome.status}"
        f"{f', {left_aside} moderated out and left aside' if left_aside else ''}), "
        f"votes from {len(voters)} participants: {added} new, {changed} changed"
    )


def _claim(home: Path, conversation: Conversation) -> None:
    """One conversation per workspace: Pol.is participant numbers only mean something inside
    their own conversation, so a second one would merge different people's votes."""
    record = home / HOME_FOLDER / CONVERSATION_FILE
    if record.exists():
        held = json.loads(record.read_text(encoding="utf-8"))
        if held.get("key") != conversation.key:
            raise ValueError(
                f"this workspace already holds Pol.is conversation {held.get('key')}; import "
                f"{conversation.key} into a workspace of its own (qlab --home DIR import polis)"
            )
        return
    _write_json(
        record, {"key": conversation.key, "slug": conversation.slug, **conversation.summary}
    )


def _comment_record(comment: dict) -> dict:
    record = {
        "id": comment["id"],
        "author": AUTHOR_PREFIX + (comment["author"] or "unknown"),
        # Redacted already here: this copy waits in the workspace folder for every re-ingest.
        "text": redact(comment["text"])[0],
        "moderated": str(comment["moderated"]),
    }
    if comment["timestamp"] is not None:
        record["timestamp"] = str(comment["timestamp"])  # read by ingest as the date
    return record


def statement_ids(engine, source_path: str) -> dict[str, str]:
    """Pol.is comment id -> extract id, for the comments ingested from this source file (a long
    comment split into parts is voted on as its first part)."""
    query = (
        select(extracts.c.id, extracts.c.meta)
        .join(sources, sources.c.id == extracts.c.source_id)
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


# --- export ----------------------------------------------------------------------------------


def export_polis(workspace, out: Path) -> str:
    """Write statements and votes as a Pol.is export folder (the layout `qlab import polis`
    reads); imported comments keep their ids, participants their numbers."""
    from lab_app import opinion_groups

    engine = workspace.store.engine
    home = workspace.settings.home
    held = _held_conversation(home)
    imported = _imported_comments(workspace, held)  # extract id -> comment record
    with engine.connect() as conn:
        vote_rows = conn.execute(
            select(votes.c.participant, votes.c.statement, votes.c.value, votes.c.at)
        ).all()
    texts = _texts(engine, set(imported) | {r.statement for r in vote_rows})
    vote_rows = [r for r in vote_rows if r.statement in texts]  # withdrawn text: no statement
    comment_of = {e: record["id"] for e, record in imported.items() if e in texts}
    next_comment = max((int(c) for c in comment_of.values() if c.isdigit()), default=-1) + 1
    for statement in sorted({r.statement for r in vote_rows} - set(comment_of)):
        comment_of[statement] = str(next_comment)
        next_comment += 1
    number_of = _participant_numbers({r.participant for r in vote_rows})
    counts: Counter = Counter()
    for r in vote_rows:
        counts[(r.statement, r.value)] += 1
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    comment_rows = []
    for statement, comment in sorted(comment_of.items(), key=lambda item: _number(item[1])):
        record = imported.get(statement, {})
        stamp = _integer(record.get("timestamp"))
        author = str(record.get("author", ""))
        comment_rows.append(
            {
                "timestamp": "" if stamp is None else stamp,
                "datetime": _datetime_text(stamp),
                "comment-id": comment,
                "author-id": author[len(AUTHOR_PREFIX) :]
                if author.startswith(AUTHOR_PREFIX)
                else "",
                "agrees": counts[(statement, 1)],
                "disagrees": counts[(statement, -1)],
                "moderated": record.get("moderated", "1"),
                "comment-body": texts[statement],
            }
        )
    _write_table(out / "comments.csv", COMMENT_COLUMNS, comment_rows)
    groups = opinion_groups.from_workspace(engine)
    labels = groups.labels if groups else {}
    _write_matrix(out, vote_rows, comment_of, number_of, labels, comment_rows)
    _write_votes(out, vote_rows, comment_of, number_of)
    summary = {k: v for k, v in held.items() if k not in ("key", "slug")}
    summary.update(
        {
            "voters": str(len(number_of)),
            "comments": str(len(comment_rows)),
            "groups": str(len(set(labels.values()))),
        }
    )
    if held.get("key") and "url" not in summary and "://" in held["key"]:
        summary["url"] = held["key"]
    summary[GUARD_KEY] = GUARD_VALUE  # every file of this folder went through _write_table
    _write_table(out / "summary.csv", None, [[k, v] for k, v in summary.items()])
    return (
        f"wrote {len(comment_rows)} statements and {len(vote_rows)} votes from "
        f"{len(number_of)} participants to {out}"
    )


def _held_conversation(home: Path) -> dict:
    record = home / HOME_FOLDER / CONVERSATION_FILE
    return json.loads(record.read_text(encoding="utf-8")) if record.exists() else {}


def _imported_comments(workspace, held: dict) -> dict[str, dict]:
    """Extract id -> the comment record it was ingested from, with its attributes."""
    if not held.get("slug"):
        return {}
    path = workspace.settings.home / HOME_FOLDER / held["slug"] / "comments.json"
    if not path.exists():
        return {}
    shown = f"{HOME_FOLDER}/{held['slug']}/comments.json"
    records = {r["id"]: r for r in json.loads(path.read_text(encoding="utf-8"))}
    return {
        extract_id: records[comment]
        for comment, extract_id in statement_ids(workspace.store.engine, shown).items()
        if comment in records
    }


def _texts(engine, extract_ids: set[str]) -> dict[str, str]:
    wanted = sorted(extract_ids)
    found = {}
    with engine.connect() as conn:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            query = select(extracts.c.id, extracts.c.text).where(extracts.c.id.in_(chunk))
            found.update({row.id: row.text for row in conn.execute(query)})
    return found


def _participant_numbers(participants: set[str]) -> dict[str, str]:
    """Pol.is numbers stay; people who voted in the app get the numbers after the largest."""
    numbered = {p: p for p in participants if p.isdigit()}
    following = max((int(p) for p in numbered), default=-1) + 1
    for name in sorted(participants - set(numbered)):
        numbered[name] = str(following)
        following += 1
    return numbered


def _write_matrix(out, vote_rows, comment_of, number_of, labels, comment_rows) -> None:
    columns = [row["comment-id"] for row in comment_rows]
    by_participant: dict[str, dict[str, int]] = {}
    for r in vote_rows:
        by_participant.setdefault(r.participant, {})[comment_of[r.statement]] = r.value
    authored = Counter(row["author-id"] for row in comment_rows if row["author-id"])
    rows = []
    for participant in sorted(by_participant, key=lambda p: int(number_of[p])):
        cast = by_participant[participant]
        number = number_of[participant]
        group = labels.get(participant)
        rows.append(
            [number, "" if group is None else group, authored.get(number, 0), len(cast),
             sum(v == 1 for v in cast.values()), sum(v == -1 for v in cast.values())]
            + [cast.get(c, "") for c in columns]
        )  # fmt: skip
    _write_table(out / "participants-votes.csv", PARTICIPANT_COLUMNS + columns, rows)


def _write_votes(out, vote_rows, comment_of, number_of) -> None:
    rows = []
    for r in vote_rows:
        stamp = _millis(r.at)
        rows.append(
            {
                "timestamp": stamp,
                "datetime": _datetime_text(stamp),
                "comment-id": comment_of[r.statement],
                "voter-id": number_of[r.participant],
                "vote": r.value,
            }
        )
    rows.sort(key=lambda row: (row["timestamp"], _number(row["comment-id"]),
                               int(row["voter-id"])))  # fmt: skip
    _write_table(out / "votes.csv", VOTE_COLUMNS, rows)


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


def _guard(value):
    """A cell a spreadsheet shows as text (exports.safe_cell), reversibly: one that already
    starts with an apostrophe gets another, so _unguard takes exactly one off any that has one."""
    if value is None or isinstance(value, int | float):
        return value
    text = str(value)
    if _WHOLE_NUMBER.fullmatch(text):  # a number to a spreadsheet, never a formula
        return text
    guarded = safe_cell(text)
    return "'" + text if guarded == text and text.startswith("'") else guarded


def _unguard(text: str) -> str:
    return text[1:] if text.startswith("'") else text


def _write_table(path: Path, columns, rows) -> None:
    """Write a CSV whole and atomically; rows are dicts (under columns) or lists. Every cell,
    the header's too, goes through _guard."""
    temporary = path.with_suffix(".csv.tmp")
    with temporary.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        if columns:
            writer.writerow([_guard(c) for c in columns])
        for row in rows:
            cells = [row.get(c, "") for c in columns] if isinstance(row, dict) else row
            writer.writerow([_guard(cell) for cell in cells])
    os.replace(temporary, path)


def _write_json(path: Path, data) -> None:
    """Write only when the content differs, so an unchanged import leaves the file alone."""
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _integer(value) -> int | None:
    try:
        return int(float(str(value).strip()))
    except (TypeError, ValueError):
        return None


def _number(value: str):
    return (0, int(value), "") if str(value).lstrip("-").isdigit() else (1, 0, str(value))


def _from_millis(stamp: int | None) -> datetime:
    # A vote with no time anywhere gets the epoch: a fixed value keeps re-imports identical.
    return datetime.fromtimestamp((stamp or 0) / 1000, tz=UTC)


def _millis(moment: datetime | None) -> int:
    if moment is None:
        return 0
    if moment.tzinfo is None:  # SQLite hands back naive datetimes that were stored in UTC
        moment = moment.replace(tzinfo=UTC)
    return int(round(moment.timestamp() * 1000))


def _datetime_text(stamp: int | None) -> str:
    if stamp is None:
        return ""
    return datetime.fromtimestamp(stamp / 1000, tz=UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


__all__ = ["Conversation", "export_polis", "import_polis", "polis_matrix", "read_polis"]
