"""Document parsers on real evaluation files and small files written for each odd case."""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import docx as python_docx
import pytest

from ingest.errors import EmptyFile, EncryptedFile, IngestError, TooLarge
from ingest.formats import docx, html, markdown, pdf, text
from ingest.formats.textclean import decode_text
from ingest.records import ParsedDocument

EVAL_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "eval"
NHS_REPORT = "strategyunit__text_mining_FFT_final_report_mar-22.pdf"
MARKDOWN_DOCS = [
    "strategyunit__background.md",
    "strategyunit__dashboard_good_practice.md",
    "strategyunit__patient-experience-framework-v3.md",
    "strategyunit__phase_1.md",
]


def _listing(folder: str, suffix: str) -> list[str]:
    """File names for parametrize; empty when the evaluation data is absent (tests then skip)."""
    directory = EVAL_DIR / "bad-inputs" / folder
    if not directory.is_dir():
        return ["(missing)"]
    return sorted(p.name for p in directory.iterdir() if p.suffix == suffix)


def _text(doc: ParsedDocument) -> str:
    return "\n".join(block.text for block in doc.blocks)


def _assert_survives(module, path: Path) -> None:
    """Either text comes out, or an IngestError with a one-line reason (and no path in it)."""
    try:
        doc = module.parse(path)
    except IngestError as err:
        reason = str(err)
        assert reason and "\n" not in reason, reason
        assert str(path) not in reason and path.name not in reason
        return
    assert doc.blocks and all(block.text.strip() for block in doc.blocks)


# --- PDF ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", _listing("pdf", ".pdf"))
def test_every_bad_input_pdf_parses_or_is_refused_in_one_line(eval_path, name):
    _assert_survives(pdf, eval_path("bad-inputs", "pdf", name))


@pytest.mark.parametrize(
    ("name", "password"),
    [
        ("samplefiles__libreoffice-writer-password.pdf", "openpassword"),
        ("pypdf__crazyones-encrypted-256.pdf", "password"),
    ],
)
def test_password_pdfs_open_only_with_their_password(eval_path, name, password):
    path = eval_path("bad-inputs", "pdf", name)
    with pytest.raises(EncryptedFile, match=r"^encrypted: pass --password$"):
        pdf.parse(path)
    with pytest.raises(EncryptedFile, match="the password given did not open it"):
        pdf.parse(path, password="not-it")
    doc = pdf.parse(path, password=password)
    assert doc.blocks[0].page == 1 and len(_text(doc)) > 20


@pytest.mark.parametrize("name", ["pypdf__r2-owner-password.pdf", "pypdf__r6-user-password.pdf"])
def test_owner_password_pdfs_open_with_the_empty_password(eval_path, name):
    doc = pdf.parse(eval_path("bad-inputs", "pdf", name))
    assert "pdf encryption test" in _text(doc)


def test_encrypted_pdf_without_id_opens_and_is_found_to_be_image_only(eval_path):
    # The empty password opens it (no EncryptedFile); its pages are scans with no text layer.
    with pytest.raises(EmptyFile, match="run OCR"):
        pdf.parse(eval_path("bad-inputs", "pdf", "pypdf__encrypted_doc_no_id.pdf"))


def test_image_only_pages_are_reported_and_the_rest_kept(eval_path):
    doc = pdf.parse(eval_path("bad-inputs", "pdf", "samplefiles__imagemagick-images.pdf"))
    assert "page 4 has no text (image only?)" in doc.warnings
    assert "page 5 has no text (image only?)" in doc.warnings
    assert [block.page for block in doc.blocks] == [1, 2, 3, 6]


def test_unreadable_pdf_is_refused_with_what_to_do(eval_path):
    with pytest.raises(IngestError, match="^not a readable PDF: .*save or print it as PDF again$"):
        pdf.parse(eval_path("bad-inputs", "pdf", "samplefiles__unreadablemetadata.pdf"))


@pytest.mark.parametrize(
    ("content", "error", "reason"),
    [
        (b"", EmptyFile, "^no text found: the file is empty"),
        (b"%PDF-1.4\nthis is not really a PDF", IngestError, "^not a readable PDF: "),
        (b"<html>saved web page</html>", IngestError, "^not a readable PDF: "),
    ],
)
def test_empty_and_fake_pdfs_are_refused(tmp_path, content, error, reason):
    path = tmp_path / "fake.pdf"
    path.write_bytes(content)
    with pytest.raises(error, match=reason) as caught:
        pdf.parse(path)
    assert "\n" not in str(caught.value)


