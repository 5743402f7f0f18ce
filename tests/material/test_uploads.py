"""Uploads: names made safe, nothing written outside uploads/, size limit, one copy per content."""

from __future__ import annotations

import pytest

from lab_app.material import uploads
from lab_app.material.uploads import UploadRefused, clean_name, save_upload

SURVEY = (
    "Response ID,Team,Submitted,What helped you most?,One word for the group\n"
    "R1,North,2026-03-01,Meeting people who had been through the same thing,welcoming\n"
    "R2,South,2026-03-02,Having a group that met in the evening after work,safe\n"
    "R3,North,2026-03-03,N/A,welcoming\n"
    "R4,South,2026-03-04,A peer worker who called me before the first session,friendly\n"
    "R5,North,2026-03-05,Knowing I could just listen for the first few weeks,safe\n"
    "R6,South,2026-03-06,Being asked what I needed rather than told what to do,friendly\n"
)


@pytest.fixture
def survey(tmp_path):
    path = tmp_path / "survey.csv"
    path.write_text(SURVEY, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\x.csv", "x.csv"),
        ("C:\\Users\\me\\Survey Export.CSV", "Survey Export.csv"),
        ("/abs/path/notes.md", "notes.md"),
        (".hidden.txt", "hidden.txt"),
        ("...csv", "csv"),
        ("report\x00.pdf", "report.pdf"),
        ("two\nlines\r\t.txt", "two lines.txt"),
        ("evil\u202etxt.exe", "eviltxt.exe"),  # a right-to-left override disguising the suffix
        ('a<b>c:"d"|e?f*.txt', "a_b_c__d__e_f_.txt"),
        ("  spaced   out  .docx  ", "spaced out.docx"),
    ],
)
def test_clean_name_strips_directories_controls_and_leading_dots(name, expected):
    assert clean_name(name) == expected


@pytest.mark.parametrize("name", ["", "..", "../..", "/", "\x00\n", " . ", "..\\"])
def test_clean_name_refuses_names_with_nothing_left(name):
    with pytest.raises(UploadRefused, match="no usable name"):
        clean_name(name)


def test_very_long_names_are_capped_and_keep_their_suffix():
    cleaned = clean_name("é" * 500 + ".xlsx")
    assert cleaned.endswith(".xlsx")
    assert cleaned.startswith("éé")
    assert len(cleaned.encode()) <= uploads.MAX_NAME_BYTES - uploads.HASH_PREFIX - 1


@pytest.mark.parametrize(
    "name", ["../../etc/x.csv", "..\\..\\x.csv", "/etc/x.csv", "sub/../../x.csv", "a\x00/../x.csv"]
)
def test_saving_never_writes_outside_the_uploads_folder(tmp_path, name):
    home = tmp_path / "home"
    saved = save_upload(home, name, b"a,b\n1,2\n", max_file_mb=1)
    assert saved.path.parent == (home / "uploads").resolve()
    assert saved.path.name.endswith("-x.csv")
    assert saved.path.read_bytes() == b"a,b\n1,2\n"
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and not p.is_relative_to(home)]
    assert outside == []


def test_oversized_file_is_refused_and_not_written(tmp_path):
    with pytest.raises(UploadRefused, match="over the 1 MB limit"):
        save_upload(tmp_path, "big.csv", b"x" * 1_000_001, max_file_mb=1)
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").iterdir())


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("letter.rtf", "RTF is not supported"),
        ("passwd", "unsupported format (no suffix)"),
        ("photo.jpg", "unsupported format .jpg"),
    ],
)
def test_unsupported_formats_are_refused_with_what_to_do(tmp_path, name, reason):
    with pytest.raises(UploadRefused, match=reason.replace("(", r"\(").replace(")", r"\)")):
        save_upload(tmp_path, name, b"content", max_file_mb=1)


def test_empty_file_is_refused(tmp_path):
    with pytest.raises(UploadRefused, match="empty"):
        save_upload(tmp_path, "empty.csv", b"", max_file_mb=1)


def test_same_content_is_stored_once(tmp_path):
    first = save_upload(tmp_path, "survey.csv", SURVEY.encode(), max_file_mb=1)
    again = save_upload(tmp_path, "survey.csv", SURVEY.encode(), max_file_mb=1)
    renamed = save_upload(tmp_path, "survey (1).csv", SURVEY.encode(), max_file_mb=1)
    other = save_upload(tmp_path, "survey.csv", SURVEY.encode() + b"R7,North,,More,safe\n", 1)
    assert first.new and not again.new and not renamed.new and other.new
    assert first.path == again.path == renamed.path != other.path
    assert sorted(p.name for p in (tmp_path / "uploads").iterdir()) == sorted(
        [first.path.name, other.path.name]
    )


