"""Workbooks that declare, unpack to or pretend to hold far more than they should are refused
with a one-line reason, fast and in little memory; honest workbooks of real size still read."""

from __future__ import annotations

import re
import time
import tracemalloc
import zipfile

import pytest

from ingest.errors import TooLarge
from ingest.formats import docx
from ingest.formats.package_limits import MAX_CELLS
from ingest.formats.tabular import read_tables
from tests import hostile_workbooks as hostile

GB = 1 << 30


def _refusal(path, traced: bool = True, **limits) -> tuple[str, float, float]:
    """(reason, seconds, peak MB of Python memory) of reading a file that must be refused;
    untraced, the peak is not measured (tracing slows a million tiny rows tenfold)."""
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(TooLarge) as refused:
            read_tables(path, **limits)
        peak = tracemalloc.get_traced_memory()[1] / 1e6 if traced else float("nan")
        return str(refused.value), time.perf_counter() - started, peak
    finally:
        tracemalloc.stop()


def test_a_few_kilobytes_declaring_two_gigabytes_is_refused_before_unpacking(tmp_path):
    path = hostile.declaring(tmp_path / "declares-2gb.xlsx", 2 * GB)
    assert path.stat().st_size < 10_000
    reason, seconds, peak = _refusal(path, max_unpacked_bytes=200_000_000)
    assert reason == (
        "unpacks to 2,147 MB, over the 200 MB limit (QLAB_MAX_UNPACKED_MB): "
        "split the workbook or raise the limit"
    )
    assert seconds < 5 and peak < 5


def test_a_real_deflate_bomb_is_refused_by_size_or_by_its_ratio(tmp_path):
    bomb = hostile.deflate_bomb(tmp_path / "bomb.xlsx", unpacked_mb=60)
    assert bomb.stat().st_size < 100_000
    reason, seconds, peak = _refusal(bomb, max_unpacked_bytes=50_000_000)
    assert reason.startswith("unpacks to 60 MB, over the 50 MB limit")
    assert seconds < 5 and peak < 5
    # Under the limit, its packing still gives it away: no real sheet packs 1,000 to 1.
    reason, seconds, peak = _refusal(bomb, max_unpacked_bytes=500_000_000)
    assert reason.startswith("part xl/worksheets/sheet1.xml unpacks to 1,0")
    assert "times its packed size" in reason and reason.endswith("or from its program")
    assert seconds < 5 and peak < 5


def test_a_zip_directory_of_fifty_thousand_parts_is_refused_before_it_is_read(tmp_path):
    path = hostile.many_parts(tmp_path / "parts.xlsx", 50_000)
    reason, seconds, peak = _refusal(path)
    assert re.match(r"its zip directory lists 50,0\d\d parts in 3 MB, more than a real", reason)
    assert seconds < 5 and peak < 20  # zipfile itself would hold ~25 MB of entries


def test_a_sheet_declaring_every_cell_excel_allows_is_refused_before_a_row_is_read(tmp_path):
    reason, seconds, peak = _refusal(hostile.whole_sheet_dimension(tmp_path / "wide.xlsx"))
    assert reason.startswith("sheet 'Sheet' declares 1,048,576 rows by 16,384 columns")
    assert seconds < 5 and peak < 5


def test_one_cell_in_row_a_billion_stops_at_excels_last_row(tmp_path):
    # openpyxl yields an empty row for every row a sheet skips: a billion, from 300 bytes.
    path = hostile.one_distant_row(tmp_path / "far.xlsx", 10**9)
    assert path.stat().st_size < 10_000
    reason, seconds, _ = _refusal(path, traced=False)  # the skipped rows share one empty row
    assert reason.startswith("sheet 'Sheet' goes past row 1,048,576, Excel's own limit")
    assert seconds < 30  # 1.7 s here


def test_rows_padded_to_the_last_column_stop_at_the_cell_cap(tmp_path):
    # Each row's one cell in column XFD makes openpyxl pad the row to 16,384 values.
    def write(handle):
        handle.write(hostile._SHEET_HEAD + b"<sheetData>")
        handle.write(b"".join(b'<row r="%d"><c r="XFD%d"><v>1</v></c></row>' % (n, n)
                              for n in range(1, 1_001)))  # fmt: skip
        handle.write(b"</sheetData></worksheet>")

    path = hostile._with_sheet(tmp_path / "padded.xlsx", write)
    reason, seconds, peak = _refusal(path)
    assert reason.startswith(f"more than {MAX_CELLS:,} cells: ")
    assert seconds < 60 and peak < 200  # the cap's 5 M cells are 40 MB of pointers


def test_one_long_answer_shared_by_thousands_of_cells_is_refused_as_read(tmp_path):
    # A workbook keeps each distinct string once and cells point at it: 2,000 cells of one
    # 50 KB answer unpack to 0.2 MB but hand the reader 100 MB of text to redact and embed.
    answer = "The evening group helped me more than I can say." + " Truly." * 8_000
    path = hostile.shared_answer(tmp_path / "shared.xlsx", answer, cells=2_000)
    assert path.stat().st_size < 100_000
    reason, seconds, peak = _refusal(path, max_unpacked_bytes=10_000_000)
    assert reason == (
        "its cells hold over 10 MB of text, the limit (QLAB_MAX_UNPACKED_MB): "
        "split the workbook or raise the limit"
    )
    assert seconds < 30 and peak < 50


def test_honest_workbooks_still_read(tmp_path, eval_path):
    (table,) = read_tables(hostile.survey_workbook(tmp_path / "honest.xlsx"))
    assert table.rows[1] == ["R2", "Someone to walk in with me the first time"]
    path = eval_path("bad-inputs", "survey-exports",
                     "nhs-experiencesdashboard__general-trust-upload-template.xlsx")  # fmt: skip
    assert read_tables(path, max_unpacked_bytes=1_000_000)  # 21 KB unpacked: far inside


def test_a_docx_that_packs_like_a_bomb_is_refused_under_the_size_limit(tmp_path):
    path = tmp_path / "packed.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", b"<w:t>" + b"A" * 20_000_000 + b"</w:t>")
    with pytest.raises(TooLarge, match=r"^part word/document.xml unpacks to [\d,]+ times"):
        docx.parse(path, max_unpacked_bytes=500_000_000)
