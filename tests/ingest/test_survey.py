"""Survey column roles, placeholders, overrides, answers and the date parsing they rely on."""

from __future__ import annotations

import pytest

from ingest.dates import (
    column_is_month_first,
    parse_date,
    parse_date_column,
    parse_excel_serial,
)
from ingest.errors import IngestError
from ingest.formats.tabular import read_tables
from ingest.records import Table
from ingest.survey import apply_overrides, guess_mapping, is_placeholder, survey_answers


def _dashboard(eval_path):
    path = eval_path("bad-inputs", "survey-exports", "nhs-experiencesdashboard__test_data.csv")
    return read_tables(path)[0]


def _table(tmp_path, text, name="s.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_tables(path)[0]


# ---- guessing ---------------------------------------------------------------------------


def test_nhs_dashboard_roles(eval_path):
    mapping = guess_mapping(_dashboard(eval_path))
    assert mapping["comment_txt"] == "text"
    assert [name for name, role in mapping.items() if role == "text"] == ["comment_txt"]
    for column in ("gender", "age", "ethnicity", "sexuality", "disability", "faith", "location_1"):
        assert mapping[column] == "attribute", column
    assert mapping["pt_id"] == "id"  # a patient id beats the row_id bookkeeping column
    assert mapping["row_id"] == "ignore"
    assert mapping["date"] == "date"


def test_nhs_fft_text_data_roles(eval_path):
    path = eval_path("clustering", "nhs-fft-patient-feedback-phase1", "text_data.csv")
    mapping = guess_mapping(read_tables(path)[0])
    assert mapping["feedback"] == "text"
    for column in ("label", "subcategory", "organization", "question", "criticality"):
        assert mapping[column] == "attribute", column
    assert mapping["row_index"] == "id"
    assert "date" not in mapping.values()


def test_nhs_upload_template_roles(eval_path):
    path = eval_path(
        "bad-inputs",
        "survey-exports",
        "nhs-experiencesdashboard__general-trust-upload-template.xlsx",
    )
    mapping = guess_mapping(read_tables(path)[0])
    assert mapping["question_1"] == "text" and mapping["question_2"] == "text"
    assert mapping["date"] == "date"
    assert mapping["gender"] == "attribute" and mapping["ethnicity"] == "attribute"
    assert mapping["extra_variable_1"] == "ignore"  # empty column


def test_qualtrics_roles_drop_identifiers_and_bookkeeping(eval_path):
    table = read_tables(eval_path("bad-inputs", "survey-exports", "qualtrics__sample.csv"))[0]
    mapping = guess_mapping(table)
    by_id = {
        ident: mapping[name] for name, ident in zip(table.columns, table.column_ids, strict=True)
    }
    assert by_id["Q2"] == "text"
    assert by_id["ResponseId"] == "id"
    assert by_id["StartDate"] == "ignore"
    assert "date" in (by_id["EndDate"], by_id["RecordedDate"])
    assert list(mapping.values()).count("date") == 1
    for ident in (
        "IPAddress", "RecipientEmail", "RecipientFirstName", "LocationLatitude",
        "LocationLongitude", "Status", "Progress", "Duration (in seconds)", "Finished",
        "DistributionChannel", "UserLanguage", "ExternalReference",
    ):  # fmt: skip
        assert by_id[ident] == "ignore", ident


def test_identifiers_ignored_by_name_but_questions_are_not(tmp_path):
    rows = [
        "Email,Phone,Postcode,First name,NHS number,What could we do to address waiting times?",
        "a@b.org,0123,NG1 1AA,Ann,123 456 7890,Answer the phone faster in the mornings",
        "c@d.org,0456,NG2 2BB,Bob,234 567 8901,More staff on reception at busy times",
        "e@f.org,0789,NG3 3CC,Cat,345 678 9012,Text reminders the day before appointments",
    ]
    mapping = guess_mapping(_table(tmp_path, "\n".join(rows) + "\n"))
    assert mapping == {
        "Email": "ignore",
        "Phone": "ignore",
        "Postcode": "ignore",
        "First name": "ignore",
        "NHS number": "ignore",
        "What could we do to address waiting times?": "text",
    }


def test_date_preference_end_over_start(tmp_path):
    table = _table(
        tmp_path,
        "Start Date,Completed date,Comment\n"
        "01/03/2026,02/03/2026,The sessions were far too short to cover everything\n"
        "05/03/2026,06/03/2026,Loved meeting other carers in the same situation\n",
    )
    mapping = guess_mapping(table)
    assert mapping["Completed date"] == "date"
    assert mapping["Start Date"] == "ignore"


# ---- placeholders -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    ["", "   ", "N/A", "n/a", "na", "NA", "-", "--", ".", "...", "nil", "No comment",
     "did not answer", "Prefer not to say", "no answer", "Nothing to add.", "n/a."],
)  # fmt: skip
def test_placeholders(answer):
    assert is_placeholder(answer)


