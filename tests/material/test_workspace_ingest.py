"""Ingest into a real store and index: provenance, idempotence, replacement, search, export."""

import csv
import shutil

from ingest.pipeline import file_hash, load_source
from lab_app.workspace import Workspace


def _ingest(workspace: Workspace, *paths, **options):
    return list(workspace.ingest(paths, workspace.ingest_options(**options)))


def test_documents_carry_provenance_and_are_searchable(workspace, eval_path):
    report = eval_path("documents", "strategyunit__text_mining_FFT_final_report_mar-22.pdf")
    (outcome,) = _ingest(workspace, report)
    assert outcome.status == "ingested" and outcome.extracts > 19
    hits = workspace.search("Which framework was used to build the dashboard app?", k=3)
    assert hits[0]["source"].endswith("final_report_mar-22.pdf")
    assert any(hit["page"] == 10 and "shiny" in hit["text"] for hit in hits)
    stored = workspace.store.source_by_path(outcome.path)
    for hit in hits:
        assert hit["kind"] == "evidence" and hit["date"]
        # offsets point into the stored source text
        rows = workspace.store.extracts_by_ids([hit["extract_id"]])
        assert rows[hit["extract_id"]]["text"] in stored.text


def test_markdown_front_matter_is_metadata_not_text(workspace, eval_path):
    doc = eval_path("documents", "strategyunit__phase_1.md")
    _ingest(workspace, doc)
    names, rows = workspace.store.export_rows()
    texts = [row["text"] for row in rows]
    assert texts and not any(text.lstrip().startswith("---") for text in texts)
    source = workspace.store.list_sources()[0]
    assert source.title == "Phase 1 overview"


def test_reingest_unchanged_is_a_no_op_without_the_model(workspace, tmp_path, eval_path):
    folder = tmp_path / "docs"
    shutil.copytree(eval_path("documents"), folder)
    first = _ingest(workspace, folder)
    before = workspace.status()
    again = Workspace(workspace.settings)  # a new process's view: its own embedder
    second = _ingest(again, folder)
    assert all(outcome.status == "unchanged" for outcome in second)
    assert again.embedder.texts_embedded == 0
    assert again.status()["extracts"] == before["extracts"] == sum(o.extracts for o in first)
    assert again.check().ok


def test_changed_file_replaces_its_extracts_in_one_step(workspace, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Peer support groups meet weekly.\n\nPeople value being understood.\n")
    _ingest(workspace, path)
    path.write_text("Peer support groups now meet monthly in the library.\n")
    (outcome,) = _ingest(workspace, path)
    assert outcome.status == "ingested"
    hits = workspace.search("how often do groups meet", k=5)
    assert [hit["text"] for hit in hits] == ["Peer support groups now meet monthly in the library."]
    assert workspace.status()["extracts"] == 1
    assert workspace.check().ok


def test_copy_of_a_stored_file_is_not_stored_twice(workspace, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    first = folder / "a.txt"
    first.write_text("Waiting lists for peer groups are long in rural areas.")
    shutil.copy(first, folder / "b.txt")
    outcomes = _ingest(workspace, folder)
    assert [o.status for o in outcomes] == ["ingested", "unchanged"]
    assert "same content as" in outcomes[1].reason
    assert workspace.status()["extracts"] == 1


def test_redaction_counts_and_no_identifier_stored(workspace, tmp_path):
    path = tmp_path / "post.txt"
    path.write_text("Text me on 07700 900123 or email me at kim@example.com about the group.")
    (outcome,) = _ingest(workspace, path)
    assert outcome.redactions == {"PHONE": 1, "EMAIL": 1}
    stored = workspace.store.source_by_path(outcome.path)
    assert "07700" not in stored.text and "kim@" not in stored.text


def test_reindex_and_check(workspace, eval_path):
    _ingest(workspace, eval_path("documents", "strategyunit__background.md"))
    count = workspace.status()["extracts"]
    workspace.index.delete_ids(sorted(workspace.store.extract_ids())[:2])
    result = workspace.check()
    assert not result.ok and len(result.missing_from_index) == 2
    model_calls = workspace.embedder.texts_embedded
    assert workspace.reindex() == count
    assert workspace.check().ok
    assert workspace.embedder.texts_embedded == model_calls  # rebuilt from stored vectors


def test_export_extracts_has_attributes_and_safe_cells(workspace, tmp_path):
    survey = tmp_path / "survey.csv"
    rows = ["id,role,comment"]
    rows += [
        f"{i},{'carer' if i % 2 else 'clinician'},Answer {i}: the group helped me feel less alone"
        for i in range(1, 8)
    ]
    rows.append('8,carer,"=HYPERLINK(""http://evil.example"",""click"")"')
    survey.write_text("\n".join(rows) + "\n")
    _ingest(workspace, survey, kind="survey", text_cols=("comment",), id_col="id")
    out = tmp_path / "out.csv"
    assert workspace.export_extracts(out) == 8
    with out.open(encoding="utf-8-sig") as handle:
        exported = list(csv.DictReader(handle))
    assert set(exported[0]) >= {"extract_id", "kind", "source", "row", "person", "attr:role"}
    assert {row["attr:role"] for row in exported} == {"carer", "clinician"}
    formula = [row["text"] for row in exported if "HYPERLINK" in row["text"]]
    assert formula == ['\'=HYPERLINK("http://evil.example","click")']


def test_load_source_is_pure_and_matches_what_is_stored(workspace, eval_path):
    doc = eval_path("documents", "strategyunit__dashboard_good_practice.md")
    options = workspace.ingest_options()
    source = load_source(doc, "x.md", file_hash(doc), options)
    for extract in source.extracts:
        assert source.text[extract.start : extract.end] == extract.text
    (outcome,) = _ingest(workspace, doc)
    assert outcome.extracts == len(source.extracts)


def test_ingests_refusals_and_exports_are_in_the_audit_trail(workspace, tmp_path, eval_path):
    from lab_app.core import audit as audit_log

    good = eval_path("documents", "strategyunit__phase_1.md")
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    _ingest(workspace, good, bad)
    _ingest(workspace, good)  # unchanged: nothing new to note
    workspace.export_extracts(tmp_path / "out.csv")
    lines = audit_log.read(workspace.store.engine)
    ingests = [line for line in lines if line["action"] == "ingest"]
    assert sorted(line["detail"]["status"] for line in ingests) == ["ingested", "refused"]
    assert all(line["who"] for line in lines)
    (export,) = [line for line in lines if line["action"] == "export"]
    assert export["target"] == "extracts" and export["detail"]["file"] == "out.csv"
    # The trail names files and counts, never the text that was read.
    stored = workspace.store.extracts_by_ids(list(workspace.store.extract_ids()))
    words = {row["text"] for row in stored.values()}
    assert not any(text in str(line["detail"]) for line in lines for text in words)
