"""Non-answers at ingest: counted per source and question, reported, stored with the source,
never stored as extracts (so never themed or found), and withdrawn people leave the counts."""

from __future__ import annotations

import csv
import json

from sqlalchemy import select

from lab_app.cli.qlab import main
from lab_app.core.schema import sources
from lab_app.material import set_aside, uploads
from lab_app.material.reads import theme_inputs
from lab_app.people import withdrawal

HELPED = "What helped you most?"
ELSE = "Anything else you would like to tell us?"
ROWS = [
    ("R1", "North", "Meeting people who had been through the same thing", "Nothing"),
    ("R2", "South", "Having a group that met in the evening after work", "n/a"),
    ("R3", "North", "N/A", "A peer worker who called me before the first session"),
    ("R4", "South", "Don't know", ""),
    ("R5", "North", "Knowing I could just listen for the first few weeks", "No thanks."),
    ("R6", "South", "No, the staff were lovely and I felt at home", "-"),
]
NON_ANSWERS = {"N/A", "Don't know", "Nothing", "n/a", "No thanks.", "-"}


def _survey(path, rows=ROWS):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Response ID", "Team", HELPED, ELSE])
        writer.writerows(rows)
    return path


def _ingest(workspace, path):
    options = workspace.ingest_options(text_cols=(HELPED, ELSE), id_col="Response ID")
    return list(workspace.ingest([path], options, root=path.parent))


def test_non_answers_are_counted_per_question_and_never_stored(workspace, tmp_path):
    (outcome,) = _ingest(workspace, _survey(tmp_path / "survey.csv"))
    assert (outcome.status, outcome.extracts) == ("ingested", 5)
    assert (outcome.non_answers, outcome.blank) == (6, 1)
    assert outcome.set_aside_note() == "6 non-answers and 1 blank answer kept aside"
    with workspace.store.engine.connect() as conn:
        meta = conn.execute(select(sources.c.meta)).scalar_one()
    assert meta[set_aside.META_KEY] == {
        HELPED: {"don't know": 1, "declined": 1},
        ELSE: {"blank": 1, "nothing": 1, "declined": 3},
    }
    # Not in the store, so neither in the index, nor among what themes are built from.
    names, rows = workspace.store.export_rows()
    texts = {row["text"] for row in rows}
    assert "No, the staff were lovely and I felt at home" in texts
    assert not texts & NON_ANSWERS
    assert not set(theme_inputs(workspace.store.engine)["texts"]) & NON_ANSWERS
    assert not {hit["text"] for hit in workspace.search("nothing, no thanks", k=10)} & NON_ANSWERS
    assert workspace.check().ok


def test_status_and_the_sources_table_report_the_counts(workspace, tmp_path):
    _ingest(workspace, _survey(tmp_path / "survey.csv"))
    status = workspace.status()
    assert status["non_answers"] == 6 and status["blank_answers"] == 1
    assert status["non_answers_by_type"] == {"nothing": 1, "don't know": 1, "declined": 4}
    listing = uploads.sources_table(workspace.store)
    assert listing.set_index("path").loc["survey.csv", "non-answers"] == 6
    by_question = {row["question"]: row for row in set_aside.question_rows(workspace.store.engine)}
    assert by_question[ELSE] == {
        "source": "survey.csv", "question": ELSE,
        "nothing": 1, "no": 0, "don't know": 0, "declined": 3, "blank": 1,
    }  # fmt: skip


def test_a_new_export_replaces_the_counts_and_a_removed_source_takes_them(workspace, tmp_path):
    path = _survey(tmp_path / "survey.csv")
    _ingest(workspace, path)
    _survey(path, ROWS + [("R7", "North", "Nothing", "Nothing really")])
    (outcome,) = _ingest(workspace, path)
    assert (outcome.status, outcome.non_answers) == ("ingested", 8)
    assert workspace.status()["non_answers"] == 8  # replaced, not added to the 6 before
    workspace.remove_source("survey.csv")
    assert workspace.status()["non_answers"] == 0


def test_a_withdrawn_persons_non_answers_leave_the_counts_when_read_again(workspace, tmp_path):
    path = _survey(tmp_path / "survey.csv")
    _ingest(workspace, path)
    withdrawal.withdraw(workspace, "survey/R1", who="staff-a", rebuild_themes=False)
    path.write_bytes(path.read_bytes() + b"\n")  # a re-export: the file is read again
    (outcome,) = _ingest(workspace, path)
    assert (outcome.extracts, outcome.non_answers) == (4, 5)  # R1's answer and "Nothing" gone
    assert workspace.status()["non_answers_by_type"].get("nothing", 0) == 0


def test_a_survey_of_only_non_answers_is_refused_saying_so(workspace, tmp_path):
    rows = [(f"R{n}", "North", "Nothing", "N/A") for n in range(1, 5)]
    (outcome,) = _ingest(workspace, _survey(tmp_path / "empty.csv", rows))
    assert outcome.status == "refused"
    assert outcome.reason.startswith("no answers to store: all 8 replies are blank or non-answers")


def test_the_cli_line_and_status_json_show_the_counts(workspace, tmp_path, capsys):
    home = str(workspace.settings.home)
    path = _survey(tmp_path / "survey.csv")
    code = main(["--home", home, "ingest", str(path), "--text-col", HELPED, "--text-col", ELSE])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert lines[0].endswith("survey.csv: 5 extracts (6 non-answers and 1 blank answer kept aside)")
    assert lines[-1].endswith("; 6 non-answers and 1 blank answer kept aside")
    assert main(["--home", home, "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert (status["non_answers"], status["blank_answers"]) == (6, 1)
    assert main(["--home", home, "status"]) == 0
    kept = "6 non-answers and 1 blank answer kept aside (4 declined, 1 don't know, 1 nothing)"
    assert f"survey    {kept}" in capsys.readouterr().out.splitlines()
