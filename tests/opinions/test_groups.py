"""Opinion groups the Pol.is way: planted camps are found, and Pol.is's own groups are matched."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from lab_app.exchange.polis import polis_matrix, read_polis
from lab_app.opinions import groups as opinion_groups


def planted_camps(seed: int = 1):
    """Two camps voting opposite ways on 12 statements, alike on 4, with gaps and noise."""
    rng = np.random.default_rng(seed)
    camp = np.array([0] * 30 + [1] * 20)
    split = np.where(camp[:, None] == 0, 1.0, -1.0) * np.ones((50, 12))
    shared = np.ones((50, 4))
    matrix = np.hstack([split, shared])
    flip = rng.random(matrix.shape) < 0.08
    matrix[flip] = -matrix[flip]
    matrix[rng.random(matrix.shape) < 0.2] = np.nan
    matrix[45:, 3:] = np.nan  # five people voted on three statements only
    participants = [str(i) for i in range(50)]
    statements = [f"s{j:02d}" for j in range(16)]
    return participants, statements, matrix, camp


def test_planted_camps_are_found_and_sparse_voters_left_out():
    participants, statements, matrix, camp = planted_camps()
    result = opinion_groups.compute(participants, statements, matrix)
    assert result.k == 2
    grouped = [p for p in participants if p in result.labels]
    assert set(participants) - set(grouped) == {str(i) for i in range(45, 50)}
    truth = [camp[int(p)] for p in grouped]
    assert adjusted_rand_score(truth, [result.labels[p] for p in grouped]) == 1.0
    assert result.group_sizes()[0] >= result.group_sizes()[1]  # group 0 is the largest


def test_split_statements_are_divisive_shared_ones_are_consensus():
    participants, statements, matrix, _ = planted_camps()
    result = opinion_groups.compute(participants, statements, matrix)
    split, shared = statements[:12], statements[12:]
    assert set(result.most_divisive(12)) == set(split)
    assert min(result.stats[s]["consensus_agree"] for s in shared) > max(
        result.stats[s]["consensus_agree"] for s in split
    )
    for group, picks in result.representative.items():
        assert picks, f"group {group} has no representative statement"
        assert {p["statement"] for p in picks} <= set(split)


def test_given_labels_only_measure():
    participants, statements, matrix, camp = planted_camps()
    labels = {p: int(camp[int(p)]) for p in participants}
    result = opinion_groups.compute(participants, statements, matrix, labels=labels)
    assert result.labels == labels and result.silhouette is None


def test_matrix_shape_must_match():
    with pytest.raises(ValueError, match="one row per participant"):
        opinion_groups.compute(["a"], ["s", "t"], np.zeros((2, 2)))


def test_bowling_green_matches_polis(eval_path):
    """The goals bench/tensions.py prints: ARI ≥ 0.8 with Pol.is's groups, top-20 overlap ≥ 0.7."""
    conversation = read_polis(eval_path("polis", "american-assembly.bowling-green"))
    participants, statements, matrix = polis_matrix(conversation)
    ours = opinion_groups.compute(participants, statements, matrix)
    theirs = opinion_groups.compute(participants, statements, matrix, labels=conversation.groups)
    grouped = [p for p in participants if p in conversation.groups]
    ari = adjusted_rand_score(
        [conversation.groups[p] for p in grouped], [ours.labels.get(p, -1) for p in grouped]
    )
    overlap = len(set(ours.most_divisive(20)) & set(theirs.most_divisive(20))) / 20
    assert ari >= 0.8, ari
    assert overlap >= 0.7, overlap
