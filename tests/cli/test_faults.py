"""Faults as a Lab meets them, each answered in one line that names the thing and what to do,
never a traceback and never the Lab's material: a damaged index, an index behind the store, a
damaged backup, and file names that would move or hide text when printed."""

from __future__ import annotations

import zipfile

import pytest

from lab_app.cli.qlab import main
from lab_app.core.settings import Settings
from lab_app.material.backup import table_rows
from lab_app.material.index import close_embedded
from lab_app.workspace import Workspace

NOTES = {
    "evening-groups.md": "# Evening groups\n\nThe evening group met after work, and people "
    "who worked days could come at last.\n",
    "transport.md": "# Transport\n\nThe bus from the villages stopped at six, so the rural "
    "members could never stay for the whole session.\n",
    "peer-workers.txt": "Peer workers said supervision kept them well: someone to talk to "
    "after a hard conversation with a person in crisis.\n",
}


def _one_line_each(text: str) -> list[str]:
    lines = [line for line in text.splitlines() if line.strip()]
    assert not any("Traceback" in line for line in lines), text
    return lines


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A small workspace holding three notes, no process holding its index open."""
    monkeypatch.chdir(tmp_path)  # sources are named relative to it: notes/transport.md
    folder = tmp_path / "notes"
    folder.mkdir()
    for name, body in NOTES.items():
        (folder / name).write_text(body, encoding="utf-8")
    home = tmp_path / "home"
    assert main(["--home", str(home), "ingest", str(folder)]) == 0
    # As for the next `qlab` process: nothing of this one's index stays cached.
    close_embedded(home / "chroma")
    return home


def test_a_damaged_index_gives_one_line_and_reindex_rebuilds_it(home, capsys):
    capsys.readouterr()
    index_file = home / "chroma" / "chroma.sqlite3"
    with index_file.open("r+b") as handle:  # a crash or a bad disk block in its header
        handle.write(b"not a database any more " * 40)

    assert main(["--home", str(home), "status"]) == 0  # the store's part still shows
    out = capsys.readouterr().out
    assert "extracts  3" in out
    assert "index     the index in" in out and "run `qlab reindex`" in out

    for command, code in ((["check"], 1), (["search", "evening group"], 1)):
        assert main(["--home", str(home), *command]) == code
        captured = capsys.readouterr()
        lines = _one_line_each(captured.out + captured.err)
        assert lines[-1].endswith("run `qlab reindex` to rebuild it from the store"), lines

    assert main(["--home", str(home), "reindex"]) == 0
    assert capsys.readouterr().out.strip() == "reindexed 3 extracts"
    assert main(["--home", str(home), "check"]) == 0
    assert main(["--home", str(home), "search", "evening group", "-k", "1"]) == 0
    assert "evening group met after work" in capsys.readouterr().out


def test_search_says_when_the_index_is_behind_the_store(home, capsys):
    workspace = Workspace(Settings.from_env(home=home))
    workspace.index.delete_source("notes/transport.md")  # as an interrupted ingest leaves it
    capsys.readouterr()
    assert main(["--home", str(home), "search", "the bus from the villages", "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.err.strip() == (
        "qlab: warning: the index holds 2 of 3 extracts, so results may be missing: "
        "wait for an ingest to finish, or run `qlab reindex`"
    )
    assert "villages" not in captured.out  # the answer really is missing, and now it is said
    assert main(["--home", str(home), "reindex"]) == 0
    capsys.readouterr()
    assert main(["--home", str(home), "search", "the bus from the villages", "-k", "1"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "villages" in captured.out


def test_a_backup_with_a_bad_crc_is_refused_in_one_line_and_nothing_changes(home, tmp_path, capsys):
    archive = tmp_path / "lab.qlab.zip"
    assert main(["--home", str(home), "backup", str(archive)]) == 0
    with zipfile.ZipFile(archive) as good:
        member = good.getinfo("tables/extracts.jsonl")
    data = bytearray(archive.read_bytes())
    middle = member.header_offset + 30 + len(member.filename) + member.compress_size // 2
    data[middle] ^= 0xFF  # one flipped byte inside the compressed table
    archive.write_bytes(bytes(data))
    before = table_rows(Workspace(Settings.from_env(home=home)).store.engine)
    capsys.readouterr()

    assert main(["--home", str(home), "restore", "--replace", str(archive)]) == 1
    captured = capsys.readouterr()
    (line,) = _one_line_each(captured.out + captured.err)
    assert line == (
        f"qlab: error: the backup {archive} is damaged (tables/extracts.jsonl does not read "
        "back as written): restore from another copy of it"
    )
    workspace = Workspace(Settings.from_env(home=home))
    assert table_rows(workspace.store.engine) == before and workspace.check().ok


def test_file_names_with_line_breaks_and_rtl_overrides_print_escaped(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "two\nlines.md").write_text("# Two\n\nA note about the Thursday group.\n")
    (folder / "invoice\u202etxt.md").write_text("# Three\n\nA note about the bus times.\n")
    (folder / "letter\u202e.rtf").write_text("{\\rtf1 refused}")
    home = tmp_path / "home"
    assert main(["--home", str(home), "ingest", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "\u202e" not in out
    lines = out.splitlines()
    assert lines[:3] == [
        "ingested odd/invoice\\u202etxt.md: 1 extracts",
        "refused odd/letter\\u202e.rtf: RTF is not supported: save it as .docx or .txt",
        "ingested odd/two\\nlines.md: 1 extracts",
    ]
    assert lines[3].startswith("3 files: 2 ingested")
    assert main(["--home", str(home), "search", "Thursday group", "-k", "1"]) == 0
    assert "odd/two\\nlines.md" in capsys.readouterr().out
