"""The Excel workbook: themes, extracts with their themes and attributes, the theme × attribute
matrix, ideas and tensions; headers frozen, every text cell safe from formula injection."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

from lab_app.core.schema import idea_links, idea_supporters, ideas, tensions
from lab_app.core.schema import themes as themes_table
from lab_app.exchange.csv_export import EXTRACT_COLUMNS, safe_cell
from lab_app.exchange.gather import codebook_themes
from lab_app.material.consent import may_quote, may_show
from lab_app.themes.build import placements
from lab_app.themes.views import attribute_matrix, matrix_attributes

MAX_CELL = 32_000  # Excel holds at most 32,767 characters in a cell
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="305496")
TITLE_FONT = Font(bold=True, size=12)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
# Column widths by header; wide columns wrap their text.
WIDE = {"text": 80, "description": 60, "label": 36, "theme": 36, "title": 50, "side 1": 50,
        "side 2": 50, "key phrases": 40, "commoner in this theme": 50}  # fmt: skip


def export_workbook(workspace, out: Path) -> str:
    """Write the workbook; return the line to print."""
    engine = workspace.store.engine
    book = Workbook()
    book.remove(book.active)
    themes = codebook_themes(engine)
    counts = {
        "themes": _themes_sheet(book, themes),
        "extracts": _extracts_sheet(book, workspace, themes),
        "attributes": _matrix_sheet(book, engine, [t.id for t in themes]),
        "ideas": _ideas_sheet(book, engine),
        "tensions": _tensions_sheet(book, engine),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return (
        f"wrote {counts['themes']} themes, {counts['extracts']} extracts, "
        f"{counts['attributes']} attributes, {counts['ideas']} ideas and "
        f"{counts['tensions']} tensions to {out}"
    )


def cell_value(value):
    """Numbers stay numbers; text is made safe (no formulas), legal and short enough."""
    if isinstance(value, bool) or value is None:
        return "yes" if value is True else ("no" if value is False else "")
    if isinstance(value, int | float):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub(" ", safe_cell(value))
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _sheet(book, title: str, columns: list[str], rows) -> int:
    """A sheet with a styled, frozen, filterable header row; returns the number of rows."""
    sheet = book.create_sheet(title)
    sheet.append([cell_value(c) for c in columns])
    for cell in sheet[1]:
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
    count = 0
    for row in rows:
        sheet.append([cell_value(row.get(c)) for c in columns])
        count += 1
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    for index, column in enumerate(columns, 1):
        width = WIDE.get(column, 16)
        sheet.column_dimensions[get_column_letter(index)].width = width
        wrap = width >= 36
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.alignment = WRAP if wrap else TOP
    return count


def _themes_sheet(book, themes) -> int:
    columns = ["theme_id", "area", "label", "description", "size", "status", "key phrases",
               "commoner in this theme", "from codebook"]  # fmt: skip
    rows = (
        {
            "theme_id": t.id,
            "area": t.area,
            "label": t.label,
            "description": t.description,
            "size": t.size,
            "status": t.status,
            "key phrases": ", ".join(t.details.get("phrases", [])),
            "commoner in this theme": "; ".join(
                f"{a['attribute']} = {a['value']} ({a['share']:.0%} vs {a['overall']:.0%})"
                for a in t.details.get("attributes", [])
            ),
            "from codebook": (t.details.get("seed") or {}).get("codebook", ""),
        }
        for t in themes
    )
    return _sheet(book, "Themes", columns, rows)


def _extracts_sheet(book, workspace, themes) -> int:
    engine = workspace.store.engine
    names, rows = workspace.store.export_rows()
    rows = list(rows)
    ids = [row["extract_id"] for row in rows]
    shown, quotable = may_show(engine, ids), may_quote(engine, ids)
    placed = placements(engine)
    area_of = {t.id: t.area for t in themes}
    for row in rows:
        place = placed.get(row["extract_id"], {})
        row["theme_id"] = place.get("theme_id", "")
        row["theme"] = place.get("theme_label", "")
        row["area"] = area_of.get(row["theme_id"], "")
        row["may show participants"] = row["extract_id"] in shown
        row["may quote"] = row["extract_id"] in quotable
    # The text last: it is long, and the columns staff filter on stay in view.
    columns = [c for c in EXTRACT_COLUMNS if c != "text"]
    columns += ["theme_id", "theme", "area", "may show participants", "may quote"]
    columns += [f"attr:{name}" for name in names] + ["text"]
    return _sheet(book, "Extracts", columns, rows)


def _matrix_sheet(book, engine, order: list[str]) -> int:
    """One block per attribute: each theme's share of holders with each value, then overall."""
    sheet = book.create_sheet("Themes x attributes")
    attributes = matrix_attributes(engine)
    sheet.append(["Share of each theme's extracts (that hold the attribute) with each value."])
    sheet["A1"].font = TITLE_FONT
    for attribute in attributes:
        matrix = attribute_matrix(engine, attribute, order)
        if not matrix["themes"]:
            continue
        sheet.append([])
        sheet.append([cell_value(attribute)])
        sheet.cell(sheet.max_row, 1).font = TITLE_FONT
        sheet.append([cell_value(v) for v in ["theme_id", "theme", "holders", *matrix["values"]]])
        for cell in sheet[sheet.max_row]:
            cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
        lines = [(t["id"], t["label"], t["holders"], t["share"]) for t in matrix["themes"]]
        overall = matrix["overall"]
        lines.append(("", "All extracts", overall["holders"], overall["share"]))
        for theme_id, label, holders, shares in lines:
            sheet.append([cell_value(theme_id), cell_value(label), holders, *shares])
            for cell in sheet[sheet.max_row][3:]:
                cell.number_format = "0%"
    sheet.freeze_panes = "C2"  # the title row and the theme columns stay in view
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 36
    return len(attributes)


