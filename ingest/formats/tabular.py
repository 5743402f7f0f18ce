"""Read CSV/TSV/delimited-text and Excel exports into Tables with a resolved header."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections import Counter
from pathlib import Path

from ingest.errors import EmptyFile, IngestError, UnsupportedFormat
from ingest.formats.package_limits import DEFAULT_MAX_UNPACKED, ReadBudget, check_package
from ingest.formats.table_header import SAMPLE_RECORDS, build_table
from ingest.records import Table

TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".tab"}
DELIMITERS = (",", ";", "\t", "|")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, or an encrypted .xlsx

# csv's default limit (128 KiB) is smaller than some real free-text answers.
csv.field_size_limit(1 << 30)


def read_tables(path: Path, max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED) -> list[Table]:
    """Read a .csv/.tsv/.txt/.xlsx/.xls file into one Table per CSV or non-empty sheet; a
    workbook is refused past max_unpacked_bytes (or the row and cell caps) before it runs away."""
    suffix = path.suffix.lower()
    try:
        data = path.read_bytes()
    except OSError as err:
        raise IngestError(
            f"cannot read the file ({err.strerror}): check it exists and is readable"
        ) from err
    if suffix in TEXT_SUFFIXES:
        return [_read_text_table(data, suffix)]
    if suffix in (".xlsx", ".xls"):
        budget = ReadBudget(max_unpacked_bytes)
        if data.startswith(OLE_MAGIC):
            return _read_xls(data, budget, encrypted_hint=suffix == ".xlsx")
        if suffix == ".xls" and data.startswith(b"PK"):
            return _read_xlsx(data, budget)  # an .xlsx saved with the old suffix
        return _read_xlsx(data, budget) if suffix == ".xlsx" else _read_xls(data, budget)
    raise UnsupportedFormat(f"{suffix or '(no suffix)'} is not a table: use .csv, .tsv or .xlsx")


# ---- text files ---------------------------------------------------------------------------


def decode_bytes(data: bytes) -> tuple[str, list[str]]:
    """Decode a text file's bytes, trying BOMs, UTF-16 without BOM, UTF-8, then cp1252."""
    warnings: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]  # then as UTF-8 below, with the mixed-bytes fallback
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace"), warnings
    utf16 = _utf16_without_bom(data)
    if utf16:
        return data.decode(utf16, errors="replace"), warnings
    try:
        return data.decode("utf-8"), warnings
    except UnicodeDecodeError:
        pass
    lines = data.splitlines(keepends=True)
    if any(_is_utf8_non_ascii(line) for line in lines):
        # Mostly UTF-8 with a few Windows-1252 lines (files pasted together from two sources).
        decoded, fallback = [], 0
        for line in lines:
            try:
                decoded.append(line.decode("utf-8"))
            except UnicodeDecodeError:
                decoded.append(_decode_single_byte(line, "cp1252"))
                fallback += 1
        warnings.append(f"mixed encodings: {fallback} line(s) were not UTF-8, read as Windows-1252")
        return "".join(decoded), warnings
    encoding = _guess_single_byte(data)
    return _decode_single_byte(data, encoding), warnings


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM shows as NUL bytes in every other position for Latin text."""
    sample = data[:4096]
    half = len(sample) // 2
    if half < 2:
        return None
    even_nuls = sample[0::2].count(0) / half
    odd_nuls = sample[1::2].count(0) / half
    if odd_nuls > 0.3 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.3 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def _is_utf8_non_ascii(line: bytes) -> bool:
    if line.isascii():
        return False
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _guess_single_byte(data: bytes) -> str:
    """cp1252 unless charset-normalizer is confident of a non-Western code page (Cyrillic…)."""
    # Short Western files fool detectors (one 0xA9 byte "looks" like many code pages), and
    # cp1252 is what Excel on UK/US Windows writes, so it is the default.
    if len(data) < 256:
        return "cp1252"
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - it is a declared dependency
        return "cp1252"
    best = from_bytes(data[:65536]).best()
    if best is None or best.chaos > 0.2:
        return "cp1252"
    western = {"cp1252", "latin_1", "iso8859_15", "cp1250", "mac_roman", "ascii", "utf_8"}
    return "cp1252" if best.encoding in western else best.encoding


def _decode_single_byte(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        # cp1252 leaves five bytes undefined; latin-1 maps every byte, so nothing is lost.
        return data.decode("latin-1")


def _read_text_table(data: bytes, suffix: str) -> Table:
    if not data.strip():
        raise EmptyFile("no rows: the file is empty")
    text, warnings = decode_bytes(data)
    if "\x00" in text:
        count = text.count("\x00")
        text = text.replace("\x00", "")
        warnings.append(f"removed {count} NUL byte(s): the file may be damaged, check the rows")
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise EmptyFile("no rows: the file is empty")
    delimiter = sniff_delimiter(text, prefer="\t" if suffix in (".tsv", ".tab") else ",")
    if delimiter is None:
        if suffix == ".txt":
            raise IngestError("no delimiter found: this .txt is not a table, ingest it as evidence")
        delimiter = ","
    # newline="" makes StringIO split on \n, \r\n and bare \r (old Mac exports) alike.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = [(number, row) for number, row in enumerate(reader, start=1)]
    except csv.Error as err:
        raise IngestError(
            f"cannot parse as CSV ({err}): check the quoting or save it again"
        ) from err
    table = build_table(records, warn_short_rows=True)
    table.warnings[:0] = warnings
    return table


def sniff_delimiter(text: str, prefer: str = ",") -> str | None:
    """The delimiter among , ; tab | that splits the first records into the most steady columns."""
    sample = text[:65536]
    if len(text) > len(sample):
        sample = sample[: max(sample.rfind("\n"), sample.rfind("\r"), 0)] or sample
    best, best_score = None, (0.0, 0)
    for delimiter in sorted(DELIMITERS, key=lambda d: d != prefer):
        try:
            rows = [
                row
                for row, _ in zip(
                    csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter),
                    range(SAMPLE_RECORDS),
                    strict=False,
                )
                if any(cell.strip() for cell in row)
            ]
        except csv.Error:
            continue
        widths = Counter(len(row) for row in rows)
        if not widths:
            continue
        width, count = widths.most_common(1)[0]
        if width < 2:
            continue
        score = (round(count / len(rows), 2), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


# ---- Excel --------------------------------------------------------------------------------


def _read_xlsx(data: bytes, budget: ReadBudget) -> list[Table]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    handle = io.BytesIO(data)
    try:
        check_package(handle, budget.max_chars)  # from the zip's directory, before unpacking
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as err:
        raise IngestError(
            f"not a readable .xlsx ({type(err).__name__}): "
            "open it in Excel and save it again as .xlsx or .csv"
        ) from err
    tables = []
    try:
        for sheet in book.worksheets:
            budget.check_declared(sheet.title, sheet.max_row, sheet.max_column)
            sheet.reset_dimensions()  # stored dimensions are often wrong; read every cell
            table = _sheet_table(_xlsx_records(sheet, budget), sheet.title)
            if table is not None:
                tables.append(table)
    except IngestError:
        raise
    except Exception as err:  # damaged sheet XML surfaces as many exception types
        raise IngestError(
            f"a sheet could not be read ({type(err).__name__}): "
            "open it in Excel and save it again as .xlsx or .csv"
        ) from err
    finally:
        book.close()
    return _nonempty(tables)


def _xlsx_records(sheet, budget: ReadBudget) -> list[tuple[int, list[str]]]:
    """(row number, cells) for every row with a value, counted against the budget as read
    (openpyxl yields an empty row for each row number a sheet skips, so row 10**9 is cut off)."""
    records = []
    for number, row in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1):
        cells = [excel_cell_text(value) for value in row]
        budget.take(sheet.title, number, cells)
        if any(cells):
            records.append((number, cells))
    return records


def _read_xls(data: bytes, budget: ReadBudget, encrypted_hint: bool = False) -> list[Table]:
    import xlrd

    try:
        # xlrd prints its complaints to stdout unless given somewhere else to write them.
        book = xlrd.open_workbook(file_contents=data, logfile=io.StringIO())
    except Exception as err:  # xlrd raises bare Exception subclasses for many corruptions
        if encrypted_hint:
            raise IngestError(
                "password-protected or legacy workbook: remove the password and save as .xlsx"
            ) from err
        raise IngestError(
            f"not a readable .xls ({err}): open it in Excel and save as .xlsx or .csv"
        ) from err
    tables = []
    for sheet in book.sheets():
        budget.check_declared(sheet.name, sheet.nrows, sheet.ncols)
        records = []
        for index in range(sheet.nrows):
            cells = [_xls_cell_text(cell, book.datemode) for cell in sheet.row(index)]
            budget.take(sheet.name, index + 1, cells)
            records.append((index + 1, cells))
        table = _sheet_table(records, sheet.name)
        if table is not None:
            tables.append(table)
    return _nonempty(tables)


def _sheet_table(records: list[tuple[int, list[str]]], name: str) -> Table | None:
    try:
        table = build_table(records, warn_short_rows=False)
    except EmptyFile:
        return None  # empty or header-only sheets are skipped; others may hold the data
    table.sheet = name
    return table


def _nonempty(tables: list[Table]) -> list[Table]:
    if not tables:
        raise EmptyFile("no rows: every sheet is empty or has only a header")
    return tables


def excel_cell_text(value: object) -> str:
    """An openpyxl cell value as the string a person sees: whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def _xls_cell_text(cell, datemode: int) -> str:
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return excel_cell_text(xlrd.xldate.xldate_as_datetime(cell.value, datemode))
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return excel_cell_text(cell.value)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    return excel_cell_text(cell.value)
