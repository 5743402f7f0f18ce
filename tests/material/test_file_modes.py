"""Every file and folder the workspace makes is its owner's only: store, index, uploads,
exports, backups, lock files, the demo accounts file, the approved-contributions file."""

from __future__ import annotations

import os
import stat

import pytest

from lab_app.core import locks
from lab_app.core.settings import Settings
from lab_app.material.backup import backup
from lab_app.material.uploads import save_upload
from lab_app.opinions import participation
from lab_app.people.accounts import ensure_demo_accounts
from lab_app.workspace import Workspace


@pytest.fixture
def shared_umask():
    """A process that would make files readable by everyone (the usual 022)."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def _open_to_others(*roots) -> list[str]:
    found = []
    for root in roots:
        for path in [root, *root.rglob("*")]:
            mode = stat.S_IMODE(path.lstat().st_mode)
            if not path.is_symlink() and mode & 0o077:
                found.append(f"{path.relative_to(root.parent)} {mode:o}")
    return found


def test_everything_the_workspace_makes_is_owner_only(tmp_path, shared_umask):
    home, out = tmp_path / "ws", tmp_path / "out"
    workspace = Workspace(Settings.from_env(home=home))
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n\nThe Thursday group met in the library after work.\n")
    assert workspace.ingest_file(notes, workspace.ingest_options()).status == "ingested"
    outcome = workspace.ingest_upload("minutes.txt", b"The group asked for a quieter room.\n")
    assert outcome.status == "ingested"
    engine = workspace.store.engine
    pending = participation.submit_contribution(engine, "pat", "Evening groups help me a lot.")
    participation.approve(workspace, pending, "staff-a")
    with locks.held(engine, "a-test-lock"):
        pass
    ensure_demo_accounts(engine, home)
    workspace.export_extracts(out / "extracts.csv")
    backup(workspace, out / "lab.qlab.zip")
    os.umask(0o022)  # even so, a staged upload is written owner-only
    staged = save_upload(home, "survey.csv", b"id,comment\n1,More evening groups\n", 1)

    made = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")}
    assert {
        "ws/store.sqlite3",
        "ws/chroma/chroma.sqlite3",
        "ws/store.sqlite3.a-test-lock.lock",
        "ws/demo-accounts.txt",
        "ws/app-contributions/contributions.json",
        "out/extracts.csv",
        "out/lab.qlab.zip",
        staged.path.relative_to(tmp_path).as_posix(),
    } <= made
    assert _open_to_others(home, out) == []


def test_an_older_workspace_is_closed_when_opened_again(tmp_path, shared_umask):
    home = tmp_path / "old"
    Workspace(Settings.from_env(home=home)).store.engine.dispose()
    # As an earlier version left it: folder 0755, files 0644, an export folder 0755.
    home.chmod(0o755)
    for path in home.iterdir():
        path.chmod(0o755 if path.is_dir() else 0o644)
    (home / "exports").mkdir(mode=0o755)
    (home / "exports").chmod(0o755)
    Workspace(Settings.from_env(home=home))
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert [p.name for p in home.iterdir() if stat.S_IMODE(p.stat().st_mode) & 0o077] == []
