"""Faults in the app, as in the CLI: file names that would move or hide text are shown escaped,
and a search over an index that is behind the store says so instead of looking complete."""

from __future__ import annotations

import re

from lab_app.core.settings import Settings
from lab_app.workspace import Workspace


def _plain(markdown: str) -> str:
    """Alert text as a person reads it: the pages escape user text for Markdown."""
    return re.sub(r"\\(.)", r"\1", markdown)


def test_names_with_rtl_overrides_and_line_breaks_are_shown_escaped(open_page, app_home, tmp_path):
    odd = tmp_path / "minutes\u202etxt.md"  # ingested by the CLI, named as the Lab's file is
    odd.write_text("# Minutes\n\nThe group agreed to meet on Thursdays.\n", encoding="utf-8")
    workspace = Workspace(Settings.from_env(home=app_home))
    assert workspace.ingest_file(odd, workspace.ingest_options(), root=tmp_path).status
    stored = "minutes\u202etxt.md"

    at = open_page("sources")
    at.file_uploader(key="sources-upload").set_value(
        [("letter\u202e.rtf", b"{\\rtf1 x}", "application/rtf"),
         ("two\nlines.rtf", b"{\\rtf1 y}", "application/rtf")]
    )  # fmt: skip
    at.run()
    assert not at.exception, at.exception
    warnings = [_plain(w.value) for w in at.warning]
    assert warnings == [
        "refused letter\\u202e.rtf: RTF is not supported: save it as .docx or .txt",
        "refused two\\nlines.rtf: RTF is not supported: save it as .docx or .txt",
    ]
    sources = next(d.value for d in at.dataframe if "path" in d.value.columns)
    listed = sources["path"].tolist()
    assert "minutes\\u202etxt.md" in listed and not any("\u202e" in p for p in listed)

    at.selectbox(key="sources-remove-choice").set_value(stored)
    at.checkbox(key="sources-remove-confirm").check()
    at.run()
    at.button(key="sources-remove").click()
    at.run()
    assert not at.exception, at.exception
    assert [_plain(s.value) for s in at.success] == ["removed minutes\\u202etxt.md"]
    assert workspace.store.source_by_path(stored) is None


def test_search_over_an_index_behind_the_store_says_so(open_page, app_home):
    workspace = Workspace(Settings.from_env(home=app_home))
    survey = next(r.path for r in workspace.store.list_sources() if r.kind == "survey")
    workspace.index.delete_source(survey)  # as an ingest still running elsewhere leaves it
    at = open_page("explore", role="participant")
    at.radio(key="explore-view").set_value("Search").run()
    at.text_input(key="explore-query").input("what stops people finding a peer group").run()
    assert not at.exception, at.exception
    (warning,) = [_plain(w.value) for w in at.warning]
    assert warning.startswith("Search may be missing results: the index holds ")
    assert "extracts, so results may be missing" in warning
