"""bench/load.py keeps working: a few real Streamlit sessions through every step against a real
`qlab serve` on a copy of the themed demo Lab; and, in the server pass, two app processes on
one PostgreSQL and `chroma run` pair, each serving its share of the clients."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
RUN_LIMIT_S = 1500  # a loaded 2-core machine: the server's start (torch, the model) is minutes


def run_bench(tmp_path: Path, lab: Path, *options: str) -> dict:
    """Run bench/load.py as a person would; return its summary."""
    summary = tmp_path / "load.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("QLAB_")}
    done = subprocess.run(
        [sys.executable, "bench/load.py", "--lab", str(lab), "--summary", str(summary), *options],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=RUN_LIMIT_S,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(summary.read_text(encoding="utf-8"))


def assert_every_step_succeeded(summary: dict, clients: int) -> None:
    from bench.load import STEPS

    assert summary["clients"] == clients
    assert list(summary["steps"]) == STEPS
    for step, row in summary["steps"].items():
        assert row["failures"] == 0, (step, row["errors"])
        assert row["clients"] == clients
        assert 0 < row["p50_s"] <= row["p95_s"] <= row["max_s"], (step, row)
    for alone in ("first_alone_s", "alone_s"):
        assert all(isinstance(summary[alone][step], float) for step in STEPS), summary[alone]


def test_three_clients_through_every_step(themed_home, tmp_path):
    summary = run_bench(tmp_path, themed_home, "--clients", "3")
    assert_every_step_succeeded(summary, 3)
    assert summary["servers"] == 1 and summary["per_server"] == [{"clients": 3, "failed_steps": 0}]
    # The server's own CPU per step, measured for the lone client: every step costs some.
    assert set(summary["alone_cpu_s"]) == set(summary["steps"])
    assert all(seconds >= 0 for seconds in summary["alone_cpu_s"].values())
    assert len(summary["load_average"]["before"]) == 3


def test_two_app_processes_on_one_server_pair(themed_home, tmp_path):
    """docs/deploy.md: two `qlab serve` processes, each with its own home, one PostgreSQL
    database and one Chroma collection; clients go to them in turn and every step works."""
    database, chroma = os.environ.get("QLAB_DATABASE_URL"), os.environ.get("QLAB_CHROMA_URL")
    if not (os.environ.get("QLAB_TEST_DATABASE_URL") and database and chroma):
        reason = "needs QLAB_TEST_DATABASE_URL and QLAB_TEST_CHROMA_URL (.ci/run starts both)"
        if os.environ.get("QLAB_REQUIRE_SERVERS") == "1":
            pytest.fail(reason + " and QLAB_REQUIRE_SERVERS=1")
        pytest.skip(reason)
    # conftest made this test's own database and collection and named them in QLAB_*.
    servers = ["--database-url", database, "--chroma-url", chroma,
               "--collection", os.environ["QLAB_COLLECTION"]]  # fmt: skip
    summary = run_bench(tmp_path, themed_home, "--clients", "4", "--servers", "2", *servers)
    assert_every_step_succeeded(summary, 4)
    assert summary["servers"] == 2
    assert summary["per_server"] == [{"clients": 2, "failed_steps": 0}] * 2