@pytest.mark.parametrize(
    "answer", ["No", "None", "Nothing", "Nothing really", "👍", "No parking", "OK"]
)
def test_short_real_answers_are_kept(answer):
    assert not is_placeholder(answer)


# ---- answers ----------------------------------------------------------------------------


def test_dashboard_answers_have_provenance_and_skip_placeholders(eval_path):
    table = _dashboard(eval_path)
    set_aside = []
    answers = survey_answers(table, guess_mapping(table), set_aside)
    texts = [a.text.strip().lower() for a in answers]
    assert not {"na", "", "nothing", "nothing."} & set(texts)
    # Every row is an answer or set aside, with where it was and whose it was.
    assert len(answers) + len(set_aside) == len(table.rows)
    assert [(s.kind, s.row) for s in set_aside] == [
        ("declined", 2), ("declined", 4), ("declined", 8),  # "NA"
        ("nothing", 31), ("nothing", 43), ("nothing", 47),  # "Nothing.", "nothing", "Nothing"
    ]  # fmt: skip
    assert set_aside[0].person == "14385" and set_aside[0].question == "comment_txt"
    first = answers[0]
    assert first.kind == "survey" and first.question == "comment_txt"
    assert first.row == 3  # second data row in the file: the first answer is NA
    assert first.person == "10358"
    assert first.date == "2019-07-04"
    assert first.attributes["age"] == "40-64" and first.attributes["gender"] == "M"
    assert "ethnicity" not in first.attributes  # "NA" is missing, not a group
    assert "comment_txt" not in first.attributes
    assert first.start == first.end == 0


def test_answers_carry_sheet_and_question_id(eval_path):
    table = read_tables(eval_path("bad-inputs", "survey-exports", "qualtrics__sample.csv"))[0]
    (answer,) = survey_answers(table, guess_mapping(table))
    assert answer.text == "Hello World!"
    assert answer.person == "R_2YPOQ602ER1jkf1"
    assert answer.meta == {"question_id": "Q2"}
    assert answer.date == "2017-07-18"


def test_day_first_and_month_first_columns(tmp_path):
    uk = _table(
        tmp_path,
        "Date,Comment\n03/04/2026,The room was cold and the chairs uncomfortable\n"
        "14/04/2026,Friendly volunteers made the first visit much easier\n",
        "uk.csv",
    )
    assert [a.date for a in survey_answers(uk, guess_mapping(uk))] == ["2026-04-03", "2026-04-14"]
    us = _table(
        tmp_path,
        "Date,Comment\n03/04/2026,The room was cold and the chairs uncomfortable\n"
        "03/15/2026 10:22:13 AM,Friendly volunteers made the first visit much easier\n",
        "us.csv",
    )
    assert [a.date for a in survey_answers(us, guess_mapping(us))] == ["2026-03-04", "2026-03-15"]


def test_surveymonkey_two_row_header(tmp_path):
    header = (
        "Respondent ID,Collector ID,Start Date,End Date,IP Address,Email Address,First Name,"
        "Last Name,Which services did you use?,,,What could we improve?,How satisfied are you?\n"
        ",,,,,,,,GP,Pharmacy,Other (please specify),Open-Ended Response,Response\n"
    )
    body = (
        "114,22,03/14/2026 09:01 AM,03/15/2026 10:22:13 AM,1.2.3.4,a@b.org,Ann,Lee,GP,,"
        "walk-in centre,Shorter waits at reception please,Satisfied\n"
        "115,22,03/16/2026 11:00 AM,03/16/2026 11:05:00 AM,1.2.3.5,c@d.org,Bob,Ray,,Pharmacy,,"
        "Longer opening hours on Saturdays,Neutral\n"
        "116,22,03/17/2026 08:00 AM,03/17/2026 08:04:00 AM,1.2.3.6,e@f.org,Cat,Roy,GP,Pharmacy,,"
        "N/A,Very satisfied\n"
    )
    table = _table(tmp_path, header + body, "monkey.csv")
    assert table.columns[8:] == [
        "Which services did you use? — GP",
        "Which services did you use? — Pharmacy",
        "Which services did you use? — Other (please specify)",
        "What could we improve?",
        "How satisfied are you?",
    ]
    assert table.row_numbers == [3, 4, 5]
    mapping = guess_mapping(table)
    assert mapping["Respondent ID"] == "id"
    assert mapping["End Date"] == "date" and mapping["Start Date"] == "ignore"
    assert mapping["What could we improve?"] == "text"
    assert mapping["How satisfied are you?"] == "attribute"
    for column in ("Collector ID", "IP Address", "Email Address", "First Name", "Last Name"):
        assert mapping[column] == "ignore"
    answers = [a for a in survey_answers(table, mapping) if a.question == "What could we improve?"]
    assert [a.person for a in answers] == ["114", "115"]  # 116 answered N/A
    assert answers[0].date == "2026-03-15"  # US order detected from the column
    assert answers[0].attributes["How satisfied are you?"] == "Satisfied"
    assert answers[0].attributes["Which services did you use? — GP"] == "GP"


