"""Off-topic material added to a themed Lab: where it lands, and how much of the Lab moved."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from lab_app.themes.build import placements


def write_survey(texts: list[str], path: Path) -> Path:
    """The texts as a one-question survey export (a `comment` column)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["respondent", "comment"])
        writer.writerows([f"r{i:04d}", text] for i, text in enumerate(texts))
    return path


def add_and_rebuild(workspace, texts: list[str], folder: Path) -> dict:
    """Ingest texts as a new survey file into a themed workspace, rebuild, and measure: the
    share of the new extracts left unplaced or in new themes made mostly of them, and the share
    of the Lab's placed extracts whose theme changed."""
    before = placements(workspace.store.engine)
    path = write_survey(texts, folder / "off-topic-survey.csv")
    outcome = workspace.ingest_file(
        path, workspace.ingest_options(text_cols=("comment",), id_col="respondent")
    )
    if outcome.status != "ingested":
        raise RuntimeError(f"{path.name}: {outcome.status} {outcome.reason}")
    report = workspace.build_themes()
    after = placements(workspace.store.engine)
    added = [e for e in after if e not in before]
    sizes = Counter(p["theme_id"] for p in after.values())
    newcomers = Counter(after[e]["theme_id"] for e in added)
    new_themes = {t for t in newcomers if t != "unsorted" and newcomers[t] > sizes[t] / 2}
    kept_apart = sum(n for t, n in newcomers.items() if t == "unsorted" or t in new_themes)
    placed_before = [e for e, p in before.items() if p["theme_id"] != "unsorted"]
    moved = sum(after[e]["theme_id"] != before[e]["theme_id"] for e in placed_before)
    joined = Counter(after[e]["theme_label"] for e in added if after[e]["theme_id"] not in
                     new_themes | {"unsorted"})  # fmt: skip
    return {
        "added": len(added),
        "kept_apart": kept_apart / max(len(added), 1),
        "unsorted": newcomers["unsorted"],
        "new_themes": len(new_themes),
        "moved": moved / max(len(placed_before), 1),
        "joined": dict(joined.most_common(5)),
        "report": report,
    }


def run(banking_csv: Path, count: int = 300) -> list[str]:
    """Load the demo Lab (themes built), add `count` Banking77 queries, rebuild, measure."""
    import tempfile

    from lab_app.core.settings import Settings
    from lab_app.demo import load_demo
    from lab_app.workspace import Workspace

    with banking_csv.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    texts = [row["text"] for row in rows[:: len(rows) // count][:count]]
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Workspace(Settings.from_env(home=Path(tmp) / "lab"))
        list(load_demo(workspace))
        workspace.build_themes()
        result = add_and_rebuild(workspace, texts, Path(tmp))
    RESULT.update(result)
    return [
        f"off-topic: {result['added']} Banking77 queries into the demo Lab: "
        f"{result['kept_apart']:.1%} kept apart ({result['unsorted']} Unsorted, "
        f"{result['new_themes']} new themes of their own); demo extracts moved "
        f"{result['moved']:.1%}; joined demo themes: {result['joined'] or 'none'}"
    ]


RESULT: dict = {}