def test_nhs_report_has_one_block_per_page_and_joined_paragraphs(eval_path):
    doc = pdf.parse(eval_path("documents", NHS_REPORT))
    assert [block.page for block in doc.blocks] == list(range(1, 20))
    assert doc.date == "2023-03-13" and doc.metadata["pages"] == "19"
    assert "Text mining FFT data- final report" in doc.blocks[0].text
    # wrapped lines rejoined into one sentence, with a paragraph break before the heading
    assert (
        "Let’s assume that we are teaching a child to distinguish between cats and elephants. "
        "We can show the child" in doc.blocks[1].text
    )
    assert "\n\nText classification model\n\n" in doc.blocks[1].text
    # hyphens at line ends: a compound and a URL split at its hyphen both keep it
    assert "higher-level themes" in doc.blocks[1].text
    assert "https://github.com/CDU-data-science-team/experiencesdashboard" in doc.blocks[1].text


def test_ocr_scan_hyphenation_is_repaired(eval_path):
    doc = pdf.parse(eval_path("bad-inputs", "pdf", "pypdf__Seige_of_Vicksburg_Sample_OCR.pdf"))
    first = doc.blocks[0].text
    assert "too conspicuous and dangerous for use." in first
    assert "we must improve our quarters" in first


def test_page_text_mends_line_breaks():
    raw = "An exam-\nple of wrapped text that goes on\nacross lines.\nHeading\nNext paragraph."
    assert pdf.page_text(raw) == (
        "An example of wrapped text that goes on across lines.\n\nHeading\n\nNext paragraph."
    )


@pytest.mark.slow
def test_long_lecture_pdf_parses_in_a_few_seconds(eval_path):
    start = time.perf_counter()
    doc = pdf.parse(eval_path("bad-inputs", "pdf", "samplefiles__GeoTopo-komprimiert.pdf"))
    assert len(doc.blocks) > 100 and doc.title == "Geometrie und Topologie"
    assert time.perf_counter() - start < 15


# --- DOCX --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", _listing("docx", ".docx"))
def test_every_bad_input_docx_parses_or_is_refused_in_one_line(eval_path, name):
    _assert_survives(docx, eval_path("bad-inputs", "docx", name))


def test_docx_headers_and_footers_follow_the_body_once(eval_path):
    doc = docx.parse(eval_path("bad-inputs", "docx", "pythondocx__hdr-header-footer.docx"))
    texts = [block.text for block in doc.blocks]
    assert texts[:2] == ["section with header", "section without header of its own."]
    assert texts.count("Header for section-1") == 1 and "Footer for section 1" in texts
    assert [block.paragraph for block in doc.blocks] == list(range(len(texts)))


def test_docx_hyperlink_text_is_kept(eval_path):
    doc = docx.parse(eval_path("bad-inputs", "docx", "pythondocx__par-hyperlinks.docx"))
    assert "Three hyperlinks: the first one here, the second one, and the third." in _text(doc)


@pytest.mark.parametrize(
    "name", ["pythondocx__having-images.docx", "pythondocx__sty-having-no-styles-part.docx"]
)
def test_docx_without_text_is_empty(eval_path, name):
    with pytest.raises(EmptyFile, match="^no text found: "):
        docx.parse(eval_path("bad-inputs", "docx", name))


def test_docx_tables_in_document_order_with_merged_cells_once(tmp_path):
    document = python_docx.Document()
    document.add_heading("Ward survey", level=1)
    document.add_paragraph("Before the table.")
    table = document.add_table(rows=3, cols=3)
    for col, label in enumerate(["Ward", "Score", "Note"]):
        table.cell(0, col).text = label
    table.cell(1, 0).merge(table.cell(2, 0)).text = "Ward 7"
    table.cell(1, 1).text = "4"
    table.cell(1, 2).text = "calm"
    table.cell(2, 1).merge(table.cell(2, 2)).text = "spans two"
    document.add_paragraph("After the table.")
    document.sections[0].footer.paragraphs[0].text = "Internal only"
    path = tmp_path / "tables.docx"
    document.save(path)

    doc = docx.parse(path)
    assert [block.text for block in doc.blocks] == [
        "Ward survey",
        "Before the table.",
        "Ward | Score | Note",
        "Ward 7 | 4 | calm",
        "spans two",
        "After the table.",
        "Internal only",
    ]
    assert doc.title == "Ward survey"  # the default template has no core title


