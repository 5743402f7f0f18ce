"""Faults in one line: hidden characters shown, database errors without the data they carried."""

from __future__ import annotations

import errno
import os

import pytest
from sqlalchemy import create_engine, text

from lab_app.core import faults


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("two\nlines.csv", "two\\nlines.csv"),
        ("evil\u202etxt.md", "evil\\u202etxt.md"),
        ("tab\there\r.txt", "tab\\there\\r.txt"),
        ("zero\u200bwidth\u2066iso\u2069.pdf", "zero\\u200bwidth\\u2066iso\\u2069.pdf"),
        ("back\\slash.txt", "back\\\\slash.txt"),
        ("café survey – 2026.xlsx", "café survey – 2026.xlsx"),  # ordinary text untouched
        ("عربي.docx", "عربي.docx"),
    ],
)
def test_visible_escapes_what_would_move_or_hide_text(name, shown):
    assert faults.visible(name) == shown
    assert "\n" not in faults.visible(name) and "\u202e" not in faults.visible(name)


def test_one_line_flattens_and_escapes():
    assert faults.one_line("a\n\n b\tc\u202e") == "a b c\\u202e"


def test_sqlite_errors_lose_their_parameters_and_say_what_to_do(tmp_path):
    # hide_parameters is what the store uses; the driver's first line is all that is shown.
    path = tmp_path / "not-a-db.sqlite3"
    path.write_bytes(b"this is not a database file at all, and never was" * 100)
    engine = create_engine(f"sqlite:///{path}", hide_parameters=True)
    with pytest.raises(Exception) as caught, engine.connect() as conn:
        query = text("SELECT name FROM sqlite_master WHERE name = :answer")
        conn.execute(query, {"answer": "my NHS number is 463 218 9073"})
    line = faults.describe(caught.value, "reading the store")
    assert line == (
        "reading the store failed (file is not a database): "
        "the store file is damaged: restore it from a backup"
    )
    assert "9073" not in str(caught.value)  # not even in SQLAlchemy's own message
    assert faults.is_storage_fault(caught.value)


@pytest.mark.parametrize(
    ("code", "says"),
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EFBIG, "a file grew past the size this system allows"),
        (errno.EROFS, "the disk is read-only"),
    ],
)
def test_write_errors_name_the_cause_and_the_file(code, says):
    err = OSError(code, os.strerror(code), "ws/store.sqlite3")
    line = faults.describe(err, "writing the store")
    assert line.startswith(f"writing the store failed: {says} (ws/store.sqlite3)")
    assert "run the same command again" in line
    assert faults.is_storage_fault(err)


def test_an_unexpected_error_shows_its_type_and_place_never_its_message():
    secret = "jo.fairbairn73@example.com said the group saved her"
    with pytest.raises(KeyError) as caught:
        {"an answer": 1}[secret]
    assert "example.com" in str(caught.value)  # the message does quote it
    line = faults.unexpected(caught.value)
    assert line.startswith("unexpected KeyError at ")
    assert "example.com" not in line and "\n" not in line
