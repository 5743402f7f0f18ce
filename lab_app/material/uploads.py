"""Files staff upload in the app: staged privately until ingested, and survey mapping previews.

An upload holds people's identifiers as they typed them. The workspace keeps no raw copy: the
bytes wait under uploads/ (owner-only) only while staff map columns and press Ingest, and are
deleted once ingest has read them, whatever the outcome. What re-ingest needs, the redacted
text and the column roles, is in the store already. See docs/uploads.md.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ingest.errors import IngestError
from ingest.formats import DOCUMENT_PARSERS, REFUSED, TABULAR_SUFFIXES
from ingest.formats.package_limits import DEFAULT_MAX_UNPACKED
from ingest.non_answers import is_non_answer
from ingest.records import SetAside, Table
from ingest.redact import redact
from ingest.survey import (
    ROLES,
    apply_overrides,
    guess_mapping,
    is_identifier_name,
    survey_answers,
)
from lab_app.core.private import FILE_MODE, private_folder
from lab_app.material import set_aside

UPLOADS = "uploads"  # folder under the workspace home: staging only, never backed up
# A staged file untouched this long belongs to no open page (every rerun of the Sources page
# touches the files it shows): deleted at the next sweep.
STALE_SECONDS = 3600
SUPPORTED = frozenset(DOCUMENT_PARSERS) | TABULAR_SUFFIXES
MAX_NAME_BYTES = 120  # well under every file system's 255-byte limit, hash prefix included
HASH_PREFIX = 12
EXAMPLES = 3
EXAMPLE_CHARS = 60
# Characters Windows refuses in names, and path separators however they were spelled.
_UNSAFE = re.compile(r'[<>:"|?*/\\]')


class UploadRefused(ValueError):
    """An upload that is not saved; str(err) is the one-line reason."""


@dataclass(frozen=True)
class Saved:
    """An upload on disk: where it is, and whether this call wrote it or found it there."""

    path: Path
    new: bool


def clean_name(name: str) -> str:
    """A file name safe to create in one folder: no directories, control characters or dots
    leading it; readable stem kept, suffix lower-cased, length capped. Raises on empty names."""
    # Browsers send the bare name, but a crafted request may send a path in either style.
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = " ".join(name.split())  # newlines and tabs become single spaces
    # Category C: other control characters (NUL…) and bidi overrides that disguise a suffix.
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    name = _UNSAFE.sub("_", name).strip(" .")
    if not name:
        raise UploadRefused("the file has no usable name: rename it and upload it again")
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or len(suffix) > 10:
        stem, suffix = name, ""
    else:
        suffix = "." + suffix.lower()
    budget = MAX_NAME_BYTES - HASH_PREFIX - 1 - len(suffix.encode())
    while len(stem.encode()) > budget:
        stem = stem[:-1]
    return stem.rstrip(" .") + suffix


def uploads_dir(home: Path) -> Path:
    return Path(home) / UPLOADS


def content_digest(data: bytes) -> str:
    """The upload's content hash: the same as the store's content_hash for the file."""
    return hashlib.sha256(data).hexdigest()


def save_upload(home: Path, name: str, data: bytes, max_file_mb: int) -> Saved:
    """Stage uploaded bytes under HOME/uploads as HASH-NAME (owner-only) until they are
    ingested; the same content is staged once, and staging it again keeps it fresh."""
    limit = max_file_mb * 1_000_000
    if len(data) > limit:
        raise UploadRefused(
            f"{len(data) / 1e6:.0f} MB is over the {max_file_mb} MB limit: "
            "split the file or raise QLAB_MAX_FILE_MB"
        )
    clean = clean_name(name)
    suffix = Path(clean).suffix
    if suffix not in SUPPORTED:
        raise UploadRefused(REFUSED.get(suffix, f"unsupported format {suffix or '(no suffix)'}"))
    if not data:
        raise UploadRefused("the file is empty")
    digest = content_digest(data)
    folder = private_folder(uploads_dir(home)).resolve()
    for existing in sorted(folder.glob(f"{digest[:HASH_PREFIX]}-*")):
        if existing.is_file() and existing.read_bytes() == data:
            if _now(folder) - existing.stat().st_mtime > STALE_SECONDS / 4:
                # Still wanted: the sweep leaves it alone. (Not on every rerun: the file's time
                # is part of the key the mapping step's parsed tables are cached under.)
                os.utime(existing)
            return Saved(existing, new=False)  # same content under any name: no second copy
    target = (folder / f"{digest[:HASH_PREFIX]}-{clean}").resolve()
    if target.parent != folder:
        raise UploadRefused("the file name points outside the uploads folder")
    partial = target.with_name(f".{target.name}.partial")
    # Owner-only from its first byte, whatever the process's umask.
    handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    # A reader never sees half a file: the name appears only once the bytes are all there.
    os.replace(partial, target)
    return Saved(target, new=True)


@contextlib.contextmanager
def staged(home: Path, name: str, data: bytes, max_file_mb: int) -> Iterator[Path]:
    """The upload on disk for the length of the block (to ingest it), then gone."""
    saved = save_upload(home, name, data, max_file_mb)
    try:
        yield saved.path
    finally:
        discard_staged(home, saved.path)


def discard_staged(home: Path, path: Path) -> bool:
    """Delete a staged upload once ingest has read it; True when there was one to delete."""
    target = Path(path).resolve()
    if target.parent != uploads_dir(home).resolve() or not target.is_file():
        return False
    target.unlink(missing_ok=True)
    return True


def sweep(home: Path, max_age: float = STALE_SECONDS) -> int:
    """Delete staged uploads no page has touched for max_age seconds (a page left open, a
    crash mid-ingest, raw copies kept by versions before staging); return how many."""
    folder = uploads_dir(home)
    if not folder.is_dir():
        return 0
    cutoff = _now(folder) - max_age
    removed = 0
    for path in folder.iterdir():
        with contextlib.suppress(FileNotFoundError):  # another process swept it first
            if path.is_file() and path.stat().st_mtime <= cutoff:
                path.unlink()
                removed += 1
    return removed


def _now(folder: Path) -> float:
    """Now by the file system's own clock (touch the folder, read its time): file times come
    from it, and the process's clock may differ (a test's frozen day, a skewed host)."""
    os.utime(folder)
    return folder.stat().st_mtime


def clear_staged(home: Path) -> int:
    """Delete every staged upload now (a person withdrew: a waiting file may hold them)."""
    return sweep(home, max_age=-1)


def discard_upload(home: Path, source_path: str) -> bool:
    """Delete the saved upload behind a removed source, if it is one; True when deleted."""
    folder = uploads_dir(home).resolve()
    target = (Path(home) / source_path).resolve()
    if target.parent != folder or not target.is_file():
        return False  # sources ingested from elsewhere are the Lab's own files: left alone
    target.unlink()
    return True


# --- survey mapping ------------------------------------------------------------------------


# Every reader below takes the workspace's QLAB_MAX_UNPACKED_MB (in bytes), so a workbook
# the ingest would refuse is refused here too, before it is unpacked.


def read_tables(path: Path, max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED) -> list[Table]:
    """The file's tables, read once per version of the file (the page asks on every rerun)."""
    stat = Path(path).stat()
    resolved = str(Path(path).resolve())
    return _read_tables(resolved, stat.st_size, stat.st_mtime_ns, max_unpacked_bytes)


