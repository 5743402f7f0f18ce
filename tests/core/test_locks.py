"""Locks across processes: approvals at once all land; a lock held too long is a clear error."""

import json
import os
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import select

from lab_app.core import locks as store_lock
from lab_app.core.schema import extracts, sources
from lab_app.opinions import participation as p

# A staff member's app process: load the model, say so, wait for the go, approve its share.
APPROVER = """
import sys, time
from pathlib import Path
from lab_app.opinions import participation
from lab_app.core.settings import Settings
from lab_app.workspace import Workspace

home, signals, ids = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
workspace = Workspace(Settings.from_env(home=home))
workspace.embedder.embed(["warm up"])
(signals / f"ready-{ids[0]}").touch()
while not (signals / "go").exists():
    time.sleep(0.01)
for pending_id in ids:
    outcome = participation.approve(workspace, int(pending_id), f"staff-{ids[0]}")
    assert outcome.status in ("ingested", "updated"), outcome.reason
"""


def _stored_contribution_ids(workspace) -> list[str]:
    query = (
        select(extracts.c.meta)
        .join(sources, sources.c.id == extracts.c.source_id)
        .where(sources.c.path == p.CONTRIBUTIONS_FILE.as_posix())
    )
    with workspace.store.engine.connect() as conn:
        return sorted(meta["id"] for meta in conn.execute(query).scalars())


def _fail_with_output(procs) -> list[tuple[str, str]]:
    """What each approver wrote, for a failure message. Any still running is killed first: it
    waits for "go", so communicate() on it would never return."""
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
    return [proc.communicate() for proc in procs]


def test_two_processes_approving_at_once_keep_every_approval(workspace, tmp_path):
    engine = workspace.store.engine
    topics = ["walking groups", "evening sessions", "carers' cafés", "online meet-ups",
              "peer training", "rural transport"]  # fmt: skip
    pending = [
        p.submit_contribution(engine, f"person-{n}", f"We would love more {topic} near us.")
        for n, topic in enumerate(topics)
    ]
    signals = tmp_path / "signals"
    signals.mkdir()
    env = dict(os.environ, QLAB_HOME="")
    shares = [pending[0::2], pending[1::2]]  # interleaved, so every approval races another
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", APPROVER, str(workspace.settings.home), str(signals)]
            + [str(n) for n in share],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for share in shares
    ]
    deadline = time.monotonic() + 240
    while len(list(signals.glob("ready-*"))) < 2 and time.monotonic() < deadline:
        assert all(proc.poll() is None for proc in procs), _fail_with_output(procs)
        time.sleep(0.1)
    (signals / "go").touch()
    for proc in procs:
        _out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err

    wanted = sorted(p.contribution_id(n) for n in pending)
    assert p.pending(engine) == []
    assert _stored_contribution_ids(workspace) == wanted
    on_disk = json.loads(p.contributions_path(workspace).read_text(encoding="utf-8"))
    assert sorted(record["id"] for record in on_disk) == wanted
    assert workspace.check().ok


# Another process holds a lock on the same store until told to let go.
HOLDER = """
import sys, time
from pathlib import Path
from lab_app.core import locks as store_lock
from lab_app.core.settings import Settings
from lab_app.material.store import Store

home, signals = Path(sys.argv[1]), Path(sys.argv[2])
engine = Store(Settings.from_env(home=home).sqlalchemy_url).engine
with store_lock.held(engine, "test-lock"):
    (signals / "holding").touch()
    while not (signals / "let-go").exists():
        time.sleep(0.01)
"""


def test_a_lock_held_elsewhere_too_long_is_a_clear_error_then_free(workspace, tmp_path):
    engine = workspace.store.engine
    signals = tmp_path / "signals"
    signals.mkdir()
    env = dict(os.environ, QLAB_HOME="")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(workspace.settings.home), str(signals)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not (signals / "holding").exists():
        assert holder.poll() is None and time.monotonic() < deadline, _fail_with_output([holder])
        time.sleep(0.05)
    busy = pytest.raises(store_lock.Busy, match="busy .*try again")
    with busy, store_lock.held(engine, "test-lock", wait=0.5):
        pass
    (signals / "let-go").touch()
    assert holder.wait(timeout=60) == 0, holder.communicate()
    with store_lock.held(engine, "test-lock", wait=5):
        pass  # free again once the other process let go


def test_a_lock_held_by_another_thread_too_long_is_a_clear_error(workspace):
    engine = workspace.store.engine
    holding, let_go = threading.Event(), threading.Event()

    def hold():
        with store_lock.held(engine, "test-lock"):
            holding.set()
            let_go.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(30)
    try:
        with pytest.raises(store_lock.Busy), store_lock.held(engine, "test-lock", wait=0.2):
            pass
    finally:
        let_go.set()
        thread.join(30)
