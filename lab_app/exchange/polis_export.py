"""Write a workspace's statements and votes as a Pol.is export folder (`qlab export polis`).

Formula guard: every text cell an export writes goes through exports.safe_cell, so a comment
such as "=HYPERLINK(...)" opens in a spreadsheet as text ("'=HYPERLINK(...)"). To keep the
round trip lossless the guard is made reversible: a text cell that already starts with an
apostrophe gets one more, and summary.csv says so in a row `qlab-guarded-cells,apostrophe`.
Whole numbers, such as a -1 vote, are numbers to a spreadsheet, never formulas, and are
written as they are.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from lab_app.core.audit import as_utc
from lab_app.core.schema import extracts, votes
from lab_app.exchange.csv_export import safe_cell
from lab_app.exchange.polis import (
    AUTHOR_PREFIX,
    COMMENT_COLUMNS,
    GUARD_KEY,
    GUARD_VALUE,
    HOME_FOLDER,
    PARTICIPANT_COLUMNS,
    VOTE_COLUMNS,
    comment_order,
    held_conversation,
    statement_ids,
    whole_number,
)
from lab_app.opinions.polis_input import MODERATED_OUT

_WHOLE_NUMBER = re.compile(r"-?[0-9]+")


def export_polis(workspace, out: Path) -> str:
    """Write statements and votes as a Pol.is export folder (the layout `qlab import polis`
    reads); imported comments keep their ids, participants their numbers."""
    from lab_app.opinions import groups as opinion_groups

    engine = workspace.store.engine
    home = workspace.settings.home
    held = held_conversation(home)
    imported = _imported_comments(workspace, held)  # extract id -> comment record
    with engine.connect() as conn:
        vote_rows = conn.execute(
            select(votes.c.participant, votes.c.statement, votes.c.value, votes.c.at)
        ).all()
    texts = _texts(engine, set(imported) | {r.statement for r in vote_rows})
    # Withdrawn text: no statement. Votes on comments Pol.is moderated out go back out as
    # moderated-out comments without words (their words were never kept), so a re-import
    # groups people exactly as this workspace does.
    vote_rows = [r for r in vote_rows if r.statement in texts or _left_aside(r.statement)]
    comment_of = {e: record["id"] for e, record in imported.items() if e in texts}
    comment_of |= {
        r.statement: r.statement.removeprefix(MODERATED_OUT)
        for r in vote_rows
        if _left_aside(r.statement)
    }
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
    for statement, comment in sorted(comment_of.items(), key=lambda item: comment_order(item[1])):
        record = imported.get(statement, {})
        stamp = whole_number(record.get("timestamp"))
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
                "moderated": "-1" if _left_aside(statement) else record.get("moderated", "1"),
                "comment-body": texts.get(statement, ""),
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


def _left_aside(statement: str) -> bool:
    return statement.startswith(MODERATED_OUT)


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
    rows.sort(key=lambda row: (row["timestamp"], comment_order(row["comment-id"]),
                               int(row["voter-id"])))  # fmt: skip
    _write_table(out / "votes.csv", VOTE_COLUMNS, rows)


# --- small helpers ---------------------------------------------------------------------------


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


def _millis(moment: datetime | None) -> int:
    if moment is None:
        return 0
    return int(round(as_utc(moment).timestamp() * 1000))


def _datetime_text(stamp: int | None) -> str:
    if stamp is None:
        return ""
    return datetime.fromtimestamp(stamp / 1000, tz=UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


__all__ = ["export_polis"]
