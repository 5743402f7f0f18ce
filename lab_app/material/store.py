"""The relational store, the workspace's source of truth: sources, extracts, people, attributes."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import create_engine, delete, event, func, select, text, update
from sqlalchemy.engine import Engine

from ingest.records import Source
from lab_app.core import locks
from lab_app.core.faults import WorkspaceFault, describe
from lab_app.core.schema import (
    extract_arrivals,
    extract_attributes,
    extracts,
    metadata,
    people,
    sources,
)
from lab_app.material.reads import attributes_by_extract, chunks, extracts_by_ids, with_sources
from lab_app.material.set_aside import source_meta


class StoreError(WorkspaceFault):
    """The store cannot be opened or written; the message says what to check."""


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the app read while an ingest writes; the timeout waits out a writer instead of
    # failing at once when two processes write. The timeout comes first: switching a new file
    # to WAL needs a moment of exclusive access, which another process may hold.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# Any fixed number: the PostgreSQL advisory lock every process takes while creating tables.
_SCHEMA_LOCK = 725_004_133


def _create_tables(engine: Engine) -> None:
    """Create missing tables. Two processes starting at once on one store (three first ingests
    into a new workspace) would both see no table, both try CREATE TABLE and fail, so they take
    turns: a PostgreSQL advisory lock, or the lock file beside a SQLite database."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
            metadata.create_all(conn)
        return
    with locks.held(engine, "schema"), engine.begin() as conn:
        metadata.create_all(conn)


