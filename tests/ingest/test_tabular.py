"""read_tables on the real bad-input files and on small files that pin down one case each."""

from __future__ import annotations

import time

import openpyxl
import pytest

from ingest.errors import EmptyFile, IngestError
from ingest.formats.tabular import decode_bytes, read_tables, sniff_delimiter

ENCODINGS = [
    "csvkit__bad.csv",
    "csvkit__dummy.xls",
    "csvkit__empty.csv",
    "csvkit__mac_newlines.csv",
    "csvkit__null_byte.csv",
    "csvkit__sheets.xlsx",
    "csvkit__test_latin1.csv",
    "csvkit__test_skip_lines.xlsx",
    "csvkit__test_utf16_big.csv",
    "csvkit__test_utf16_little.csv",
    "csvkit__test_utf8_bom.csv",
]
SURVEYS = [
    "nhs-experiencesdashboard__general-trust-upload-template.xlsx",
    "nhs-experiencesdashboard__test_data.csv",
    "qualtrics__sample.csv",
    "qualtrics__sample_legacy.csv",
]


def _csv(eval_path, name):
    return read_tables(eval_path("bad-inputs", "csv-encodings", name))


@pytest.mark.parametrize(
    "folder,name",
    [("csv-encodings", n) for n in ENCODINGS] + [("survey-exports", n) for n in SURVEYS],
)
def test_every_bad_input_is_read_or_refused_cleanly(eval_path, folder, name):
    try:
        tables = read_tables(eval_path("bad-inputs", folder, name))
    except IngestError as err:
        assert str(err) and "\n" not in str(err)
        return
    assert tables
    for table in tables:
        assert table.rows and table.columns
        assert all(len(row) == len(table.columns) for row in table.rows)
        assert len(table.row_numbers) == len(table.rows)
        assert all(isinstance(cell, str) and cell == cell.strip() for r in table.rows for cell in r)
        assert len(set(table.columns)) == len(table.columns)


def test_latin1_accents_decode(eval_path):
    (table,) = _csv(eval_path, "csvkit__test_latin1.csv")
    assert table.columns == ["a", "b", "c"]
    assert table.rows[-1] == ["4", "5", "©"]


@pytest.mark.parametrize("name", ["csvkit__test_utf16_big.csv", "csvkit__test_utf16_little.csv"])
def test_utf16_files_match_utf8(eval_path, name):
    (table,) = _csv(eval_path, name)
    assert table.columns == ["a", "b", "c"]
    assert table.rows == [["1", "2", "3"], ["4", "5", "ʤ"]]
    assert table.row_numbers == [2, 3]


def test_utf8_bom_is_not_part_of_the_first_column(eval_path):
    (table,) = _csv(eval_path, "csvkit__test_utf8_bom.csv")
    assert table.columns == ["foo", "bar", "baz"]
    assert table.rows[-1][-1] == "ʤ"


def test_mac_newlines_give_rows_and_keep_quoted_breaks(eval_path):
    (table,) = _csv(eval_path, "csvkit__mac_newlines.csv")
    assert table.columns == ["a", "b", "c"]
    assert len(table.rows) == 2
    assert table.rows[1] == ["Once upon\na time", "5", "6"]


def test_null_byte_removed_with_warning(eval_path):
    (table,) = _csv(eval_path, "csvkit__null_byte.csv")
    assert table.rows == [["", "2", "3"]]
    assert any("NUL" in warning for warning in table.warnings)


def test_empty_csv_refused(eval_path):
    with pytest.raises(EmptyFile, match="^no rows"):
        _csv(eval_path, "csvkit__empty.csv")


def test_ragged_rows_are_squared_with_warnings_naming_rows(eval_path):
    (table,) = _csv(eval_path, "csvkit__bad.csv")
    assert table.columns == ["column_a", "column_b", "column_c"]
    assert table.rows[0] == ["1", "27", ""]  # "I'm too long!" is cut off...
    assert any("more cells" in w and "2" in w for w in table.warnings)  # ...and reported
    assert table.rows[1] == ["", "I'm too short!", ""]
    assert any("fewer cells" in w and "3" in w for w in table.warnings)


def test_skip_lines_xlsx_finds_header_below_junk(eval_path):
    (table,) = _csv(eval_path, "csvkit__test_skip_lines.xlsx")
    assert table.columns[:3] == ["text", "date", "integer"]
    assert table.row_numbers[0] == 5  # the sheet's own row number
    first = dict(zip(table.columns, table.rows[0], strict=True))
    assert first["text"] == "Chicago Reader"
    assert first["date"] == "1971-01-01"
    assert first["integer"] == "40"  # whole numbers without ".0"
    assert first["float"] == "1"
    assert first["datetime"] == "1971-01-01T04:14:00"
    assert table.rows[-1][0] == "Unicode! Σ"


def test_multi_sheet_xlsx_one_table_per_nonempty_sheet(eval_path):
    tables = _csv(eval_path, "csvkit__sheets.xlsx")
    assert [t.sheet for t in tables] == ["data", "ʤ"]  # the empty first sheet is skipped
    assert tables[1].columns == ["a", "b", "c"]
    assert tables[1].rows == [["1", "2", "3"]]


