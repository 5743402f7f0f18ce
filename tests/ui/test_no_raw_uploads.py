"""Uploads keep no raw copy: after files holding e-mails, phone numbers, NHS numbers and a
secret link are uploaded (on the Sources page and through the workspace) and a person
withdraws, no byte under the workspace folder or inside a backup holds any of them."""

from __future__ import annotations

import json
import os
import stat
import zipfile

from lab_app.core.settings import Settings
from lab_app.material import uploads
from lab_app.material.backup import backup, restore, table_rows
from lab_app.people import withdrawal
from lab_app.workspace import Workspace

IDENTIFIERS = [
    b"sam.okafor@example.net",
    b"07700 900982",
    b"020 7946 0321",
    b"943 476 5900",  # a valid NHS number (modulus 11)
    b"s3cr3tT0ken4471",  # the secret in a link
]
SURVEY = (
    b"Response ID,Team,Submitted,What helped you most?\n"
    b"R1,North,2026-03-01,Email me at sam.okafor@example.net or ring 07700 900982 about it\n"
    b"R2,South,2026-03-02,My NHS number is 943 476 5900 and the group still knew my name\n"
    b'R3,North,2026-03-03,"The nurse sent https://portal.example.org/reset?token=s3cr3tT0ken4471 '
    b'and I rang 020 7946 0321, then found the peer group"\n'
    b"R4,South,2026-03-04,A peer worker who called me before the first session\n"
)
NOTES = (
    b"# Outreach notes\n\nCall the organiser on 020 7946 0321 or write to "
    b"sam.okafor@example.net; the booking link is "
    b"https://portal.example.org/reset?token=s3cr3tT0ken4471 for the evening group.\n"
)


def _found_in_workspace(home) -> list[str]:
    hits = []
    for path in sorted(home.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            hits += [f"{path.relative_to(home)}: {i.decode()}" for i in IDENTIFIERS if i in data]
    return hits


def _found_in_backup(archive) -> list[str]:
    with zipfile.ZipFile(archive) as opened:
        return [
            f"{name}: {i.decode()}"
            for name in opened.namelist()
            for i in IDENTIFIERS
            if i in opened.read(name)
        ]


def test_uploads_leave_no_identifier_in_the_workspace_or_a_later_backup(
    open_page, app_home, tmp_path
):
    at = open_page("sources")
    at.file_uploader(key="sources-upload").set_value(("team-survey.csv", SURVEY, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    (waiting,) = uploads.uploads_dir(app_home).iterdir()  # staged for the mapping step only
    assert waiting.read_bytes() == SURVEY and stat.S_IMODE(waiting.stat().st_mode) == 0o600
    at.button(key="sources-ingest").click()
    at.run()
    assert not at.exception, at.exception
    assert [a.value.startswith("ingested uploads") for a in at.success] == [True]
    assert list(uploads.uploads_dir(app_home).iterdir()) == []  # read once, then gone

    workspace = Workspace(Settings.from_env(home=app_home))
    assert workspace.ingest_upload("outreach-notes.md", NOTES).status == "ingested"
    assert list(uploads.uploads_dir(app_home).iterdir()) == []
    # Another file waits for Ingest when R1 withdraws: it may hold them, so it goes too.
    uploads.save_upload(app_home, "second-wave.csv", SURVEY + b"R5,North,,More,safe\n", 10)
    person = next(
        row["person"]
        for row in workspace.store.export_rows()[1]
        if row["person"] and row["person"].endswith("-team-survey/R1")
    )
    withdrawal.withdraw(workspace, person, who="staff-a")
    assert list(uploads.uploads_dir(app_home).iterdir()) == []

    archive = tmp_path / "after-withdrawal.qlab.zip"
    backup(workspace, archive)
    assert _found_in_workspace(app_home) == []
    assert _found_in_backup(archive) == []
    stored = " ".join(row["text"] for row in workspace.store.export_rows()[1])
    assert "[EMAIL]" in stored and "[NHS_NUMBER]" in stored and "[URL]" in stored


def test_raw_copies_from_earlier_versions_are_swept_and_not_restored(tmp_path):
    # A workspace an earlier version used: the upload kept byte for byte and ingested from
    # there, and every backup holding that copy.
    home = tmp_path / "old"
    workspace = Workspace(Settings.from_env(home=home))
    kept = uploads.uploads_dir(home) / "0123456789ab-team-survey.csv"
    kept.parent.mkdir()
    kept.write_bytes(SURVEY)
    workspace.ingest_file(kept, workspace.ingest_options(), root=home)
    archive = tmp_path / "now.qlab.zip"
    backup(workspace, archive)
    legacy = tmp_path / "legacy.qlab.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(legacy, "w") as target:
        manifest = json.loads(source.read("manifest.json"))
        assert manifest["files"] == []  # no upload in a backup now
        for name in source.namelist():
            if name != "manifest.json":
                target.writestr(name, source.read(name))
        target.writestr(f"files/uploads/{kept.name}", SURVEY)
        manifest["files"] = [f"uploads/{kept.name}"]
        target.writestr("manifest.json", json.dumps(manifest))

    # Untouched for two hours by the file system's clock: no page is mapping it.
    old = kept.stat().st_mtime - 2 * uploads.STALE_SECONDS
    os.utime(kept, (old, old))
    Workspace(Settings.from_env(home=home))  # opening the workspace sweeps it
    assert not kept.exists()

    fresh = Workspace(Settings.from_env(home=tmp_path / "restored"))
    restore(fresh, legacy)
    assert not uploads.uploads_dir(fresh.settings.home).exists()
    restored = table_rows(fresh.store.engine)["sources"]
    assert [row["path"] for row in restored] == [f"uploads/{kept.name}"]
    assert _found_in_workspace(fresh.settings.home) == []
