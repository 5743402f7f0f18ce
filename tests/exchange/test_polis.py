"""Pol.is import and export on a real conversation: votes as the source has them, idempotent
imports, a lossless round trip, and refusals that say what to do."""

from __future__ import annotations

import csv
import json

import pytest
from sqlalchemy import func, select

from lab_app.cli.qlab import main
from lab_app.core.schema import extracts, sources, votes
from lab_app.core.settings import Settings
from lab_app.exchange import polis, polis_export
from lab_app.opinions.polis_input import MODERATED_OUT
from lab_app.workspace import Workspace


@pytest.fixture
def seattle(eval_path):
    return eval_path("polis", "15-per-hour-seattle")


def stored_votes(workspace, moderated_out: bool = False) -> dict[tuple[str, str], int]:
    """(participant, Pol.is comment id) -> value, read back through the extract ids; with
    moderated_out, the votes on comments left aside (kept so they count, never shown)."""
    comment_of = {}
    with workspace.store.engine.connect() as conn:
        for row in conn.execute(select(extracts.c.id, extracts.c.meta)):
            comment_of[row.id] = (row.meta or {}).get("id")
        rows = conn.execute(select(votes.c.participant, votes.c.statement, votes.c.value)).all()
    if moderated_out:
        return {
            (r.participant, r.statement.removeprefix(MODERATED_OUT)): r.value
            for r in rows
            if r.statement.startswith(MODERATED_OUT)
        }
    return {(r.participant, comment_of[r.statement]): r.value for r in rows if r.statement in
            comment_of}  # fmt: skip


def counts(workspace) -> tuple[int, int, int]:
    with workspace.store.engine.connect() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (sources, extracts, votes)
        )


def test_import_stores_moderated_in_comments_and_their_votes(workspace, seattle):
    source = polis.read_polis(seattle)
    summary = polis.import_polis(workspace, seattle)
    kept = {c["id"] for c in source.comments if c["moderated"] != -1}
    assert "moderated out" in summary
    with workspace.store.engine.connect() as conn:
        rows = conn.execute(select(extracts.c.kind, extracts.c.meta, extracts.c.person)).all()
    assert {r.meta["id"] for r in rows} == kept
    assert {r.kind for r in rows} == {"contribution"}
    expected = {(p, c): v for (p, c), v in source.votes.items() if c in kept}
    assert stored_votes(workspace) == expected
    # Votes on moderated-out comments are kept too: Pol.is counts them towards who is grouped.
    left_aside = {(p, c): v for (p, c), v in source.votes.items() if c not in kept}
    assert left_aside and stored_votes(workspace, moderated_out=True) == left_aside
    assert workspace.check().ok  # the comments are in the index too: searchable


def test_import_twice_changes_nothing(workspace, seattle):
    polis.import_polis(workspace, seattle)
    before_counts, before_votes = counts(workspace), stored_votes(workspace)
    again = polis.import_polis(workspace, seattle)
    assert "unchanged" in again and "0 new, 0 changed" in again
    assert counts(workspace) == before_counts
    assert stored_votes(workspace) == before_votes