def test_discard_upload_deletes_only_saved_uploads(tmp_path):
    saved = save_upload(tmp_path, "notes.md", b"# Notes\n\nSome text.", max_file_mb=1)
    outside = tmp_path / "notes.md"
    outside.write_text("keep me")
    assert not uploads.discard_upload(tmp_path, "notes.md")
    assert not uploads.discard_upload(tmp_path, "uploads/../notes.md")
    assert uploads.discard_upload(tmp_path, f"uploads/{saved.path.name}")
    assert not saved.path.exists() and outside.exists()


def test_mapping_table_shows_guessed_roles_and_examples(survey):
    table = uploads.mapping_table(survey)
    assert list(table.columns) == ["column", "role", "examples"]
    roles = dict(zip(table["column"], table["role"], strict=True))
    assert roles == {
        "Response ID": "id",
        "Team": "attribute",
        "Submitted": "date",
        "What helped you most?": "text",
        "One word for the group": "attribute",
    }
    examples = dict(zip(table["column"], table["examples"], strict=True))
    assert examples["Team"] == "North · South"  # distinct values only
    assert examples["One word for the group"] == "welcoming · safe · friendly"
    assert "N/A" not in examples["What helped you most?"]  # placeholders are not examples
    assert all(len(part) <= uploads.EXAMPLE_CHARS for part in examples["What helped you most?"])


def test_mapping_table_hides_identifier_values_and_redacts_examples(tmp_path):
    path = tmp_path / "with-email.csv"
    path.write_text(
        "Email address,Comment\n"
        "ann@example.org,Please call me on 07700 900123 about the group in the evenings\n"
        "bob@example.org,The group helped me feel less alone after my diagnosis last year\n",
        encoding="utf-8",
    )
    examples = dict(uploads.mapping_table(path)[["column", "examples"]].values)
    assert "@" not in examples["Email address"]
    assert "07700" not in examples["Comment"] and "[PHONE]" in examples["Comment"]


def test_options_from_roles_and_preview(survey):
    roles = {
        "Response ID": "id",
        "Team": "ignore",
        "Submitted": "date",
        "What helped you most?": "text",
        "One word for the group": "text",
    }
    assert uploads.options_from_roles(roles) == {
        "text_cols": ("What helped you most?", "One word for the group"),
        "attr_cols": (),
        "id_col": "Response ID",
        "date_col": "Submitted",
        "author_col": None,
        "roles": roles,
    }
    guessed = uploads.roles_from_table(uploads.mapping_table(survey))
    assert uploads.ingest_choices(survey, guessed) == {}  # the guess: each sheet keeps its own
    assert uploads.ingest_choices(survey, roles) == uploads.options_from_roles(roles)
    assert uploads.preview(survey, guessed) == [
        "Meeting people who had been through the same thing",
        "Having a group that met in the evening after work",
        "A peer worker who called me before the first session",
        "Knowing I could just listen for the first few weeks",
        "Being asked what I needed rather than told what to do",
    ]
    assert uploads.preview(survey, roles, limit=7)[5:] == ["welcoming", "safe"]


def test_a_guessed_role_can_be_taken_away(survey, workspace):
    guessed = uploads.roles_from_table(uploads.mapping_table(survey))
    assert guessed["Team"] == "attribute"
    chosen = dict(guessed, **{"Team": "ignore", "One word for the group": "ignore"})
    assert uploads.effective_roles(survey, chosen) == chosen
    options = workspace.ingest_options(**uploads.ingest_choices(survey, chosen))
    workspace.ingest_file(survey, options, root=survey.parent)
    names, _ = workspace.store.export_rows()
    assert "Team" not in names  # the column the person set to ignore was not stored


def test_options_ingest_what_the_preview_shows(workspace, survey):
    roles = dict(uploads.roles_from_table(uploads.mapping_table(survey)))
    roles["One word for the group"] = "text"
    options = workspace.ingest_options(**uploads.ingest_choices(survey, roles))
    outcome = workspace.ingest_file(survey, options, root=survey.parent)
    assert (outcome.status, outcome.extracts) == ("ingested", 5 + 6)
    assert len(uploads.preview(survey, roles, limit=100)) == 11


def test_sources_table_lists_every_source(workspace, survey):
    assert list(uploads.sources_table(workspace.store).columns) == uploads.SOURCE_COLUMNS
    workspace.ingest_file(survey, workspace.ingest_options(), root=survey.parent)
    table = uploads.sources_table(workspace.store)
    assert table.to_dict("records")[0] | {"ingested at": ""} == {
        "path": "survey.csv",
        "kind": "survey",
        "title": "",
        "date": "",
        "extracts": 5,
        "non-answers": 1,  # its "N/A", counted and not stored
        "ingested at": "",
    }
