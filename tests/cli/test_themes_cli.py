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
