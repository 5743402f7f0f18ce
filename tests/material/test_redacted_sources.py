"""What a source is called in the store: no e-mail, phone or name from its file name or title."""

from lab_app.workspace import Workspace


def _ingest(workspace: Workspace, *paths):
    return list(workspace.ingest(paths, workspace.ingest_options(), root=paths[0].parent.parent))


def test_a_file_name_with_identifiers_is_stored_redacted_and_reingests_unchanged(
    workspace, tmp_path
):
    folder = tmp_path / "in" / "letters from Jane Smith"
    folder.mkdir(parents=True)
    note = folder / "feedback from jane.smith@nhs.net 07700 900777.txt"
    note.write_text("The night staff were kind and the ward was calm.\n", encoding="utf-8")
    (outcome,) = _ingest(workspace, note)
    assert outcome.status == "ingested"
    assert outcome.path == "letters from [NAME]/feedback from [EMAIL] [PHONE].txt"
    stored = [row.path for row in workspace.store.list_sources()]
    assert stored == [outcome.path]
    for hit in workspace.search("night staff kind", k=3):
        assert "jane" not in hit["source"].lower() and "900777" not in hit["source"]
    with workspace.store.engine.connect() as conn:
        audit = conn.exec_driver_sql("SELECT * FROM audit").fetchall()
    assert "jane" not in repr(audit).lower() and "900777" not in repr(audit)
    (again,) = _ingest(workspace, note)  # the redacted name still finds the stored source
    assert again.status == "unchanged" and len(workspace.store.list_sources()) == 1


def test_a_document_title_loses_names_and_identifiers(workspace, tmp_path):
    doc = tmp_path / "in" / "minutes.md"
    doc.parent.mkdir()
    doc.write_text(
        "---\ntitle: Notes from Dr Nkechi Okafor (07700 900321)\n---\n\n"
        "We agreed to meet monthly and to keep notes short.\n",
        encoding="utf-8",
    )
    (outcome,) = _ingest(workspace, doc)
    assert outcome.status == "ingested"
    (source,) = workspace.store.list_sources()
    assert source.title == "Notes from Dr [NAME] ([PHONE])"


def test_theme_phrases_from_posts_full_of_first_names_name_nobody():
    """Issue 15: "liz · zoe · kath" was a theme label; redacted posts give the theme's words."""
    from ingest.redact import redact_many
    from lab_app.themes import labels as theme_labels

    nights = [
        "thanks liz and zoe on nights, and kath",
        "liz · zoe · kath made the night shift bearable",
        "kath and liz sat with me, zoe brought tea",
        "night staff liz zoe kath were kind",
        "the night nurses were kind, liz especially",
        "zoe and kath on the night shift listened",
    ]
    parking = [
        "parking at the hospital is impossible",
        "parking costs too much for carers",
        "no parking spaces near the clinic",
        "the car park was full again",
    ]
    documents = [" ".join(text for text, _ in redact_many(group)) for group in (nights, parking)]
    night_phrases, _ = theme_labels.key_phrases(documents)
    assert "night shift" in night_phrases
    assert not {"liz", "zoe", "kath", "name"} & {w for p in night_phrases for w in p.split()}
