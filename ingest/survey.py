"""Survey exports: guess each column's role and turn free-text answers into extracts."""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Iterable

from ingest.dates import column_is_month_first, parse_date, parse_date_column
from ingest.errors import IngestError
from ingest.non_answers import non_answer_type
from ingest.records import Extract, SetAside, Table

ROLES = ("text", "attribute", "id", "date", "author", "ignore")
SAMPLE = 2000  # rows looked at per column when guessing; enough to see the shape
MAX_ATTRIBUTE_VALUES = 50

# Direct identifiers, matched on names squashed to lowercase letters/digits. Never stored.
_PII_EXACT = {
    "name", "fullname", "firstname", "lastname", "surname", "forename", "givenname",
    "familyname", "yourname", "respondentname", "participantname", "patientname",
    "contactname", "ip", "ipaddr", "phone", "tel", "telephone", "mobile", "phonenumber",
    "mobilenumber", "postcode", "zip", "zipcode", "postalcode", "address", "homeaddress",
    "streetaddress", "nhsnumber", "nhsno", "dob", "dateofbirth", "birthdate", "birthday",
    "lat", "lng", "lon", "long", "latitude", "longitude", "locationaccuracy", "signature",
}  # fmt: skip
_PII_PARTS = ("email", "ipaddress", "recipient", "latitude", "longitude", "postcode",
              "phonenumber", "nhsnumber", "dateofbirth", "firstname", "lastname")  # fmt: skip
# Survey-platform bookkeeping: says nothing about the respondent's views.
_BOOKKEEPING = {
    "status", "progress", "finished", "collectorid", "distributionchannel", "userlanguage",
    "externalreference", "externaldatareference", "responseset", "responsetype",
    "customdata", "customdata1", "qrecaptchascore", "qrelevantidduplicate", "hidden",
}  # fmt: skip
_ID_NAMES = ("responseid", "respondentid", "recordid", "participantid", "patientid", "ptid",
             "userid", "respondent", "participant")  # fmt: skip
_TEXT_HINTS = re.compile(
    r"comment|feedback|text|txt|describe|explain|why|suggest|improve|open|other|tell us|"
    r"question|answer|\?",
    re.IGNORECASE,
)
_PLACEHOLDERS = {
    "n/a", "na", "n.a", "n.a.", "nil", "null", "no comment", "no comments",
    "did not answer", "prefer not to say", "no answer", "nothing to add", "not applicable",
    "#n/a", "nan", "x",
}  # fmt: skip
# Values that mean "missing" in an attribute cell (but "None" can be a real answer there).
_MISSING = {"", "na", "n/a", "#n/a", "nan", "null", "-", "--", "not known", "unknown"}


def is_placeholder(answer: str) -> bool:
    """True for empty, punctuation-only and 'N/A'-style values: used to guess column roles and
    to skip empty contribution posts. "No", "None" and "Nothing" are kept here, as values of an
    attribute column can be; survey answers are judged by ingest.non_answers, which counts
    them aside (to "Is there anything we could do better?" a bare "Nothing" has no words to
    theme or quote, so it is a number per question, not an extract).
    """
    text = " ".join(answer.split()).lower()
    if all(unicodedata.category(char)[0] in "PZ" for char in text):
        return True  # "", "-", "--", ".", "...", "?" (an emoji such as 👍 is an answer)
    return text.strip(" .!'\"()[]") in _PLACEHOLDERS or text in _PLACEHOLDERS


