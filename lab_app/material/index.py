"""The Chroma vector index, derived from the store: embedded by default, a server by URL."""

from __future__ import annotations

import contextlib
from pathlib import Path
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings


def _chroma_settings() -> ChromaSettings:
    # A fresh object per client: chromadb's HttpClient writes its server address into the
    # settings it is given, and a shared object would turn later embedded clients into HTTP.
    return ChromaSettings(anonymized_telemetry=False)


class VectorIndexError(RuntimeError):
    """The index cannot be reached; the message says what to check."""


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
    return chromadb.PersistentClient(path=str(path), settings=_chroma_settings())


class VectorIndex:
    """Add, delete and query extract vectors; ids are extract ids, metadata serves filters."""

    def __init__(self, client, name: str):
        self.client = client
        self.name = name
        self.max_batch = client.get_max_batch_size()
        self.collection = self._open()

    def _open(self):
        # embedding_function=None: Chroma's default downloads a model; we always pass vectors.
        return self.client.get_or_create_collection(
            self.name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )

    def add(self, ids: list[str], vectors: np.ndarray, metadatas: list[dict]) -> None:
        """Add new ids (callers delete a source's old ids first; add is cheaper than upsert)."""
        for start in range(0, len(ids), self.max_batch):
            end = start + self.max_batch
            self.collection.add(
                ids=ids[start:end], embeddings=vectors[start:end], metadatas=metadatas[start:end]
            )

    def delete_source(self, source_path: str) -> None:
        self.collection.delete(where={"source": source_path})

    def delete_ids(self, ids: list[str]) -> None:
        for start in range(0, len(ids), self.max_batch):
            self.collection.delete(ids=ids[start : start + self.max_batch])

    def ids(self) -> set[str]:
        found: set[str] = set()
        offset, page = 0, 10_000
        while True:
            batch = self.collection.get(include=[], limit=page, offset=offset)["ids"]
            found.update(batch)
            if len(batch) < page:
                return found
            offset += page

    def count(self) -> int:
        return self.collection.count()

    def query(
        self, vector: np.ndarray, k: int, where: dict | None = None
    ) -> list[tuple[str, float]]:
        """The k nearest extract ids with cosine similarity, best first."""
        if self.count() == 0:
            return []
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
        self.collection = self._open()
