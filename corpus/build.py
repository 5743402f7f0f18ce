"""Rebuild the generated files of the demo Lab corpus in corpus/peer-support-lab/.

Usage:
    python corpus/build.py           # rebuild everything in place
    python corpus/build.py --check   # rebuild into a temporary copy; exit 1 if anything differs

Steps, in order:
1. Render each evidence source in corpus/src/evidence/*.md to a PDF (fpdf2) or DOCX
   (python-docx) in corpus/peer-support-lab/evidence/.
2. Run corpus/src/people/generate.py and corpus/src/survey/generate.py if they exist.
3. Write corpus/peer-support-lab/lab.json (Lab description, dated events, and the list of
   source files found on disk).
4. Merge every JSON file in corpus/src/truth/ into corpus/peer-support-lab/truth.json.
5. Check that every truth item with "file" and "contains" is found in the text of that file.

Output is deterministic: fixed creation dates in PDF/DOCX metadata, fixed zip timestamps in
DOCX files, sorted JSON keys.

Evidence source format (corpus/src/evidence/*.md):

    ---
    title: ...
    subtitle: ...            (optional)
    organisation: ...
    authors: ...             (optional)
    date: YYYY-MM-DD
    format: pdf | docx
    file: output name without extension
    ---
    # Heading 1
    ## Heading 2
    A paragraph; consecutive lines are joined.
    - a bullet item
    > a quotation
    | header cell | header cell |   (table rows; first row is the header)
    | cell        | cell        |
"""

from __future__ import annotations

import argparse
import datetime as dt
import filecmp
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).resolve().parent
LAB_DIR_NAME = "peer-support-lab"
GENERATORS = ("src/people/generate.py", "src/survey/generate.py")
SOURCE_KINDS = {"evidence": "evidence", "survey": "survey", "contributions": "contribution"}

EVENTS = [
    {
        "date": "2026-01-20",
        "title": "Launch workshop",
        "kind": "workshop",
        "place": "London",
        "description": "Participants meet for the first time, share why peer support matters to "
        "them and agree how the Lab will work together.",
    },
    {
        "date": "2026-02-24",
        "title": "Discover workshop: What does good peer support look like?",
        "kind": "workshop",
        "place": "Manchester",
        "description": "People who use, give and commission peer support describe what good "
        "looks like and where it is missing.",
    },
    {
        "date": "2026-03-09",
        "title": "Lab survey opens",
        "kind": "survey",
        "place": "Online",
        "description": "An open survey asks people across the UK about their experience of "
        "finding, using and offering peer support.",
    },
    {
        "date": "2026-04-10",
        "title": "Lab survey closes",
        "kind": "survey",
        "place": "Online",
        "description": "The survey closes and the Lab team begins analysing responses for the "
        "Define workshop.",
    },
    {
        "date": "2026-04-22",
        "title": "Define workshop",
        "kind": "workshop",
        "place": "Cardiff",
        "description": "Participants turn what the Lab has heard into 'how might we' problem "
        "statements and agree four priority areas to carry into Develop.",
    },
    {
        "date": "2026-06-16",
        "title": "Develop workshop",
        "kind": "workshop",
        "place": "Glasgow",
        "description": "Working groups generate and shape ideas in response to the four priority "
        "areas agreed in Cardiff.",
    },
    {
        "date": "2026-07-14",
        "title": "Online ideas sprint",
        "kind": "workshop",
        "place": "Online",
        "description": "A half-day online sprint to refine the strongest ideas and plan small "
        "tests.",
    },
    {
        "date": "2026-09-08",
        "title": "Test workshop",
        "kind": "workshop",
        "place": "Belfast",
        "description": "Teams share what happened when they tried their ideas in practice and "
        "decide what to keep, change or drop.",
    },
    {
        "date": "2026-10-12",
        "title": "Essay writing begins",
        "kind": "milestone",
        "place": "Online",
        "description": "Participants start writing the Lab's essays on what they have learnt, "
        "drawing on the year's evidence and contributions.",
    },
    {
        "date": "2026-11-18",
        "title": "Share event",
        "kind": "workshop",
        "place": "Birmingham",
        "description": "The Lab presents its insights, ideas and essays to the wider Q "
        "community and to partners.",
    },
]

LAB_DESCRIPTION = (
    "A fictional demonstration Lab. Over one year, a group of people who use peer support, "
    "peer workers, clinicians, commissioners, voluntary-sector staff and researchers from "
    "across the UK work together on one complex challenge: making peer support available to "
    "everyone who needs and wants it. The Lab moves through five phases (Discover, Define, "
    "Develop, Test and Share), gathering evidence, running a survey and workshops, and "
    "collecting contributions from participants along the way. All organisations, people and "
    "documents in this Lab are invented."
)

