"""The Excel workbook: a sheet each for themes, extracts, the theme × attribute matrix, ideas and
tensions; frozen headers; formula-like text stays text."""

from __future__ import annotations

from openpyxl import load_workbook
from sqlalchemy import delete, insert

from lab_app import exchange
from lab_app.core.audit import now
from lab_app.core.schema import idea_links, ideas, tensions
from lab_app.material.consent import may_quote
from lab_app.themes.build import placements
from lab_app.themes.views import matrix_attributes

SHEETS = ["Themes", "Extracts", "Themes x attributes", "Ideas", "Tensions"]


def records(sheet) -> list[dict]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_workbook_of_the_demo_lab(themed, tmp_path):
    engine = themed.store.engine
    active = [t for t in themed.list_themes() if t["status"] == "active"]
    stamp = now()
    with engine.begin() as conn:
        conn.execute(
            insert(ideas).values(
                id="I-001", title="A local directory of groups", description="Kept by the groups",
                status="developing", created_by="test-staff", created_at=stamp, updated_at=stamp,
                details={},
            )
        )  # fmt: skip
        conn.execute(
            insert(idea_links).values(
                idea_id="I-001", target_type="theme", target_id=active[0]["id"], role="theme"
            )
        )
        conn.execute(delete(tensions))  # the build's own suggestions: this test brings one
        conn.execute(
            insert(tensions).values(
                id="X-001", signal="votes", status="confirmed", title="Formal or informal",
                themes=[active[0]["id"]], created_at=stamp, updated_at=stamp, measures={"n": 12},
                sides=[{"summary": "Accredit it", "extract_ids": ["a", "b"]},
                       {"summary": "Keep it informal", "extract_ids": ["c"]}],
            )
        )  # fmt: skip
    out = tmp_path / "lab.xlsx"
    line = exchange.export(themed, "xlsx", out)
    assert "1 ideas and 1 tensions" in line

    book = load_workbook(out)
    assert book.sheetnames == SHEETS
    for name in SHEETS:
        assert book[name].freeze_panes in ("A2", "C2")
        assert book[name]["A1"].font.bold

    themes = records(book["Themes"])
    assert {(t["theme_id"], t["size"], t["label"]) for t in themes} == {
        (t["id"], t["size"], t["label"]) for t in active
    }
    assert [t["area"] for t in themes] == sorted(t["area"] for t in themes)

    extracts = records(book["Extracts"])
    assert len(extracts) == len(themed.store.extract_ids())
    placed = placements(engine)
    quotable = may_quote(engine, [row["extract_id"] for row in extracts])
    for row in extracts:
        where = placed.get(row["extract_id"], {})
        assert (row["theme_id"] or "") == where.get("theme_id", "")
        assert row["may quote"] == ("yes" if row["extract_id"] in quotable else "no")
    assert any(row["may quote"] == "no" for row in extracts)
    assert any(key.startswith("attr:") for key in extracts[0])

    matrix = [row[0] for row in book["Themes x attributes"].iter_rows(values_only=True)]
    assert set(matrix_attributes(engine)) <= set(matrix)
    overall = [
        row for row in book["Themes x attributes"].iter_rows(values_only=True)
        if row[1] == "All extracts"
    ]  # fmt: skip
    assert len(overall) == len(matrix_attributes(engine))
    assert all(0 <= share <= 1 for row in overall for share in row[3:] if share is not None)

    (idea,) = records(book["Ideas"])
    assert idea["title"] == "A local directory of groups" and idea["themes"] == active[0]["id"]
    (tension,) = records(book["Tensions"])
    assert tension["themes"] == active[0]["label"]
    assert (tension["side 1"], tension["side 1 extracts"]) == ("Accredit it", 2)


SURVEY = (
    "Response ID,Team,What helped you most?\n"
    'R1,=1+2,"=HYPERLINK(""http://example.invalid"",""click me"")"\n'
    "R2,North,+44 is how I dialled the helpline abroad\n"
    "R3,South,-- meeting people who had been there before me\n"
    "R4,North,@peer workers who listened without judging\n"
    "R5,South,Knowing I could just listen for the first few weeks\n"
)


def test_formula_like_text_stays_text_without_themes(workspace, tmp_path):
    survey = tmp_path / "survey.csv"
    survey.write_text(SURVEY, encoding="utf-8")
    outcomes = list(workspace.ingest([survey]))
    assert outcomes[0].status == "ingested", outcomes[0].reason
    out = tmp_path / "lab.xlsx"
    exchange.export(workspace, "xlsx", out)
    book = load_workbook(out)
    assert book.sheetnames == SHEETS
    assert records(book["Themes"]) == [] and records(book["Ideas"]) == []
    cells = [
        cell.value
        for row in book["Extracts"].iter_rows(min_row=2)
        for cell in row
        if isinstance(cell.value, str)
    ]
    risky = [v for v in cells if v.lstrip("'")[:1] in ("=", "+", "-", "@")]
    assert len(risky) >= 5  # four answers and one team
    assert all(v.startswith("'") for v in risky)
    assert all(cell.data_type != "f" for row in book["Extracts"].iter_rows() for cell in row)