def _without_part(source: Path, target: Path, part: str) -> Path:
    """Copy a .docx leaving out one part and every reference to it, as some tools write."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            if info.filename == part:
                continue
            data = zin.read(info)
            if info.filename.endswith((".rels", "[Content_Types].xml")):
                name = part.rsplit("/", 1)[-1]
                data = re.sub(
                    rb"<(Relationship|Override)\b[^>]*" + re.escape(name.encode()) + rb'"\s*/>',
                    b"",
                    data,
                )
            zout.writestr(info, data)
    return target


@pytest.mark.parametrize("part", ["docProps/core.xml", "word/styles.xml", "word/settings.xml"])
def test_docx_missing_parts_still_parse(eval_path, tmp_path, part):
    source = eval_path("bad-inputs", "docx", "pythondocx__hdr-header-footer.docx")
    doc = docx.parse(_without_part(source, tmp_path / "missing.docx", part))
    assert "section with header" in _text(doc)
    if part == "docProps/core.xml":
        assert doc.title is None and doc.date is None  # no invented "Word Document" defaults


def test_docx_zip_bomb_is_refused_before_unpacking(tmp_path):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", b"\0" * 5_000_000)
    assert path.stat().st_size < 100_000
    limit = r"^unpacks to 5 MB, over the 1 MB limit \(QLAB_MAX_UNPACKED_MB\): "
    with pytest.raises(TooLarge, match=limit):
        docx.parse(path, max_unpacked_bytes=1_000_000)


def test_garbage_named_docx_is_refused(tmp_path):
    path = tmp_path / "garbage.docx"
    path.write_bytes(b"this is not a zip file at all \x00\x01\x02" * 10)
    with pytest.raises(IngestError, match="^not a readable .docx: .*save it again from Word"):
        docx.parse(path)


def test_password_protected_docx_is_refused(tmp_path):
    # Office wraps an encrypted .docx in an OLE compound file with an EncryptionInfo stream.
    path = tmp_path / "locked.docx"
    ole_magic = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    path.write_bytes(ole_magic + b"\0" * 1000 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 100)
    with pytest.raises(EncryptedFile, match="remove the password in Word"):
        docx.parse(path)


# --- Markdown ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", MARKDOWN_DOCS)
def test_markdown_front_matter_is_metadata_not_text(eval_path, name):
    path = eval_path("documents", name)
    doc = markdown.parse(path)
    assert doc.title and doc.metadata["title"] == doc.title
    body = _text(doc)
    for key, value in doc.metadata.items():
        assert f"{key}: " not in body and f"{key}: {value}" not in path.read_text()[200:]
    assert not doc.blocks[0].text.startswith("---")
    assert ":::" not in body and "](" not in body and "**" not in body


def test_markdown_date_and_tables(eval_path):
    doc = markdown.parse(eval_path("documents", "strategyunit__dashboard_good_practice.md"))
    assert doc.date == "2023-10-11" and doc.metadata["author"] == "Estelle Phillips"
    texts = [block.text for block in doc.blocks]
    assert "Topic | Potential search terms" in texts
    assert "Admission | Admission, admissions, admitted" in texts
    assert not any(re.fullmatch(r"[-| ]+", t) for t in texts)


def test_markdown_markup_is_stripped(tmp_path):
    path = tmp_path / "note.md"
    path.write_text(
        "---\ntitle: [unclosed\n---\n"
        "# Main *heading*\n\n"
        "Some **bold** and `code` with a [link](https://example.org) here.\n"
        "Continued line. ![a picture](pic.png)\n\n"
        "<!-- a hidden comment -->\n"
        "::: {.callout-note}\nInside a callout.\n:::\n\n"
        "- first item\n- second item\n",
        encoding="utf-8",
    )
    doc = markdown.parse(path)
    assert doc.warnings and "front matter is not valid YAML" in doc.warnings[0]
    assert doc.title == "Main heading"  # falls back to the first # heading
    assert [block.text for block in doc.blocks] == [
        "Main heading",
        "Some bold and code with a link here. Continued line.",
        "Inside a callout.",
        "first item\nsecond item",
    ]


# --- HTML --------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head><meta charset="windows-1252"><title>Ward  feedback</title>
<meta property="article:published_time" content="2024-03-05T09:00:00Z">
<style>p { color: red }</style><script>var tracking = 1;</script></head>
<body>
<header><p>Site banner</p></header><nav><a href="/">Home</a></nav>
<div role="navigation">Skip links</div>
<p>Outside the main element.</p>
<main>
  <h1>Ward <em>feedback</em></h1>
  <p>Patients said the caf\xe9 was <b>too</b> noisy.<br>Staff agreed.</p>
  <ul><li>Noise at night<ul><li>Alarms</li></ul></li><li><p>Food</p></li></ul>
  <table><tr><th>Ward</th><th>Score</th></tr><tr><td>7</td><td>4</td></tr></table>
  <div hidden>hidden text</div><div aria-hidden="true">icon text</div>
  <aside>Related links</aside><form>Search box</form>
</main>
<footer>Copyright</footer>
</body></html>"""


