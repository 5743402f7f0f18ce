"""Named locks that hold across processes sharing one store (staff apps, CLI, other instances)."""

from __future__ import annotations

import fcntl
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

# A process-wide lock per store and name as well: an in-memory SQLite store has no file to lock.
_local: dict[tuple[str, str], threading.Lock] = {}
_local_guard = threading.Lock()
WAIT_SECONDS = 120.0  # past this, a stuck holder gets a clear error, not a frozen page
POLL_SECONDS = 0.1


class Busy(ValueError):
    """Someone else held the lock for longer than the wait."""


def _busy(name: str, wait: float) -> Busy:
    return Busy(
        f"the workspace is busy ({name} in use elsewhere for over {wait:.0f} s): "
        "try again in a minute"
    )


@contextmanager
def held(engine: Engine, name: str, wait: float = WAIT_SECONDS) -> Iterator[None]:
    """Run the block while no other thread or process holds the lock `name` on this store;
    raise Busy after waiting `wait` seconds for it.

    PostgreSQL: a session advisory lock, so instances on other machines wait too. SQLite: an
    exclusive lock on a file beside the database (every process using it shares that disk)."""
    deadline = time.monotonic() + wait
    with _local_guard:
        local = _local.setdefault((str(engine.url), name), threading.Lock())
    if not local.acquire(timeout=wait):
        raise _busy(name, wait)
    try:
        if engine.dialect.name == "postgresql":
            with _advisory(engine, name, deadline, wait):
                yield
        elif lock_file := _lock_file(engine.url.database, name):
            with _file_lock(lock_file, name, deadline, wait):
                yield
        else:
            yield
    finally:
        local.release()


@contextmanager
def _advisory(engine: Engine, name: str, deadline: float, wait: float) -> Iterator[None]:
    key = zlib.crc32(f"qlab:{name}".encode())
    with engine.connect() as conn:
        query = text("SELECT pg_try_advisory_lock(:key)")
        while not conn.execute(query, {"key": key}).scalar_one():
            conn.commit()
            if time.monotonic() > deadline:
                raise _busy(name, wait)
            time.sleep(POLL_SECONDS)
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
def _file_lock(path: Path, name: str, deadline: float, wait: float) -> Iterator[None]:
    with path.open("a") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise _busy(name, wait) from None
                time.sleep(POLL_SECONDS)
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