@lru_cache(maxsize=8)
def _read_tables(path: str, size: int, modified: int, max_unpacked_bytes: int) -> list[Table]:
    from ingest.formats.tabular import read_tables

    return read_tables(Path(path), max_unpacked_bytes)


def survey_table(path: Path, max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED) -> Table:
    """The table the mapping step shows: the first sheet with a guessed text column, else the
    first sheet."""
    tables = read_tables(path, max_unpacked_bytes)
    for table in tables:
        if "text" in guess_mapping(table).values():
            return table
    return tables[0]


def mapping_table(path: Path, max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED) -> pd.DataFrame:
    """One row per column: its name, guessed role and a few example values as plain text."""
    table = survey_table(path, max_unpacked_bytes)
    guessed = guess_mapping(table)
    ids = table.column_ids or [""] * len(table.columns)
    rows = []
    for index, name in enumerate(table.columns):
        rows.append(
            {
                "column": name,
                "role": guessed.get(name, "ignore"),
                "examples": _examples(table, index, is_identifier_name(name, ids[index])),
            }
        )
    return pd.DataFrame(rows, columns=["column", "role", "examples"])


def _examples(table: Table, index: int, identifier: bool) -> str:
    if identifier:
        return "(identifies people: values not shown, never stored)"
    seen: list[str] = []
    for row in table.rows:
        value = " ".join(row[index].split())
        if not value or is_non_answer(value) or value in seen:
            continue
        value, _ = redact(value)
        seen.append(value if len(value) <= EXAMPLE_CHARS else value[: EXAMPLE_CHARS - 1] + "…")
        if len(seen) == EXAMPLES:
            break
    return " · ".join(seen)


