"""Find a survey export's header row, map Qualtrics/SurveyMonkey header rows, square the data."""

from __future__ import annotations

import re
from collections import Counter

from ingest.errors import EmptyFile
from ingest.records import Table

HEADER_SEARCH_ROWS = 20  # junk rows above a header are title lines, never whole pages
# Records looked at for the usual row width; tabular's delimiter sniffing reads as many.
SAMPLE_RECORDS = 200
_NUMBER = re.compile(r"^[-+]?[\d.,]+%?$")
_QUALTRICS_ID = re.compile(r"^(V\d+|Q\d+\S*|QID\d+\S*)$", re.IGNORECASE)
_IMPORT_ID = re.compile(r'^\{\s*"ImportId"', re.IGNORECASE)
_MONKEY_ROW2 = {"response", "open-ended response"}


def build_table(records: list[tuple[int, list[str]]], warn_short_rows: bool = True) -> Table:
    """Find the header among raw (row number, cells) records and square the data rows."""
    records = [(number, [_clean(cell) for cell in row]) for number, row in records]
    nonblank = [(number, row) for number, row in records if any(row)]
    if not nonblank:
        raise EmptyFile("no rows: the file is empty")
    width_mode = _modal_width(nonblank[:SAMPLE_RECORDS])
    start = _header_index(nonblank, width_mode)
    header = nonblank[start][1]
    following = nonblank[start + 1 : start + 3]
    columns, column_ids, skip = _resolve_header(header, [row for _, row in following])
    data = nonblank[start + 1 + skip :]
    if not data:
        raise EmptyFile("no rows: only a header was found, no answers below it")
    warnings: list[str] = []
    if start:
        warnings.append(f"skipped {start} row(s) above the header (row {nonblank[start][0]})")
    width = _table_width(len(_trim(columns)), data)
    columns = _name_columns(columns, width)
    if column_ids is not None:
        column_ids = (column_ids + [""] * width)[:width]
    rows, numbers, short, long = [], [], [], []
    for number, row in data:
        if len(row) > width:
            if any(row[width:]):
                long.append(number)
            row = row[:width]
        elif len(row) < width:
            short.append(number)
            row = row + [""] * (width - len(row))
        rows.append(row)
        numbers.append(number)
    if long:
        warnings.append(f"{_list_rows(long)} had more cells than the header: extra cut off")
    if short and warn_short_rows:
        warnings.append(f"{_list_rows(short)} had fewer cells than the header: padded")
    return Table(
        columns=columns, rows=rows, row_numbers=numbers, column_ids=column_ids, warnings=warnings
    )


def _table_width(header_width: int, data: list[tuple[int, list[str]]]) -> int:
    """The header's width, unless most rows carry values past it (an unnamed last column)."""
    wider = [len(_trim(row)) for _, row in data if len(_trim(row)) > header_width]
    if len(wider) > len(data) / 2:
        return Counter(wider).most_common(1)[0][0]
    return max(header_width, 1)


def _clean(cell: str) -> str:
    # Old Mac exports put bare CRs inside quoted cells; keep line breaks but as \n.
    if "\r" in cell:
        cell = cell.replace("\r\n", "\n").replace("\r", "\n")
    return cell.strip()


def _trim(row: list[str]) -> list[str]:
    end = len(row)
    while end and not row[end - 1]:
        end -= 1
    return row[:end]


def _modal_width(rows: list[tuple[int, list[str]]]) -> int:
    widths = Counter(len(_trim(row)) for _, row in rows)
    return widths.most_common(1)[0][0] if widths else 0


def _header_index(rows: list[tuple[int, list[str]]], width_mode: int) -> int:
    """Index of the first row that is mostly filled, distinct and non-numeric, with data after."""
    need = max(1, min(2, width_mode), -(-width_mode // 2))
    for index, (_, row) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if index + 1 >= len(rows):
            break
        cells = [cell for cell in row if cell]
        if cells and _is_monkey_options(rows[index + 1][1]):
            return index  # SurveyMonkey: question row with blanks over multi-option columns
        if len(cells) < need:
            continue  # title line or note above the header
        if len(set(cells)) <= len(cells) / 2:  # some duplicates are fine: they get " (2)"
            continue
        if sum(bool(_NUMBER.match(cell)) for cell in cells) > len(cells) / 2:
            continue  # a data row: headers are words
        return index
    return 0


def _resolve_header(
    header: list[str], following: list[list[str]]
) -> tuple[list[str], list[str] | None, int]:
    """Columns, column ids and how many extra header rows follow, for the known export styles."""
    second = following[0] if following else []
    third = following[1] if len(following) > 1 else []
    filled = [cell for cell in third if cell]
    if filled and sum(bool(_IMPORT_ID.match(cell)) for cell in filled) > len(filled) / 2:
        # Qualtrics: ids, question text, {"ImportId": ...}
        return _question_names(header, second), list(header), 2
    ids = [cell for cell in header if cell]
    if (
        ids
        and sum(bool(_QUALTRICS_ID.match(cell)) for cell in ids) > len(ids) / 2
        and any(cell.lower() == "responseid" for cell in second)
    ):
        # Legacy Qualtrics: V1.. / Q1.. ids, then a row of names and question text.
        return _question_names(header, second), list(header), 1
    if _is_monkey_options(second):
        return _surveymonkey_names(header, second), None, 1
    return list(header), None, 0


def _is_monkey_options(row: list[str]) -> bool:
    return any(cell.lower() in _MONKEY_ROW2 for cell in row)


def _question_names(ids: list[str], texts: list[str]) -> list[str]:
    texts = texts + [""] * (len(ids) - len(texts))
    return [text or ident for ident, text in zip(ids, texts, strict=False)]


def _surveymonkey_names(questions: list[str], options: list[str]) -> list[str]:
    """Forward-fill question text over multi-option columns; add the option label where given."""
    size = max(len(questions), len(options))
    questions = questions + [""] * (size - len(questions))
    options = options + [""] * (size - len(options))
    names, current = [], ""
    for question, option in zip(questions, options, strict=True):
        current = question or current
        if option and option.lower() not in _MONKEY_ROW2:
            names.append(f"{current} — {option}" if current else option)
        else:
            names.append(current)
    return names


def _name_columns(columns: list[str], width: int) -> list[str]:
    """Collapse whitespace, name blank headers 'Column N', and number duplicates ' (2)'."""
    columns = (columns + [""] * width)[:width]
    seen: Counter = Counter()
    names = []
    for index, raw in enumerate(columns):
        name = " ".join(raw.split()) or f"Column {index + 1}"
        seen[name.lower()] += 1
        if seen[name.lower()] > 1:
            candidate = f"{name} ({seen[name.lower()]})"
            while candidate.lower() in seen:
                seen[name.lower()] += 1
                candidate = f"{name} ({seen[name.lower()]})"
            seen[candidate.lower()] += 1
            name = candidate
        names.append(name)
    return names


def _list_rows(numbers: list[int], limit: int = 10) -> str:
    shown = ", ".join(str(number) for number in numbers[:limit])
    shown = ("rows " if len(numbers) > 1 else "row ") + shown
    return shown + (f" and {len(numbers) - limit} more" if len(numbers) > limit else "")
