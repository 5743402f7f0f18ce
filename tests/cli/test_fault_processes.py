"""Faults only real processes show: a full disk under an ingest and a backup, three first
ingests racing into a new workspace, and `qlab serve` stopped by a service manager's SIGTERM."""

from __future__ import annotations

import csv
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lab_app.core.settings import Settings
from lab_app.workspace import Workspace

# The disk fills up: RLIMIT_FSIZE makes the kernel refuse to grow any file past the limit
# (EFBIG) in the real write path (SQLite's pages, Chroma's, the backup zip), with SIGXFSZ
# ignored as a program on a full disk never gets it. No root, loop device or tmpfs needed.
LIMITED = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
from lab_app.cli.qlab import main
sys.exit(main(sys.argv[2:]))
"""
# Three processes start their first ingest at the same moment: each loads everything, says it
# is ready, and waits for the gate file.
AT_THE_GATE = """
import pathlib, sys, time
from lab_app.cli.qlab import main
import lab_app.workspace
gate = pathlib.Path(sys.argv[1])
pathlib.Path(sys.argv[2]).touch()
while not gate.exists():
    time.sleep(0.005)
sys.exit(main(sys.argv[3:]))
"""


def _run(*args, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *map(str, args)], capture_output=True, text=True, timeout=timeout
    )


def _answers(tmp_path, eval_path, rows: int) -> tuple[Path, list[str]]:
    source = eval_path("clustering", "nhs-fft-patient-feedback-phase1", "text_data.csv")
    with source.open(encoding="utf-8") as handle:
        head = [next(handle) for _ in range(rows + 1)]
    survey = tmp_path / "fft.csv"
    survey.write_text("".join(head), encoding="utf-8")
    with survey.open(encoding="utf-8") as handle:
        texts = [row["feedback"] for row in csv.DictReader(handle)]
    return survey, [text for text in texts if len(text) > 60]


@pytest.mark.slow
def test_a_full_disk_gives_one_line_without_answers_and_loses_nothing(
    tmp_path, eval_path, monkeypatch, run_qlab
):
    monkeypatch.chdir(tmp_path)
    survey, long_answers = _answers(tmp_path, eval_path, 700)
    home = tmp_path / "home"
    Workspace(Settings.from_env(home=home)).store.engine.dispose()  # the store exists

    full = _run("-c", LIMITED, 600_000, "--home", home, "ingest", survey)
    assert full.returncode == 1
    assert full.stdout == "" and "Traceback" not in full.stderr
    (line,) = full.stderr.splitlines()
    assert line.startswith("qlab: error: storing fft.csv failed (disk I/O error): ")
    assert line.endswith("check the disk has free space and is writable, then try again")
    assert not any(answer[:40] in full.stderr for answer in long_answers)

    # Nothing half-stored: with room again, the same command ingests everything once (run in
    # this process, where the model is loaded already).
    assert Workspace(Settings.from_env(home=home)).store.list_sources() == []
    again = run_qlab("--home", home, "ingest", survey)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("ingested fft.csv: ")
    workspace = Workspace(Settings.from_env(home=home))
    assert len(workspace.store.list_sources()) == 1 and workspace.check().ok

    # A backup on the full disk: the store's own write (the trail notes the backup) fails
    # first here, and says so in one line; no backup file is left under any name.
    backup = tmp_path / "backups" / "lab.qlab.zip"
    full = _run("-c", LIMITED, 200_000, "--home", home, "backup", backup)
    assert full.returncode == 1 and "Traceback" not in full.stderr
    assert full.stderr.splitlines() == [
        "qlab: error: backup failed (disk I/O error): "
        "check the disk has free space and is writable, then try again"
    ]
    assert not backup.parent.exists() or list(backup.parent.iterdir()) == []


@pytest.mark.slow
def test_three_first_ingests_at_once_into_a_new_workspace(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    home, gate = tmp_path / "home", tmp_path / "gate"
    processes = []
    for number in range(3):
        note = tmp_path / f"note-{number}.md"
        note.write_text(f"# Note {number}\n\nPeer group {number} met weekly in the library.\n")
        ready = tmp_path / f"ready-{number}"
        command = [sys.executable, "-c", AT_THE_GATE, gate, ready, "--home", home, "ingest"]
        processes.append(
            subprocess.Popen(
                [*map(str, command), str(note)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    deadline = time.monotonic() + 300
    while not all((tmp_path / f"ready-{n}").exists() for n in range(3)):
        assert time.monotonic() < deadline, "the ingests never got ready"
        time.sleep(0.05)
    gate.touch()
    results = [process.communicate(timeout=600) for process in processes]
    for process, (out, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, err
        assert out.startswith("ingested note-") and "Traceback" not in err
    workspace = Workspace(Settings.from_env(home=home))
    assert sorted(row.path for row in workspace.store.list_sources()) == [
        "note-0.md",
        "note-1.md",
        "note-2.md",
    ]
    assert workspace.check().ok


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"  # a zombie has stopped; only its parent's wait is missing


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads children from /proc")
def test_sigterm_to_qlab_serve_stops_streamlit_too(tmp_path):
    port = _free_port()
    serve = subprocess.Popen(
        [sys.executable, "-m", "lab_app.cli", "--home", str(tmp_path / "home"), "serve",
         "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a service manager's process, not this terminal's
    )  # fmt: skip
    children: list[int] = []
    try:
        deadline = time.monotonic() + 180
        while True:
            assert serve.poll() is None and time.monotonic() < deadline, "serve did not start"
            children = _children(serve.pid) or children
            with socket.socket() as probe:
                if children and probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=30) is not None
        deadline = time.monotonic() + 20
        while any(_alive(child) for child in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(child) for child in children), "Streamlit still running"
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0
    finally:
        for pid in [*children, serve.pid]:  # only the processes this test started
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