def guess_mapping(table: Table) -> dict[str, str]:
    """Guess a role for every column: identifiers and bookkeeping first, then by the values."""
    ids = table.column_ids or [""] * len(table.columns)
    mapping: dict[str, str] = {}
    dates: list[tuple[int, int, str]] = []  # (preference, -position, name)
    id_candidates: list[tuple[int, int, str]] = []
    for index, name in enumerate(table.columns):
        keys = {_squash(name), _squash(ids[index])} - {""}
        values = [row[index] for row in table.rows[:SAMPLE] if not is_placeholder(row[index])]
        if _is_identifier(name, keys) or keys & _BOOKKEEPING or _is_bookkeeping(keys) or not values:
            mapping[name] = "ignore"
        elif "_text" in ids[index].lower() and _median_words(values) >= 1:
            mapping[name] = "text"  # Qualtrics marks open-ended answers QIDn_TEXT
        elif _mostly_dates(values):
            mapping[name] = "ignore"  # until the best date column is chosen below
            dates.append((_date_preference(keys), -index, name))
        elif _looks_like_id(values, len(table.rows[:SAMPLE]), _id_preference(keys) == 3):
            mapping[name] = "ignore"
            id_candidates.append((_id_preference(keys), -index, name))
        elif _looks_like_text(name, values):
            mapping[name] = "text"
        elif len(set(values)) <= max(MAX_ATTRIBUTE_VALUES, len(values) // 2):
            mapping[name] = "attribute"
        else:
            mapping[name] = "ignore"  # many distinct short values: neither groups nor prose
    if dates:
        mapping[max(dates)[2]] = "date"
    if id_candidates:
        mapping[max(id_candidates)[2]] = "id"
    return mapping


def apply_overrides(
    mapping: dict[str, str],
    columns: list[str],
    column_ids: list[str] | None,
    text_cols: Iterable[str] = (),
    attr_cols: Iterable[str] = (),
    id_col: str | None = None,
    date_col: str | None = None,
    author_col: str | None = None,
) -> dict[str, str]:
    """Apply the user's column choices (by name or id, any case) on top of a guessed mapping."""
    result = dict(mapping)
    for column in columns:
        result.setdefault(column, "ignore")
    for role, names in (("text", list(text_cols)), ("attribute", list(attr_cols))):
        if names:
            chosen = [_resolve(name, columns, column_ids) for name in names]
            for column, current in result.items():
                if current == role:
                    result[column] = "ignore"  # the user's list replaces the guess
            for column in chosen:
                result[column] = role
    for role, name in (("id", id_col), ("date", date_col), ("author", author_col)):
        if name:
            column = _resolve(name, columns, column_ids)
            for other, current in result.items():
                if current == role:
                    result[other] = "ignore"  # one column per single-valued role
            result[column] = role
    return result


def survey_answers(
    table: Table, mapping: dict[str, str], set_aside: list[SetAside] | None = None
) -> list[Extract]:
    """One Extract per real answer in each text column, with row, person, date and attributes;
    blank replies and non-answers ("Nothing", "N/A") are noted in set_aside instead."""
    index = {name: position for position, name in enumerate(table.columns)}
    text_cols = [name for name in table.columns if mapping.get(name) == "text"]
    attr_cols = [name for name in table.columns if mapping.get(name) == "attribute"]
    id_col = _first(table.columns, mapping, "id")
    author_col = _first(table.columns, mapping, "author")
    date_col = _first(table.columns, mapping, "date")
    dates: list[str | None] = [None] * len(table.rows)
    if date_col:
        dates = parse_date_column([row[index[date_col]] for row in table.rows])
    person_col = id_col or author_col  # the id links a respondent's answers; else their name
    extracts = []
    for text_col in text_cols:
        meta = {"sheet": table.sheet} if table.sheet else {}
        if table.column_ids and table.column_ids[index[text_col]]:
            meta["question_id"] = table.column_ids[index[text_col]]
        for row, number, day in zip(table.rows, table.row_numbers, dates, strict=True):
            answer = row[index[text_col]]
            person = (row[index[person_col]] or None) if person_col else None
            left_out = "blank" if not answer.strip() else non_answer_type(answer)
            if left_out:
                if set_aside is not None:
                    set_aside.append(SetAside(text_col, left_out, number, person))
                continue
            attributes = {
                name: row[index[name]]
                for name in attr_cols
                if row[index[name]].lower() not in _MISSING
            }
            extracts.append(
                Extract(
                    text=answer,
                    kind="survey",
                    start=0,
                    end=0,
                    row=number,
                    date=day,
                    person=person,
                    question=text_col,
                    attributes=attributes,
                    meta=dict(meta),
                )
            )
    return extracts


def _resolve(name: str, columns: list[str], column_ids: list[str] | None) -> str:
    wanted = name.strip().lower()
    for column in columns:
        if column.lower() == wanted:
            return column
    for column, ident in zip(columns, column_ids or [], strict=False):
        if ident and ident.lower() == wanted:
            return column
    raise IngestError(f"no column named '{name}'; columns are: {', '.join(columns)}")


def _first(columns: list[str], mapping: dict[str, str], role: str) -> str | None:
    return next((name for name in columns if mapping.get(name) == role), None)


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def is_identifier_name(name: str, column_id: str = "") -> bool:
    """True for columns that directly identify a person (email, name, IP, postcode…)."""
    return _is_identifier(name, {_squash(name), _squash(column_id)} - {""})


def _is_identifier(name: str, keys: set[str]) -> bool:
    # Long names are questions ("How could we address…?"), not identifier fields.
    if len(name.split()) > 5 and len(keys) == 1:
        return False
    return any(key in _PII_EXACT or any(part in key for part in _PII_PARTS) for key in keys)


def _is_bookkeeping(keys: set[str]) -> bool:
    return any(key.startswith(("duration", "customdata")) for key in keys)


def _mostly_dates(values: list[str]) -> bool:
    sample = values[:200]
    month_first = column_is_month_first(sample)
    parsed = sum(parse_date(value, month_first) is not None for value in sample)
    return parsed >= 0.8 * len(sample)


def _date_preference(keys: set[str]) -> int:
    """Completion dates beat start dates: a response counts when it was submitted."""
    text = " ".join(keys)
    if any(word in text for word in ("recorded", "end", "completed", "submitted", "erfass")):
        return 3
    if "start" in text or "anfang" in text:
        return 0
    return 2 if "date" in text or "datum" in text else 1


def _looks_like_id(values: list[str], rows: int, named: bool) -> bool:
    """Unique, filled, single tokens; a few rows prove nothing unless the name says 'id'."""
    distinct = len(set(values))
    return (
        (named or rows >= 5)
        and len(values) >= 0.9 * rows
        and distinct >= 0.95 * len(values)
        and all(" " not in value and len(value) <= 40 for value in values)
    )


def _id_preference(keys: set[str]) -> int:
    if any(name in key for key in keys for name in _ID_NAMES):
        return 3
    if keys & {"id", "uid", "uuid"}:
        return 2
    return 1 if any(key.endswith("id") for key in keys) else 0


def _median_words(values: list[str]) -> float:
    return statistics.median(len(value.split()) for value in values)


def _looks_like_text(name: str, values: list[str]) -> bool:
    """Free text: long, wordy answers that mostly differ from each other."""
    distinct = len(set(values)) / len(values)
    if len(values) >= 5 and distinct < 0.5:
        return False
    length = statistics.median(len(value) for value in values)
    words = _median_words(values)
    if _TEXT_HINTS.search(name):
        return length >= 10 and words >= 2
    return length >= 30 or words >= 5
