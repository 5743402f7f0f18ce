"""Bounds for zip-based files (XLSX, DOCX): checked from the zip's directory before anything is
unpacked, and while a workbook is read, so a file that lies about its size cannot run away."""

from __future__ import annotations

import struct
import zipfile
from typing import BinaryIO

from ingest.errors import TooLarge

DEFAULT_MAX_UNPACKED = 500_000_000  # the QLAB_MAX_UNPACKED_MB default, for callers without one
LIMIT_SETTING = "QLAB_MAX_UNPACKED_MB"
# An Office package has tens of parts. zipfile holds every directory entry in memory (about
# 0.5 KB each) before anything can be checked, so the directory's size is read from the zip's
# end record first: 2 MB of directory is over 40,000 parts.
MAX_MEMBERS = 10_000
MAX_DIRECTORY_BYTES = 2_000_000
# Apache POI refuses Office parts that unpack to over 100 times their packed size; real
# workbooks here pack 4-25 times. Small parts (styles) are left alone: they cannot hurt.
MAX_RATIO = 100
RATIO_FROM_BYTES = 1_000_000
# Excel's own sheet limit: a row past it was not written by Excel.
MAX_ROWS = 1_048_576
# openpyxl reads 45-80 thousand cells a second on these machines: about a minute or two.
MAX_CELLS = 5_000_000

_END = b"PK\x05\x06"  # end of central directory record
_END_64_LOCATOR = b"PK\x06\x07"


def megabytes(size: int, over: int | None = None) -> str:
    """ "2,147 MB"; with a decimal when whole megabytes would not show it is over `over`."""
    shown = f"{size / 1_000_000:,.0f} MB"
    if over is not None and shown == megabytes(over) and size > over:
        return f"{size / 1_000_000:,.1f} MB"
    return shown


def check_package(handle: BinaryIO, max_unpacked_bytes: int, what: str = "workbook") -> None:
    """Refuse a package with too many parts, too large unpacked, or packed like a zip bomb,
    reading only its directory. Raises zipfile.BadZipFile for what is not a zip at all."""
    members, directory = _directory_size(handle)
    if members > MAX_MEMBERS or directory > MAX_DIRECTORY_BYTES:
        raise TooLarge(
            f"its zip directory lists {members:,} parts in {megabytes(directory)}, more than "
            f"a real {what} has ({MAX_MEMBERS:,} at most): save it again from its program"
        )
    with zipfile.ZipFile(handle) as package:
        infos = package.infolist()
    unpacked = sum(info.file_size for info in infos)
    if unpacked > max_unpacked_bytes:
        size, limit = megabytes(unpacked, max_unpacked_bytes), megabytes(max_unpacked_bytes)
        raise TooLarge(
            f"unpacks to {size}, over the {limit} limit ({LIMIT_SETTING}): "
            f"split the {what} or raise the limit"
        )
    for info in infos:
        if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            ratio = info.file_size / max(info.compress_size, 1)
            raise TooLarge(
                f"part {info.filename} unpacks to {ratio:,.0f} times its packed size "
                f"(over {MAX_RATIO}, as zip bombs do): save the {what} again as .csv "
                "or from its program"
            )


def _directory_size(handle: BinaryIO) -> tuple[int, int]:
    """(entries, bytes) of the directory the zip's end record declares; (0, 0) when there is
    no end record (zipfile will say the file is not a zip)."""
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(max(0, size - 22 - 65_535))  # the record, after a comment of at most 64 KB
    tail = handle.read()
    handle.seek(0)
    at = tail.rfind(_END)
    if at < 0 or len(tail) - at < 22:
        return 0, 0
    entries, directory = struct.unpack_from("<HL", tail, at + 10)
    locator = at - 20
    zip64 = locator >= 0 and tail[locator : locator + 4] == _END_64_LOCATOR
    if zip64 and (entries == 0xFFFF or directory == 0xFFFFFFFF):
        # Zip64: the real sizes are in a record the locator points to.
        (offset,) = struct.unpack_from("<Q", tail, locator + 8)
        handle.seek(offset)
        record = handle.read(56)
        handle.seek(0)
        if len(record) == 56 and record[:4] == b"PK\x06\x06":
            entries, directory = struct.unpack_from("<QQ", record, 32)
    return entries, directory


class ReadBudget:
    """Counts what a workbook's reader has taken so far and refuses past the caps."""

    def __init__(self, max_chars: int):
        self.max_chars = max_chars
        self.cells = 0
        self.chars = 0

    def check_declared(self, sheet: str, rows: int | None, columns: int | None) -> None:
        """Refuse a sheet whose declared size is past the caps before reading a row of it."""
        if rows and rows > MAX_ROWS:
            raise TooLarge(
                f"sheet {sheet!r} declares {rows:,} rows, past Excel's {MAX_ROWS:,}: "
                "the file is damaged or not from Excel; save it again from Excel or as .csv"
            )
        if rows and columns and rows * columns > MAX_CELLS:
            raise TooLarge(
                f"sheet {sheet!r} declares {rows:,} rows by {columns:,} columns, over "
                f"{MAX_CELLS:,} cells: save the columns you need as .csv, or split the workbook"
            )

    def take(self, sheet: str, number: int, cells: list[str]) -> None:
        """Count one row as read; refuse once a cap is passed."""
        if number > MAX_ROWS:
            raise TooLarge(
                f"sheet {sheet!r} goes past row {MAX_ROWS:,}, Excel's own limit: the file is "
                "damaged or not from Excel; save it again from Excel or as .csv"
            )
        self.cells += len(cells)
        self.chars += sum(len(cell) for cell in cells)
        if self.cells > MAX_CELLS:
            raise TooLarge(
                f"more than {MAX_CELLS:,} cells: save the columns you need as .csv, "
                "or split the workbook"
            )
        if self.chars > self.max_chars:
            raise TooLarge(
                f"its cells hold over {megabytes(self.max_chars)} of text, the limit "
                f"({LIMIT_SETTING}): split the workbook or raise the limit"
            )
