"""The qlab command as a user runs it: output lines, JSON shapes and exit codes.

The first ingest runs the real `qlab` process (its exit code and what it prints); the commands
after it run through the same main in this process (tests/cli/conftest.py), where the model is
already loaded: each real process spends several seconds importing torch before its first line.
"""

import csv
import json
import re
import subprocess
import sys

import pytest


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


def test_cli_end_to_end(tmp_path, eval_path, run_qlab):
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

    def run(*args, check_rc=0):
        result = run_qlab("--home", home, *args)
        assert result.returncode == check_rc, result.stdout + result.stderr
        return result

    assert run("ingest", survey).stdout.startswith("unchanged")

    hits = json.loads(run("search", "staff were kind", "-k", "3", "--json").stdout)
    assert len(hits) == 3
    keys = {"extract_id", "score", "text", "source", "kind", "page", "row", "date", "person"}
    assert all(set(hit) == keys for hit in hits)
    assert hits[0]["kind"] == "survey" and hits[0]["row"] >= 2

    status = json.loads(run("status", "--json").stdout)
    assert status["sources"] == 1 and status["extracts"] == status["indexed"] > 300
    assert (
        status["non_answers"] == int(kept_aside[1]) == sum(status["non_answers_by_type"].values())
    )
    assert status["blank_answers"] == 0 and status["non_answers_by_type"]["nothing"] > 0
    run("check")
    assert "reindexed" in run("reindex").stdout

    out = tmp_path / "extracts.csv"
    run("export", "extracts", "--out", out)
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == status["extracts"]
    assert {"attr:label", "attr:organization"} <= set(rows[0])


def test_usage_errors_exit_2(tmp_path):
    # One real process: argparse's exit code as the shell sees it.
    assert qlab(tmp_path, "ingest").returncode == 2


@pytest.mark.parametrize(
    "args", [["ingest", "x.csv", "--date", "31/12/2026"], ["search", "q", "--kind", "poem"]]
)
def test_bad_arguments_exit_2(tmp_path, run_qlab, args):
    try:  # argparse stops with SystemExit; a value the command itself refuses returns 2
        code = run_qlab("--home", tmp_path, *args).returncode
    except SystemExit as stopped:
        code = stopped.code
    assert code == 2


def test_missing_path_is_refused_by_name(tmp_path, run_qlab):
    result = run_qlab("--home", tmp_path / "home", "ingest", tmp_path / "nowhere.pdf")
    assert result.returncode == 1
    assert "refused" in result.stdout and "nowhere.pdf" in result.stdout
