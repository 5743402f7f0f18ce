"""Opinion groups the Pol.is way: planted camps are found, Pol.is's rules for who is in hold,
its group-informed consensus is matched to the digit, and its groups are matched on the real
conversations where its export can be reproduced (the others are strict xfails that say why)."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from lab_app.exchange.polis import read_polis
from lab_app.opinions import groups as opinion_groups
from lab_app.opinions import polis_math
from lab_app.opinions.polis_input import build, conversation_input, from_conversation, groups_of


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
    assert result.group_sizes()[0] >= result.group_sizes()[1]  # group A is the largest
    assert {row["group"] for row in result.groups()} == {"A", "B"}


def test_split_statements_are_divisive_shared_ones_are_consensus():
    participants, statements, matrix, _ = planted_camps()
    result = opinion_groups.compute(participants, statements, matrix)
    split, shared = statements[:12], statements[12:]
    assert set(result.most_divisive(12)) == set(split)
    assert {c["statement"] for c in result.consensus["agree"]} <= set(shared)
    assert result.consensus["agree"], "the statements both camps agree with are consensus"
    for group, picks in result.representative.items():
        assert picks, f"group {group} has no representative statement"
        # Pol.is leads with what the group most clearly agrees with (it may be shared); the
        # rest are statements that set the group apart.
        assert [p.get("best_agree", False) for p in picks].count(True) <= 1
        assert {p["statement"] for p in picks if not p.get("best_agree")} <= set(split)
        assert all(p["direction"] in ("agree", "disagree") for p in picks)


def test_given_labels_only_measure():
    participants, statements, matrix, camp = planted_camps()
    labels = {p: int(camp[int(p)]) for p in participants}
    result = opinion_groups.compute(participants, statements, matrix, labels=labels)
    assert result.labels == labels and result.silhouette is None


def test_matrix_shape_must_match():
    with pytest.raises(ValueError, match="one row per participant"):
        opinion_groups.compute(["a"], ["s", "t"], np.zeros((2, 2)))


def test_early_voters_stay_in_and_moderated_out_votes_count():
    """Pol.is's in-conv rule, replayed in vote order: whoever voted on every statement there was
    stays in once more statements arrive; a vote on a moderated-out statement counts."""
    votes = [("early", "s0", 1, 1)]  # one statement exists: one vote is all of them
    votes += [(f"p{i}", f"s{j}", 1, 10 + i * 10 + j) for i in range(16) for j in range(7)]
    votes += [("late", f"s{j}", -1, 500 + j) for j in range(6)]  # six votes: not enough
    votes += [("mod", f"s{j}", -1, 600 + j) for j in range(6)] + [("mod", "out", 1, 700)]
    data = build(votes, moderated_out={"out"})
    assert "early" in data.in_conv and "mod" in data.in_conv and "late" not in data.in_conv
    assert data.participants[0] == "early"  # arrival order is kept
    assert data.moderated_out.tolist() == [s == "out" for s in data.statements]
    result = groups_of(data)
    assert "out" not in result.statements  # moderated out: counted, never measured or shown


def test_without_vote_times_the_rule_applies_to_the_counts():
    """An export without votes.csv dates votes by their comment: no replay then."""
    votes = [(f"p{i}", f"s{j}", 1, 0 if j == 0 else 1) for i in range(20) for j in range(i % 9)]
    data = build(votes, moderated_out=set(), order=[f"p{i}" for i in range(20)])
    counts = {f"p{i}": i % 9 for i in range(20) if i % 9}
    enough = {p for p, n in counts.items() if n >= 7}
    assert enough < data.in_conv and len(data.in_conv) == polis_math.GREEDY_N
    # Fewer than 15 had 7 votes: the most active of the rest fill up to 15.
    added = data.in_conv - enough
    assert min(counts[p] for p in added) >= max(counts[p] for p in set(counts) - data.in_conv)
    assert data.participants[:3] == ["p1", "p2", "p3"]  # Pol.is's numbering order


def test_group_informed_consensus_is_polis_own(eval_path):
    """bg2050's export carries Pol.is's group-informed consensus: ours, from its groups, is it."""
    folder = eval_path("polis", "bg2050-volunteers")
    conversation = read_polis(folder)
    theirs = from_conversation(conversation, labels=conversation.groups)
    with (folder / "comments.csv").open(encoding="utf-8") as handle:
        published = {
            row["comment-id"]: float(row["group-informed-consensus"])
            for row in csv.DictReader(handle)
            if row["group-informed-consensus"]
        }
    compared = [s for s in published if s in theirs.stats]
    assert len(compared) >= 300
    for statement in compared:
        assert theirs.stats[statement]["consensus_agree"] == pytest.approx(published[statement])


# Where Pol.is's export cannot be reproduced, the goal is a strict xfail saying why, with the
# numbers bench/tensions.py prints (docs/opinion-groups.md has the whole story).
NOT_REPRODUCED = {
    "15-per-hour-seattle": "from scratch k-means settles elsewhere: ARI 0.75; Pol.is's groups "
    "are a resting point of k-means on our map (0.94) reached by its long history",
    "american-assembly.bowling-green": "computed by an older polismath: ARI 0.56 now, 0.78 "
    "with its projection (unseen votes as passes, moderation not applied)",
    "brexit-consensus": "silhouette ties 2 and 3 groups (0.390 vs 0.396); Pol.is's k smoother "
    "kept 2 over its runs; the older projection gives 2 groups at ARI 0.90",
    "scoop-hivemind.freshwater": "Pol.is grouped everyone, 17 with under 7 votes, by an older "
    "rule; its groups rest on no projection we tried (<= 0.17)",
    "scoop-hivemind.ubi": "Pol.is grouped everyone, 58 with under 7 votes, by an older rule; "
    "its groups rest on no projection we tried (<= 0.51)",
}
CONVERSATIONS = [
    "15-per-hour-seattle", "american-assembly.bowling-green",
    "austria-climate.5twd2jsnkf.2022-08-08", "bg2050-volunteers", "brexit-consensus",
    "canadian-electoral-reform", "scoop-hivemind.freshwater", "scoop-hivemind.ubi",
    "ssis.land-bank-farmland.2rumnecbeh.2021-08-01",
]  # fmt: skip


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=NOT_REPRODUCED[n]))
        if n in NOT_REPRODUCED
        else n
        for n in CONVERSATIONS
    ],
)
def test_groups_match_polis(eval_path, name):
    """The goals where Pol.is grouped at least 100 people: ARI >= 0.8 on the people both
    grouped, the same number of groups, and >= 95% of Pol.is's grouped people grouped too."""
    conversation = read_polis(eval_path("polis", name))
    ours = from_conversation(conversation)
    grouped = [p for p in conversation.participants if p in conversation.groups]
    assert len(grouped) >= 100
    both = [p for p in grouped if p in ours.labels]
    assert len(both) / len(grouped) >= 0.95
    assert ours.k == len(set(conversation.groups.values()))
    truth = [conversation.groups[p] for p in both]
    assert adjusted_rand_score(truth, [ours.labels[p] for p in both]) >= 0.8


