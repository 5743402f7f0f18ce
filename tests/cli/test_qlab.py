"""The qlab command as a user runs it: output lines, JSON shapes and exit codes."""

import csv
import json
import re
import subprocess
import sys


def qlab(home, *args, check_rc=None):
    result = subprocess.run(
        [sys.executable, "-m", "lab_app.cli", "--home", str(home), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check_rc is not None:
        assert result.returncode == check_rc, result.stdout + result.stderr
    return result


def test_cli_end_to_end(tmp_path, eval_path):
    home = tmp_path / "home"
    source = eval_path("clustering", "nhs-fft-patient-feedback-phase1", "text_data.csv")
    with source.open(encoding="utf-8") as handle:
        head = [next(handle) for _ in range(400)]
    survey = tmp_path / "in" / "fft.csv"
    survey.parent.mkdir()
    survey.write_text("".join(head), encoding="utf-8")
    (tmp_path / "in" / "notes.rtf").write_text("{\\rtf1 hello}")

    ingest = qlab(home, "ingest", tmp_path / "in", check_rc=1)  # one file refused
    lines = ingest.stdout.splitlines()
    # Real NHS comments thank staff by name: those names are redacted and counted.
    kept_aside = re.fullmatch(
        r"ingested \S*fft\.csv: \d+ extracts \((\d+) non-answers kept aside; redacted \d+ NAME\)",
        lines[0],
    )
    assert kept_aside, lines[0]  # "Nothing.", "No", "Don't know" among the first rows
    assert any(line.startswith("refused") and "notes.rtf: RTF" in line for line in lines)
    assert lines[-1].startswith("2 files: 1 ingested")

    again = qlab(home, "ingest", survey, check_rc=0)
    assert again.stdout.startswith("unchanged")

    hits = json.loads(qlab(home, "search", "staff were kind", "-k", "3", "--json").stdout)
    assert len(hits) == 3
    keys = {"extract_id", "score", "text", "source", "kind", "page", "row", "date", "person"}
    assert all(set(hit) == keys for hit in hits)
    assert hits[0]["kind"] == "survey" and hits[0]["row"] >= 2

    status = json.loads(qlab(home, "status", "--json", check_rc=0).stdout)
    assert status["sources"] == 1 and status["extracts"] == status["indexed"] > 300
    assert (
        status["non_answers"] == int(kept_aside[1]) == sum(status["non_answers_by_type"].values())
    )
    assert status["blank_answers"] == 0 and status["non_answers_by_type"]["nothing"] > 0
    qlab(home, "check", check_rc=0)
    assert "reindexed" in qlab(home, "reindex", check_rc=0).stdout

    out = tmp_path / "extracts.csv"
    qlab(home, "export", "extracts", "--out", out, check_rc=0)
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == status["extracts"]
    assert {"attr:label", "attr:organization"} <= set(rows[0])


def test_usage_errors_exit_2(tmp_path):
    assert qlab(tmp_path, "ingest").returncode == 2
    assert qlab(tmp_path, "ingest", "x.csv", "--date", "31/12/2026").returncode == 2
    assert qlab(tmp_path, "search", "q", "--kind", "poem").returncode == 2


def test_missing_path_is_refused_by_name(tmp_path):
    result = qlab(tmp_path / "home", "ingest", tmp_path / "nowhere.pdf", check_rc=1)
    assert "refused" in result.stdout and "nowhere.pdf" in result.stdout
