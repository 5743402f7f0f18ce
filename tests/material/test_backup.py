"""Backup and restore round-trip to an identical workspace; bad backups are refused."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from lab_app.cli.qlab import main
from lab_app.core.settings import Settings
from lab_app.material.backup import backup, restore, table_rows
from lab_app.material.consent import set_consent
from lab_app.material.uploads import save_upload
from lab_app.opinions import participation
from lab_app.people import accounts
from lab_app.people import sessions as browser_sessions
from lab_app.workspace import Workspace


def _index_contents(ws) -> dict:
    got = ws.index.collection.get(include=["embeddings", "metadatas"])
    return {
        extract_id: (np.asarray(vector, dtype=np.float32), meta)
        for extract_id, vector, meta in zip(
            got["ids"], got["embeddings"], got["metadatas"], strict=True
        )
    }


def _files(home) -> dict:
    return {
        p.relative_to(home).as_posix(): p.read_bytes()
        for folder in ("uploads", "app-contributions")
        for p in sorted((home / folder).rglob("*"))
        if p.is_file()
    }


def test_backup_then_restore_gives_an_identical_workspace(demo_workspace, tmp_path):
    ws = demo_workspace
    engine = ws.store.engine
    accounts.add_user(engine, "staff-a", "staff")
    set_consent(engine, "person", "someone", "staff-a", show_to_participants=False)
    pending_id = participation.submit_contribution(engine, "pat", "Evening groups help me a lot.")
    participation.approve(ws, pending_id, "staff-a")
    participation.vote(engine, "pat", next(iter(ws.store.extract_ids())), 1)
    save_upload(ws.settings.home, "notes.txt", b"Uploaded notes about peer support.", 10)
    browser_sessions.start(engine, "staff-a")
    archive = tmp_path / "lab.qlab.zip"
    assert main(["--home", str(ws.settings.home), "backup", str(archive)]) == 0
    before = table_rows(engine)
    assert before.pop("browser_sessions")  # signed-in browsers are not saved: see below

    fresh = tmp_path / "restored"
    assert main(["--home", str(fresh), "restore", str(archive)]) == 0
    restored = Workspace(Settings.from_env(home=fresh))
    after = table_rows(restored.store.engine)
    last = after["audit"].pop()  # the restore itself is recorded, in the restored trail
    assert last["action"] == "workspace.restore"
    assert after.pop("browser_sessions") == []  # the restored workspace starts signed out
    assert after == before
    original_index, restored_index = _index_contents(ws), _index_contents(restored)
    assert original_index.keys() == restored_index.keys() and original_index
    for extract_id, (vector, meta) in original_index.items():
        assert np.allclose(vector, restored_index[extract_id][0], atol=1e-6)
        assert meta == restored_index[extract_id][1]
    # The workspace's own files come back; a staged upload never goes into a backup.
    kept = _files(ws.settings.home)
    assert any(name.startswith("uploads/") for name in kept)
    assert _files(fresh) == {k: v for k, v in kept.items() if not k.startswith("uploads/")}
    assert _files(fresh)
    assert restored.check().ok
    # The restored workspace works: search finds the approved contribution.
    hits = restored.search("evening groups help", k=3)
    assert any("Evening groups help me" in h["text"] for h in hits)


def test_restore_refuses_a_workspace_that_holds_data(demo_workspace, tmp_path):
    archive = tmp_path / "lab.zip"
    backup(demo_workspace, archive)
    with pytest.raises(ValueError, match="already holds data"):
        restore(demo_workspace, archive)


def test_restore_refuses_files_that_are_not_backups(workspace, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ValueError, match="not a qlab backup"):
        restore(workspace, text)
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ValueError, match="not a qlab backup"):
        restore(workspace, other)


def test_a_crafted_backup_cannot_write_outside_the_workspace(workspace, tmp_path):
    archive = tmp_path / "evil.zip"
    backup(workspace, tmp_path / "good.zip")
    with zipfile.ZipFile(tmp_path / "good.zip") as good, zipfile.ZipFile(archive, "w") as evil:
        manifest = json.loads(good.read("manifest.json"))
        for name in good.namelist():
            if name != "manifest.json":
                evil.writestr(name, good.read(name))
        manifest["files"] = ["uploads/../../escaped.txt"]
        evil.writestr("files/uploads/../../escaped.txt", "gotcha")
        evil.writestr("manifest.json", json.dumps(manifest))
    target = Workspace(Settings.from_env(home=tmp_path / "target"))
    with pytest.raises(ValueError, match="outside the workspace"):
        restore(target, archive)
    assert not (tmp_path / "escaped.txt").exists()
