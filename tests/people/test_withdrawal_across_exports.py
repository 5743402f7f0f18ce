"""Withdrawal holds when the same people arrive in another file: a renamed, longer export of
the survey through `qlab ingest`, the same respondent already stored from another export, and
withdrawals recorded the old way (by "<file stem>/<id>" only). The app upload is in
tests/ui/test_withdrawal_upload.py."""

from __future__ import annotations

import csv

from sqlalchemy import delete, select, update

from lab_app.cli.qlab import main
from lab_app.core.schema import audit, extracts
from lab_app.people import identity, withdrawal
from lab_app.workspace import Workspace
from tests.corpus.truth import TRUTH

RESPONDENT_ID = TRUTH["survey"]["withdrawing_respondent"]  # a SurveyMonkey id: 11 digits
DEMO_SURVEY = TRUTH["survey"]["file"]
DEMO_PERSON = f"{DEMO_SURVEY.rsplit('/', 1)[-1].rsplit('.', 1)[0]}/{RESPONDENT_ID}"
NEW_ANSWER = "A text from my GP surgery telling me the peer group existed, with its times."
TEAM_HEADER = "Response ID,Team,Submitted,What helped you most?\n"
TEAM_ROWS = (
    "R1,North,2026-03-01,Meeting people who had been through the same thing\n"
    "R2,South,2026-03-02,Having a group that met in the evening after work\n"
    "R3,North,2026-03-03,A peer worker who called me before the first session\n"
)
R2_WORDS = "Having a group that met in the evening after work"


def longer_export(tmp_path, name: str):
    """The demo survey exported again under another name, with one more respondent."""
    from lab_app.demo import demo_dir

    with (demo_dir() / DEMO_SURVEY).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    question = rows[0].index("What helped you, or would help you, decide to use peer support?")
    extra = ["12987650431", *rows[-1][1:]]
    extra[question] = NEW_ANSWER
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([*rows, extra])
    return path


def _rows(workspace, **where) -> list:
    query = select(extracts.c.person, extracts.c.text, extracts.c.meta)
    for column, value in where.items():
        query = query.where(getattr(extracts.c, column) == value)
    with workspace.store.engine.connect() as conn:
        return list(conn.execute(query))


def _make_old_style(workspace) -> None:
    """Leave the trail as earlier versions wrote it: the name's hash, no further keys."""
    with workspace.store.engine.begin() as conn:
        conn.execute(delete(audit).where(audit.c.action == identity.KEYS_ACTION))
        conn.execute(
            update(audit).where(audit.c.action == withdrawal.ACTION).values(detail={"extracts": 1})
        )


def _keys_recorded(workspace) -> int:
    with workspace.store.engine.connect() as conn:
        query = select(audit.c.id).where(audit.c.action == identity.KEYS_ACTION)
        return len(conn.execute(query).all())


def test_a_renamed_longer_export_through_the_cli_leaves_them_out(
    demo_workspace, tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    home = str(demo_workspace.settings.home)
    assert _rows(demo_workspace, person=DEMO_PERSON)  # their answers, before they withdraw
    assert main(["--home", home, "people", "withdraw", DEMO_PERSON]) == 0
    export = longer_export(tmp_path, "Peer support survey (export 12 April).csv")
    capsys.readouterr()
    assert main(["--home", home, "ingest", str(export)]) == 0
    assert capsys.readouterr().out.startswith(f"ingested {export.name}: ")
    again = _rows(demo_workspace, kind="survey")
    assert not [r for r in again if r.person and r.person.endswith(f"/{RESPONDENT_ID}")]
    new = [r.person for r in again if r.text == NEW_ANSWER]  # the new respondent came in
    assert new == ["Peer support survey (export 12 April)/12987650431"]


def test_an_old_style_withdrawal_is_recognised_and_upgraded(demo_workspace, tmp_path):
    withdrawal.withdraw(demo_workspace, DEMO_PERSON, who="staff-a", rebuild_themes=False)
    _make_old_style(demo_workspace)
    assert _keys_recorded(demo_workspace) == 0
    # Renamed: the old key "<old stem>/<id>" is tried under the stems ingested before.
    export = longer_export(tmp_path, "survey-reexport.csv")
    outcome = demo_workspace.ingest_file(export, demo_workspace.ingest_options(), tmp_path)
    assert outcome.status == "ingested"
    assert any("withdrew" in warning for warning in outcome.warnings)
    survey = _rows(demo_workspace, kind="survey")
    assert not [r for r in survey if r.person.endswith(f"/{RESPONDENT_ID}")]
    assert _keys_recorded(demo_workspace) == 2  # survey+id, and the distinctive id alone


def _team(workspace, tmp_path, name: str, rows: str = TEAM_ROWS, header: str = TEAM_HEADER):
    path = tmp_path / name
    path.write_text(header + rows, encoding="utf-8")
    outcome = workspace.ingest_file(path, workspace.ingest_options(), root=tmp_path)
    assert outcome.status == "ingested", outcome.reason
    return outcome


def test_short_ids_old_style_match_by_name_then_by_survey(workspace: Workspace, tmp_path):
    _team(workspace, tmp_path, "team-survey.csv")
    withdrawal.withdraw(workspace, "team-survey/R2", who="staff-a", rebuild_themes=False)
    _make_old_style(workspace)
    # The same file name again, one row longer: the old key still matches, and upgrades.
    more = TEAM_ROWS + "R4,South,2026-03-04,Knowing I could just listen at first\n"
    _team(workspace, tmp_path, "team-survey.csv", more)
    assert _keys_recorded(workspace) == 1
    # Renamed and longer still: now recognised by the survey's header and the id.
    _team(workspace, tmp_path, "team-survey-may.csv", more + "R5,North,2026-03-05,Tea\n")
    assert not [r for r in _rows(workspace) if r.text == R2_WORDS]
    assert "team-survey-may/R5" in {r.person for r in _rows(workspace)}


def test_the_same_respondent_stored_from_two_exports_is_withdrawn_from_both(
    workspace: Workspace, tmp_path
):
    _team(workspace, tmp_path, "team-survey.csv")
    _team(workspace, tmp_path, "team-survey-export-2.csv", TEAM_ROWS + "R4,South,,Tea\n")
    assert len([r for r in _rows(workspace) if r.text == R2_WORDS]) == 2
    report = withdrawal.withdraw(workspace, "team-survey/R2", who="staff-a")
    assert report.extracts == 2
    assert not [r for r in _rows(workspace) if r.text == R2_WORDS]
    assert len(_rows(workspace)) == 2 * 3 + 1 - 2


def test_other_surveys_keep_their_own_r2(workspace: Workspace, tmp_path):
    _team(workspace, tmp_path, "team-survey.csv")
    withdrawal.withdraw(workspace, "team-survey/R2", who="staff-a", rebuild_themes=False)
    # Another survey: other questions, so R2 there is someone else.
    other = "Response ID,Team,Submitted,What would you change?\n"
    _team(workspace, tmp_path, "autumn.csv", TEAM_ROWS, header=other)
    # The same template run again later: same questions, ids from R1 again, other dates.
    later = TEAM_ROWS.replace("2026-03-0", "2026-10-1")
    _team(workspace, tmp_path, "team-survey-october.csv", later)
    people = {r.person for r in _rows(workspace) if r.text == R2_WORDS}
    assert people == {"autumn/R2", "team-survey-october/R2"}
