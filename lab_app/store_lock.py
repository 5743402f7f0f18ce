"""Named locks that hold across processes sharing one store (staff apps, CLI, other instances)."""

from __future__ import annotations

import fcntl
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

# A process-wide lock per store and name as well: an in-memory SQLite store has no file to lock.
_local: dict[tuple[str, str], threading.Lock] = {}
_local_guard = threading.Lock()


@contextmanager
def held(engine: Engine, name: str) -> Iterator[None]:
    """Run the block while no other thread or process holds the lock `name` on this store.

    PostgreSQL: a session advisory lock, so instances on other machines wait too. SQLite: an
    exclusive lock on a file beside the database (every process using it shares that disk)."""
    with _local_guard:
        local = _local.setdefault((str(engine.url), name), threading.Lock())
    with local:
        if engine.dialect.name == "postgresql":
            with _advisory(engine, name):
                yield
        elif lock_file := _lock_file(engine.url.database, name):
            with _file_lock(lock_file):
                yield
        else:
            yield


@contextmanager
def _advisory(engine: Engine, name: str) -> Iterator[None]:
    key = zlib.crc32(f"qlab:{name}".encode())
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        conn.commit()  # the lock belongs to the session, not to this transaction
        try:
            yield
        finally:
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                conn.commit()
            except Exception:
                # A connection back in the pool still holding the lock would stall every later
                # approval in every process: drop it, and the server frees its locks.
                conn.invalidate()
                raise


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _lock_file(database: str | None, name: str) -> Path | None:
    """The lock file beside a SQLite database; None for one in memory or given as a URI."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = Path(database).resolve()
    return path.with_name(f"{path.name}.{name}.lock")
