"""Grouping vectors by meaning: deterministic, few leftovers, granularity chosen from the data.

The recipe, measured on real NHS feedback and Banking77 (bench/themes.py): embed each distinct
text once, smooth every vector towards its nearest neighbours (local structure without UMAP's
start-up cost), cut the space into a couple of hundred k-means micro-clusters, join those with
Ward linkage, and pick the number of themes by silhouette within a range that grows with size.
On Lab-sized data that is done from several k-means starts and the themes are what the starts
agree on (consensus), so one changed text does not reshuffle every theme.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.metrics import silhouette_samples

SEED = 0
NEIGHBOURS = 20
MICRO_CLUSTERS = 400
EXACT_ROWS = 20_000  # up to this many distinct texts, neighbours are found exactly
NEARBY_GROUPS = 8  # beyond, a row's neighbours are sought in its coarse group and 7 nearest
CONSENSUS_STARTS = 8  # k-means starts whose agreement makes the themes
CONSENSUS_ROWS = 4000  # up to this many distinct texts (an n-by-n agreement matrix); beyond, one


@dataclass
class Grouping:
    labels: np.ndarray  # one group per row, 0..k-1
    k: int


def normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.clip(norms, 1e-9, None)


def text_key(text: str) -> str:
    """Texts that differ only in case, spacing or end punctuation count as one."""
    return " ".join(text.lower().split()).strip(" .!?")


def distinct_rows(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(first row of each distinct text, index of each row's distinct text)."""
    seen: dict[str, int] = {}
    inverse = np.array([seen.setdefault(text_key(t), len(seen)) for t in texts], dtype=np.int64)
    first = np.zeros(len(seen), dtype=np.int64)
    first[inverse[::-1]] = np.arange(len(texts))[::-1]
    return first, inverse


def nearest_neighbours(vectors: np.ndarray, n: int) -> np.ndarray:
    """Indices of each row's n most similar rows (itself included). Exact up to EXACT_ROWS
    rows; beyond, every pair costs too much (n squared: ~40 s at 50k), so rows are searched
    only within their own coarse group and the nearest others (cost about n * sqrt(n))."""
    n = min(n, len(vectors))
    if len(vectors) <= EXACT_ROWS:
        return _exact_neighbours(vectors, vectors, np.arange(len(vectors)), n)
    return _grouped_neighbours(vectors, n)


def _exact_neighbours(rows: np.ndarray, pool: np.ndarray, ids: np.ndarray, n: int) -> np.ndarray:
    """For each row, the ids of its n most similar pool rows, in blocks to bound memory."""
    result = np.empty((len(rows), n), dtype=np.int64)
    for start in range(0, len(rows), 2048):
        similarity = rows[start : start + 2048] @ pool.T
        nearest = np.argpartition(-similarity, n - 1, axis=1)[:, :n]
        result[start : start + 2048] = ids[nearest]
    return result


def _grouped_neighbours(vectors: np.ndarray, n: int) -> np.ndarray:
    count = int(np.sqrt(len(vectors)))
    sample = np.random.default_rng(SEED).choice(len(vectors), size=20 * count, replace=False)
    coarse = KMeans(count, n_init=1, max_iter=20, random_state=SEED).fit(vectors[sample])
    labels = coarse.predict(vectors)
    centres = normalise(coarse.cluster_centers_)
    nearby = np.argsort(-(centres @ centres.T), axis=1, kind="stable")[:, :NEARBY_GROUPS]
    members = [np.flatnonzero(labels == g) for g in range(count)]
    result = np.empty((len(vectors), n), dtype=np.int64)
    for group, rows in enumerate(members):
        if not len(rows):
            continue
        pool = np.concatenate([members[g] for g in nearby[group]])
        found = min(n, len(pool))
        result[rows, :found] = _exact_neighbours(vectors[rows], vectors[pool], pool, found)
        result[rows, found:] = rows[:, None]  # a tiny neighbourhood: the row stands for itself
    return result


def smooth(vectors: np.ndarray, n: int = NEIGHBOURS) -> np.ndarray:
    """Each vector replaced by the mean of its neighbourhood: dense regions pull together."""
    if len(vectors) <= n:
        return vectors
    return normalise(vectors[nearest_neighbours(vectors, n + 1)].mean(axis=1))


