"""Parse the date formats surveys and exports use into ISO yyyy-mm-dd strings."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

MIN_YEAR, MAX_YEAR = 1900, 2100
MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}

# What may follow a date: a time with optional seconds, AM/PM and zone ("10:22:13 AM", "T08:28Z").
_TIME = (
    r"(?:[T\s,]+\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?"
    r"\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})?)?"
)
_ISO = re.compile(rf"^(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME}$")
_NUMERIC = re.compile(rf"^(\d{{1,2}})[-/.](\d{{1,2}})[-/.](\d{{4}}|\d{{2}}){_TIME}$")
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_MONTH = r"([A-Za-z]{3,9})\.?"
_YEAR = r"(\d{4}|\d{2})"
_WEEKDAY = r"(?:[A-Za-z]+,?\s+)?"
_DAY_MONTH = re.compile(rf"^{_WEEKDAY}{_DAY}[\s\-/]+{_MONTH}[\s\-/,]+{_YEAR}{_TIME}$")
_MONTH_DAY = re.compile(rf"^{_WEEKDAY}{_MONTH}\s+{_DAY},?\s+{_YEAR}{_TIME}$")


def parse_date(value: str, month_first: bool = False) -> str | None:
    """ISO yyyy-mm-dd for a date or datetime string; UK day-first unless month_first."""
    text = " ".join(str(value).split())
    if not text or len(text) > 40:
        return None
    if match := _ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
        return _make(year, month, day)
    if match := _NUMERIC.match(text):
        first, second, year = int(match[1]), int(match[2]), _full_year(match[3])
        day, month = (second, first) if month_first else (first, second)
        # An impossible order is a mislabelled column, not a missing date: swap it.
        return _make(year, month, day) or _make(year, day, month)
    if match := _DAY_MONTH.match(text):
        month = MONTHS.get(match[2].lower())
        return _make(_full_year(match[3]), month, int(match[1])) if month else None
    if match := _MONTH_DAY.match(text):
        month = MONTHS.get(match[1].lower())
        return _make(_full_year(match[3]), month, int(match[2])) if month else None
    return None


def parse_excel_serial(value: str | float, date1904: bool = False) -> str | None:
    """ISO date for an Excel serial day number (45000 -> 2023-03-15); None if implausible."""
    try:
        serial = float(value)
    except (TypeError, ValueError):
        return None
    if not 1 <= serial < 2958466:
        return None
    # Excel counts a fictitious 29 Feb 1900 (serial 60), so later serials start a day earlier.
    if date1904:
        epoch = dt.date(1904, 1, 1)
    else:
        epoch = dt.date(1899, 12, 31) if serial < 60 else dt.date(1899, 12, 30)
    day = epoch + dt.timedelta(days=int(serial))
    return day.isoformat() if MIN_YEAR <= day.year <= MAX_YEAR else None


def column_is_month_first(values: Iterable[str]) -> bool:
    """True when numeric dates in a column are US-style: some second field > 12, no first > 12."""
    second_over = False
    for value in values:
        match = _NUMERIC.match(" ".join(str(value).split()))
        if not match:
            continue
        if int(match[1]) > 12:
            return False
        if int(match[2]) > 12:
            second_over = True
    return second_over


def parse_date_column(values: list[str]) -> list[str | None]:
    """Parse a whole column at once so one US-style value decides the order for all of them."""
    month_first = column_is_month_first(values)
    return [parse_date(value, month_first) for value in values]


def _full_year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        # The POSIX/strptime pivot: 69-99 are 1900s, 00-68 are 2000s.
        year += 1900 if year >= 69 else 2000
    return year


def _make(year: int, month: int, day: int) -> str | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None
