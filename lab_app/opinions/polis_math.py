"""Pol.is's opinion-group math, following polismath (conversation.clj, pca.clj, clusters.clj).

Who is in: a participant joins the clustering once they have voted on min(7, statements seen so
far) statements, counting votes on moderated-out statements, and stays in; while fewer than 15
are in, the most active voters are added. Replayed in vote order when the votes carry their
times, so people who voted early, when few statements existed, are in as they were in Pol.is.
Projection: moderated-out statements are set to 0 for everyone; unseen votes are imputed with
the statement's mean; two principal components; each participant is placed from their own
votes and pushed out by sqrt(statements / votes), where a moderated-out statement counts as a
vote (Pol.is zeroes the whole column). Clusters: up to 100 base clusters by k-means started at
the first distinct positions in arrival order, then a k-means over the base clusters weighted
by their size for k = 2..min(5, 2 + bases // 12), started at the first k distinct bases; the k
with the best silhouette over the bases wins. docs/opinion-groups.md says where we differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

MIN_VOTES = 7  # a participant is clustered after this many votes (or all statements)
GREEDY_N = 15  # while fewer are in, the most active voters are added
BASE_K = 100
BASE_ITERS = 100
# polismath passes its group iterations as :cluster-iters, a key its kmeans does not read, so
# group clusterings run with kmeans's default of 20 iterations; we do the same.
GROUP_ITERS = 20
MAX_GROUPS = 5
SAME_CENTRES = 0.01  # k-means stops when no centre moved this far (clusters.clj same-clustering?)


@dataclass
class Clustering:
    """Where everyone sits and which group each clustered participant is in."""

    positions: np.ndarray  # one (x, y) per participant row
    rows: np.ndarray  # the rows that were clustered, in arrival order
    labels: np.ndarray  # group of each clustered row, 0 = largest
    k: int
    silhouette: float | None
    silhouettes: dict[int, float] = field(default_factory=dict)


# --- who is in -------------------------------------------------------------------------------


def in_conversation(events, already=()) -> set:
    """Participants Pol.is clusters, from (participant, statement) votes in time order; each
    vote is a math update. Votes on moderated-out statements count."""
    inside = set(already)
    voted: dict[str, set] = {}
    statements: set = set()
    for participant, statement in events:
        statements.add(statement)
        mine = voted.setdefault(participant, set())
        mine.add(statement)
        if len(mine) >= min(MIN_VOTES, len(statements)):
            inside.add(participant)
        if len(inside) < GREEDY_N:
            _greedy(inside, {p: len(s) for p, s in voted.items()})
    return inside


def in_conversation_now(vote_counts: dict[str, int], n_statements: int, already=()) -> set:
    """The same rule applied once, to vote counts as they stand (when vote times are unknown)."""
    inside = set(already) | {
        p for p, n in vote_counts.items() if n > 0 and n >= min(MIN_VOTES, n_statements)
    }
    if len(inside) < GREEDY_N:
        _greedy(inside, {p: n for p, n in vote_counts.items() if n > 0})
    return inside


def _greedy(inside: set, counts: dict[str, int]) -> None:
    # Stable on ties: Clojure's sort-by keeps the rows' order, ours keeps the dict's.
    rest = sorted((p for p in counts if p not in inside), key=lambda p: -counts[p])
    inside.update(rest[: GREEDY_N - len(inside)])


# --- projection ------------------------------------------------------------------------------


def project(
    matrix: np.ndarray, moderated_out: np.ndarray | None = None, impute: str = "mean"
) -> np.ndarray:
    """Participants' (x, y) the way Pol.is places them (see the module docstring). impute="zero"
    is polismath before its column-mean imputation: an unseen vote counts as a pass."""
    rating = np.array(matrix, dtype=float)
    n_rows, n_cols = rating.shape
    if n_rows == 0 or n_cols == 0:
        return np.zeros((n_rows, 2))
    if moderated_out is not None and np.any(moderated_out):
        rating[:, np.asarray(moderated_out, dtype=bool)] = 0.0
    seen = ~np.isnan(rating)
    counts = seen.sum(axis=0)
    sums = np.where(seen, rating, 0.0).sum(axis=0)
    means = np.divide(sums, counts, out=np.zeros(n_cols), where=counts > 0)
    if impute == "zero":
        means = np.zeros(n_cols)
    filled = np.where(seen, rating, means)
    centre = filled.mean(axis=0)
    axes = principal_axes(filled - centre, 2)
    placed = np.where(seen, rating - centre, 0.0) @ axes.T
    scale = np.sqrt(n_cols / np.maximum(seen.sum(axis=1), 1))
    return placed * scale[:, None]


def principal_axes(centred: np.ndarray, n: int) -> np.ndarray:
    """The first n principal axes (rows), each signed so its largest entry is positive (the
    sign is arbitrary; fixing it keeps the map from flipping between runs)."""
    from scipy.linalg import eigh
    from scipy.sparse.linalg import eigsh

    # The top eigenvectors of the smaller Gram matrix: robust where an SVD can fail to
    # converge; Lanczos (started from ones, so runs repeat) finds just the n needed.
    rows, cols = centred.shape
    gram = centred.T @ centred if cols <= rows else centred @ centred.T
    size = gram.shape[0]
    wanted = min(n, size)
    if size > 4 * n and np.any(gram):
        values, vectors = eigsh(gram, k=wanted, v0=np.ones(size), tol=1e-10)
    else:
        values, vectors = eigh(gram, subset_by_index=[size - wanted, size - 1])
    vectors = vectors[:, np.argsort(values)[::-1]]
    if cols > rows:  # back from participant space to statement space
        vectors = centred.T @ vectors
        vectors /= np.maximum(np.linalg.norm(vectors, axis=0, keepdims=True), 1e-12)
    axes = np.zeros((n, cols))
    axes[:wanted] = vectors.T
    for i, axis in enumerate(axes):
        if axis[np.argmax(np.abs(axis))] < 0:
            axes[i] = -axis
    return axes


# --- clusters --------------------------------------------------------------------------------


def first_distinct(points: np.ndarray, k: int) -> np.ndarray:
    """The first k distinct points, in order: Pol.is's starting centres."""
    chosen, seen = [], set()
    for point in points:
        key = tuple(point.tolist())
        if key not in seen:
            seen.add(key)
            chosen.append(point)
            if len(chosen) == k:
                break
    return np.array(chosen, dtype=float).reshape(-1, points.shape[1])


