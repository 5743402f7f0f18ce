"""Writing what the workspace holds to files people open in spreadsheets."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

EXTRACT_COLUMNS = ["extract_id", "kind", "source", "page", "row", "person", "date", "text"]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A cell a spreadsheet shows as text: formula-like strings get a leading apostrophe (OWASP)."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def write_csv(path: Path, columns: list[str], rows: Iterable[dict]) -> int:
    """Write rows (dicts) under the given columns, every cell made safe; return the row count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([safe_cell(row.get(column)) for column in columns])
            count += 1
    return count