# ---- overrides --------------------------------------------------------------------------


def test_overrides_replace_guesses_and_match_ids(eval_path):
    table = read_tables(eval_path("bad-inputs", "survey-exports", "qualtrics__sample.csv"))[0]
    guessed = guess_mapping(table)
    mapping = apply_overrides(
        guessed,
        table.columns,
        table.column_ids,
        text_cols=("q1",),  # a column id, any case
        attr_cols=("USERLANGUAGE",),
        date_col="startdate",
    )
    assert mapping["This is a multiple choice question."] == "text"
    assert mapping["This is a free text question."] == "ignore"  # the list replaced the guess
    assert mapping["Benutzersprache"] == "attribute"
    assert mapping["Anfangsdatum"] == "date"
    assert list(mapping.values()).count("date") == 1
    assert mapping["Antwort-ID"] == "id"  # untouched roles stay guessed


def test_override_by_column_name_and_author(tmp_path):
    table = _table(
        tmp_path,
        "who,said\nAnn,We should meet in the library instead\nBob,Evening sessions suit me\n",
    )
    mapping = apply_overrides(
        guess_mapping(table), table.columns, None, text_cols=("Said",), author_col="WHO"
    )
    assert mapping == {"who": "author", "said": "text"}
    assert [a.person for a in survey_answers(table, mapping)] == ["Ann", "Bob"]


def test_unknown_override_names_the_columns():
    table = Table(columns=["Role", "Comment"], rows=[["a", "b"]], row_numbers=[2])
    with pytest.raises(IngestError) as err:
        apply_overrides({}, table.columns, None, text_cols=("Feedback",))
    assert str(err.value) == "no column named 'Feedback'; columns are: Role, Comment"


# ---- dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,expected",
    [
        ("2026-03-04", "2026-03-04"),
        ("2026-03-04T10:22:13Z", "2026-03-04"),
        ("2017-07-18 08:28:09", "2017-07-18"),
        ("03/04/2026", "2026-04-03"),  # UK: 3 April
        ("3/4/26", "2026-04-03"),
        ("03.04.2026", "2026-04-03"),
        ("3 March 2026", "2026-03-03"),
        ("Tuesday, 3rd March 2026", "2026-03-03"),
        ("Mar 3, 2026", "2026-03-03"),
        ("03-Mar-26", "2026-03-03"),
        ("03/15/2026 10:22:13 AM", "2026-03-15"),  # impossible day-first: read as US
        ("31/02/2026", None),
        ("1850-01-01", None),
        ("2150-01-01", None),
        ("45000", None),  # serials only through parse_excel_serial
        ("soon", None),
        ("", None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


def test_month_first_flag():
    assert parse_date("03/04/2026", month_first=True) == "2026-03-04"
    assert column_is_month_first(["03/04/2026", "03/15/2026"])
    assert not column_is_month_first(["03/04/2026", "15/03/2026"])
    assert not column_is_month_first(["03/04/2026", "04/05/2026"])  # ambiguous: stay UK
    assert not column_is_month_first(["12/13/2026", "13/12/2026"])  # contradictory
    assert parse_date_column(["03/04/2026", "03/15/2026", ""]) == [
        "2026-03-04",
        "2026-03-15",
        None,
    ]


def test_excel_serials():
    assert parse_excel_serial("45000") == "2023-03-15"
    assert parse_excel_serial(45000.75) == "2023-03-15"
    assert parse_excel_serial(1) == "1900-01-01"
    assert parse_excel_serial(61) == "1900-03-01"  # after Excel's fictitious 29 Feb 1900
    assert parse_excel_serial(0, date1904=True) is None
    assert parse_excel_serial(1, date1904=True) == "1904-01-02"
    assert parse_excel_serial("abc") is None
    assert parse_excel_serial(10_000_000) is None