def test_legacy_xls_reads(eval_path):
    (table,) = _csv(eval_path, "csvkit__dummy.xls")
    assert table.sheet == "Sheet1"
    assert table.columns == ["a", "b", "c"]
    assert table.rows == [["1", "2", "3"]]


def test_qualtrics_three_row_header(eval_path):
    (table,) = read_tables(eval_path("bad-inputs", "survey-exports", "qualtrics__sample.csv"))
    ids = dict(zip(table.columns, table.column_ids, strict=True))
    assert ids["This is a free text question."] == "Q2"
    assert ids["This is a multiple choice question."] == "Q1"
    assert table.column_ids[8] == "ResponseId"
    assert len(table.rows) == 1 and table.row_numbers == [4]
    assert not any("ImportId" in cell for cell in table.rows[0])
    assert table.rows[0][table.columns.index("This is a free text question.")] == "Hello World!"


def test_qualtrics_legacy_two_row_header(eval_path):
    path = eval_path("bad-inputs", "survey-exports", "qualtrics__sample_legacy.csv")
    (table,) = read_tables(path)
    assert table.columns[0] == "ResponseID"  # no BOM glued on
    assert table.column_ids[:2] == ["V1", "V2"]
    assert table.column_ids[table.columns.index("This is a free text question.")] == "Q2"
    assert table.row_numbers == [3]
    assert table.rows[0][0] == "R_2YPOQ602ER1jkf1"
    assert "" not in table.columns  # the trailing comma makes no blank column


def test_nhs_text_data_reads_fast(eval_path):
    path = eval_path("clustering", "nhs-fft-patient-feedback-phase1", "text_data.csv")
    started = time.perf_counter()
    (table,) = read_tables(path)
    elapsed = time.perf_counter() - started
    assert len(table.rows) == 10334
    assert table.columns[3] == "feedback"
    assert table.row_numbers[0] == 2
    assert elapsed < 1.0


def test_cp1252_and_mixed_encodings(tmp_path):
    cp = tmp_path / "cp.csv"
    cp.write_bytes("name,comment\nx,“Café” – 50€\n".encode("cp1252"))
    (table,) = read_tables(cp)
    assert table.rows[0][1] == "“Café” – 50€"

    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes("id,comment\n1,naïve café\n".encode() + "2,crème brûlée\n".encode("cp1252"))
    (table,) = read_tables(mixed)
    assert [row[1] for row in table.rows] == ["naïve café", "crème brûlée"]
    assert any("Windows-1252" in w for w in table.warnings)


def test_utf16_without_bom():
    text, _ = decode_bytes("a,b\n1,é\n".encode("utf-16-le"))
    assert text == "a,b\n1,é\n"
    text, _ = decode_bytes("a,b\n1,é\n".encode("utf-16-be"))
    assert text == "a,b\n1,é\n"


@pytest.mark.parametrize("delimiter", [";", "\t", "|", ","])
def test_delimiter_sniffed(tmp_path, delimiter):
    rows = [["name", "score", "comment"], ["a", "1", "good, clear"], ["b", "2", "slow"]]
    lines = [delimiter.join(f'"{c}"' if delimiter in c else c for c in r) for r in rows]
    assert sniff_delimiter("\n".join(lines)) == delimiter
    path = tmp_path / "t.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (table,) = read_tables(path)
    assert table.columns == ["name", "score", "comment"]
    assert table.rows[0][2] == "good, clear"


def test_title_rows_skipped_and_duplicate_names_numbered(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "Staff survey 2026,,,\n,,,\nid,comment,comment,\n1,Too busy,Fine,\n2,OK,More staff,\n",
        encoding="utf-8",
    )
    (table,) = read_tables(path)
    assert table.columns == ["id", "comment", "comment (2)"]
    assert table.row_numbers == [4, 5]
    assert any("above the header" in w for w in table.warnings)


def test_header_only_refused(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("a,b,c\n\n", encoding="utf-8")
    with pytest.raises(EmptyFile, match="no rows"):
        read_tables(path)


def test_plain_text_is_not_a_table(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Just some notes\nwith no columns at all\n", encoding="utf-8")
    with pytest.raises(IngestError, match="not a table"):
        read_tables(path)


def test_corrupt_xlsx_refused_with_reason(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a workbook")
    with pytest.raises(IngestError, match="save it again"):
        read_tables(path)


def test_xlsx_whole_numbers_and_dates(tmp_path):
    import datetime as dt

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Responses"
    sheet.append(["When", "Score", "Ratio", "Comment"])
    sheet.append([dt.datetime(2026, 3, 4), 3.0, 0.25, "  padded  "])
    path = tmp_path / "r.xlsx"
    book.save(path)
    (table,) = read_tables(path)
    assert table.sheet == "Responses"
    assert table.rows == [["2026-03-04", "3", "0.25", "padded"]]


def test_bom_file_with_stray_cp1252_bytes(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfid,comment\n1,caf\xc3\xa9\n2,na\xefve\n")
    (table,) = read_tables(path)
    assert table.columns == ["id", "comment"]
    assert [row[1] for row in table.rows] == ["café", "naïve"]
