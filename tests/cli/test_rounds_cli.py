"""`qlab exchange` as staff and members run it: a whole round with --json, members acting
--as themselves, a paper ballot, and one-line errors with exit code 1."""

from __future__ import annotations

import json

import pytest

from lab_app.cli.qlab import main
from lab_app.people import accounts

STAFF = "staff-sam"


@pytest.fixture
def home(workspace, monkeypatch):
    """A workspace with a staff account; the command line acts as that account."""
    accounts.add_user(workspace.store.engine, STAFF, "staff", password="staff-password-x")
    accounts.add_user(workspace.store.engine, "amy", "participant", password="member-pass-x")
    monkeypatch.setenv("QLAB_USER", STAFF)
    return workspace.settings.home


def run(home, capsys, *args) -> dict | list:
    capsys.readouterr()
    assert main(["--home", str(home), "exchange", *map(str, args), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_round_from_the_command_line(home, capsys):
    opened = run(
        home,
        capsys,
        "open",
        "How could peer support reach more people?",
        "--opens",
        "2026-03-02",
        "--proposals-close",
        "2026-04-10",
        "--event",
        "2026-05-14",
        "--shortlist",
        "2",
        "--select",
        "1",
    )
    assert opened["state"] == "open" and opened["select_size"] == 1
    r = opened["id"]
    first = run(
        home,
        capsys,
        "propose",
        r,
        "--title",
        "Evening groups",
        "--as",
        "amy",
        "--problem",
        "Groups meet while people work.",
        "--idea",
        "Meet at 7pm.",
    )
    second = run(
        home,
        capsys,
        "propose",
        r,
        "--title",
        "A directory of groups",
        "--as",
        "ben",
        "--problem",
        "Nobody knows which groups exist.",
        "--idea",
        "One shared list.",
    )
    assert (first["author"], first["version"]) == ("amy", 1)
    revised = run(
        home, capsys, "revise", first["id"], "--idea", "Meet at 7pm and online.", "--as", "amy"
    )
    assert [v["idea"] for v in revised["versions"]] == ["Meet at 7pm.", "Meet at 7pm and online."]
    made = run(
        home,
        capsys,
        "comment",
        first["id"],
        "Pairs well with the directory",
        "--connects",
        f"proposal:{second['id']}",
        "--as",
        "ben",
    )
    run(
        home, capsys, "comment", first["id"], "Agreed", "--reply-to", made["comment"], "--as", "amy"
    )
    shown = run(home, capsys, "show", first["id"])
    assert shown["thread"][0]["connects"][0]["label"] == "A directory of groups"
    assert shown["thread"][0]["replies"][0]["text"] == "Agreed"
    listed = run(home, capsys, "list")
    assert [(row["id"], row["proposals"]) for row in listed] == [(r, 2)]
    assert (
        run(home, capsys, "similar", "a shared list of local support groups")[0]["id"]
        == (second["id"])
    )
    run(home, capsys, "state", r, "shortlisting")
    assert run(home, capsys, "shortlist", r, first["id"], second["id"])["shortlist"] == [
        first["id"], second["id"],
    ]  # fmt: skip
    run(home, capsys, "state", r, "voting")
    cast = run(home, capsys, "vote", r, first["id"], "--as", "ben")
    assert cast == {"round": str(r), "choices": [first["id"]], "replaced": False}
    assert run(home, capsys, "vote", r, second["id"], "--as", "cat")["replaced"] is False
    assert run(home, capsys, "vote", r, first["id"], "--as", "cat")["replaced"] is True
    run(home, capsys, "vote", r, second["id"], "--paper")
    counted = run(home, capsys, "results", r)
    assert (counted["state"], counted["ballots"], counted["paper"]) == ("voting", 3, 1)
    closed = run(home, capsys, "close", r)
    winner = closed["proposals"][0]
    assert (winner["id"], winner["votes"], winner["winner"]) == (first["id"], 2, True)
    assert winner["idea_id"].startswith("I-") and closed["proposals"][1]["idea_id"] is None


def test_errors_are_one_line_with_exit_code_1(home, run_qlab):
    def qlab(*args, user=STAFF):
        return run_qlab("--home", home, "exchange", *args, user=user)

    bad_date = qlab(
        "open",
        "Q?",
        "--opens",
        "2026-13-01",
        "--proposals-close",
        "2026-04-10",
        "--event",
        "2026-05-14",
        "--shortlist",
        "2",
        "--select",
        "1",
    )
    assert bad_date.returncode == 1
    assert bad_date.stderr == "qlab: error: the opens date '2026-13-01' is not YYYY-MM-DD\n"
    refused = qlab(
        "open",
        "Q?",
        "--opens",
        "2026-03-01",
        "--proposals-close",
        "2026-04-10",
        "--event",
        "2026-05-14",
        "--shortlist",
        "2",
        "--select",
        "1",
        user="amy",
    )
    assert refused.returncode == 1 and "amy is not Lab staff" in refused.stderr
    missing = qlab("results", "9")
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1
    assert "no round 9" in missing.stderr and "Traceback" not in missing.stderr
