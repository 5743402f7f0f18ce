"""Every file that breaks parsers is ingested or refused with a one-line reason; none twice."""

import pytest

from lab_app.workspace import expand_paths


@pytest.mark.slow
def test_bad_inputs_are_each_accounted_for_and_never_stored_twice(workspace, eval_path):
    folder = eval_path("bad-inputs")
    files = expand_paths([folder])
    first = list(workspace.ingest([folder]))
    assert len(first) == len(files)
    for outcome in first:
        assert outcome.status in {"ingested", "refused"}, outcome
        if outcome.status == "refused":
            assert outcome.reason and "\n" not in outcome.reason
            assert folder.name not in outcome.reason  # the reason follows the path, not repeats it
            # the safety net for unexpected exceptions must never be what caught a file
            assert "could not be read (" not in outcome.reason, outcome
        else:
            assert outcome.extracts > 0
    refused = {o.path.rsplit("/", 1)[-1]: o.reason for o in first if o.status == "refused"}
    assert refused["pypdf__crazyones-encrypted-256.pdf"] == "encrypted: pass --password"
    assert refused["csvkit__empty.csv"].startswith("no rows")
    assert "samplefiles__multicolumn.pdf" not in refused

    before = workspace.status()
    second = list(workspace.ingest([folder]))
    assert [o.status for o in second] == [
        "unchanged" if o.status == "ingested" else "refused" for o in first
    ]
    assert workspace.status() == before
    assert workspace.check().ok


def test_encrypted_pdf_opens_with_its_password(workspace, eval_path):
    pdf = eval_path("bad-inputs", "pdf", "pypdf__crazyones-encrypted-256.pdf")
    (refused,) = workspace.ingest([pdf])
    assert refused.status == "refused"
    (outcome,) = workspace.ingest([pdf], workspace.ingest_options(password="password"))
    assert outcome.status == "ingested" and outcome.extracts > 0


def test_nhs_feedback_csv_maps_text_and_attributes(eval_path):
    from ingest.formats.tabular import read_tables
    from ingest.survey import guess_mapping

    path = eval_path("clustering", "nhs-fft-patient-feedback-phase1", "text_data.csv")
    (table,) = read_tables(path)
    mapping = guess_mapping(table)
    assert mapping["feedback"] == "text"
    assert {mapping[c] for c in ("label", "organization", "question")} == {"attribute"}
