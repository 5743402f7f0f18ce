"""Backup and restore: every table of the store, the workspace's own files and the settings in
one zip; restore fills an empty workspace and rebuilds the index from the store."""

from __future__ import annotations

import base64
import json
import os
import zipfile
import zlib
from dataclasses import asdict
from datetime import datetime
from pathlib import Path, PurePosixPath

from sqlalchemy import DateTime, Integer, LargeBinary, func, select, text

from lab_app.core.audit import now, record_audit
from lab_app.core.faults import WorkspaceFault, describe, visible
from lab_app.core.schema import metadata
from lab_app.core.settings import Settings

FORMAT = "qlab-backup"
VERSION = 1
# Files the workspace itself writes and the store refers to (approved contributions, redacted
# where written). The store and the index are saved as data, not as their files. Uploads are
# never saved: their raw bytes are staged only until ingest reads them (docs/uploads.md), and
# the raw copies that backups made before that are left out when such a backup is restored.
FOLDERS = ("app-contributions",)
NOT_RESTORED = ("uploads",)
BATCH = 2000

# Browsers signed in now, and sign-in pauses, are not the Lab's material: a restored workspace
# starts signed out and unpaused.
NOT_SAVED = {"browser_sessions", "session_handoffs", "sign_in_failures"}


def backup(workspace, out: Path, who: str | None = None) -> dict:
    """Write the workspace to a zip; return its manifest."""
    engine = workspace.store.engine
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with engine.begin() as conn:  # the backup itself is in the trail it saves
        record_audit(conn, "workspace.backup", out.name, {}, who=who)
    partial = out.with_name(f".{out.name}.partial")
    try:
        # Owner-only from its first byte: a backup holds everything the Lab was given.
        with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as raw:
            manifest = _write_archive(workspace, raw)
    except OSError as err:  # a full disk: no half backup is left under any name
        partial.unlink(missing_ok=True)
        raise WorkspaceFault(describe(err, f"writing the backup {visible(out)}")) from err
    partial.replace(out)  # a half-written backup never carries the real name
    return manifest


def _write_archive(workspace, raw) -> dict:
    """Every table, the workspace's own files and the settings, into an open file; return the
    manifest."""
    engine = workspace.store.engine
    counts: dict[str, int] = {}
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        with engine.connect() as conn:
            for table in metadata.sorted_tables:
                if table.name not in NOT_SAVED:
                    counts[table.name] = _dump_table(conn, table, archive)
        files = []
        for folder in FOLDERS:
            root = workspace.settings.home / folder
            for path in sorted(root.rglob("*")) if root.is_dir() else []:
                if path.is_file() and not path.name.startswith("."):
                    name = path.relative_to(workspace.settings.home).as_posix()
                    archive.write(path, f"files/{name}")
                    files.append(name)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created": now().isoformat(),
            "tables": counts,
            "files": files,
            "settings": _settings_record(workspace.settings),
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    return manifest


def restore(workspace, archive_path: Path, replace: bool = False, who: str | None = None) -> dict:
    """Fill the workspace from a backup; refuses a workspace that holds data unless replace."""
    archive_path = Path(archive_path)
    if not zipfile.is_zipfile(archive_path):
        raise ValueError(f"{visible(archive_path)} is not a qlab backup (not a zip file)")
    engine = workspace.store.engine
    with zipfile.ZipFile(archive_path) as archive:
        _check_intact(archive, archive_path)  # before anything in the workspace is replaced
        manifest = _manifest(archive)
        if not replace and _holds_data(engine):
            raise ValueError(
                "the workspace already holds data: restore into an empty --home, or add --replace"
            )
        with engine.begin() as conn:
            for table in reversed(metadata.sorted_tables):
                conn.execute(table.delete())
            for table in metadata.sorted_tables:
                if table.name in manifest["tables"]:
                    _load_table(conn, table, archive)
            _reset_sequences(conn)
        _restore_files(archive, manifest, workspace.settings.home)
    workspace.reindex()  # the index is derived: rebuilt from the restored store
    with engine.begin() as conn:
        record_audit(conn, "workspace.restore", archive_path.name, {}, who=who)
    manifest["settings_differ"] = _settings_differences(
        manifest.get("settings", {}), _settings_record(workspace.settings)
    )
    return manifest


def table_rows(engine) -> dict[str, list[dict]]:
    """Every table's rows as JSON-ready values, in a stable order: to compare two workspaces."""
    result = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            query = select(table).order_by(*table.primary_key.columns)
            result[table.name] = [_encode_row(table, row) for row in conn.execute(query)]
    return result


# --- tables ----------------------------------------------------------------------------------