# Characters the PDF core fonts cannot encode (or that we prefer plain), mapped to ASCII.
REPLACEMENTS = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2012": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u2022": "-",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
}


def plain(text: str) -> str:
    """Normalise typography so every renderer produces the same extractable text."""
    for old, new in REPLACEMENTS.items():
        text = text.replace(old, new)
    # Anything still outside Latin-1 cannot be drawn with a core PDF font.
    return text.encode("latin-1", errors="replace").decode("latin-1")


# --------------------------------------------------------------------------------------------
# Parsing the evidence sources
# --------------------------------------------------------------------------------------------


@dataclass
class Block:
    kind: str  # h1 | h2 | p | quote | bullets | table
    text: str = ""
    items: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Source:
    path: Path
    meta: dict[str, str]
    blocks: list[Block]

    @property
    def out_name(self) -> str:
        return f"{self.meta['file']}.{self.meta['format']}"

    @property
    def date(self) -> dt.date:
        return dt.date.fromisoformat(self.meta["date"])

    @property
    def timestamp(self) -> dt.datetime:
        return dt.datetime.combine(self.date, dt.time(9, 0), tzinfo=dt.UTC)


def parse_source(path: Path) -> Source:
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0].strip() != "---":
        raise ValueError(f"{path.name}: missing header")
    end = lines.index("---", 1)
    meta: dict[str, str] = {}
    for line in lines[1:end]:
        key, _, value = line.partition(":")
        meta[key.strip()] = plain(value.strip())
    for key in ("title", "organisation", "date", "format", "file"):
        if key not in meta:
            raise ValueError(f"{path.name}: header lacks {key!r}")
    if meta["format"] not in ("pdf", "docx"):
        raise ValueError(f"{path.name}: format must be pdf or docx")

    blocks: list[Block] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(Block("p", text=plain(" ".join(para))))
            para.clear()

    for raw in lines[end + 1 :]:
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("## "):
            flush()
            blocks.append(Block("h2", text=plain(line[3:])))
        elif line.startswith("# "):
            flush()
            blocks.append(Block("h1", text=plain(line[2:])))
        elif line.startswith("- "):
            flush()
            if not blocks or blocks[-1].kind != "bullets":
                blocks.append(Block("bullets"))
            blocks[-1].items.append(plain(line[2:]))
        elif line.startswith("> "):
            flush()
            blocks.append(Block("quote", text=plain(line[2:])))
        elif line.startswith("|"):
            flush()
            cells = [plain(c.strip()) for c in line.strip("|").split("|")]
            if not blocks or blocks[-1].kind != "table":
                blocks.append(Block("table"))
            blocks[-1].rows.append(cells)
        else:
            para.append(line)
    flush()
    return Source(path, meta, blocks)


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


# --------------------------------------------------------------------------------------------
# PDF rendering
# --------------------------------------------------------------------------------------------


