"""Killing an ingest at any moment leaves a workspace that re-running the same ingest completes."""

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from ingest.pipeline import IngestOptions, detect_kind, file_hash, load_source
from lab_app.cli.qlab import main
from lab_app.core.settings import Settings
from lab_app.workspace import Workspace, expand_paths


def _material(tmp_path, eval_path):
    folder = tmp_path / "material"
    folder.mkdir()
    shutil.copy(eval_path("documents", "strategyunit__background.md"), folder / "1-background.md")
    lines = eval_path("clustering", "nhs-fft-patient-feedback-phase1", "text_data.csv")
    with lines.open(encoding="utf-8") as handle:
        head = [next(handle) for _ in range(1500)]
    (folder / "2-feedback.csv").write_text("".join(head), encoding="utf-8")
    report = eval_path("documents", "strategyunit__text_mining_FFT_final_report_mar-22.pdf")
    shutil.copy(report, folder / "3-report.pdf")
    shutil.copy(eval_path("documents", "strategyunit__phase_1.md"), folder / "4-phase-1.md")
    return folder


def _start(home, folder):
    return subprocess.Popen(
        [sys.executable, "-m", "lab_app.cli", "--home", str(home), "ingest", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=dict(os.environ),
    )


def _kill_after(home, folder, lines: int, delay: float) -> list[str]:
    """Run an ingest, kill -9 it `delay` seconds after it has printed `lines` lines."""
    process = _start(home, folder)
    seen = [process.stdout.readline() for _ in range(lines)]
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    return seen


def _sources_stored(home) -> int:
    return len(Workspace(Settings.from_env(home=home)).store.list_sources())


@pytest.mark.slow
def test_kill_at_several_moments_then_rerun_completes(tmp_path, eval_path, capsys):
    folder = _material(tmp_path, eval_path)
    home = tmp_path / "home"
    _kill_after(home, folder, lines=1, delay=3.0)  # inside the survey: embedding or storing
    assert _sources_stored(home) < 4  # the kill really landed part-way
    _kill_after(home, folder, lines=1, delay=8.0)  # later in the survey: storing or indexing
    _kill_after(home, folder, lines=2, delay=0.2)  # just after the survey, inside the PDF
    assert _sources_stored(home) < 4

    # The same command again, through qlab's main in this process (the model is loaded here).
    capsys.readouterr()
    assert main(["--home", str(home), "ingest", str(folder)]) == 0, capsys.readouterr()
    assert not [line for line in capsys.readouterr().out.splitlines() if line.startswith("refused")]

    workspace = Workspace(Settings.from_env(home=home))
    assert workspace.check().ok
    expected = {}
    for path in expand_paths([folder]):
        options = IngestOptions(kind=detect_kind(path, IngestOptions()))
        source = load_source(path, "x", file_hash(path), options)
        expected[path.name] = len(source.extracts)
    stored = {
        row.path.rsplit("/", 1)[-1]: row.extract_count for row in workspace.store.list_sources()
    }
    assert stored == expected
    assert workspace.status()["extracts"] == sum(expected.values())
    assert workspace.status()["indexed"] == sum(expected.values())
    assert not workspace.store.unindexed_source_ids()
