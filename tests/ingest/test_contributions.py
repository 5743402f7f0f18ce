"""Contributions from JSON and tables, and telling a contributions table from a survey."""

from __future__ import annotations

import json

import openpyxl
import pytest

from ingest.contributions import looks_like_contributions, read_contributions
from ingest.errors import EmptyFile, IngestError
from ingest.formats.tabular import read_tables
from ingest.records import Table


def _write_json(tmp_path, data, name="space.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_json_posts_with_threads_parents_and_nested_replies(tmp_path):
    path = _write_json(
        tmp_path,
        {
            "space": "Peer support Lab",
            "posts": [
                {
                    "ID": 1,
                    "Author": {"name": "Asha", "id": 77},
                    "Created_At": "2026-03-04T10:00:00Z",
                    "Body": "We need more peer support in the evenings.",
                    "Topic": "Evenings",
                    "Title": "Opening hours",
                    "Role": "carer",
                    "Email": "asha@example.org",
                    "url": "https://example.org/p/1",
                    "replies": [
                        {"id": 2, "author": "Ben", "timestamp": 1772618400, "text": "Weekends too."}
                    ],
                },
                {
                    "id": 3,
                    "user": "Cat",
                    "date": "05/03/2026",
                    "message": "Agree with Asha",
                    "reply_to": 1,
                },
                {"id": 4, "author": "Dev", "date": "06/03/2026", "body": "   "},
                {"id": 5, "date": "07/03/2026", "content": "Posted without a name"},
            ],
        },
    )
    warnings: list[str] = []
    posts = read_contributions(path, warnings)
    assert [p.text for p in posts] == [
        "We need more peer support in the evenings.",
        "Weekends too.",
        "Agree with Asha",
        "Posted without a name",
    ]
    first, reply, other, anonymous = posts
    assert first.kind == "contribution" and first.person == "Asha"
    assert first.date == "2026-03-04"
    assert first.meta == {"id": "1", "thread": "Evenings", "title": "Opening hours"}
    assert first.attributes == {"Role": "carer"}  # email and url are never attributes
    assert reply.meta == {"id": "2", "thread": "Evenings", "parent": "1"}  # from nesting
    assert reply.person == "Ben" and reply.date == "2026-03-04"  # Unix seconds
    assert other.meta["parent"] == "1" and other.person == "Cat"
    assert other.date == "2026-03-05"  # UK day-first
    assert anonymous.person == "anonymous"
    assert warnings == ["skipped 1 contribution(s) without text"]


@pytest.mark.parametrize("key", [None, "contributions", "items", "data"])
def test_json_list_shapes(tmp_path, key):
    items = [{"note": "Table 3 wants a shared calendar", "workshop": "Leeds"}]
    path = _write_json(tmp_path, items if key is None else {key: items})
    (note,) = read_contributions(path)
    assert note.text == "Table 3 wants a shared calendar"
    assert note.meta == {"thread": "Leeds"}


def test_bad_json_refused(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"posts": [', encoding="utf-8")
    with pytest.raises(IngestError, match="not valid JSON"):
        read_contributions(path)
    with pytest.raises(IngestError, match="no list of contributions"):
        read_contributions(_write_json(tmp_path, {"count": 3}, "other.json"))


def test_json_without_any_text_refused(tmp_path):
    with pytest.raises(EmptyFile):
        read_contributions(_write_json(tmp_path, [{"author": "A", "text": ""}]))


def test_csv_contributions_keep_rows_and_attributes(tmp_path):
    path = tmp_path / "forum.csv"
    path.write_text(
        "Post ID,Thread,Parent ID,Posted By,Posted At,Message,Region\n"
        "10,Transport,,Asha,03/15/2026 10:22:13 AM,Buses stop too early for evening groups,North\n"
        "11,Transport,10,Ben,03/16/2026 09:00:00 AM,Could we share lifts?,South\n"
        "12,Transport,10,Cat,03/16/2026 09:30:00 AM,,South\n",
        encoding="utf-8",
    )
    (table,) = read_tables(path)
    assert looks_like_contributions(table)
    warnings: list[str] = []
    posts = read_contributions(path, warnings)
    assert [p.row for p in posts] == [2, 3]
    assert posts[0].person == "Asha" and posts[0].date == "2026-03-15"  # US column detected
    assert posts[1].date == "2026-03-16"
    assert posts[1].meta == {"id": "11", "thread": "Transport", "parent": "10"}
    assert posts[1].attributes == {"Region": "South"}
    assert "skipped 1" in warnings[-1]


def test_xlsx_workshop_notes(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Workshop 1"
    sheet.append(["Note ID", "Participant", "Date", "Note", "Workshop table"])
    sheet.append([1, "Table lead", "2026-03-04", "People want drop-in hours", "Table 2"])
    path = tmp_path / "notes.xlsx"
    book.save(path)
    (note,) = read_contributions(path)
    assert note.meta == {"id": "1", "sheet": "Workshop 1"}
    assert note.person == "Table lead" and note.date == "2026-03-04"
    assert note.attributes == {"Workshop table": "Table 2"}
    assert note.row == 2


def test_looks_like_contributions_true_and_false(eval_path):
    forum = Table(
        columns=["id", "author", "created_at", "body"], rows=[["1", "A", "2026-01-01", "x"]],
        row_numbers=[2],
    )  # fmt: skip
    assert looks_like_contributions(forum)
    no_thread = Table(
        columns=["author", "date", "text"], rows=[["A", "2026", "x"]], row_numbers=[2]
    )
    assert not looks_like_contributions(no_thread)
    no_author = Table(columns=["id", "date", "comment"], rows=[["1", "2026", "x"]], row_numbers=[2])
    assert not looks_like_contributions(no_author)
    survey = eval_path("bad-inputs", "survey-exports", "nhs-experiencesdashboard__test_data.csv")
    assert not looks_like_contributions(read_tables(survey)[0])
    qualtrics = eval_path("bad-inputs", "survey-exports", "qualtrics__sample.csv")
    assert not looks_like_contributions(read_tables(qualtrics)[0])