@pytest.mark.parametrize(
    "name, floor", [("american-assembly.bowling-green", 0.75), ("brexit-consensus", 0.85)]
)
def test_older_polismath_explains_two_exports(eval_path, name, floor):
    """The explanation docs/opinion-groups.md gives for two misses: the same pipeline with the
    older projection reproduces their groups."""
    conversation = read_polis(eval_path("polis", name))
    data = conversation_input(conversation)
    older = opinion_groups.compute(
        data.participants, data.statements, data.matrix, in_conv=data.in_conv,
        moderated_out=np.zeros(len(data.statements), bool), impute="zero",
    )  # fmt: skip
    both = [p for p in conversation.participants if p in conversation.groups and p in older.labels]
    truth = [conversation.groups[p] for p in both]
    assert older.k == len(set(truth))
    assert adjusted_rand_score(truth, [older.labels[p] for p in both]) >= floor


def test_kmeans_drops_empty_clusters_and_silhouette_of_a_lone_point_is_zero():
    points = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
    centres, labels = polis_math.kmeans(points, np.array([[0.0, 0.0], [5.0, 5.0], [50.0, 50.0]]))
    assert len(centres) == 2 and labels.tolist() == [0, 0, 1, 1]
    lone = np.array([0, 0, 1, 2])
    own = polis_math.silhouette(points, lone)
    assert polis_math.silhouette(points, np.array([0, 0, 1, 1])) > own > 0