def _ideas_sheet(book, engine) -> int:
    with engine.connect() as conn:
        supporters = dict(
            conn.execute(
                select(idea_supporters.c.idea_id, func.count()).group_by(idea_supporters.c.idea_id)
            ).all()
        )
        links: dict[str, dict[str, list[str]]] = {}
        for link in conn.execute(select(idea_links)):
            links.setdefault(link.idea_id, {}).setdefault(link.target_type, []).append(
                link.target_id
            )
        rows = [dict(r._mapping) for r in conn.execute(select(ideas).order_by(ideas.c.id))]
    for row in rows:
        row["supporters"] = supporters.get(row["id"], 0)
        row["themes"] = ", ".join(sorted(links.get(row["id"], {}).get("theme", [])))
        row["extracts"] = len(links.get(row["id"], {}).get("extract", []))
        row["created_at"] = _date(row["created_at"])
        row["updated_at"] = _date(row["updated_at"])
    columns = ["id", "title", "description", "status", "merged_into", "supporters", "themes",
               "extracts", "created_by", "created_at", "updated_at"]  # fmt: skip
    return _sheet(book, "Ideas", columns, rows)


def _tensions_sheet(book, engine) -> int:
    with engine.connect() as conn:
        labels = dict(conn.execute(select(themes_table.c.id, themes_table.c.label)).all())
        rows = [dict(r._mapping) for r in conn.execute(select(tensions).order_by(tensions.c.id))]
    for row in rows:
        row["themes"] = "; ".join(labels.get(t, t) for t in row["themes"] or [])
        sides = row["sides"] or []
        for number in (1, 2):
            side = sides[number - 1] if len(sides) >= number else {}
            row[f"side {number}"] = side.get("summary", "")
            row[f"side {number} extracts"] = len(side.get("extract_ids", []))
        row["measures"] = ", ".join(f"{k}={v}" for k, v in sorted((row["measures"] or {}).items()))
        row["updated_at"] = _date(row["updated_at"])
    columns = ["id", "title", "status", "signal", "themes", "side 1", "side 1 extracts",
               "side 2", "side 2 extracts", "measures", "updated_at"]  # fmt: skip
    return _sheet(book, "Tensions", columns, rows)


def _date(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""
