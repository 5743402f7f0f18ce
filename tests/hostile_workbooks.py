"""Hostile workbooks made in the test run: kilobytes on disk that declare or unpack to far more."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def survey_workbook(path: Path) -> Path:
    """A small, honest survey workbook: the base every hostile one is made from."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Response ID", "What would help you find a peer group?"])
    sheet.append(["R1", "A group that meets in the evening near the station"])
    sheet.append(["R2", "Someone to walk in with me the first time"])
    book.save(path)
    return path


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPES = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _with_sheet(path: Path, write_sheet, strings: list[str] | None = None) -> Path:
    """A minimal workbook at path: one sheet whose XML write_sheet(handle) writes, and these
    shared strings (cells of type "s" point at them by position)."""
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPES}.sheet.main+xml"/>'
            f'<Override PartName="/{SHEET}" ContentType="{_TYPES}.worksheet+xml"/>'
            f'<Override PartName="/{STRINGS}" ContentType="{_TYPES}.sharedStrings+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
            f'Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><sheets>'
            '<sheet name="Sheet" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_RELS}">'
            f'<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_DOC}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        STRINGS: _shared_strings(strings or []),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in parts.items():
            package.writestr(name, text)
        with package.open(SHEET, "w", force_zip64=True) as handle:
            write_sheet(handle)
    return path


def _shared_strings(strings: list[str]) -> str:
    items = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
    return f'<sst xmlns="{_MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'


def shared_answer(path: Path, answer: str, cells: int) -> Path:
    """`cells` rows that all point at one shared string: each cell is ~40 bytes of sheet,
    and the reader is handed the whole answer for every one of them."""

    def write(handle):
        handle.write(_SHEET_HEAD + b"<sheetData>")
        handle.write(b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
        handle.write(b"".join(b'<row r="%d"><c r="A%d" t="s"><v>1</v></c></row>' % (n, n)
                              for n in range(2, cells + 2)))  # fmt: skip
        handle.write(b"</sheetData></worksheet>")

    return _with_sheet(path, write, strings=["Answer", answer])


def declaring(path: Path, declared_bytes: int) -> Path:
    """The survey workbook whose sheet's zip headers declare `declared_bytes` unpacked."""
    survey_workbook(path)
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at >= 0:  # central directory entries: name length at 28, name at 46
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_length] == SHEET.encode():
            struct.pack_into("<L", data, at + 24, declared_bytes)
            local = struct.unpack_from("<L", data, at + 42)[0]
            struct.pack_into("<L", data, local + 22, declared_bytes)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    return path


def deflate_bomb(path: Path, unpacked_mb: int) -> Path:
    """A workbook whose sheet really unpacks to `unpacked_mb` MB (of blank space) from ~1 KB
    per MB on disk: honest headers, a compression ratio of about 1,000."""

    def write(handle):
        handle.write(_SHEET_HEAD + b"<sheetData>")
        blank = b" " * 1_000_000
        for _ in range(unpacked_mb):
            handle.write(blank)
        handle.write(b"</sheetData></worksheet>")

    return _with_sheet(path, write)


def far_rows(path: Path, rows: int) -> Path:
    """A sheet that declares A1:B3 and holds `rows` rows of one short cell each: the headers
    are honest about bytes but the dimension lies, and a reader that trusts it runs on."""

    def write(handle):
        handle.write(_SHEET_HEAD + b'<dimension ref="A1:B3"/><sheetData>')
        for start in range(1, rows + 1, 10_000):
            handle.write(
                b"".join(
                    b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n)
                    for n in range(start, min(start + 10_000, rows + 1))
                )
            )
        handle.write(b"</sheetData></worksheet>")

    return _with_sheet(path, write)


def one_distant_row(path: Path, row: int) -> Path:
    """A few hundred bytes of sheet holding one cell in row `row` (a billion, say): a reader
    that fills the rows it skips makes every one of them."""

    def write(handle):
        handle.write(
            _SHEET_HEAD
            + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Answer</t></is></c></row>'
            + b'<row r="%d"><c r="A%d"><v>1</v></c></row></sheetData></worksheet>' % (row, row)
        )

    return _with_sheet(path, write)


def whole_sheet_dimension(path: Path) -> Path:
    """A sheet that declares every cell Excel allows (A1:XFD1048576) and holds three rows."""

    def write(handle):
        handle.write(
            _SHEET_HEAD
            + b'<dimension ref="A1:XFD1048576"/><sheetData>'
            + b'<row r="1"><c r="A1" t="inlineStr"><is><t>Answer</t></is></c></row>'
            + b"</sheetData></worksheet>"
        )

    return _with_sheet(path, write)


def many_parts(path: Path, parts: int) -> Path:
    """The survey workbook with `parts` empty extra parts in its zip directory."""
    survey_workbook(path)
    with zipfile.ZipFile(path, "a") as package:
        for number in range(parts):
            package.writestr(f"xl/media/p{number}", b"")
    return path
