"""Opinion groups from agree/disagree/pass votes, by Pol.is's method, with what each group thinks.

The grouping is opinions/polis_math.py (who is in, projection, base clusters, groups); the
measures are opinions/repness.py (repness, representative statements, group-informed
consensus); opinions/polis_input.py builds the input from a Pol.is export or the workspace's
votes. Groups are numbered by size from 0 and shown as letters everywhere: group 0 is "A", the
largest.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field

import numpy as np

from lab_app.opinions import polis_math, repness

MIN_VOTES = polis_math.MIN_VOTES
MAX_GROUPS = polis_math.MAX_GROUPS


def letter(group: int) -> str:
    """Group 0 is A, 1 is B, …: the one name a group has in the CLI, JSON, tensions and pages."""
    return string.ascii_uppercase[group] if 0 <= group < 26 else str(group)


@dataclass
class OpinionGroups:
    """Groups, positions and per-statement measures for one vote matrix."""

    participants: list[str]
    statements: list[str]  # the statements measured (moderated-out ones are left out)
    labels: dict[str, int]  # clustered participant -> group (0 = largest)
    positions: dict[str, tuple[float, float]]  # every participant's place on the 2-D map
    k: int
    silhouette: float | None
    stats: dict[str, dict] = field(default_factory=dict)  # statement -> measures
    representative: dict[int, list[dict]] = field(default_factory=dict)
    consensus: dict[str, list[dict]] = field(default_factory=dict)  # "agree"/"disagree" -> list
    silhouettes: dict[int, float] = field(default_factory=dict)  # k -> silhouette

    def groups(self) -> list[dict]:
        """[{"participant": id, "group": "A"}] in participant order, clustered people only."""
        return [
            {"participant": p, "group": letter(self.labels[p])}
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
    moderated_out=None,
    in_conv: set | None = None,
    max_groups: int = MAX_GROUPS,
    impute: str = "mean",
) -> OpinionGroups:
    """Groups and measures for a vote matrix: rows are participants in the order they arrived,
    columns statements (NaN unseen); `moderated_out` marks columns Pol.is zeroes; `in_conv` is
    who is clustered (default: Pol.is's rule on the votes as they stand). Given `labels`
    (someone else's groups), only the measures are computed. impute="zero" is the older
    polismath (bench/tensions.py shows which exports it explains)."""
    matrix = np.asarray(matrix, dtype=float)
    if matrix.shape != (len(participants), len(statements)):
        raise ValueError("the vote matrix must have one row per participant, one column each")
    out = np.zeros(len(statements), bool) if moderated_out is None else np.asarray(moderated_out)
    positions = polis_math.project(matrix, out, impute)
    silhouette, silhouettes = None, {}
    if labels is None:
        if in_conv is None:
            counts = dict(zip(participants, (~np.isnan(matrix)).sum(axis=1).tolist(), strict=True))
            in_conv = polis_math.in_conversation_now(counts, len(statements))
        rows = [i for i, p in enumerate(participants) if p in in_conv]
        found = polis_math.cluster(positions, rows, max_groups)
        labels = {participants[r]: int(g) for r, g in zip(found.rows, found.labels, strict=True)}
        silhouette, silhouettes = found.silhouette, found.silhouettes
    placed = (participants, positions)
    kept = [j for j in range(len(statements)) if not out[j]]
    measured = [statements[j] for j in kept]
    label_of = np.array([labels.get(p, -1) for p in participants])
    stats = repness.group_stats(matrix[:, kept], label_of)
    result = OpinionGroups(
        participants=list(participants),
        statements=measured,
        labels=labels,
        positions={p: (float(xy[0]), float(xy[1])) for p, xy in zip(*placed, strict=True)},
        k=len(set(labels.values())),
        silhouette=silhouette,
        silhouettes=silhouettes,
    )
    result.stats = statement_stats(matrix[:, kept], stats, measured)
    if len(stats) >= 2:
        result.representative = repness.representative(stats, measured)
        result.consensus = repness.consensus(stats, measured)
    return result


def statement_stats(matrix: np.ndarray, stats: dict[int, dict], statements: list[str]) -> dict:
    """Per statement: counts, each group's measures, group-informed consensus, divisiveness."""
    seen, agree, disagree = ~np.isnan(matrix), matrix == 1, matrix == -1
    if stats:
        consensus_agree, consensus_disagree = repness.group_consensus(stats)
    out: dict[str, dict] = {}
    for j, statement in enumerate(statements):
        groups = {g: {key: _plain(v[j]) for key, v in s.items()} for g, s in stats.items()}
        out[statement] = {
            "seen": int(seen[:, j].sum()),
            "agree": int(agree[:, j].sum()),
            "disagree": int(disagree[:, j].sum()),
            "groups": groups,
            "consensus_agree": float(consensus_agree[j]) if stats else 0.0,
            "consensus_disagree": float(consensus_disagree[j]) if stats else 0.0,
            "divisiveness": _divisiveness(groups),
        }
    return out


def _divisiveness(groups: dict[int, dict]) -> float:
    """The largest gap between two groups, half the summed agree and disagree differences:
    0 when every group votes alike, near 1 when one group agrees and another disagrees."""
    values = list(groups.values())
    gap = 0.0
    for i in range(len(values)):
        for j in range(i + 1, len(values)):
            a, b = values[i], values[j]
            gap = max(gap, (abs(a["pa"] - b["pa"]) + abs(a["pd"] - b["pd"])) / 2)
    return float(gap)


def _plain(value):
    return int(value) if isinstance(value, np.integer) else float(value)


def from_workspace(engine) -> OpinionGroups | None:
    """Groups from the workspace's votes (opinions/polis_input.py); None if too few to group."""
    from lab_app.opinions import polis_input

    return polis_input.from_workspace(engine)
