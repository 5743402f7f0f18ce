"""`qlab themes …` as an analyst runs it, through the command's own main in this process:
build, list, rename, pin, undo, export and timeline on a copy of the demo Lab."""

import csv
import json
import shutil


def test_themes_from_the_command_line(demo_home, tmp_path, run_qlab):
    home = tmp_path / "demo"
    shutil.copytree(demo_home, home)

    def qlab(home, *args, check_rc=None):
        result = run_qlab("--home", home, *args, user="analyst")
        if check_rc is not None:
            assert result.returncode == check_rc, result.stdout + result.stderr
        return result

    report = json.loads(qlab(home, "themes", "build", "--json", check_rc=0).stdout)
    assert {"themes", "unsorted_share", "new", "grown", "merged", "split", "faded"} <= set(report)
    listing = json.loads(qlab(home, "themes", "list", "--json", check_rc=0).stdout)
    assert len(listing) == report["themes"]
    assert all({"id", "label", "size", "area", "status"} <= set(row) for row in listing)
    first = listing[0]["id"]
    renamed = qlab(home, "themes", "rename", first, "Finding a group", check_rc=0).stdout
    assert f"Renamed “Finding a group” (was “{listing[0]['label']}”)" in renamed
    assert "not in the workspace" in qlab(home, "themes", "pin", "no-such-extract").stderr
    undone = qlab(home, "themes", "undo", check_rc=0).stdout
    assert f"Undid your rename of “Finding a group” (was “{listing[0]['label']}”)." in undone
    assert "nothing of yours to undo" in qlab(home, "themes", "undo").stderr
    qlab(home, "themes", "rename", first, "Finding a group", check_rc=0)
    out = tmp_path / "extracts.csv"
    qlab(home, "export", "extracts", "--out", out, check_rc=0)
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert {"theme_id", "theme_label"} <= set(rows[0])
    assert "Finding a group" in {row["theme_label"] for row in rows}
    timeline = json.loads(qlab(home, "themes", "timeline", "--by", "phase", "--json").stdout)
    assert {row["period"] for row in timeline} <= {
        "before",
        "Discover",
        "Define",
        "Develop",
        "Test",
        "Share",
        "after",
    }


def _off_topic(eval_path, count: int) -> list[str]:
    """Banking77 queries of different intents: too few to form a theme of their own."""
    with eval_path("clustering", "banking77", "test.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [row["text"] for row in rows[:: len(rows) // count][:count]]


def test_what_fits_no_theme_is_listed_and_placed(themed, eval_path, tmp_path, run_qlab):
    """Four banking queries added to the peer-support Lab fit no theme: the rebuild says so,
    `themes list` ends with the Unsorted count, `themes unsorted` lists each by its text, and a
    move places one (one fewer left)."""
    from bench.off_topic import write_survey

    home = themed.settings.home
    queries = _off_topic(eval_path, 4)
    survey = write_survey(queries, tmp_path / "off-topic.csv")
    ingest = ("ingest", survey, "--text-col", "comment", "--id-col", "respondent")
    assert run_qlab("--home", home, *ingest, user="analyst").returncode == 0
    built = run_qlab("--home", home, "themes", "build", user="analyst")
    assert built.returncode == 0, built.stderr
    assert "extracts fit no theme: review with `qlab themes unsorted`" in built.stdout
    left = json.loads(run_qlab("--home", home, "themes", "unsorted", "--json").stdout)
    texts = {row["text"] for row in left}
    assert set(queries) <= texts, texts
    listing = run_qlab("--home", home, "themes", "list").stdout
    assert listing.rstrip().splitlines()[-2:] == [
        "Unsorted",
        f"  {'':5}  {len(left):5}  fit no theme: `qlab themes unsorted` lists them",
    ]
    shown = run_qlab("--home", home, "themes", "unsorted").stdout
    assert all(query[:100] in shown for query in queries)
    theme = json.loads(run_qlab("--home", home, "themes", "list", "--json").stdout)[0]
    moved = next(row for row in left if row["text"] == queries[0])
    placed = run_qlab("--home", home, "themes", "move", moved["id"], theme["id"], user="analyst")
    assert placed.returncode == 0 and theme["label"] in placed.stdout, placed.stderr
    after = json.loads(run_qlab("--home", home, "themes", "unsorted", "--json").stdout)
    assert len(after) == len(left) - 1 and moved["id"] not in {row["id"] for row in after}