def test_html_main_text_only(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(PAGE.encode("cp1252"))
    doc = html.parse(path)
    assert doc.title == "Ward feedback" and doc.date == "2024-03-05"
    assert [block.text for block in doc.blocks] == [
        "Ward feedback",
        "Patients said the café was too noisy. Staff agreed.",
        "Noise at night",
        "Alarms",
        "Food",
        "Ward | Score",
        "7 | 4",
    ]


def test_html_without_main_uses_body_and_time_date(tmp_path):
    path = tmp_path / "plain.htm"
    path.write_bytes(
        b"<html><body><nav>Menu</nav><h1>Notes</h1><p>First point.</p>"
        b'<p>Posted <time datetime="2023-11-02">2 Nov</time></p></body></html>'
    )
    doc = html.parse(path)
    assert doc.title == "Notes" and doc.date == "2023-11-02"
    assert [block.text for block in doc.blocks] == ["Notes", "First point.", "Posted 2 Nov"]


def test_html_with_only_scripts_is_empty(tmp_path):
    path = tmp_path / "app.html"
    path.write_bytes(b"<html><body><script>render()</script><nav>Menu</nav></body></html>")
    with pytest.raises(EmptyFile, match="^no text found: "):
        html.parse(path)


# --- Plain text --------------------------------------------------------------------------

NOTE = (
    "Meeting notes\n\nCafé owners said “prices” rose by €5,\nand they were worried.\n\n"
    "- rent\n- staff\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"])
def test_text_encodings_decode_to_the_same_paragraphs(tmp_path, encoding):
    path = tmp_path / "note.txt"
    path.write_bytes(NOTE.replace("\n", "\r\n").encode(encoding))
    doc = text.parse(path)
    assert doc.title == "Meeting notes"
    assert [block.text for block in doc.blocks] == [
        "Meeting notes",
        "Café owners said “prices” rose by €5, and they were worried.",
        "- rent\n- staff",
    ]


def test_a_date_line_near_the_top_dates_a_text_note(tmp_path):
    # The note's own date, not the file's modified time (a fresh checkout's would be today).
    path = tmp_path / "memo.txt"
    path.write_text("POSITION NOTE\nDate: 19 October 2026\nFrom: the ICB\n\nBody.\n", "utf-8")
    assert text.parse(path).date == "2026-10-19"
    (tmp_path / "later.txt").write_text("Notes\n\n" + "line\n" * 12 + "Date: 1 May 2026\n")
    assert text.parse(tmp_path / "later.txt").date is None  # only the top lines date a note


def test_binary_file_named_txt_is_refused(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(IngestError, match="^binary file, not text: "):
        text.parse(path)


def test_empty_text_file_is_refused(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_bytes(b" \r\n\t\n")
    with pytest.raises(EmptyFile, match="^no text found: "):
        text.parse(path)


def test_decode_text_prefers_cp1252_for_short_western_text():
    # charset-normalizer alone guesses cp775 for this and garbles the quotes and euro sign
    raw = "Café — “quoted” text costs €5.".encode("cp1252")
    assert decode_text(raw) == "Café — “quoted” text costs €5."