def test_groups_json_prints_polis_participant_numbers(tmp_path, seattle, capsys):
    home = tmp_path / "cli-home"
    assert main(["--home", str(home), "import", "polis", str(seattle)]) == 0
    capsys.readouterr()
    assert main(["--home", str(home), "groups", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    source = polis.read_polis(seattle)
    people = data["participants"]
    assert people and {g["participant"] for g in people} <= set(source.participants)
    letters = [g["group"] for g in data["groups"]]
    assert letters == ["A", "B"][: data["k"]] and {g["group"] for g in people} == set(letters)
    sizes = [g["size"] for g in data["groups"]]
    assert sizes == sorted(sizes, reverse=True) and sum(sizes) == len(people)
    # What each group thinks, in the statements' own words, and what all groups share.
    texts = {c["text"] for c in source.comments if c["moderated"] != -1}
    texts = {" ".join(t.split()) for t in texts}
    for group in data["groups"]:
        assert group["representative"] and all(r["text"] in texts for r in group["representative"])
    shared = data["consensus"]["agree"] + data["consensus"]["disagree"]
    assert shared and all(min(c["shares"].values()) > 0.5 for c in shared)


def read_csv(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_export_round_trip_is_lossless(tmp_path, seattle):
    first = Workspace(Settings.from_env(home=tmp_path / "first"))
    polis.import_polis(first, seattle)
    out_one = tmp_path / "export-one"
    assert "statements" in polis_export.export_polis(first, out_one)
    second = Workspace(Settings.from_env(home=tmp_path / "second"))
    polis.import_polis(second, out_one)
    out_two = tmp_path / "export-two"
    polis_export.export_polis(second, out_two)
    for name in ("comments.csv", "participants-votes.csv", "votes.csv", "summary.csv"):
        assert read_csv(out_one / name) == read_csv(out_two / name), name
    assert stored_votes(first) == stored_votes(second)
    # What the export holds is what the source held, for the comments that were imported.
    source, exported = polis.read_polis(seattle), polis.read_polis(out_one)
    kept = {c["id"]: c for c in source.comments if c["moderated"] != -1}
    shown = {c["id"]: (c["author"], c["timestamp"]) for c in exported.comments if c["text"]}
    assert shown == {i: (c["author"], c["timestamp"]) for i, c in kept.items()}
    # Moderated-out comments go out without their words, with their votes: the same groups.
    assert not any(c["text"] for c in exported.comments if c["moderated"] == -1)
    assert exported.votes == source.votes
    assert exported.groups == {p: g for p, g in polis.read_polis(out_two).groups.items()}
    # The same conversation exported and imported back into the first workspace: no change.
    before = counts(first)
    assert "0 new, 0 changed" in polis.import_polis(first, out_one)
    assert counts(first) == before


def write_export(folder, url, comments, matrix):
    folder.mkdir(parents=True)
    with (folder / "comments.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(polis.COMMENT_COLUMNS)
        for cid, text, moderated in comments:
            writer.writerow([1700000000000 + int(cid), "", cid, 0, 0, 0, moderated, text])
    with (folder / "participants-votes.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(polis.PARTICIPANT_COLUMNS + [c[0] for c in comments])
        for pid, row in matrix.items():
            writer.writerow([pid, "", 0, 0, 0, 0] + row)
    (folder / "summary.csv").write_text(f"topic,Test\nurl,{url}\n", encoding="utf-8")


def test_identifiers_in_comments_are_redacted(workspace, tmp_path):
    folder = tmp_path / "small"
    comments = [("0", "Email me at someone@example.org about the group", "1"),
                ("1", "More evening groups please", "1"), ("2", "rude spam", "-1")]  # fmt: skip
    write_export(folder, "https://pol.is/small", comments, {"0": [1, -1, 1], "1": [-1, "", ""]})
    (folder / "summary.csv").write_text(
        "topic,Questions to host@example.org\nurl,https://pol.is/small\n", encoding="utf-8"
    )
    summary = polis.import_polis(workspace, folder)
    assert "1 moderated out" in summary
    with workspace.store.engine.connect() as conn:
        texts = list(conn.execute(select(extracts.c.text)).scalars())
    assert any("[EMAIL]" in t for t in texts) and not any("@example.org" in t for t in texts)
    kept = workspace.settings.home / polis.HOME_FOLDER  # the copy each re-ingest reads
    assert not any("@example.org" in f.read_text() for f in kept.rglob("*.json"))
    assert not any("spam" in t for t in texts)
    assert stored_votes(workspace) == {("0", "0"): 1, ("0", "1"): -1, ("1", "0"): -1}


def test_a_second_conversation_is_refused(workspace, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    write_export(one, "https://pol.is/one", [("0", "Groups in the evening", "1")], {"0": [1]})
    write_export(two, "https://pol.is/two", [("0", "Groups at weekends", "1")], {"0": [-1]})
    polis.import_polis(workspace, one)
    with pytest.raises(ValueError, match="already holds Pol.is conversation"):
        polis.import_polis(workspace, two)


def test_a_folder_that_is_not_an_export_is_refused(workspace, tmp_path):
    with pytest.raises(ValueError, match="not a Pol.is export"):
        polis.import_polis(workspace, tmp_path)


def test_cli_export_as_zip_reads_back_through_import(tmp_path, seattle):
    import zipfile

    home = tmp_path / "zip-home"
    assert main(["--home", str(home), "import", "polis", str(seattle)]) == 0
    archive = tmp_path / "conversation.zip"
    assert main(["--home", str(home), "export", "polis", "--out", str(archive)]) == 0
    with zipfile.ZipFile(archive) as bundle:
        names = set(bundle.namelist())
        bundle.extractall(tmp_path / "unzipped")
    assert {"conversation/comments.csv", "conversation/participants-votes.csv"} <= names
    back = Workspace(Settings.from_env(home=tmp_path / "back"))
    polis.import_polis(back, tmp_path / "unzipped" / "conversation")
    assert stored_votes(back) == stored_votes(Workspace(Settings.from_env(home=home)))


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def test_export_guards_formulas_and_reads_back_the_original_text(tmp_path):
    texts = ["=SUM(1,2) evening groups", "'Quoted already' said the group",
             "''Two apostrophes first", "-2+3 groups", "@SUM(1) groups", "Plain words"]  # fmt: skip
    folder = tmp_path / "formulas"
    comments = [(str(i), text, "1") for i, text in enumerate(texts)]
    votes_cast = {"0": [1, -1, 0, 1, -1, 1], "1": [-1, -1, 1, "", "", 1]}
    write_export(folder, "https://pol.is/formulas", comments, votes_cast)
    with (folder / "summary.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["topic", "=cmd() a topic"], ["url", "https://pol.is/f"]])
    first = Workspace(Settings.from_env(home=tmp_path / "first"))
    polis.import_polis(first, folder)
    out = tmp_path / "out"
    polis_export.export_polis(first, out)

    cells = [cell for path in sorted(out.glob("*.csv")) for row in read_csv(path) for cell in row]
    formulas = [c for c in cells if c.startswith(FORMULA_START)]
    assert all(c.lstrip("-").isdigit() for c in formulas), formulas  # only numbers, e.g. -1 votes
    assert ["qlab-guarded-cells", "apostrophe"] in read_csv(out / "summary.csv")
    body = [row[-1] for row in read_csv(out / "comments.csv")[1:]]
    assert "'=SUM(1,2) evening groups" in body and "'''Two apostrophes first" in body

    exported = polis.read_polis(out)  # the guard is taken off: the words as they were written
    assert [c["text"] for c in exported.comments] == texts
    assert exported.summary["topic"] == "=cmd() a topic"
    second = Workspace(Settings.from_env(home=tmp_path / "second"))
    polis.import_polis(second, out)
    with first.store.engine.connect() as one, second.store.engine.connect() as two:
        query = select(extracts.c.text).order_by(extracts.c.text)
        assert list(one.execute(query).scalars()) == list(two.execute(query).scalars())
    assert stored_votes(first) == stored_votes(second)
    polis_export.export_polis(second, tmp_path / "again")
    for name in ("comments.csv", "participants-votes.csv", "votes.csv", "summary.csv"):
        assert read_csv(out / name) == read_csv(tmp_path / "again" / name), name


def test_a_polis_export_of_its_own_is_read_exactly_as_written(tmp_path):
    """Only folders we exported carry the guard: Pol.is's own apostrophes are the author's."""
    folder = tmp_path / "theirs"
    write_export(folder, "https://pol.is/theirs", [("0", "'Tis the season for groups", "1")],
                 {"0": [1]})  # fmt: skip
    assert [c["text"] for c in polis.read_polis(folder).comments] == ["'Tis the season for groups"]


def test_tensions_follow_an_import_without_a_refresh(tmp_path, seattle, capsys):
    """`qlab import polis` computes the tensions: a bare `qlab tensions --json` lists the
    statements that split the groups, each titled by its words and the groups' letters."""
    home = tmp_path / "tension-home"
    assert main(["--home", str(home), "import", "polis", str(seattle)]) == 0
    capsys.readouterr()
    assert main(["--home", str(home), "tensions", "--json"]) == 0
    found = [r for r in json.loads(capsys.readouterr().out) if r["signal"] == "votes"]
    assert found
    assert main(["--home", str(home), "groups", "--json"]) == 0
    letters = {g["group"] for g in json.loads(capsys.readouterr().out)["groups"]}
    texts = {" ".join(c["text"].split()) for c in polis.read_polis(seattle).comments}
    for tension in found:
        quoted = tension["title"].split("“", 1)[1].rstrip("”")
        assert any(t.startswith(quoted.rstrip("…")) for t in texts), tension["title"]
        for side in tension["sides"]:
            assert set(side["groups"]) <= letters
            assert side["label"].startswith("group")
            assert side["label"].endswith(("agree", "agrees", "disagree", "disagrees"))
