"""`qlab labs` and the global --lab: the registry, its one-line refusals, a role per Lab, and
every other command working on the Lab chosen (run in-process: tests/cli/conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path


def test_labs_add_list_grant_and_the_lab_every_command_works_on(run_qlab, monkeypatch):
    added = run_qlab("labs", "add", "north-east", "--name", "North East Lab", user="ops")
    assert added.returncode == 0 and "added Lab north-east" in added.stdout
    again = run_qlab("labs", "add", "north-east", "--name", "Another", user="ops")
    assert again.returncode == 1 and again.stdout == ""
    assert again.stderr.strip().splitlines() == [
        "qlab: error: a Lab with the slug 'north-east' exists: choose another slug"
    ]
    bad = run_qlab("labs", "add", "North_East", "--name", "x", user="ops")
    assert bad.returncode == 1 and "is not a Lab slug: use 3-40 lower-case" in bad.stderr
    listed = json.loads(run_qlab("labs", "list", "--json", user="ops").stdout)
    assert listed == [
        {"slug": "default", "name": "Default Lab"},
        {"slug": "north-east", "name": "North East Lab"},
    ]

    assert run_qlab("users", "add", "alice", "--role", "staff", user="ops").returncode == 0
    nobody = run_qlab("labs", "grant", "north-east", "zoe", "staff", user="ops")
    assert "no account named 'zoe': add it first with `qlab users add`" in nobody.stderr
    assert (
        run_qlab("labs", "grant", "north-east", "alice", "participant", user="ops").returncode == 0
    )
    roles = json.loads(run_qlab("labs", "roles", "alice", "--json", user="ops").stdout)
    assert [(r["slug"], r["role"]) for r in roles] == [
        ("default", "staff"),
        ("north-east", "participant"),
    ]
    # A participant of north-east (and staff only of the default Lab's) cannot add Labs.
    run_qlab("labs", "grant", "default", "alice", "participant", user="ops")
    refused = run_qlab("labs", "add", "south", "--name", "South", user="alice")
    assert refused.stderr == "qlab: error: alice is not staff of the default Lab: ask its staff\n"

    # --lab (or QLAB_LAB) chooses the workspace every other command uses.
    home = Path(json.loads(run_qlab("status", "--json", user="ops").stdout)["home"])
    there = json.loads(run_qlab("--lab", "north-east", "status", "--json", user="ops").stdout)
    assert Path(there["home"]) == home / "labs" / "north-east"
    monkeypatch.setenv("QLAB_LAB", "north-east")
    users = run_qlab("users", "list", "--json", user="ops")
    assert [u["name"] for u in json.loads(users.stdout)] == ["alice"]  # north-east's members
    in_lab = run_qlab("users", "add", "bob", user="ops")  # QLAB_LAB=north-east still
    assert in_lab.returncode == 1 and "accounts are the deployment's" in in_lab.stderr
    unknown = run_qlab("--lab", "nowhere", "status", user="ops")
    assert unknown.stderr.strip() == (
        "qlab: error: no Lab with the slug 'nowhere': see `qlab labs list`"
    )
