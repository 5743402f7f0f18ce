"""`qlab labs withdraw PERSON`: a person leaves every Lab of the deployment at once, their words
gone from each Lab's store and index, everyone else's kept (three Labs of real NHS answers)."""

from __future__ import annotations

from lab_app.core.settings import Settings
from lab_app.network.registry import DEFAULT
from tests.network import two_labs


def _people_and_texts(deployment, slug) -> list[tuple[str, str]]:
    ws = deployment.workspace(slug)
    rows = ws.store.extracts_by_ids(sorted(ws.store.extract_ids())).values()
    return [(row["person"], row["text"]) for row in rows]


def test_withdrawing_from_every_lab_removes_their_words_from_each(
    tmp_path, eval_path, capsys, monkeypatch
):
    from lab_app.cli.qlab import main

    built = two_labs.build(Settings(home=tmp_path / "home"), eval_path, tmp_path)
    deployment = built["deployment"]
    before = {slug: _people_and_texts(deployment, slug) for slug in two_labs.TRUSTS}
    # Each Lab's file has the same name and respondent numbers: respondent 0 is one person id
    # in all three Labs (three different people in life; the Lab cannot tell).
    person = before["north-east"][0][0]
    assert all(person in {p for p, _ in rows} for rows in before.values())

    monkeypatch.setenv("QLAB_USER", "ops")
    home = str(deployment.settings.home)
    assert main(["--home", home, "labs", "withdraw", person]) == 0
    printed = capsys.readouterr().out.splitlines()
    # The default Lab, which holds the account, comes last. Which respondent comes first
    # follows the extract ids (they hash the file's path), and a long answer is several
    # extracts: the counts are read from the Labs, not assumed.
    held = {slug: sum(p == person for p, _ in rows) for slug, rows in before.items()}
    assert printed == [
        f"withdrawn from {slug}: {held[slug]} extract{'' if held[slug] == 1 else 's'} removed"
        for slug in ("north-east", "south-west", DEFAULT)
    ]
    for slug, rows in before.items():
        after = _people_and_texts(deployment, slug)
        theirs = [text for p, text in rows if p == person]
        assert after == [(p, text) for p, text in rows if p != person]
        ws = deployment.workspace(slug)
        assert ws.status()["indexed"] == len(after) and ws.check().ok
        hits = ws.search(theirs[0], k=len(rows))
        assert theirs[0] not in {hit["text"] for hit in hits}

    assert main(["--home", home, "labs", "withdraw", person]) == 1
    assert f"no Lab holds anything of {person!r}" in capsys.readouterr().err
    deployment.close()