def kmeans(points, centres, weights=None, max_iters: int = GROUP_ITERS):
    """Lloyd's k-means as clusters.clj runs it: empty clusters are dropped, and it stops when
    no centre moves more than SAME_CENTRES. Returns (centres, label of each point)."""
    weights = np.ones(len(points)) if weights is None else np.asarray(weights, dtype=float)
    for _ in range(max_iters + 1):
        labels = _nearest(points, centres)
        kept = [c for c in range(len(centres)) if np.any(labels == c)]
        moved = np.array(
            [np.average(points[labels == c], axis=0, weights=weights[labels == c]) for c in kept]
        )
        settled = len(moved) == len(centres) and _same(moved, centres)
        centres = moved
        if settled:
            break
    return centres, _nearest(points, centres)


def _nearest(points, centres) -> np.ndarray:
    distances = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    return distances.argmin(axis=1)


def _same(one, two) -> bool:
    ordered = [np.array(sorted(map(tuple, c))) for c in (one, two)]
    return bool(np.all(np.linalg.norm(ordered[0] - ordered[1], axis=1) < SAME_CENTRES))


def silhouette(points: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette over the points, unweighted; a point alone in its cluster scores 0."""
    distances = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=2)
    groups = sorted(set(labels.tolist()))
    scores = []
    for i in range(len(points)):
        own = labels == labels[i]
        own[i] = False
        if not own.any():
            scores.append(0.0)
            continue
        a = distances[i, own].mean()
        b = min(distances[i, labels == g].mean() for g in groups if g != labels[i])
        scores.append((b - a) / max(a, b) if max(a, b) > 0 else 0.0)
    return float(np.mean(scores))


def max_groups(n_bases: int, ceiling: int = MAX_GROUPS) -> int:
    return min(ceiling, 2 + n_bases // 12)


def cluster(positions: np.ndarray, rows, ceiling: int = MAX_GROUPS) -> Clustering:
    """Base clusters, then groups over them for each k; the best silhouette picks k."""
    rows = np.asarray(rows, dtype=int)
    points = positions[rows]
    empty = Clustering(positions, rows, np.zeros(len(rows), dtype=int), 1 if len(rows) else 0, None)
    if len(first_distinct(points, 2)) < 2:
        return empty  # everyone in one place: nothing to split
    bases, base_of = kmeans(points, first_distinct(points, BASE_K), max_iters=BASE_ITERS)
    sizes = np.bincount(base_of, minlength=len(bases)).astype(float)
    best: tuple[float, int, np.ndarray] | None = None
    scores = {}
    for k in range(2, max_groups(len(bases), ceiling) + 1):
        if len(bases) < k:
            break
        _, group_of_base = kmeans(bases, first_distinct(bases, k), sizes, GROUP_ITERS)
        if len(set(group_of_base.tolist())) < 2:
            continue
        scores[k] = silhouette(bases, group_of_base)
        if best is None or scores[k] >= best[0]:  # ties go to the larger k, as max-key does
            best = (scores[k], k, group_of_base)
    if best is None:
        return empty
    score, _, group_of_base = best
    labels = by_size(group_of_base[base_of])
    return Clustering(positions, rows, labels, len(set(labels.tolist())), score, scores)


def by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber groups so 0 is the largest (ties: the group whose first member came first)."""
    order = sorted(
        set(labels.tolist()), key=lambda g: (-np.sum(labels == g), np.argmax(labels == g))
    )
    renumber = {g: i for i, g in enumerate(order)}
    return np.array([renumber[g] for g in labels.tolist()], dtype=int)