def _micro(points: np.ndarray, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """(micro-cluster of each point, their centres). Beyond EXACT_ROWS points the centres are
    fitted on an even sample of half that many (k-means++ alone took 10 s at 50k) and every point
    joins its nearest centre."""
    count = max(2, min(MICRO_CLUSTERS, len(points) // 4))
    if len(points) <= EXACT_ROWS:
        fitted = KMeans(count, n_init=1, random_state=seed).fit(points)
        return fitted.labels_, fitted.cluster_centers_
    sample = np.linspace(0, len(points) - 1, EXACT_ROWS // 2).astype(np.int64)
    # Micro-clusters are only stepping stones for Ward: 30 Lloyd steps place them well enough.
    fitted = KMeans(count, n_init=1, max_iter=30, random_state=seed).fit(points[sample])
    return fitted.predict(points), fitted.cluster_centers_


def _ward_cut(centres: np.ndarray, k: int) -> np.ndarray:
    return AgglomerativeClustering(n_clusters=k, linkage="ward").fit(centres).labels_


def candidate_counts(k_min: int, k_max: int) -> list[int]:
    """Theme counts worth trying: a few steps between the bounds, both bounds included."""
    if k_max <= k_min:
        return [k_min]
    step = max(1, (k_max - k_min) // 8)
    counts = list(range(k_min, k_max + 1, step))
    return counts if counts[-1] == k_max else [*counts, k_max]


def default_bounds(n: int) -> tuple[int, int]:
    """The range the silhouette chooses in: a Lab of ~1,400 extracts gets 12-34, 10k 34-80.

    About 40 extracts a theme at most keeps a Lab's themes reviewable; a floor of sqrt(n)/3
    stops a few giant themes swallowing everything."""
    k_min = max(2, round(np.sqrt(n) / 3))
    k_max = int(np.clip(round(n / 40), k_min, 80))
    return k_min, k_max


def group(
    vectors: np.ndarray,
    texts: list[str],
    k: int | None = None,
    bounds: tuple[int, int] | None = None,
    min_size: int = 5,
    seed: int = SEED,
) -> Grouping:
    """Group rows by meaning. With k given, exactly k groups (fewer if too few distinct texts).
    The seed is fixed so a store always gives the same themes; other seeds show the spread."""
    if len(vectors) == 0:
        return Grouping(np.zeros(0, dtype=np.int64), 0)
    first, inverse = distinct_rows(texts)
    points = smooth(vectors[first])
    if len(points) < 3:
        return Grouping(np.zeros(len(vectors), dtype=np.int64), 1)
    if len(points) <= CONSENSUS_ROWS:
        # In float64: scikit-learn's k-means++ upcasts float32 in small chunks (2x slower).
        # One start, on larger sets, stays float32: its measured themes are kept as they were.
        steps = points.astype(np.float64)
        runs = [_micro(steps, seed * CONSENSUS_STARTS + s) for s in range(CONSENSUS_STARTS)]
    else:
        runs = [_micro(points, seed)]
    if k is None:
        k_min, k_max = bounds or default_bounds(len(vectors))
        # Judge cuts on the raw vectors: smoothing flatters every cut a little.
        k = choose_count(normalise(vectors[first]), runs, k_min, k_max)
    k = max(1, min([k, *(len(centres) for _, centres in runs)]))
    cut = _agreed_cut(runs, k)
    labels = _absorb_small(cut[inverse], normalise(vectors), min_size)
    labels = _renumber(labels)
    return Grouping(labels, int(labels.max()) + 1)


def _agreed_cut(runs: list[tuple[np.ndarray, np.ndarray]], k: int) -> np.ndarray:
    """k groups of points from each start's Ward cut. One start: its cut. Several: points are
    joined by how often the starts put them together (average linkage). At a fixed 30 themes
    that held the demo Lab's grouping at ARI 0.77-0.83 when one extract in a hundred went,
    against 0.55-0.63 for one start (where texts are short, the start decides a lot)."""
    if k <= 1:
        return np.zeros(len(runs[0][0]), dtype=np.int64)
    cuts = [_ward_cut(centres, k)[micro_labels] for micro_labels, centres in runs]
    if len(cuts) == 1:
        return cuts[0]
    together = np.zeros((len(cuts[0]), len(cuts[0])), dtype=np.float32)
    for cut in cuts:
        together += cut[:, None] == cut[None, :]
    apart = 1.0 - together / len(cuts)
    linkage = AgglomerativeClustering(n_clusters=k, metric="precomputed", linkage="average")
    return linkage.fit(apart).labels_


def _absorb_small(labels: np.ndarray, vectors: np.ndarray, min_size: int) -> np.ndarray:
    """Groups too small to review join the group whose centre their members are nearest."""
    sizes = np.bincount(labels)
    big = np.flatnonzero(sizes >= min_size)
    if len(big) == 0 or len(big) == len(sizes):
        return labels
    centres = normalise(np.vstack([vectors[labels == g].mean(axis=0) for g in big]))
    small_rows = np.flatnonzero(sizes[labels] < min_size)
    labels = labels.copy()
    labels[small_rows] = big[(vectors[small_rows] @ centres.T).argmax(axis=1)]
    return labels


def choose_count(
    points: np.ndarray, runs: list[tuple[np.ndarray, np.ndarray]], k_min: int, k_max: int
) -> int:
    """The finest theme count in [k_min, k_max] whose cut's silhouette, on a fixed sample and
    averaged over the k-means starts, is within one standard error of the best cut's.

    Short texts give flat silhouettes (0.05-0.06 across 12-34 themes on the demo Lab), so the
    best count of one start swings with a handful of extracts (34 themes, then 20 once eleven
    non-answers were set aside; 12 when a coarse cut isolated one tight group). Averaged over
    starts the curve is smooth; counts within the best's own standard error are ones the
    data cannot tell apart, and of those the finest keeps themes reviewable: merging two
    themes is one curation action where splitting a mixed one is work."""
    k_max = min([k_max, *(len(centres) - 1 for _, centres in runs)])
    if k_max <= k_min:
        return max(1, k_max)
    rng = np.random.default_rng(SEED)
    sample = rng.choice(len(points), size=min(3000, len(points)), replace=False)
    # One distance matrix serves every cut of every start.
    distances = np.clip(1.0 - points[sample] @ points[sample].T, 0.0, None)
    np.fill_diagonal(distances, 0.0)
    scores: dict[int, tuple[float, float]] = {}
    for k in candidate_counts(k_min, k_max):
        means, errors = [], []
        for micro_labels, centres in runs:
            labels = _ward_cut(centres, k)[micro_labels][sample]
            if len(set(labels)) < 2:
                continue
            each = silhouette_samples(distances, labels, metric="precomputed")
            means.append(each.mean())
            errors.append(each.std() / np.sqrt(len(each)))
        if means:
            scores[k] = (float(np.mean(means)), float(np.mean(errors)))
    if not scores:
        return k_min
    best = max(scores, key=lambda k: (scores[k][0], -k))
    floor = scores[best][0] - scores[best][1]
    return max(k for k, (score, _) in scores.items() if score >= floor)


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Largest group first, ties by first appearance: the same input gives the same numbers."""
    values, first_seen, counts = np.unique(labels, return_index=True, return_counts=True)
    order = sorted(range(len(values)), key=lambda i: (-counts[i], first_seen[i]))
    mapping = {values[i]: rank for rank, i in enumerate(order)}
    return np.array([mapping[v] for v in labels], dtype=np.int64)


def centroids(vectors: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    return normalise(np.vstack([vectors[labels == g].mean(axis=0) for g in range(k)]))


def group_areas(theme_centroids: np.ndarray, count: int | None = None) -> np.ndarray:
    """Broader areas above the themes: Ward on theme centroids, about sqrt(themes)/1.5 of them."""
    n = len(theme_centroids)
    if n <= 2:
        return np.zeros(n, dtype=np.int64)
    count = count or int(np.clip(round(np.sqrt(n) / 1.5), 2, 8))
    return _renumber(_ward_cut(theme_centroids, min(count, n)))
