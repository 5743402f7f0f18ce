"""`qlab people find` and `qlab people findable` as a user runs them, with consent withheld for
some people: JSON shape, who appears, what is shown, and who may change a profile."""

from __future__ import annotations

import json
import subprocess

import pytest

from lab_app.material.reads import words_of
from tests.people.finder_lab import FINDABLE, NOT_FINDABLE, STAFF, WITHHELD, make_finder_lab

SHOWN = {shown for shown, _ in FINDABLE.values()}
KEYS = {"rank", "shown_as", "expertise", "score", "parts", "matches"}


@pytest.fixture(scope="module")
def home(demo_home, tmp_path_factory):
    home = tmp_path_factory.mktemp("finder-cli") / "home"
    make_finder_lab(demo_home, home).store.engine.dispose()
    return home


@pytest.fixture
def qlab(home, run_qlab):
    def run(*args, user=STAFF, rc=0) -> subprocess.CompletedProcess:
        result = run_qlab("--home", home, *args, user=user)
        assert result.returncode == rc, result.stdout + result.stderr
        return result

    return run


def test_find_json_ranks_opted_in_people_and_shows_only_what_they_agreed_to(home, qlab):
    question = "our trust banned peer workers from WhatsApp groups"
    out = qlab("people", "find", question, "--json", "--limit", "50").stdout
    found = json.loads(out)
    assert found["query"] == question
    rows = found["people"]
    assert [row["rank"] for row in rows] == list(range(1, len(rows) + 1))
    assert all(set(row) == KEYS for row in rows)
    assert [row["score"] for row in rows] == sorted((row["score"] for row in rows), reverse=True)
    assert {row["shown_as"] for row in rows} <= SHOWN  # nobody who did not opt in
    fi = next(row for row in rows if row["shown_as"] == FINDABLE[WITHHELD][0])
    assert fi["matches"] == [] and fi["parts"]["words"] == 0
    from lab_app.core.settings import Settings
    from lab_app.workspace import Workspace

    engine = Workspace(Settings.from_env(home=home)).store.engine
    hidden = [r["text"] for r in words_of(engine, [WITHHELD, NOT_FINDABLE])]
    assert hidden and not any(" ".join(text.split())[:80] in out for text in hidden)
    for account in [*FINDABLE, NOT_FINDABLE]:  # sign-in names are never printed
        assert account not in out


def test_find_prints_the_expert_first(qlab):
    lines = qlab("people", "find", "who knows about eating disorders").stdout.splitlines()
    assert lines[0].startswith("1. Tam  (score ")
    assert lines[1] == f"   expertise: {FINDABLE['Tam R'][1]}"
    assert lines[2].startswith("   wrote (") and "eating disorders" in lines[2]
    nothing = qlab("people", "find", "the price of diesel for tractors").stdout
    assert nothing.startswith("nobody findable knows about that")


def test_findable_is_for_the_person_themself_or_staff(qlab):
    refused = qlab(
        "people", "findable", "--name", "Tam R", "--shown-as", "Not Tam",
        "--expertise", "anything", user="Rich_ICB", rc=1,
    )  # fmt: skip
    assert "only staff can change another person's finder profile" in refused.stderr
    expertise = "Lived experience of psychosis; I volunteer on a peer support phone line"
    args = ("people", "findable", "--shown-as", "Maple", "--expertise", expertise)
    on = qlab(*args, user=NOT_FINDABLE).stdout
    assert on.startswith(f"{NOT_FINDABLE} is findable as Maple")
    question = "volunteering on a peer support phone line and coming off the phone shaking"
    found = json.loads(qlab("people", "find", question, "--json").stdout)["people"]
    assert found[0]["shown_as"] == "Maple"  # now opted in, their own words count
    off = qlab("people", "findable", "--name", NOT_FINDABLE, "--off").stdout
    assert off.strip() == f"{NOT_FINDABLE} is no longer findable"
    found = json.loads(qlab("people", "find", question, "--json").stdout)["people"]
    assert "Maple" not in {row["shown_as"] for row in found}
