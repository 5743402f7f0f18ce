"""Opinion groups from agree/disagree/pass votes, computed the way Pol.is publishes its method.

The participant × statement matrix (1 agree, -1 disagree, 0 pass, NaN unseen) is reduced to two
principal components (unseen cells count 0 when the axes are found); each participant is placed
from their own votes and scaled by sqrt(statements / their votes) so that people who voted on
little are not bunched in the middle. Participants with fewer than min(7, statements) votes
are left out of the clustering (at least 15 are kept, the most active first). K-means runs
for k = 2..5 and the k with the best silhouette wins. Per statement and group: agree and
disagree probabilities with Laplace smoothing, Pol.is's representativeness (ratio and
two-proportion z-test), its group-informed consensus (the product of the groups' agree
probabilities) and divisiveness (how far apart the groups' agree and disagree shares are).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

MIN_VOTES = 7  # Pol.is: a participant is clustered after voting on 7 statements (or all)
MIN_CLUSTERED = 15  # Pol.is keeps at least this many participants, the most active first
MAX_GROUPS = 5
Z_90 = 1.2816  # one-sided 90% critical value Pol.is uses for representative statements
REPRESENTATIVE = 5  # statements kept per group


@dataclass
class OpinionGroups:
    """Groups, positions and per-statement measures for one vote matrix."""

    participants: list[str]
    statements: list[str]
    labels: dict[str, int]  # clustered participant -> group (0 = largest)
    positions: dict[str, tuple[float, float]]  # every participant's place on the 2-D map
    k: int
    silhouette: float | None
    stats: dict[str, dict] = field(default_factory=dict)  # statement -> measures
    representative: dict[int, list[dict]] = field(default_factory=dict)

    def groups(self) -> list[dict]:
        """[{"participant": id, "group": n}] in participant order, clustered people only."""
        return [
            {"participant": p, "group": self.labels[p]}
            for p in self.participants
            if p in self.labels
        ]

    def group_sizes(self) -> dict[int, int]:
        sizes: dict[int, int] = {}
        for group in self.labels.values():
            sizes[group] = sizes.get(group, 0) + 1
        return dict(sorted(sizes.items()))

    def most_divisive(self, n: int = 20, min_seen: int = 0) -> list[str]:
        """Statements ordered by divisiveness, most first (ties by statement id)."""
        ranked = [s for s in self.statements if self.stats[s]["seen"] >= min_seen]
        return sorted(ranked, key=lambda s: (-self.stats[s]["divisiveness"], s))[:n]


def compute(
    participants: list[str],
    statements: list[str],
    matrix: np.ndarray,
    labels: dict[str, int] | None = None,
    min_votes: int = MIN_VOTES,
    max_groups: int = MAX_GROUPS,
    seed: int = 0,
) -> OpinionGroups:
    """Groups and measures for a vote matrix (rows participants, columns statements, NaN
    unseen). Given `labels` (someone else's groups), only the measures are computed."""
    matrix = np.asarray(matrix, dtype=float)
    if matrix.shape != (len(participants), len(statements)):
        raise ValueError("the vote matrix must have one row per participant, one column each")
    positions = project(matrix) if matrix.size else np.zeros((len(participants), 2))
    silhouette = None
    if labels is None:
        rows = clustered_rows(matrix, min_votes)
        row_labels, silhouette = cluster(positions[rows], max_groups, seed)
        labels = {participants[r]: int(g) for r, g in zip(rows, row_labels, strict=True)}
    label_of = np.array([labels.get(p, -1) for p in participants])
    k = len(set(labels.values()))
    result = OpinionGroups(
        participants=list(participants),
        statements=list(statements),
        labels=labels,
        positions={
            p: (float(x), float(y)) for p, (x, y) in zip(participants, positions, strict=True)
        },
        k=k,
        silhouette=silhouette,
    )
    result.stats = statement_stats(matrix, label_of, statements)
    result.representative = representative(result.stats, k)
    return result


def project(matrix: np.ndarray, components: int = 2) -> np.ndarray:
    """Participants' positions, as Pol.is places them: the principal axes of the matrix with
    unseen cells as 0, each participant placed from their own votes only (centred on the
    statement's mean) and pushed out by sqrt(statements / their votes)."""
    seen = ~np.isnan(matrix)
    filled = np.where(seen, matrix, 0.0)
    centre = filled.mean(axis=0) if matrix.shape[0] else np.zeros(matrix.shape[1])
    if min(matrix.shape) == 0:
        return np.zeros((matrix.shape[0], components))
    _, _, vt = np.linalg.svd(filled - centre, full_matrices=False)
    axes = vt[:components].copy()
    # The sign of a principal axis is arbitrary: fix it so the map does not flip between runs.
    for i, axis in enumerate(axes):
        if axis[np.argmax(np.abs(axis))] < 0:
            axes[i] = -axis
    projected = np.where(seen, matrix - centre, 0.0) @ axes.T
    if projected.shape[1] < components:
        projected = np.pad(projected, ((0, 0), (0, components - projected.shape[1])))
    votes = np.maximum(seen.sum(axis=1), 1)
    return projected * np.sqrt(matrix.shape[1] / votes)[:, None]


def clustered_rows(matrix: np.ndarray, min_votes: int = MIN_VOTES) -> np.ndarray:
    """Rows Pol.is would cluster: enough votes, and at least MIN_CLUSTERED of the most active."""
    votes = (~np.isnan(matrix)).sum(axis=1)
    threshold = min(min_votes, matrix.shape[1])
    rows = set(np.flatnonzero((votes >= threshold) & (votes > 0)).tolist())
    if len(rows) < MIN_CLUSTERED:
        active = [r for r in np.argsort(-votes, kind="stable") if votes[r] > 0]
        rows.update(int(r) for r in active[:MIN_CLUSTERED])
    return np.array(sorted(rows), dtype=int)


def cluster(points: np.ndarray, max_groups: int, seed: int) -> tuple[np.ndarray, float | None]:
    """K-means for k = 2..max_groups, the best silhouette wins; groups numbered by size."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    distinct = len(np.unique(np.round(points, 9), axis=0)) if len(points) else 0
    if distinct < 2 or len(points) < 3:  # nothing to split: everyone in one group
        return np.zeros(len(points), dtype=int), None
    best: tuple[float, np.ndarray] | None = None
    for k in range(2, min(max_groups, distinct, len(points) - 1) + 1):
        found = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(points)
        if len(set(found)) < 2:
            continue
        sample = min(len(points), 3000)
        score = float(silhouette_score(points, found, sample_size=sample, random_state=seed))
        if best is None or score > best[0] + 1e-12:
            best = (score, found)
    if best is None:
        return np.zeros(len(points), dtype=int), None
    score, found = best
    by_size = sorted(set(found), key=lambda g: (-np.sum(found == g), g))
    renumber = {g: i for i, g in enumerate(by_size)}
    return np.array([renumber[g] for g in found]), score


def statement_stats(matrix: np.ndarray, label_of: np.ndarray, statements: list[str]) -> dict:
    """Per statement: counts, per-group probabilities, repness, consensus and divisiveness."""
    groups = sorted(g for g in set(label_of.tolist()) if g >= 0)
    clustered = label_of >= 0
    seen_all = ~np.isnan(matrix)
    agree_all, disagree_all = matrix == 1, matrix == -1
    per_group = {}
    for g in groups:
        members = label_of == g
        others = clustered & ~members
        per_group[g] = _group_measures(matrix, members, others)
    stats: dict[str, dict] = {}
    for j, statement in enumerate(statements):
        entry = {
            "seen": int(seen_all[:, j].sum()),
            "agree": int(agree_all[:, j].sum()),
            "disagree": int(disagree_all[:, j].sum()),
            "groups": {},
        }
        for g in groups:
            entry["groups"][g] = {name: _plain(values[j]) for name, values in per_group[g].items()}
        agree_p = [per_group[g]["pa"][j] for g in groups]
        disagree_p = [per_group[g]["pd"][j] for g in groups]
        entry["consensus_agree"] = float(np.prod(agree_p)) if groups else 0.0
        entry["consensus_disagree"] = float(np.prod(disagree_p)) if groups else 0.0
        entry["divisiveness"] = _divisiveness(agree_p, disagree_p)
        stats[statement] = entry
    return stats


def _group_measures(matrix: np.ndarray, members: np.ndarray, others: np.ndarray) -> dict:
    seen = ~np.isnan(matrix)
    n_in, n_out = seen[members].sum(axis=0), seen[others].sum(axis=0)
    measures = {"ns": n_in}
    for vote, short in ((1, "a"), (-1, "d")):
        k_in = (matrix[members] == vote).sum(axis=0)
        k_out = (matrix[others] == vote).sum(axis=0)
        p_in = (k_in + 1) / (n_in + 2)  # Laplace smoothing, as Pol.is
        p_out = (k_out + 1) / (n_out + 2)
        measures[f"n{short}"] = k_in
        measures[f"p{short}"] = p_in
        measures[f"p{short}t"] = _one_proportion_z(k_in, n_in)
        measures[f"r{short}"] = p_in / p_out
        measures[f"r{short}t"] = _two_proportion_z(k_in, k_out, n_in, n_out)
    return measures


def _one_proportion_z(successes, trials):
    successes, trials = successes + 1, trials + 1
    return 2 * np.sqrt(trials) * (successes / trials - 0.5)


def _two_proportion_z(k_in, k_out, n_in, n_out):
    k_in, k_out, n_in, n_out = k_in + 1, k_out + 1, n_in + 1, n_out + 1
    p_in, p_out = k_in / n_in, k_out / n_out
    pooled = (k_in + k_out) / (n_in + n_out)
    spread = np.sqrt(pooled * (1 - pooled) * (1 / n_in + 1 / n_out))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (p_in - p_out) / spread
    return np.where(spread > 0, z, 0.0)


def _divisiveness(agree_p: list[float], disagree_p: list[float]) -> float:
    """The largest gap between two groups, half the summed agree and disagree differences:
    0 when every group votes alike, near 1 when one group agrees and another disagrees."""
    gap = 0.0
    for i in range(len(agree_p)):
        for j in range(i + 1, len(agree_p)):
            gap = max(gap, (abs(agree_p[i] - agree_p[j]) + abs(disagree_p[i] - disagree_p[j])) / 2)
    return float(gap)


def representative(stats: dict[str, dict], k: int, top: int = REPRESENTATIVE) -> dict:
    """Each group's representative statements, Pol.is's way: agree (or disagree) significantly
    more than the rest, both tests past 90%, ranked by repness × its test × p × its test."""
    chosen: dict[int, list[dict]] = {}
    for g in range(k):
        candidates = []
        for statement, entry in stats.items():
            m = entry["groups"].get(g)
            if not m:
                continue
            for short, direction in (("a", "agree"), ("d", "disagree")):
                if m[f"p{short}t"] > Z_90 and m[f"r{short}t"] > Z_90:
                    metric = m[f"r{short}"] * m[f"r{short}t"] * m[f"p{short}"] * m[f"p{short}t"]
                    candidates.append(
                        {
                            "statement": statement,
                            "direction": direction,
                            "share": m[f"p{short}"],
                            "repness": m[f"r{short}"],
                            "metric": float(metric),
                        }
                    )
        candidates.sort(key=lambda c: (-c["metric"], c["statement"]))
        picked, used = [], set()
        for candidate in candidates:
            if candidate["statement"] not in used:
                picked.append(candidate)
                used.add(candidate["statement"])
            if len(picked) == top:
                break
        chosen[g] = picked
    return chosen


def _plain(value):
    return int(value) if isinstance(value, np.integer) else float(value)


# --- the workspace's votes -------------------------------------------------------------------


def vote_matrix(engine, statements=None) -> tuple[list[str], list[str], np.ndarray]:
    """The votes table as (participants, statements, matrix), both sorted; optionally only
    these statements (for example the extracts that still exist)."""
    from sqlalchemy import select

    from lab_app.core.schema import votes

    with engine.connect() as conn:
        rows = conn.execute(select(votes.c.participant, votes.c.statement, votes.c.value)).all()
    if statements is not None:
        keep = set(statements)
        rows = [r for r in rows if r.statement in keep]
    participants = sorted({r.participant for r in rows}, key=_natural)
    statement_ids = sorted({r.statement for r in rows})
    row_of = {p: i for i, p in enumerate(participants)}
    column_of = {s: j for j, s in enumerate(statement_ids)}
    matrix = np.full((len(participants), len(statement_ids)), np.nan)
    for r in rows:
        matrix[row_of[r.participant], column_of[r.statement]] = r.value
    return participants, statement_ids, matrix


def from_workspace(engine, seed: int = 0) -> OpinionGroups | None:
    """Groups from the workspace's votes on statements the store still holds; None if there are
    too few votes to group anyone."""
    from sqlalchemy import select

    from lab_app.core.schema import extracts

    with engine.connect() as conn:
        existing = set(conn.execute(select(extracts.c.id)).scalars())
    participants, statements, matrix = vote_matrix(engine, existing)
    if len(participants) < 3 or len(statements) < 2:
        return None
    return compute(participants, statements, matrix, seed=seed)


def _natural(value: str):
    """Numbers in numeric order (Pol.is participant numbers), then names."""
    return (0, int(value), "") if value.isdigit() else (1, 0, value)
