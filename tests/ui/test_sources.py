"""Sources page: upload, confirm survey columns, ingest with outcome lines, list and remove."""

from __future__ import annotations

import re
import time
import tracemalloc

from lab_app.core.settings import Settings
from lab_app.workspace import Workspace
from tests.hostile_workbooks import declaring

SURVEY = (
    b"Response ID,Team,Submitted,What helped you most?,One word for the group\n"
    b"R1,North,2026-03-01,Meeting people who had been through the same thing,welcoming\n"
    b"R2,South,2026-03-02,Having a group that met in the evening after work,safe\n"
    b"R3,North,2026-03-03,N/A,welcoming\n"
    b"R4,South,2026-03-04,A peer worker who called me before the first session,friendly\n"
    b"R5,North,2026-03-05,Knowing I could just listen for the first few weeks,safe\n"
    b"R6,South,2026-03-06,Being asked what I needed rather than told what to do,friendly\n"
)


def plain(markdown: str) -> str:
    """Alert text as a person reads it: the page escapes user text for Markdown."""
    return re.sub(r"\\(.)", r"\1", markdown)


def alerts(elements) -> list[str]:
    return [plain(element.value) for element in elements]


def listing(at):
    """The table of sources (the page may also show a table of non-answers by question)."""
    return next(frame.value for frame in at.dataframe if "path" in frame.value.columns)


def listed_paths(at) -> list[str]:
    return listing(at)["path"].tolist()


def test_survey_upload_mapping_ingest_and_listing(open_page, app_home):
    at = open_page("sources")
    at.file_uploader(key="sources-upload").set_value(("survey.csv", SURVEY, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    saved = list((app_home / "uploads").iterdir())
    assert len(saved) == 1 and saved[0].name.endswith("-survey.csv")

    mapping = at.data_editor(key="sources-mapping").value
    assert dict(zip(mapping["column"], mapping["role"], strict=True)) == {
        "Response ID": "id",
        "Team": "attribute",
        "Submitted": "date",
        "What helped you most?": "text",
        "One word for the group": "attribute",
    }
    assert "welcoming · safe · friendly" in mapping["examples"].tolist()
    quotes = [plain(m.value) for m in at.markdown if m.value.startswith(">")]
    assert quotes[0] == "> Meeting people who had been through the same thing"
    assert len(quotes) == 5

    # The one-word column becomes free text too: the edit AppTest applies via session state.
    row = mapping["column"].tolist().index("One word for the group")
    at.session_state["sources-mapping"] = {
        "edited_rows": {row: {"role": "text"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception, at.exception
    assert not at.warning  # nothing refused, no role the ingest would ignore

    at.button(key="sources-ingest").click()
    at.run()
    assert not at.exception, at.exception
    name = f"uploads/{saved[0].name}"
    # 5 answers + 6 words; R3's "N/A" is counted, not stored
    assert alerts(at.success) == [f"ingested {name}: 11 extracts (1 non-answer kept aside)"]
    assert at.get("progress") and at.get("progress")[0].value == 100
    assert name in listed_paths(at)
    sources = Workspace(Settings.from_env(home=app_home)).store.list_sources()
    assert {row.path: row.extract_count for row in sources}[name] == 11
    # Ingest read the staged file once and deleted it (docs/uploads.md); while the file stays
    # in the drop zone it is not staged again: the page says where the workspace holds it.
    assert list((app_home / "uploads").iterdir()) == []
    at.run()
    assert alerts(at.info) == [f"survey.csv is in the workspace already, as {name}"]
    assert list((app_home / "uploads").iterdir()) == []
    assert at.button(key="sources-ingest").disabled


def test_refused_file_says_why_and_others_still_ingest(open_page, app_home):
    at = open_page("sources")
    at.file_uploader(key="sources-upload").set_value(
        [
            ("letter.rtf", b"{\\rtf1 Hello}", "application/rtf"),
            ("notes.md", b"# Notes\n\nPeer groups met weekly in the library.\n", "text/markdown"),
            ("broken.xlsx", b"not really a workbook", "application/vnd.ms-excel"),
        ]
    )
    at.run()
    assert not at.exception, at.exception
    assert alerts(at.warning) == [
        "refused letter.rtf: RTF is not supported: save it as .docx or .txt"
    ]
    assert len(list((app_home / "uploads").iterdir())) == 2  # the .rtf is never written
    notes = [p.name for p in (app_home / "uploads").glob("*-notes.md")]

    at.button(key="sources-ingest").click()
    at.run()
    assert not at.exception, at.exception
    assert [line.split(":")[0] for line in alerts(at.success)] == [
        f"ingested uploads/{name}" for name in notes
    ]
    refused = [line for line in alerts(at.warning) if "broken.xlsx" in line]
    assert len(refused) == 1 and "not a readable .xlsx" in refused[0]


def test_removing_a_source_needs_confirmation(open_page, app_home):
    at = open_page("sources")
    before = listed_paths(at)
    victim = before[0]
    at.selectbox(key="sources-remove-choice").set_value(victim)
    at.run()
    assert at.button(key="sources-remove").disabled  # not until the box is ticked
    at.checkbox(key="sources-remove-confirm").check()
    at.run()
    at.button(key="sources-remove").click()
    at.run()
    assert not at.exception, at.exception
    assert alerts(at.success) == [f"removed {victim}"]
    assert listed_paths(at) == before[1:]
    assert at.checkbox(key="sources-remove-confirm").value is False
    store = Workspace(Settings.from_env(home=app_home)).store
    assert store.source_by_path(victim) is None


def test_a_workbook_bomb_is_refused_in_the_preview_fast_and_the_survey_still_ingests(
    open_page, app_home, tmp_path
):
    bomb = declaring(tmp_path / "bomb.xlsx", 2 * 1024**3).read_bytes()  # 5 KB declaring 2 GB
    at = open_page("sources")
    at.file_uploader(key="sources-upload").set_value(
        [("bomb.xlsx", bomb, "application/vnd.ms-excel"), ("survey.csv", SURVEY, "text/csv")]
    )
    tracemalloc.start()
    started = time.perf_counter()
    try:
        at.run()
        seconds, peak = time.perf_counter() - started, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not at.exception, at.exception
    assert seconds < 30 and peak < 200_000_000  # the whole page run: a few seconds, tens of MB
    # Only the survey gets a mapping step; the workbook is not unpacked to find its kind.
    shown = [plain(m.value) for m in at.markdown if m.value.startswith("**")]
    assert len(shown) == 1 and shown[0].endswith("-survey.csv**")
    assert any(c.value.startswith("1 non-answer kept aside: replies such as") for c in at.caption)
    at.button(key="sources-ingest").click()
    at.run()
    assert not at.exception, at.exception
    (refused,) = [line for line in alerts(at.warning) if "bomb.xlsx" in line]
    assert refused.endswith(
        "-bomb.xlsx: unpacks to 2,147 MB, over the 500 MB limit (QLAB_MAX_UNPACKED_MB): "
        "split the workbook or raise the limit"
    )
    (ingested,) = alerts(at.success)
    assert ingested.endswith("-survey.csv: 5 extracts (1 non-answer kept aside)")
    table = listing(at).set_index("path")
    survey_row = next(p for p in table.index if p.startswith("uploads/") and "-survey" in p)
    assert table.loc[survey_row, "non-answers"] == 1
    by_question = next(f.value for f in at.dataframe if "question" in f.value.columns)
    mine = by_question[by_question["source"] == survey_row]
    assert mine[["question", "declined", "blank"]].values.tolist() == [
        ["What helped you most?", 1, 0]
    ]