class Store:
    """Reads and writes the relational tables; every write that must be atomic is one call."""

    def __init__(self, url: str):
        self.url = url
        try:
            # hide_parameters: an error must never quote the answers a statement was writing.
            self.engine: Engine = create_engine(url, future=True, hide_parameters=True)
            if self.engine.dialect.name == "sqlite":
                event.listen(self.engine, "connect", _sqlite_pragmas)
            _create_tables(self.engine)
        except Exception as err:  # SQLAlchemy raises many kinds; the user needs one message
            raise StoreError(describe(err, f"opening the store at {self.safe_url}")) from err

    @property
    def safe_url(self) -> str:
        engine = getattr(self, "engine", None)  # not there when the URL itself was refused
        if engine is not None:
            return engine.url.render_as_string(hide_password=True)
        return re.sub(r"://([^:/@]*):[^@]*@", r"://\1:***@", self.url)

    # --- sources -------------------------------------------------------------------------

    def source_by_path(self, path: str):
        with self.engine.connect() as conn:
            return conn.execute(select(sources).where(sources.c.path == path)).first()

    def source_by_hash(self, content_hash: str):
        with self.engine.connect() as conn:
            query = select(sources).where(sources.c.content_hash == content_hash)
            return conn.execute(query.order_by(sources.c.id)).first()

    def list_sources(self) -> list:
        with self.engine.connect() as conn:
            query = select(
                sources.c.id,
                sources.c.path,
                sources.c.kind,
                sources.c.title,
                sources.c.date,
                sources.c.extract_count,
                sources.c.indexed,
                sources.c.ingested_at,
            ).order_by(sources.c.path)
            return list(conn.execute(query))

    def unindexed_source_ids(self) -> list[int]:
        with self.engine.connect() as conn:
            query = select(sources.c.id).where(sources.c.indexed.is_(False))
            return [row.id for row in conn.execute(query)]

    def replace_source(self, source: Source, vectors: np.ndarray) -> int:
        """Put a source and its extracts in place of any older version, in one transaction."""
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            old = conn.execute(select(sources.c.id).where(sources.c.path == source.path)).first()
            values = dict(
                path=source.path,
                kind=source.kind,
                content_hash=source.content_hash,
                title=source.title,
                date=source.date,
                text=source.text,
                meta=source_meta(source),  # with a survey's counts of non-answers
                warnings=source.warnings,
                redactions=source.redactions,
                extract_count=len(source.extracts),
                indexed=False,
                ingested_at=now,
            )
            if old is None:
                source_id = conn.execute(sources.insert().values(**values)).inserted_primary_key[0]
            else:
                source_id = old.id
                _delete_extracts(conn, source_id)
                conn.execute(sources.update().where(sources.c.id == source_id).values(**values))
            _insert_extracts(conn, source_id, source, vectors)
            _note_arrivals(conn, [extract.id for extract in source.extracts], now)
            _ensure_people(conn, source, now)
        return source_id

    def mark_indexed(self, source_id: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(sources.update().where(sources.c.id == source_id).values(indexed=True))

    def mark_all_unindexed(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(sources.update().values(indexed=False))

    def remove_source(self, source_id: int) -> None:
        with self.engine.begin() as conn:
            _delete_extracts(conn, source_id)
            conn.execute(sources.delete().where(sources.c.id == source_id))

    # --- extracts ------------------------------------------------------------------------

    def vectors_for_texts(self, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        """Vectors already computed for these text hashes, so unchanged text is not re-embedded."""
        found: dict[str, np.ndarray] = {}
        wanted = list(set(hashes))
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                query = select(extracts.c.text_hash, extracts.c.embedding).where(
                    extracts.c.text_hash.in_(wanted[start : start + 500])
                )
                for row in conn.execute(query):
                    found[row.text_hash] = np.frombuffer(row.embedding, dtype=np.float32)
        return found

    def set_content_hash(self, shown_path: str, path) -> None:
        """Record a rewritten file's new hash, so the file and the store agree about it."""
        from ingest.pipeline import file_hash

        with self.engine.begin() as conn:
            query = update(sources).where(sources.c.path == shown_path)
            conn.execute(query.values(content_hash=file_hash(path)))

    def index_rows(self, source_id: int | None = None) -> Iterator[tuple[list, np.ndarray, list]]:
        """Batches of (ids, vectors, metadatas) to put in the index, for one source or all."""
        query = with_sources(extracts, sources.c.path.label("source")).order_by(
            extracts.c.source_id, extracts.c.position
        )
        if source_id is not None:
            query = query.where(extracts.c.source_id == source_id)
        with self.engine.connect() as conn:
            batch: list = []
            for row in conn.execution_options(yield_per=5000).execute(query):
                batch.append(row)
                if len(batch) == 5000:
                    yield _index_batch(batch)
                    batch = []
            if batch:
                yield _index_batch(batch)

    def extract_total(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(extracts)).scalar_one()

    def extract_ids(self) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.execute(select(extracts.c.id)).scalars())

    def extracts_by_ids(self, ids: list[str]) -> dict[str, dict]:
        return extracts_by_ids(self.engine, ids)

    def kind_share(self, kind: str) -> tuple[int, int]:
        """(extracts of this kind, all extracts): two index-only counts."""
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(extracts)).scalar_one()
            matching = conn.execute(
                select(func.count()).select_from(extracts).where(extracts.c.kind == kind)
            ).scalar_one()
        return matching, total

    def kinds_of(self, ids: list[str]) -> dict[str, str]:
        """The kind of each of these extracts (ids not in the store are left out)."""
        with self.engine.connect() as conn:
            query = select(extracts.c.id, extracts.c.kind).where(extracts.c.id.in_(ids))
            return {row.id: row.kind for row in conn.execute(query)}

    def nearest_of_kind(self, vector: np.ndarray, kind: str, k: int) -> list[tuple[str, float]]:
        """Exact top-k among the extracts of one kind, from the stored vectors (few of them)."""
        query = select(extracts.c.id, extracts.c.embedding).where(extracts.c.kind == kind)
        with self.engine.connect() as conn:
            rows = list(conn.execute(query))
        if not rows:
            return []
        matrix = np.frombuffer(b"".join(r.embedding for r in rows), dtype=np.float32)
        scores = matrix.reshape(len(rows), -1) @ vector.astype(np.float32)
        best = np.argsort(-scores, kind="stable")[:k]
        return [(rows[i].id, float(scores[i])) for i in best]

    def export_rows(self) -> tuple[list[str], Iterator[dict]]:
        """Attribute names in use, and every extract as a dict with its attributes."""
        with self.engine.connect() as conn:
            names = sorted(conn.execute(select(extract_attributes.c.name).distinct()).scalars())
        return names, self._iter_export()

    def _iter_export(self) -> Iterator[dict]:
        query = with_sources(
            extracts.c.id.label("extract_id"),
            extracts.c.kind,
            sources.c.path.label("source"),
            extracts.c.page,
            extracts.c.row,
            extracts.c.person,
            extracts.c.date,
            extracts.c.text,
        ).order_by(sources.c.path, extracts.c.position)
        with self.engine.connect() as conn:
            attributes = attributes_by_extract(conn, None)
            for row in conn.execution_options(yield_per=2000).execute(query):
                record = dict(row._mapping)
                for name, value in attributes.get(record["extract_id"], {}).items():
                    record[f"attr:{name}"] = value
                yield record

    def counts(self) -> dict:
        with self.engine.connect() as conn:
            by_kind = dict(
                conn.execute(select(extracts.c.kind, func.count()).group_by(extracts.c.kind)).all()
            )
            source_kinds = dict(
                conn.execute(select(sources.c.kind, func.count()).group_by(sources.c.kind)).all()
            )
            n_people = conn.execute(select(func.count()).select_from(people)).scalar_one()
            n_redacted = {}
            for row in conn.execute(select(sources.c.redactions)):
                for label, count in (row.redactions or {}).items():
                    n_redacted[label] = n_redacted.get(label, 0) + count
        return {
            "sources": sum(source_kinds.values()),
            "sources_by_kind": source_kinds,
            "extracts": sum(by_kind.values()),
            "extracts_by_kind": by_kind,
            "people": n_people,
            "redactions": n_redacted,
        }


def _delete_extracts(conn, source_id: int) -> None:
    ids = select(extracts.c.id).where(extracts.c.source_id == source_id)
    conn.execute(extract_attributes.delete().where(extract_attributes.c.extract_id.in_(ids)))
    conn.execute(extracts.delete().where(extracts.c.source_id == source_id))


def _insert_extracts(conn, source_id: int, source: Source, vectors: np.ndarray) -> None:
    rows, attribute_rows = [], []
    for position, (extract, vector) in enumerate(zip(source.extracts, vectors, strict=True)):
        rows.append(
            dict(
                id=extract.id,
                source_id=source_id,
                position=position,
                kind=extract.kind,
                text=extract.text,
                text_hash=text_hash(extract.text),
                start=extract.start,
                end=extract.end,
                page=extract.page,
                paragraph=extract.paragraph,
                row=extract.row,
                date=extract.date,
                person=extract.person,
                question=extract.question,
                meta=extract.meta,
                embedding=np.asarray(vector, dtype=np.float32).tobytes(),
            )
        )
        attribute_rows.extend(
            dict(extract_id=extract.id, name=name, value=value)
            for name, value in extract.attributes.items()
            if value
        )
    if rows:
        conn.execute(extracts.insert(), rows)
    if attribute_rows:
        conn.execute(extract_attributes.insert(), attribute_rows)


def _note_arrivals(conn, ids: list[str], now: datetime) -> None:
    """Keep when each extract id was first stored: a re-ingest keeps the first time, so
    "new since your last visit" (people/following.py) never counts old words again."""
    for chunk in chunks(sorted(set(ids))):
        known = extract_arrivals.c.extract_id.in_(chunk)
        seen = set(conn.execute(select(extract_arrivals.c.extract_id).where(known)).scalars())
        fresh = [dict(extract_id=e, at=now) for e in chunk if e not in seen]
        if fresh:
            conn.execute(extract_arrivals.insert(), fresh)


def _ensure_people(conn, source: Source, now: datetime) -> None:
    first_seen: dict[str, str | None] = {}
    for extract in source.extracts:
        if extract.person:
            known = first_seen.get(extract.person)
            if extract.person not in first_seen or (
                extract.date and (not known or extract.date < known)
            ):
                first_seen[extract.person] = extract.date
    if not first_seen:
        return
    existing = set()
    names = list(first_seen)
    for start in range(0, len(names), 500):
        query = select(people.c.id).where(people.c.id.in_(names[start : start + 500]))
        existing.update(conn.execute(query).scalars())
    new = [
        dict(id=pid, first_seen=seen, created_at=now)
        for pid, seen in first_seen.items()
        if pid not in existing
    ]
    if new:
        conn.execute(people.insert(), new)


def _index_batch(rows: list) -> tuple[list, np.ndarray, list]:
    ids = [row.id for row in rows]
    vectors = np.vstack([np.frombuffer(row.embedding, dtype=np.float32) for row in rows])
    # Only what the index needs to filter and to delete by source: every metadata key costs
    # Chroma write time, and attribute filters are answered from the store instead.
    metadatas = []
    for row in rows:
        meta = {"source": row.source, "kind": row.kind}
        if row.date:
            meta["date"] = int(row.date.replace("-", ""))  # ints allow range filters in Chroma
        metadatas.append(meta)
    return ids, vectors, metadatas


# --- withdrawal ------------------------------------------------------------------------------

FORGETS = (extracts.c.person, people.c.id)


def forget(conn, gone) -> dict:
    """Delete their extracts and attributes and blank their words in the source text (other
    extracts keep their offsets); mark the sources for the index to follow."""
    ids = sorted(gone.extract_ids)
    rows = []
    for chunk in chunks(ids):
        query = select(extracts.c.source_id, extracts.c.start, extracts.c.end)
        rows += conn.execute(query.where(extracts.c.id.in_(chunk))).all()
        conn.execute(delete(extract_attributes).where(extract_attributes.c.extract_id.in_(chunk)))
        conn.execute(delete(extracts).where(extracts.c.id.in_(chunk)))
        conn.execute(delete(extract_arrivals).where(extract_arrivals.c.extract_id.in_(chunk)))
    spans: dict[int, list[tuple[int, int]]] = {}
    for row in rows:
        spans.setdefault(row.source_id, []).append((row.start, row.end))
    for source_id, ranges in spans.items():
        source = conn.execute(select(sources.c.text).where(sources.c.id == source_id)).one()
        left = conn.execute(select(func.count()).where(extracts.c.source_id == source_id))
        conn.execute(
            update(sources)
            .where(sources.c.id == source_id)
            .values(text=blank(source.text, ranges), extract_count=left.scalar(), indexed=False)
        )
    conn.execute(delete(people).where(people.c.id == gone.person))
    return {"extracts": len(ids), "sources": sorted(spans)}


def blank(text_value: str, ranges: list[tuple[int, int]]) -> str:
    """The text with these spans replaced by spaces (same length: other offsets stay right)."""
    chars = list(text_value)
    for start, end in ranges:
        for i in range(max(0, start), min(end, len(chars))):
            if not chars[i].isspace():
                chars[i] = " "
    return "".join(chars)