def roles_from_table(edited: pd.DataFrame) -> dict[str, str]:
    """Column name -> role from the (edited) mapping table; unknown roles count as ignore."""
    return {
        str(row["column"]): row["role"] if row["role"] in ROLES else "ignore"
        for _, row in edited.iterrows()
    }


def options_from_roles(roles: dict[str, str]) -> dict:
    """Keyword arguments for Workspace.ingest_options that ask for exactly these roles."""

    def first(role: str) -> str | None:
        return next((name for name, chosen in roles.items() if chosen == role), None)

    return {
        "text_cols": tuple(name for name, role in roles.items() if role == "text"),
        "attr_cols": tuple(name for name, role in roles.items() if role == "attribute"),
        "id_col": first("id"),
        "date_col": first("date"),
        "author_col": first("author"),
        "roles": dict(roles),
    }


def ingest_choices(
    path: Path, roles: dict[str, str], max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED
) -> dict:
    """Options to ingest with: none when the roles are the guess, so every sheet of a workbook
    keeps its own guess; otherwise the chosen roles."""
    table = survey_table(path, max_unpacked_bytes)
    if roles == {name: guess_mapping(table).get(name, "ignore") for name in table.columns}:
        return {}
    return options_from_roles(roles)


def effective_roles(
    path: Path, roles: dict[str, str], max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED
) -> dict[str, str]:
    """The roles ingest will really use for these choices (the guess where a role is left
    empty: ingest options can name columns for a role, not take a guessed one away)."""
    table = survey_table(path, max_unpacked_bytes)
    chosen = options_from_roles(roles)
    mapping = apply_overrides(
        guess_mapping(table),
        table.columns,
        table.column_ids,
        **{k: v for k, v in chosen.items() if k != "roles"},
    )
    mapping.update({c: r for c, r in chosen["roles"].items() if c in mapping})
    return mapping


def preview(
    path: Path,
    roles: dict[str, str],
    limit: int = 5,
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED,
) -> list[str]:
    """The first answers ingest would store with these roles, redacted as they would be."""
    table = survey_table(path, max_unpacked_bytes)
    try:
        mapping = effective_roles(path, roles, max_unpacked_bytes)
    except IngestError:
        return []
    texts = []
    for answer in survey_answers(table, mapping):
        text, _ = redact(answer.text.strip())
        if text:
            texts.append(text)
        if len(texts) == limit:
            break
    return texts


def kept_aside(
    path: Path, roles: dict[str, str], max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED
) -> tuple[int, int]:
    """(non-answers, blank answers) ingest would keep aside from the shown sheet's text columns."""
    try:
        mapping = effective_roles(path, roles, max_unpacked_bytes)
    except IngestError:
        return 0, 0
    left_out: list[SetAside] = []
    survey_answers(survey_table(path, max_unpacked_bytes), mapping, left_out)
    blank = sum(item.kind == "blank" for item in left_out)
    return len(left_out) - blank, blank


# --- the list of sources -------------------------------------------------------------------


SOURCE_COLUMNS = ["path", "kind", "title", "date", "extracts", "non-answers", "ingested at"]


def sources_table(store) -> pd.DataFrame:
    """Every stored source as a row, for a sortable table; non-answers for surveys only."""
    kept = set_aside.per_source(store.engine)
    rows = [
        {
            "path": row.path,
            "kind": row.kind,
            "title": row.title or "",
            "date": row.date or "",
            "extracts": row.extract_count,
            "non-answers": kept[row.path][0] if row.path in kept else None,
            "ingested at": row.ingested_at.strftime("%Y-%m-%d %H:%M") if row.ingested_at else "",
        }
        for row in store.list_sources()
    ]
    return pd.DataFrame(rows, columns=SOURCE_COLUMNS)