def render_pdf(src: Source, out: Path) -> None:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    org = src.meta["organisation"]
    title = src.meta["title"]

    class EvidencePDF(FPDF):
        def header(self) -> None:
            if self.page_no() == 1:
                return
            self.set_font("Helvetica", "", 8)
            self.set_text_color(110, 110, 110)
            self.cell(0, 6, f"{org} - {title}", align="L", new_x="LMARGIN", new_y="NEXT")
            self.ln(4)
            self.set_text_color(0, 0, 0)

        def footer(self) -> None:
            self.set_y(-14)
            self.set_font("Helvetica", "", 8)
            self.set_text_color(110, 110, 110)
            self.cell(0, 8, f"Page {self.page_no()} of {{nb}}", align="C")
            self.set_text_color(0, 0, 0)

    pdf = EvidencePDF(format="A4")
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(True, margin=22)
    pdf.set_title(title)
    pdf.set_author(org)
    pdf.set_subject(src.meta.get("subtitle", title))
    pdf.set_creator("Q Lab Workspace demo corpus (corpus/build.py)")
    pdf.set_producer("Q Lab Workspace demo corpus")
    pdf.set_creation_date(src.timestamp)
    pdf.add_page()

    # Title block.
    pdf.set_font("Helvetica", "B", 9)
    pdf.set_text_color(30, 90, 120)
    pdf.cell(0, 6, org.upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("Helvetica", "B", 20)
    pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    if "subtitle" in src.meta:
        pdf.ln(2)
        pdf.set_font("Helvetica", "", 12)
        pdf.set_text_color(70, 70, 70)
        pdf.multi_cell(0, 6, src.meta["subtitle"], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 9.5)
    pdf.set_text_color(70, 70, 70)
    byline = src.meta.get("authors", org)
    pdf.multi_cell(0, 5, f"{byline}. Published {long_date(src.date)}.", new_x="LMARGIN")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    pdf.set_draw_color(30, 90, 120)
    pdf.set_line_width(0.6)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(5)

    body_h = 5.4

    def keep_with_next(space: float) -> None:
        if pdf.get_y() + space > pdf.page_break_trigger:
            pdf.add_page()

    for block in src.blocks:
        if block.kind == "h1":
            keep_with_next(28)
            pdf.ln(3)
            pdf.set_font("Helvetica", "B", 14)
            pdf.set_text_color(30, 90, 120)
            pdf.multi_cell(0, 7, block.text, new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(0, 0, 0)
            pdf.ln(1.5)
        elif block.kind == "h2":
            keep_with_next(22)
            pdf.ln(1.5)
            pdf.set_font("Helvetica", "B", 11.5)
            pdf.multi_cell(0, 6, block.text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif block.kind == "p":
            pdf.set_font("Helvetica", "", 10.5)
            pdf.multi_cell(0, body_h, block.text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2.5)
        elif block.kind == "quote":
            pdf.set_font("Helvetica", "I", 10.5)
            pdf.set_text_color(60, 60, 60)
            pdf.set_x(pdf.l_margin + 8)
            pdf.multi_cell(pdf.epw - 16, body_h, block.text, new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(0, 0, 0)
            pdf.ln(2.5)
        elif block.kind == "bullets":
            pdf.set_font("Helvetica", "", 10.5)
            for item in block.items:
                pdf.set_x(pdf.l_margin + 3)
                pdf.cell(5, body_h, "-")
                pdf.multi_cell(pdf.epw - 8, body_h, item, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1)
            pdf.ln(1.5)
        elif block.kind == "table":
            keep_with_next(30)
            pdf.set_font("Helvetica", "", 9.5)
            ncols = len(block.rows[0])
            widths = (62, 38) if ncols == 2 else tuple([1] * ncols)
            with pdf.table(
                col_widths=widths,
                line_height=5,
                headings_style=FontFace(emphasis="BOLD", fill_color=(220, 232, 238)),
                text_align="LEFT",
            ) as table:
                for row in block.rows:
                    r = table.row()
                    for cell in row:
                        r.cell(cell)
            pdf.ln(4)
    out.write_bytes(bytes(pdf.output()))


# --------------------------------------------------------------------------------------------
# DOCX rendering
# --------------------------------------------------------------------------------------------

FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


def _add_page_field(paragraph) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def fld(kind: str):
        run = paragraph.add_run()
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        run._r.append(el)

    fld("begin")
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run._r.append(instr)
    fld("separate")
    paragraph.add_run("1")
    fld("end")


def render_docx(src: Source, out: Path) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    org = src.meta["organisation"]
    doc = Document()
    styles = doc.styles
    styles["Normal"].font.name = "Calibri"
    styles["Normal"].font.size = Pt(11)

    cp = doc.core_properties
    cp.title = src.meta["title"]
    cp.subject = src.meta.get("subtitle", "")
    cp.author = org
    cp.last_modified_by = org
    cp.category = "Evidence"
    cp.keywords = "peer support; Peer Support for All Lab"
    cp.comments = "Fictional document written for the Q Lab Workspace demo corpus."
    cp.created = src.timestamp.replace(tzinfo=None)
    cp.modified = src.timestamp.replace(tzinfo=None)
    cp.last_printed = src.timestamp.replace(tzinfo=None)
    cp.revision = 1

    section = doc.sections[0]
    header_p = section.header.paragraphs[0]
    header_p.text = org
    header_p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer_p = section.footer.paragraphs[0]
    footer_p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer_p.add_run(f"{org} | Page ")
    _add_page_field(footer_p)

    doc.add_heading(src.meta["title"], level=0)
    if "subtitle" in src.meta:
        doc.add_paragraph(src.meta["subtitle"], style="Subtitle")
    byline = doc.add_paragraph()
    run = byline.add_run(f"{src.meta.get('authors', org)}. Published {long_date(src.date)}.")
    run.italic = True
    run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)

    for block in src.blocks:
        if block.kind == "h1":
            doc.add_heading(block.text, level=1)
        elif block.kind == "h2":
            doc.add_heading(block.text, level=2)
        elif block.kind == "p":
            doc.add_paragraph(block.text)
        elif block.kind == "quote":
            doc.add_paragraph(block.text, style="Quote")
        elif block.kind == "bullets":
            for item in block.items:
                doc.add_paragraph(item, style="List Bullet")
        elif block.kind == "table":
            table = doc.add_table(rows=0, cols=len(block.rows[0]))
            table.style = "Light Grid Accent 1"
            for i, row in enumerate(block.rows):
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = text
                    if i == 0:
                        for r in cell.paragraphs[0].runs:
                            r.bold = True
            doc.add_paragraph()

    buffer = io.BytesIO()
    doc.save(buffer)
    out.write_bytes(_normalise_zip(buffer.getvalue()))


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and attributes so the bytes are reproducible."""
    result = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as zin,
        zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zi.create_system = 3
            zout.writestr(zi, zin.read(info.filename))
    return result.getvalue()


# --------------------------------------------------------------------------------------------
# Text extraction (used for checks)
# --------------------------------------------------------------------------------------------


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def extract_text(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        return collapse("\n".join(page.extract_text() or "" for page in reader.pages))
    if suffix == ".docx":
        from docx import Document

        doc = Document(str(path))
        parts = [p.text for p in doc.paragraphs]
        for table in doc.tables:
            for row in table.rows:
                parts.extend(cell.text for cell in row.cells)
        for section in doc.sections:
            parts.extend(p.text for p in section.header.paragraphs)
            parts.extend(p.text for p in section.footer.paragraphs)
        cp = doc.core_properties
        parts.append(f"[title={cp.title} author={cp.author} created={cp.created}]")
        return collapse("\n".join(parts))
    if suffix in (".md", ".txt", ".csv", ".json"):
        return collapse(read_legacy_text(path))
    if suffix in (".html", ".htm"):
        try:
            from bs4 import BeautifulSoup
        except ImportError:
            return None
        html = read_legacy_text(path)
        return collapse(BeautifulSoup(html, "html.parser").get_text(" "))
    return None


def read_legacy_text(path: Path) -> str:
    """Decode as UTF-8 (with or without BOM), falling back to Windows-1252."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


# --------------------------------------------------------------------------------------------
# lab.json and truth.json
# --------------------------------------------------------------------------------------------


def dump_json(data: object, path: Path) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    path.write_text(text, encoding="utf-8")


def list_sources(lab_dir: Path) -> list[dict[str, str]]:
    sources = []
    for folder, kind in SOURCE_KINDS.items():
        base = lab_dir / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                sources.append({"path": path.relative_to(lab_dir).as_posix(), "kind": kind})
    return sorted(sources, key=lambda s: s["path"])


def write_lab_json(corpus: Path) -> None:
    base = json.loads((corpus / "src/truth/base.json").read_text(encoding="utf-8"))
    lab = base["lab"]
    lab_dir = corpus / LAB_DIR_NAME
    data = {
        "name": lab["name"],
        "question": lab["question"],
        "description": LAB_DESCRIPTION,
        "start": lab["start"],
        "end": lab["end"],
        "phases": lab["phases"],
        "events": sorted(EVENTS, key=lambda e: e["date"]),
        "sources": list_sources(lab_dir),
        "fictional": True,
    }
    dump_json(data, lab_dir / "lab.json")


def merge_truth(corpus: Path) -> dict:
    truth_dir = corpus / "src/truth"
    merged: dict = json.loads((truth_dir / "base.json").read_text(encoding="utf-8"))
    for path in sorted(truth_dir.glob("*.json")):
        if path.name == "base.json":
            continue
        fragment = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(fragment, dict):
            raise ValueError(f"{path.name}: truth fragment must be a JSON object")
        for key in sorted(fragment):
            value = fragment[key]
            if isinstance(value, list):
                existing = merged.setdefault(key, [])
                if not isinstance(existing, list):
                    raise ValueError(f"{path.name}: {key!r} is a list here but not elsewhere")
                existing.extend(value)
            elif isinstance(value, dict):
                existing = merged.setdefault(key, {})
                if not isinstance(existing, dict):
                    raise ValueError(f"{path.name}: {key!r} is an object here but not elsewhere")
                for sub, sub_value in value.items():
                    if sub in existing and existing[sub] != sub_value:
                        raise ValueError(f"{path.name}: conflicting value for {key}.{sub}")
                    existing[sub] = sub_value
            else:
                if key in merged and merged[key] != value:
                    raise ValueError(f"{path.name}: conflicting value for {key!r}")
                merged[key] = value
    dump_json(merged, corpus / LAB_DIR_NAME / "truth.json")
    return merged


def verify_truth_items(corpus: Path, truth: dict, own_files: set[str]) -> list[str]:
    """Return errors for own files; print warnings for items in other helpers' files."""
    lab_dir = corpus / LAB_DIR_NAME
    cache: dict[str, str | None] = {}
    errors = []
    for item in truth.get("items", []):
        if not isinstance(item, dict) or "file" not in item or "contains" not in item:
            continue
        rel = item["file"]
        path = lab_dir / rel
        if not path.is_file():
            message = f"truth item refers to missing file {rel}"
        else:
            if rel not in cache:
                cache[rel] = extract_text(path)
            text = cache[rel]
            if text is None or collapse(item["contains"]) in text:
                continue
            message = f"{rel}: substring not found: {item['contains']!r}"
        if rel in own_files:
            errors.append(message)
        else:
            print(f"warning: {message}", file=sys.stderr)
    return errors


# --------------------------------------------------------------------------------------------
# Build and check
# --------------------------------------------------------------------------------------------


def run_generators(corpus: Path) -> list[str]:
    """Run the people and survey generators that exist; return errors for any that fail."""
    env = dict(os.environ, QLAB_CORPUS_DIR=str(corpus))
    errors = []
    for rel in GENERATORS:
        script = corpus / rel
        if script.is_file():
            print(f"running {rel}", flush=True)
            done = subprocess.run([sys.executable, str(script)], cwd=corpus.parent, env=env)
            if done.returncode != 0:
                errors.append(f"{rel} failed with exit status {done.returncode}")
    return errors


def build(corpus: Path) -> int:
    lab_dir = corpus / LAB_DIR_NAME
    evidence_dir = lab_dir / "evidence"
    evidence_dir.mkdir(parents=True, exist_ok=True)
    own_files: set[str] = set()
    for path in sorted((corpus / "src/evidence").glob("*.md")):
        src = parse_source(path)
        out = evidence_dir / src.out_name
        if src.meta["format"] == "pdf":
            render_pdf(src, out)
        else:
            render_docx(src, out)
        own_files.add(f"evidence/{src.out_name}")
        print(f"wrote {out.relative_to(corpus.parent).as_posix()}", flush=True)
    errors = run_generators(corpus)
    write_lab_json(corpus)
    truth = merge_truth(corpus)
    print(f"wrote {LAB_DIR_NAME}/lab.json and {LAB_DIR_NAME}/truth.json")
    errors += verify_truth_items(corpus, truth, own_files)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if errors else 0


def own_outputs(corpus: Path) -> list[Path]:
    lab_dir = corpus / LAB_DIR_NAME
    outs = [lab_dir / "lab.json", lab_dir / "truth.json"]
    for path in sorted((corpus / "src/evidence").glob("*.md")):
        outs.append(lab_dir / "evidence" / parse_source(path).out_name)
    return outs


def same_file(a: Path, b: Path) -> bool:
    if filecmp.cmp(a, b, shallow=False):
        return True
    if a.suffix.lower() in (".pdf", ".docx"):
        # Bytes can differ between library versions; the text is what matters.
        return extract_text(a) == extract_text(b)
    return False


def check() -> int:
    with tempfile.TemporaryDirectory(prefix="qlab-corpus-check-") as tmp:
        copy = Path(tmp) / "corpus"
        shutil.copytree(CORPUS, copy, ignore=shutil.ignore_patterns("__pycache__"))
        for path in own_outputs(copy):
            path.unlink(missing_ok=True)
        status = build(copy)
        differences = []
        # Generators also write truth fragments into src/truth, so compare those too.
        for folder in (LAB_DIR_NAME, "src/truth"):
            committed, rebuilt = CORPUS / folder, copy / folder
            rels = {
                p.relative_to(base).as_posix()
                for base in (committed, rebuilt)
                for p in base.rglob("*")
                if p.is_file()
            }
            for rel in sorted(rels):
                a, b = committed / rel, rebuilt / rel
                name = f"{folder}/{rel}"
                if not a.is_file():
                    differences.append(f"missing from committed corpus: {name}")
                elif not b.is_file():
                    differences.append(f"not produced by a rebuild: {name}")
                elif not same_file(a, b):
                    differences.append(f"out of date: {name}")
    for line in differences:
        print(line, file=sys.stderr)
    if differences or status:
        print("corpus check failed: run `python corpus/build.py`", file=sys.stderr)
        return 1
    print("corpus is up to date")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="rebuild into a temporary directory and fail if committed outputs differ",
    )
    args = parser.parse_args(argv)
    return check() if args.check else build(CORPUS)


if __name__ == "__main__":
    sys.exit(main())
