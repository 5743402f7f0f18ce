"""Cross-Lab search over three small Labs of real NHS answers on SQLite and embedded Chroma:
each Lab's consent honoured, results labelled by Lab, only Labs the person is staff of."""

from __future__ import annotations

import json

import pytest

from lab_app.core.roles import require_staff
from lab_app.core.settings import Settings
from lab_app.network import cross_search, members
from lab_app.network.registry import DEFAULT
from tests.network import two_labs


@pytest.fixture(scope="module")
def labs(tmp_path_factory, eval_path):
    """Built once for the module (the tests only read it): SQLite and embedded indexes."""
    folder = tmp_path_factory.mktemp("labs")
    built = two_labs.build(Settings(home=folder / "home"), eval_path, folder)
    yield built
    built["deployment"].close()


def test_a_person_sees_only_the_labs_where_they_have_a_role(labs):
    deployment = labs["deployment"]
    alice = [(m.lab.slug, m.role) for m in members.memberships(deployment, "alice")]
    assert alice == [(DEFAULT, "staff"), ("north-east", "staff"), ("south-west", "participant")]
    bob = [(m.lab.slug, m.lab.name, m.role) for m in members.memberships(deployment, "bob")]
    assert bob == [("north-east", "Trust B Lab", "participant")]
    assert members.role_in(deployment, DEFAULT, "bob") is None  # an account, no role here
    assert members.memberships(deployment, "nobody") == []
    # The packages' own staff check reads the Lab's users: alice is not staff in south-west.
    south_west = deployment.workspace("south-west").store.engine
    with pytest.raises(PermissionError, match="alice is not Lab staff"):
        require_staff(south_west, "alice", "build themes")
    require_staff(deployment.workspace("north-east").store.engine, "alice", "build themes")


def test_withheld_words_never_appear_and_every_result_names_its_lab(labs):
    deployment, hidden = labs["deployment"], labs["hidden"]
    searched = cross_search.searchable_labs(deployment, "alice")
    assert [lab.slug for lab in searched] == [DEFAULT, "north-east"]  # staff there only
    north_east = deployment.workspace("north-east")
    stored = {slug: set(labs["texts"][slug]) for slug in labs["texts"]}
    assert len(hidden) >= two_labs.WITHHELD
    for text in hidden:
        # The Lab's own search finds the words first; the cross-Lab search never shows them.
        assert north_east.search(text, k=1)[0]["text"] == text
        results = cross_search.search(deployment, text, searched, k=8)
        assert results and not {hit["text"] for hit in results} & set(hidden)
        scores = [hit["score"] for hit in results]
        assert scores == sorted(scores, reverse=True)
        for hit in results:
            assert hit["lab"] in (DEFAULT, "north-east") and "person" not in hit
            assert hit["text"] in stored[hit["lab"]]  # labelled with the Lab that holds it
    shown = next(t for t in labs["texts"]["north-east"] if t not in hidden)
    top = cross_search.search(deployment, shown, searched, k=3)[0]
    assert (top["text"], top["lab"], top["lab_name"]) == (shown, "north-east", "Trust B Lab")
    # Consent is per Lab: the same respondent ids in the default Lab said nothing, so shown.
    default = deployment.workspace(DEFAULT).store
    theirs = [e["text"] for e in default.extracts_by_ids(sorted(default.extract_ids())).values()
              if e["person"] in labs["withheld"]]  # fmt: skip
    assert theirs and cross_search.search(deployment, theirs[0], searched, k=1)[0]["lab"] == DEFAULT
    # Words of a Lab where alice is only a participant are not searched at all.
    elsewhere = labs["texts"]["south-west"][0]
    assert all(
        h["lab"] != "south-west" for h in cross_search.search(deployment, elsewhere, searched)
    )


def test_the_command_searches_the_staff_labs_and_prints_json(labs, capsys, monkeypatch):
    from lab_app.cli.qlab import main

    home = labs["deployment"].settings.home
    monkeypatch.setenv("QLAB_USER", "alice")
    query = labs["hidden"][0]
    assert main(["--home", str(home), "labs", "search", query, "-k", "5", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert len(results) == 5 and {h["lab"] for h in results} <= {DEFAULT, "north-east"}
    assert not {h["text"] for h in results} & set(labs["hidden"])
    monkeypatch.setenv("QLAB_USER", "bob")  # a participant everywhere: no cross-Lab search
    assert main(["--home", str(home), "labs", "search", query]) == 1
    assert "bob is staff of no Lab" in capsys.readouterr().err
