"""Privacy promises kept in every view (no account name by a quote, user text never Markdown
structure, exports audited under the person who clicked, new accounts are participants) and
time views that stay on the Lab's year when a 2019 survey joins the demo Lab."""

from __future__ import annotations

import json
from datetime import date

import pytest
from markdown_it import MarkdownIt

from lab_app.cli.qlab import main
from lab_app.core import audit as audit_log
from lab_app.core.settings import Settings
from lab_app.opinions import participation
from lab_app.people import accounts
from lab_app.ui.components import safe_markdown, user_markdown
from lab_app.workspace import Workspace
from tests.ui.conftest import TEST_ACCOUNTS

HOSTILE = [
    "Not a heading\n===",
    "Not a heading either\n---",
    "    not code\n\tnor this",
    "1. not\n2. a list",
    "- nor\n* this\n+ one",
    "| not | a |\n|---|---|\n| table | row |",
    "<b>not bold</b> <script>alert(1)</script>",
    "[not a link](http://evil.example) ![nor an image](x.png) www.evil.example",
    "> not a quote\n# not a heading\n```\nnot a fence\n```",
    "***\nnot a rule above, **not bold**, _not em_, ~~not struck~~, $x$ :red[not red]",
]
BLOCKS = ("<h1", "<h2", "<h3", "<ul", "<ol", "<li", "<table", "<pre", "<code", "<hr", "<a ",
          "<img", "<em", "<strong", "<s>", "<script", "<b>")  # fmt: skip


@pytest.fixture
def ws(app_home):
    return Workspace(Settings.from_env(home=app_home))


def _texts(at) -> str:
    """What the page's main area says (the sidebar names the reader, to the reader)."""
    parts = []
    for kind in ("markdown", "caption", "info", "error", "warning", "success"):
        parts.extend(str(element.value) for element in getattr(at.main, kind))
    return "\n".join(parts)


@pytest.mark.parametrize("text", HOSTILE)
def test_user_text_never_becomes_markdown_structure(text):
    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    for shown in (user_markdown(text), user_markdown(text, quote=True), safe_markdown(text)):
        html = parser.render(shown)
        assert not [tag for tag in BLOCKS if tag in html], (text, html)
        # Every word the person typed is still there to read.
        for word in ("not", "heading", "table", "list", "code"):
            if word in text:
                assert word in html


def test_no_account_name_is_shown_beside_a_quote_on_the_overview(open_page, ws):
    engine = ws.store.engine
    name = TEST_ACCOUNTS["participant"]
    pending = participation.submit_contribution(engine, name, "Evening groups would help me.")
    participation.approve(ws, pending, TEST_ACCOUNTS["staff"])
    for role in ("participant", "staff"):
        at = open_page(role=role)  # the Overview
        assert not at.exception, at.exception
        shown = _texts(at)
        assert "Evening groups would help me" in shown.replace("\\", "")
        assert name not in shown.replace("\\", ""), f"{role}: an account name by a quote"


def test_an_essay_export_is_audited_under_the_person_who_clicked(open_page, ws):
    from lab_app.essays.draft import draft_essay
    from lab_app.essays.material import active_themes

    themes = [t["id"] for t in active_themes(ws.store.engine)[:1]]
    draft_essay(ws, TEST_ACCOUNTS["staff"], theme_ids=themes, length="short")
    at = open_page("essays", timeout=120)
    at.button(key="essay-prepare").click().run()
    assert not at.exception, at.exception
    [line] = audit_log.read(ws.store.engine, action="essay.export")
    assert line["who"] == TEST_ACCOUNTS["staff"]


def test_the_people_page_adds_a_participant_unless_staff_choose(open_page, ws):
    at = open_page("people")
    at.text_input(key="people-add-name").input("new-person")
    at.button(key="people-add-submit").click().run()
    assert not at.exception, at.exception
    assert accounts.get_user(ws.store.engine, "new-person")["role"] == "participant"


# --- time views ------------------------------------------------------------------------------

SURVEY_2019 = "respondent_id,date,region,What would help you find a peer group?\n" + "".join(
    f"r{n},2019-0{1 + n % 6}-1{n % 9},Wales,A group near my work in the evening {n}\n"
    for n in range(12)
)


@pytest.fixture
def with_2019_survey(app_home, tmp_path):
    survey = tmp_path / "survey-2019.csv"
    survey.write_text(SURVEY_2019, encoding="utf-8")
    assert main(["--home", str(app_home), "ingest", str(survey)]) == 0
    return app_home


def _chart(at, key: str) -> dict:
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        if key in element.proto.id:
            return spec
    raise AssertionError(f"no chart {key}")


def test_a_2019_survey_leaves_the_overview_on_the_labs_year(open_page, with_2019_survey):
    at = open_page()
    assert not at.exception, at.exception
    monthly = next(
        json.loads(c.proto.spec) for c in at.get("plotly_chart")
        if "Extracts per month" in json.loads(c.proto.spec)["layout"]["title"]["text"]
    )  # fmt: skip
    months = {m for trace in monthly["data"] for m in trace["x"]}
    assert months and min(months) >= "2025-12" and max(months) <= "2026-11"
    note = " ".join(c.value for c in at.caption)
    assert "12 dated before 01 Dec 2025 (prior evidence)" in note
    at.date_input(key="overview-dates").set_value((date(2019, 1, 10), date(2026, 11, 30))).run()
    monthly = next(
        json.loads(c.proto.spec) for c in at.get("plotly_chart")
        if "Extracts per month" in json.loads(c.proto.spec)["layout"]["title"]["text"]
    )  # fmt: skip
    assert min(m for trace in monthly["data"] for m in trace["x"]) == "2019-01"


def test_a_2019_survey_leaves_the_timeline_on_the_labs_year(open_page, with_2019_survey):
    at = open_page("timeline")
    assert not at.exception, at.exception
    themes = _chart(at, "timeline-themes-chart")
    assert themes["layout"]["xaxis"]["range"] == ["2025-12-01", "2026-11-30"]
    activity = _chart(at, "timeline-activity-chart")
    phases = [x.replace("<br>", " ") for x in activity["data"][0]["x"]]  # names wrap to fit
    assert phases[0] == "Prior evidence (before 1 Dec 2025)"
    assert "before" not in phases and "Discover" in phases