def _dump_table(conn, table, archive: zipfile.ZipFile) -> int:
    count = 0
    with archive.open(f"tables/{table.name}.jsonl", "w") as handle:
        query = select(table).order_by(*table.primary_key.columns)
        for row in conn.execution_options(yield_per=BATCH).execute(query):
            handle.write((json.dumps(_encode_row(table, row), ensure_ascii=False) + "\n").encode())
            count += 1
    return count


def _encode_row(table, row) -> dict:
    record = {}
    for column in table.columns:
        value = row._mapping[column.name]
        if value is not None and isinstance(column.type, LargeBinary):
            value = base64.b64encode(value).decode("ascii")
        elif isinstance(value, datetime):
            value = value.isoformat()
        record[column.name] = value
    return record


def _decode_row(table, record: dict) -> dict:
    row = {}
    for column in table.columns:
        if column.name not in record:
            continue  # a column added since the backup: its default applies
        value = record[column.name]
        if value is not None and isinstance(column.type, LargeBinary):
            value = base64.b64decode(value)
        elif value is not None and isinstance(column.type, DateTime):
            value = datetime.fromisoformat(value)
        row[column.name] = value
    return row


def _load_table(conn, table, archive: zipfile.ZipFile) -> None:
    batch = []
    with archive.open(f"tables/{table.name}.jsonl") as handle:
        for line in handle:
            batch.append(_decode_row(table, json.loads(line)))
            if len(batch) == BATCH:
                conn.execute(table.insert(), batch)
                batch = []
    if batch:
        conn.execute(table.insert(), batch)


def _reset_sequences(conn) -> None:
    """PostgreSQL hands out ids from sequences that inserted ids do not move: move them on."""
    if conn.dialect.name != "postgresql":
        return
    for table in metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        highest = conn.execute(select(func.max(keys[0]))).scalar()
        if highest is not None:
            conn.execute(
                text("SELECT setval(pg_get_serial_sequence(:t, :c), :v)"),
                {"t": table.name, "c": keys[0].name, "v": highest},
            )


def _holds_data(engine) -> bool:
    with engine.connect() as conn:
        return any(
            conn.execute(select(func.count()).select_from(table)).scalar()
            for table in metadata.sorted_tables
        )


# --- files and settings ----------------------------------------------------------------------


def _manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError):
        raise ValueError("the file is not a qlab backup (no readable manifest.json)") from None
    if manifest.get("format") != FORMAT:
        raise ValueError("the file is not a qlab backup (wrong format in manifest.json)")
    if manifest.get("version", 0) > VERSION:
        raise ValueError("the backup was made by a newer qlab: upgrade before restoring it")
    names = set(archive.namelist())
    for name in manifest.get("files", []):  # checked before anything is written
        _safe_relative(name)
    for table in manifest.get("tables", {}):
        if f"tables/{table}.jsonl" not in names:
            raise ValueError(f"the backup is incomplete: table {table} is missing")
    return manifest


def _check_intact(archive: zipfile.ZipFile, path: Path) -> None:
    """Read every member once: a damaged backup (bad CRC, cut short) is refused in one line
    before the workspace is touched, never half restored."""
    try:
        bad = archive.testzip()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as err:
        bad = f"{type(err).__name__}"
    if bad is not None:
        raise ValueError(
            f"the backup {visible(path)} is damaged ({visible(bad)} does not read back as "
            "written): restore from another copy of it"
        )


def _restore_files(archive: zipfile.ZipFile, manifest: dict, home: Path) -> None:
    home = Path(home).resolve()
    for name in manifest.get("files", []):
        if PurePosixPath(name).parts[:1] in [(folder,) for folder in NOT_RESTORED]:
            continue  # a raw upload from an older backup: the store holds its redacted text
        target = (home / _safe_relative(name)).resolve()
        if not target.is_relative_to(home):
            raise ValueError(f"the backup names a file outside the workspace: {name}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(archive.read(f"files/{name}"))


def _safe_relative(name: str) -> PurePosixPath:
    """A file name from a backup, only inside the workspace's own folders: a crafted backup
    cannot write elsewhere."""
    relative = PurePosixPath(name)
    if (
        relative.is_absolute()
        or ".." in relative.parts
        or relative.parts[:1] not in [(folder,) for folder in FOLDERS + NOT_RESTORED]
    ):
        raise ValueError(f"the backup names a file outside the workspace: {name}")
    return relative


def _settings_record(settings: Settings) -> dict:
    """The settings in effect, without the workspace folder and any password in a URL."""
    record = {k: str(v) for k, v in asdict(settings).items() if k != "home"}
    for key in ("database_url", "chroma_url"):
        if "@" in record[key]:
            scheme, _, rest = record[key].partition("://")
            record[key] = f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
    return record


def _settings_differences(saved: dict, current: dict) -> list[str]:
    """Settings (environment variables) that differ from the backed-up workspace's."""
    return sorted(k for k in saved if k in current and saved[k] != current[k])
