"""Filtered search gives the exact top-k of that kind by every route it may take."""

import csv
from collections import Counter

import numpy as np
import pytest

from lab_app import workspace as workspace_module
from lab_app.core.settings import Settings
from lab_app.material.reads import theme_inputs
from lab_app.workspace import Workspace

QUERIES = ["waiting times were too long", "the staff were kind", "parking at the hospital"]


@pytest.fixture(scope="module")
def mixed_workspace(eval_path, tmp_path_factory):
    """About 700 survey answers and a few dozen evidence passages, from real files."""
    tmp_path = tmp_path_factory.mktemp("mixed")
    workspace = Workspace(Settings.from_env(home=tmp_path / "ws"))
    source = eval_path("clustering", "nhs-fft-patient-feedback-phase1", "text_data.csv")
    survey = tmp_path / "feedback.csv"
    with source.open(encoding="utf-8") as handle, survey.open("w", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "comment"])
        for i, row in zip(range(700), csv.DictReader(handle), strict=False):
            writer.writerow([i, row["feedback"]])
    options = workspace.ingest_options(kind="survey", text_cols=("comment",), id_col="id")
    list(workspace.ingest([survey], options))
    list(workspace.ingest([eval_path("documents", "strategyunit__phase_1.md")]))
    return workspace


def _exact(workspace, query, kind, k):
    data = theme_inputs(workspace.store.engine, kind=kind)
    vector = workspace.embedder.embed([query])[0]
    scores = data["vectors"] @ vector
    return [data["texts"][i] for i in np.argsort(-scores, kind="stable")[:k]]


@pytest.mark.parametrize("limit", [0, 3000], ids=["index routes", "exact from the store"])
@pytest.mark.parametrize("kind", ["survey", "evidence"])
def test_filtered_search_matches_the_exact_answer(mixed_workspace, monkeypatch, kind, limit):
    # limit 0 sends every filter to the index (over-fetch for the common kind, Chroma's own
    # filter for the rare one); 3000 scores both kinds exactly from the stored vectors.
    monkeypatch.setattr(workspace_module, "EXACT_SEARCH_LIMIT", limit)
    for query in QUERIES:
        hits = mixed_workspace.search(query, k=5, kind=kind)
        assert [hit["kind"] for hit in hits] == [kind] * 5
        expected = _exact(mixed_workspace, query, kind, 5)
        # Texts, not ids: identical answers tie. HNSW is approximate: on the index routes one
        # neighbour of five may differ.
        overlap = sum((Counter(hit["text"] for hit in hits) & Counter(expected)).values())
        assert overlap >= (5 if limit else 4), (query, kind)
