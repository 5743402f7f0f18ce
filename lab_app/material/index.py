"""The Chroma vector index, derived from the store: embedded by default, a server by URL."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from lab_app.core.faults import WorkspaceFault, describe, is_storage_fault, one_line


def _chroma_settings() -> ChromaSettings:
    # A fresh object per client: chromadb's HttpClient writes its server address into the
    # settings it is given, and a shared object would turn later embedded clients into HTTP.
    return ChromaSettings(anonymized_telemetry=False)


class VectorIndexError(WorkspaceFault):
    """The index cannot be reached; the message says what to check."""


REBUILD = "run `qlab reindex` to rebuild it from the store"


@contextlib.contextmanager
def guarded(where: str) -> Iterator[None]:
    """Chroma's own errors as one line naming the index and what to do: a damaged index is
    rebuilt from the store, a full disk needs room first. Never a traceback."""
    try:
        yield
    except WorkspaceFault:
        raise
    except Exception as err:  # chromadb raises its own types, Rust errors and OSError alike
        if is_storage_fault(err) and "not a database" not in str(err):
            raise VectorIndexError(describe(err, f"writing {where}")) from err
        lines = str(err).strip().splitlines() or [type(err).__name__]
        raise VectorIndexError(f"{where} cannot be used ({one_line(lines[0])}): {REBUILD}") from err


def connect(chroma_url: str, path: Path):
    """An HttpClient for a `chroma run` server when chroma_url is set, else a PersistentClient."""
    if chroma_url:
        parsed = urlparse(chroma_url)
        if not parsed.hostname:
            raise VectorIndexError(
                f"QLAB_CHROMA_URL={chroma_url!r} is not a URL like http://127.0.0.1:8000"
            )
        try:
            return chromadb.HttpClient(
                host=parsed.hostname,
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=_chroma_settings(),
            )
        except Exception as err:  # connection errors come in several types
            raise VectorIndexError(
                f"cannot reach the Chroma server at {chroma_url}: {err}; start it with "
                "`chroma run --host 127.0.0.1 --port PORT --path DIR` or unset QLAB_CHROMA_URL"
            ) from err
    path.mkdir(parents=True, exist_ok=True)
    try:
        with guarded(f"the index in {path}"):
            return chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
    except VectorIndexError:
        close_embedded(path)  # so that trying again meets the same error, not a stale one
        raise


def close_embedded(path: Path) -> None:
    """Let go of an embedded index folder, so the next client opens it afresh, as a new
    process would. chromadb keeps one started system per folder for the whole process, even one
    that failed to start on a damaged file; it has no public call to drop one, so its table is
    used."""
    from chromadb.api.shared_system_client import SharedSystemClient

    system = SharedSystemClient._identifier_to_system.pop(str(path), None)
    SharedSystemClient._identifier_to_refcount.pop(str(path), None)
    if system is not None:
        with contextlib.suppress(Exception):  # a system that never started cannot stop
            system.stop()


def remove_embedded(path: Path) -> None:
    """Delete an embedded index folder so it can be made again (it holds nothing the store
    does not), with the process's cached system for it."""
    close_embedded(path)
    shutil.rmtree(path, ignore_errors=True)


class VectorIndex:
    """Add, delete and query extract vectors; ids are extract ids, metadata serves filters."""

    def __init__(self, client, name: str, where: str = "the index"):
        self.client = client
        self.name = name
        self.where = where
        with guarded(where):
            self.max_batch = client.get_max_batch_size()
            self.collection = self._open()

    def _open(self):
        # embedding_function=None: Chroma's default downloads a model; we always pass vectors.
        return self.client.get_or_create_collection(
            self.name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )

    def _guard(self):
        return guarded(self.where)

    def add(self, ids: list[str], vectors: np.ndarray, metadatas: list[dict]) -> None:
        """Add new ids (callers delete a source's old ids first; add is cheaper than upsert)."""
        with self._guard():
            for start in range(0, len(ids), self.max_batch):
                end = start + self.max_batch
                self.collection.add(
                    ids=ids[start:end],
                    embeddings=vectors[start:end],
                    metadatas=metadatas[start:end],
                )

    def delete_source(self, source_path: str) -> None:
        with self._guard():
            self.collection.delete(where={"source": source_path})

    def delete_ids(self, ids: list[str]) -> None:
        with self._guard():
            for start in range(0, len(ids), self.max_batch):
                self.collection.delete(ids=ids[start : start + self.max_batch])

    def ids(self) -> set[str]:
        found: set[str] = set()
        offset, page = 0, 10_000
        with self._guard():
            while True:
                batch = self.collection.get(include=[], limit=page, offset=offset)["ids"]
                found.update(batch)
                if len(batch) < page:
                    return found
                offset += page

    def count(self) -> int:
        with self._guard():
            return self.collection.count()

    def query(
        self, vector: np.ndarray, k: int, where: dict | None = None
    ) -> list[tuple[str, float]]:
        """The k nearest extract ids with cosine similarity, best first (none when empty)."""
        # No count() first: Chroma answers an empty collection with no ids, and under load the
        # extra call held the GIL for 6% of the app's time (py-spy, bench/load.py).
        with self._guard():
            result = self.collection.query(
                query_embeddings=vector.reshape(1, -1),
                n_results=k,
                where=where or None,
                include=["distances"],
            )
        return [
            (extract_id, 1.0 - distance)
            for extract_id, distance in zip(result["ids"][0], result["distances"][0], strict=True)
        ]

    def reset(self) -> None:
        """Drop and recreate the collection (reindex starts from nothing)."""
        with contextlib.suppress(Exception):  # not there yet: nothing to drop
            self.client.delete_collection(self.name)
        with self._guard():
            self.collection = self._open()
