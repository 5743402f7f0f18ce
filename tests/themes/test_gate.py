"""The relevance gate and determinism: off-topic material stays apart; names do not steer."""

import csv

from bench.off_topic import add_and_rebuild
from lab_app.core.settings import Settings
from lab_app.themes.build import placements
from lab_app.workspace import Workspace


def _banking(eval_path, count=300):
    with eval_path("clustering", "banking77", "test.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [row["text"] for row in rows[:: len(rows) // count][:count]]


def test_off_topic_material_fits_no_peer_support_theme(themed, eval_path, tmp_path):
    """300 banking queries added to the peer-support Lab: at least 90% stay Unsorted or form
    new themes of their own; at most 2% of the Lab's placed extracts change theme."""
    result = add_and_rebuild(themed, _banking(eval_path), tmp_path)
    assert result["added"] == 300
    assert result["kept_apart"] >= 0.9, result
    assert result["moved"] <= 0.02, result
    assert result["report"]["fit_none"] == result["report"]["unsorted"]


def _themes_by_text(workspace: Workspace) -> set:
    texts = {row["extract_id"]: row["text"] for row in workspace.store.export_rows()[1]}
    members: dict[str, set] = {}
    for extract_id, where in placements(workspace.store.engine).items():
        members.setdefault(where["theme_id"], set()).add(texts[extract_id])
    labels = {t["id"]: t["label"] for t in workspace.list_themes()}
    return {(labels.get(t, "Unsorted"), frozenset(found)) for t, found in members.items()}


def test_the_same_texts_give_the_same_themes_whatever_the_file_name(eval_path, tmp_path):
    path = eval_path("clustering", "nhs-fft-patient-feedback-phase1", "text_data.csv")
    with path.open(encoding="utf-8") as handle:
        rows = [r for _, r in zip(range(700), csv.DictReader(handle), strict=False)]
    found = []
    for name in ("feedback-march.csv", "zz-export (copy).csv"):
        survey = tmp_path / name
        with survey.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["feedback", "organization"])
            writer.writerows([r["feedback"], r["organization"]] for r in rows)
        workspace = Workspace(Settings.from_env(home=tmp_path / f"home-{len(found)}"))
        options = workspace.ingest_options(text_cols=("feedback",), attr_cols=("organization",))
        assert workspace.ingest_file(survey, options).status == "ingested"
        workspace.build_themes()
        found.append(_themes_by_text(workspace))
    assert found[0] == found[1]
