"""`qlab statements add|list|approve` as staff run it: JSON shapes, a proposal opened for
votes, and bad input refused in one line."""

from __future__ import annotations

import json
import subprocess

import pytest

from lab_app.core.settings import Settings
from lab_app.opinions import statements
from lab_app.workspace import Workspace


@pytest.fixture
def qlab(run_qlab):
    def run(home, *args, rc=0) -> subprocess.CompletedProcess:
        result = run_qlab("--home", home, *args, user="staff-1")
        assert result.returncode == rc, result.stdout + result.stderr
        return result

    return run


def test_staff_add_list_and_approve_statements(tmp_path, qlab):
    home = tmp_path / "home"
    engine = Workspace(Settings.from_env(home=home)).store.engine
    proposed = statements.propose(engine, "Peer groups should meet in the evening too.", "pat")
    engine.dispose()
    added = json.loads(qlab(home, "statements", "add", "Training should be paid.", "--json").stdout)
    assert added["status"] == "approved" and added["proposed_by"] == "staff-1"
    out = qlab(home, "statements", "approve", str(proposed)).stdout
    assert (
        out.strip() == f"statement {proposed} approved: Peer groups should meet in the evening too."
    )
    rows = json.loads(qlab(home, "statements", "list", "--json").stdout)
    assert [(r["id"], r["status"]) for r in rows] == [
        (proposed, "approved"),
        (added["id"], "approved"),
    ]
    assert rows[0]["votes"] == {"agree": 0, "disagree": 0, "pass": 0}
    refused = qlab(home, "statements", "approve", "99", rc=1).stderr.strip()
    assert refused == "qlab: error: no statement 99: `qlab statements list` shows them"
    short = qlab(home, "statements", "add", "Too short", rc=1).stderr.strip()
    assert short == "qlab: error: a statement needs at least 10 characters"
