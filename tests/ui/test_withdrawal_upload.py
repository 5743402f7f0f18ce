"""Withdrawal holds through an app upload: the survey exported again with one more respondent,
uploaded on the Sources page (stored under a hash-prefixed name), leaves the withdrawn
respondent out."""

from __future__ import annotations

import re

from sqlalchemy import select

from lab_app.core.schema import extracts
from lab_app.core.settings import Settings
from lab_app.people import withdrawal
from lab_app.workspace import Workspace
from tests.people.test_withdrawal_across_exports import (
    DEMO_PERSON,
    NEW_ANSWER,
    RESPONDENT_ID,
    longer_export,
)


def test_an_uploaded_longer_export_leaves_the_withdrawn_respondent_out(
    open_page, app_home, tmp_path
):
    workspace = Workspace(Settings.from_env(home=app_home))
    withdrawal.withdraw(workspace, DEMO_PERSON, who="test-staff", rebuild_themes=False)
    export = longer_export(tmp_path, "peer-support-survey.csv")  # the same name, new bytes

    at = open_page("sources")
    at.file_uploader(key="sources-upload").set_value((export.name, export.read_bytes(), "text/csv"))
    at.run()
    at.button(key="sources-ingest").click()
    at.run()
    assert not at.exception, at.exception
    (line,) = [re.sub(r"\\(.)", r"\1", s.value) for s in at.success]
    assert re.match(r"ingested uploads/[0-9a-f]{12}-peer-support-survey\.csv: \d+ extracts", line)
    captions = [re.sub(r"\\(.)", r"\1", c.value) for c in at.caption]
    assert "3 extracts left out: their authors withdrew" in captions  # their three answers

    query = select(extracts.c.person, extracts.c.text, extracts.c.meta)
    with workspace.store.engine.connect() as conn:
        rows = list(conn.execute(query.where(extracts.c.kind == "survey")))
    assert not [r for r in rows if r.person.endswith(f"/{RESPONDENT_ID}")]
    assert [r.person.split("-", 1)[1] for r in rows if r.text == NEW_ANSWER] == [
        "peer-support-survey/12987650431"
    ]
