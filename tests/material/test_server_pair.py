"""Two app processes on two machines' worth of folders share one PostgreSQL + chroma pair."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

QLAB = Path(sys.executable).with_name("qlab")


@pytest.fixture
def server_env(tmp_path):
    """The environment of a `qlab` process using the test's database and collection."""
    if not (os.environ.get("QLAB_TEST_DATABASE_URL") and os.environ.get("QLAB_TEST_CHROMA_URL")):
        reason = "needs QLAB_TEST_DATABASE_URL and QLAB_TEST_CHROMA_URL (.ci/run starts both)"
        if os.environ.get("QLAB_REQUIRE_SERVERS") == "1":
            pytest.fail(reason + " and QLAB_REQUIRE_SERVERS=1")
        pytest.skip(reason)
    return dict(os.environ)  # conftest pointed QLAB_DATABASE_URL/QLAB_CHROMA_URL at this test's


def _qlab(env, home, *args):
    done = subprocess.run(
        [str(QLAB), "--home", str(home), *args],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_two_processes_see_each_others_writes(server_env, tmp_path, eval_path):
    first, second = tmp_path / "machine-a", tmp_path / "machine-b"
    report = eval_path("documents", "strategyunit__background.md")
    notes = tmp_path / "notes.txt"
    notes.write_text(
        "Peer support groups in rural areas struggle with transport and room hire costs.\n\n"
        "Volunteers said training on safeguarding helped them feel confident.\n",
        encoding="utf-8",
    )
    # Both machines ingest at the same time, each its own file.
    env = dict(server_env, QLAB_HOME="")
    procs = [
        subprocess.Popen([str(QLAB), "--home", str(home), "ingest", str(path)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for home, path in ((first, report), (second, notes))
    ]  # fmt: skip
    for proc in procs:
        _out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err

    for home in (first, second):
        status = json.loads(_qlab(env, home, "status", "--json"))
        assert status["sources"] == 2 and status["indexed"] == status["extracts"] > 2
        hits = json.loads(_qlab(env, home, "search", "transport costs for rural groups", "--json"))
        assert any(hit["source"].endswith("notes.txt") for hit in hits)
        _qlab(env, home, "check")
    assert not (first / "chroma").exists() and not (second / "chroma").exists()

    # A curation written on one machine is what the other reads.
    _qlab(env, first, "themes", "build", "--themes", "2")
    themes = json.loads(_qlab(env, second, "themes", "list", "--json"))
    _qlab(env, second, "themes", "rename", themes[0]["id"], "Named on machine B")
    again = json.loads(_qlab(env, first, "themes", "list", "--json"))
    assert {t["id"]: t["label"] for t in again}[themes[0]["id"]] == "Named on machine B"
