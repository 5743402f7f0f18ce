"""Participant contributions (online-space posts, workshop notes) from JSON, CSV or XLSX."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from ingest.dates import column_is_month_first, parse_date
from ingest.errors import EmptyFile, IngestError
from ingest.formats.package_limits import DEFAULT_MAX_UNPACKED
from ingest.records import Extract, Table
from ingest.survey import is_identifier_name, is_placeholder

# role -> field names (normalised: lowercase, spaces and hyphens as "_"), in order of preference
FIELDS = {
    "text": ("text", "body", "content", "message", "comment", "post", "note"),
    "author": ("author", "user", "username", "name", "posted_by", "participant"),
    "date": ("date", "created", "created_at", "timestamp", "posted", "posted_at"),
    "id": ("id", "post_id", "note_id", "contribution_id"),
    "thread": ("thread", "thread_id", "topic", "discussion", "workshop"),
    "parent": ("parent", "parent_id", "reply_to", "in_reply_to"),
    "title": ("title", "subject"),
}
LIST_KEYS = ("contributions", "posts", "items", "data")
REPLY_KEYS = ("replies", "children", "comments")  # nested threads in forum exports
MAX_ATTRIBUTE_CHARS = 60
_KNOWN = {name for names in FIELDS.values() for name in names}


def read_contributions(
    path: Path, warnings: list[str] | None = None, max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED
) -> list[Extract]:
    """Read contributions from .json, .csv/.tsv or .xlsx/.xls; rows without text are skipped."""
    if path.suffix.lower() == ".json":
        records = [(None, None, record) for record in _json_records(path)]
    else:
        from ingest.formats.tabular import read_tables

        records = []
        for table in read_tables(path, max_unpacked_bytes):
            if warnings is not None:
                warnings.extend(table.warnings)
            records.extend(
                (number, table.sheet, record) for number, record in _table_records(table)
            )
    extracts, skipped = [], 0
    raw_dates = [_field(record, "date") for _, _, record in records]
    month_first = column_is_month_first(value for value in raw_dates if value)
    for (row, sheet, record), raw_date in zip(records, raw_dates, strict=True):
        text = _field(record, "text")
        if text is None or is_placeholder(text):
            skipped += 1
            continue
        meta = {
            role: value
            for role in ("id", "thread", "parent", "title")
            if (value := _field(record, role))
        }
        if sheet:
            meta["sheet"] = sheet
        extracts.append(
            Extract(
                text=text,
                kind="contribution",
                start=0,
                end=0,
                row=row,
                date=_parse_when(raw_date, month_first),
                person=_field(record, "author") or "anonymous",
                attributes=_attributes(record),
                meta=meta,
            )
        )
    if skipped and warnings is not None:
        warnings.append(f"skipped {skipped} contribution(s) without text")
    if not extracts:
        raise EmptyFile(f"no contributions with text ({skipped} without): name the text field")
    return extracts


def looks_like_contributions(table: Table) -> bool:
    """True when a table has text, author and date columns plus a thread, parent or id column."""
    keys = {_normalise(name) for name in table.columns}
    keys |= {_normalise(ident) for ident in table.column_ids or [] if ident}

    def has(role: str) -> bool:
        return any(name in keys for name in FIELDS[role])

    return (
        has("text")
        and has("author")
        and has("date")
        and (has("thread") or has("parent") or has("id"))
    )


def _json_records(path: Path) -> list[dict]:
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise IngestError(f"not valid JSON ({err}): check the export or save it as CSV") from err
    if isinstance(data, dict):
        lowered = {_normalise(key): value for key, value in data.items()}
        found = next(
            (lowered[key] for key in LIST_KEYS if isinstance(lowered.get(key), list)), None
        )
        data = found if found is not None else [data] if _has_text(data) else None
    if not isinstance(data, list):
        raise IngestError(
            "JSON holds no list of contributions: expected a list, or one under "
            + "/".join(f'"{key}"' for key in LIST_KEYS)
        )
    records: list[dict] = []
    _flatten(data, records, parent=None, thread=None)
    return records


def _flatten(items: list, out: list[dict], parent: str | None, thread: str | None) -> None:
    """Depth-first, so replies follow their post; a reply inherits its parent id and thread."""
    for item in items:
        if not isinstance(item, dict):
            continue
        record = dict(item)
        if parent is not None and not _field(record, "parent"):
            record["parent"] = parent
        if thread is not None and not _field(record, "thread"):
            record["thread"] = thread
        replies = next(
            (
                record.pop(key)
                for key in list(record)
                if _normalise(key) in REPLY_KEYS and isinstance(record[key], list)
            ),
            [],
        )
        out.append(record)
        _flatten(replies, out, _field(record, "id"), _field(record, "thread"))


def _table_records(table: Table):
    for number, row in zip(table.row_numbers, table.rows, strict=True):
        yield number, dict(zip(table.columns, row, strict=True))


def _normalise(key: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(key).strip().lower())


def _field(record: dict, role: str) -> str | None:
    """The first non-empty field among the role's synonyms, matched case-insensitively."""
    by_name = {_normalise(key): value for key, value in record.items()}
    for name in FIELDS[role]:
        value = _text(by_name.get(name))
        if value:
            return value
    return None


def _text(value: object) -> str | None:
    """A field value as a string; an author object gives its name."""
    if value is None or isinstance(value, list):
        return None
    if isinstance(value, dict):
        for key in ("name", "display_name", "username", "id"):
            if value.get(key) is not None:
                return _text(value[key])
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() or None


def _has_text(record: dict) -> bool:
    return _field(record, "text") is not None


def _parse_when(value: str | None, month_first: bool) -> str | None:
    """ISO date; 10- or 13-digit numbers are Unix seconds or milliseconds from platform exports."""
    if not value:
        return None
    if value.isdigit() and len(value) in (10, 13):
        seconds = int(value) / (1000 if len(value) == 13 else 1)
        return dt.datetime.fromtimestamp(seconds, tz=dt.UTC).date().isoformat()
    return parse_date(value, month_first)


def _attributes(record: dict) -> dict[str, str]:
    """Other short fields (role, region, table…) become attributes; identifiers never do."""
    attributes = {}
    for key, value in record.items():
        if _normalise(key) in _KNOWN or isinstance(value, dict | list):
            continue
        text = _text(value)
        if not text or len(text) > MAX_ATTRIBUTE_CHARS or text.startswith(("http://", "https://")):
            continue
        if is_identifier_name(key):
            continue
        attributes[key] = text
    return attributes
