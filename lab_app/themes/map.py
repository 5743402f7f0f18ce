"""A deterministic 2-D map of extract vectors, stored with a fingerprint that says when it is stale.

The layout is "landmark t-SNE": vectors are reduced to 50 principal components, grouped by a
seeded k-means into about sqrt(n) landmarks, the landmarks are laid out by a small exact t-SNE
(neighbours stay neighbours), and every extract is placed between its nearest landmarks plus
its own offset along its group's two main directions. It costs well under a second for 20,000
extracts (measured in tests/year/test_overview.py) and preserves several times more of
each extract's nearest neighbours than plain 2-D PCA.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from sqlalchemy import delete, func, insert, select
from threadpoolctl import threadpool_limits

from lab_app.core.audit import last_change
from lab_app.core.schema import derived, extracts, sources, theme_builds

COMPONENTS = 50  # principal components kept before grouping
MAX_LANDMARKS = 160  # the t-SNE on landmarks is O(k^2) per step; this keeps it ~0.1 s
NEIGHBOUR_LANDMARKS = 4  # an extract sits between this many of its nearest landmarks
NEIGHBOURS = 10  # nearest neighbours each extract is drawn towards in the refinement
NEARBY_GROUPS = 3  # neighbours are looked for in an extract's own group and the nearest others
EPOCHS = 10  # refinement steps: each costs ~30 ms on 20,000 extracts
NEGATIVES = 2  # random extracts each neighbour pair is pushed away from, per step
SPREAD = 0.35  # a group's cloud reaches about this share of the way to the next landmark
FIT_ROWS = 5000  # principal axes and landmarks are found on an even sample of this many rows
SEED = 20260101  # fixed: the same vectors always give the same map
LAYOUT = "map-layout"  # its row in the derived table


def layout(vectors: np.ndarray) -> np.ndarray:
    """(n, 2) float32 coordinates, roughly within [-1, 1], for (n, d) vectors; deterministic."""
    # One BLAS thread: the small products here gain nothing from threads (and lose a lot when
    # other work shares the CPU), and a fixed summation order keeps the output reproducible.
    with threadpool_limits(limits=1, user_api="blas"):
        return _layout(vectors)


def _layout(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    n = len(vectors)
    if n == 0:
        return np.zeros((0, 2), dtype=np.float32)
    reduced = _pca(vectors, min(COMPONENTS, vectors.shape[1]), fit_rows=FIT_ROWS)
    if n < 8:  # too few to group: the two main directions say all there is to say
        return _scaled(_pad2(reduced[:, :2])).astype(np.float32)
    k = int(min(MAX_LANDMARKS, max(3, round(np.sqrt(n))), n))
    centres = _kmeans(reduced[_even(n, FIT_ROWS)], k)
    distances = _sq_distances(reduced, centres)
    labels = distances.argmin(axis=1)
    weights = np.bincount(labels, minlength=len(centres)).astype(np.float64)
    landmarks = _tsne(centres.astype(np.float64), weights=weights)
    coords = _scaled(_place(reduced, labels, distances, landmarks)) * 10
    neighbours = _neighbours(reduced, labels, centres)
    return _scaled(_refine(coords.astype(np.float32), neighbours)).astype(np.float32)


def _even(n: int, limit: int) -> np.ndarray:
    """Row numbers of an even sample of at most `limit` rows: fits on a sample, same each time."""
    if n <= limit:
        return np.arange(n)
    return np.linspace(0, n - 1, limit).round().astype(np.int64)


def _pca(x: np.ndarray, components: int, fit_rows: int | None = None) -> np.ndarray:
    """Centred projection on the top principal axes (found on an even sample of at most
    fit_rows rows, which is enough to fix them), signs fixed so results are reproducible."""
    mean = x.mean(axis=0)
    fit = (x[_even(len(x), fit_rows)] if fit_rows else x) - mean
    # eigh of the d x d covariance is cheaper than an SVD of the n x d matrix when n >> d.
    values, axes = np.linalg.eigh((fit.T @ fit).astype(np.float64))
    order = np.argsort(values)[::-1][:components]
    axes = axes[:, order]
    axes *= np.where(axes[np.abs(axes).argmax(axis=0), range(axes.shape[1])] < 0, -1.0, 1.0)
    return (x - mean) @ axes.astype(x.dtype)


def _pad2(x: np.ndarray) -> np.ndarray:
    return np.hstack([x, np.zeros((len(x), max(0, 2 - x.shape[1])), dtype=x.dtype)])[:, :2]


def _scaled(coords: np.ndarray) -> np.ndarray:
    centred = coords - coords.mean(axis=0)
    scale = np.abs(centred).max()
    return centred / scale if scale > 0 else centred


def _sq_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.maximum((a * a).sum(1)[:, None] - 2 * a @ b.T + (b * b).sum(1)[None, :], 0.0)


def _kmeans(x: np.ndarray, k: int, iterations: int = 10) -> np.ndarray:
    """Centres from seeded k-means++ then a few Lloyd steps; empty groups are dropped."""
    rng = np.random.default_rng(SEED)
    n = len(x)
    chosen = [int(rng.integers(n))]
    nearest = _sq_distances(x, x[chosen]).ravel()
    for _ in range(1, k):
        total = float(nearest.sum())
        if total <= 0:  # every point already sits on a centre (duplicates)
            break
        pick = int(np.searchsorted(np.cumsum(nearest), rng.random() * total))
        chosen.append(min(pick, n - 1))
        nearest = np.minimum(nearest, _sq_distances(x, x[chosen[-1] : chosen[-1] + 1]).ravel())
    centres = x[chosen].copy()
    for _ in range(iterations):
        labels = _sq_distances(x, centres).argmin(axis=1)
        order = np.argsort(labels, kind="stable")
        _, starts = np.unique(labels[order], return_index=True)
        sums = np.add.reduceat(x[order], starts, axis=0)
        counts = np.diff(np.append(starts, n))
        centres = sums / counts[:, None]
    return centres


def _tsne(points: np.ndarray, weights: np.ndarray, iterations: int = 400) -> np.ndarray:
    """Exact t-SNE for a few hundred points at most, started from PCA: no randomness."""
    k = len(points)
    if k <= 2:
        return _pad2(_pca(points, 2))
    distances = _sq_distances(points, points)
    perplexity = min(15.0, max(1.5, (k - 1) / 3))  # below k - 1, or no beta reaches it
    p = _affinities(distances, perplexity)
    # Bigger landmarks pull harder, so large groups get room and small ones sit at the edges.
    p *= np.sqrt(np.outer(weights, weights))
    p = p + p.T
    p /= p.sum()
    p = np.maximum(p, 1e-12)
    y = _pad2(_pca(points, 2))
    y = y / (np.std(y[:, 0]) or 1.0) * 1e-2
    velocity = np.zeros_like(y)
    gains = np.ones_like(y)
    rate = max(k / 12.0, 10.0)
    for step in range(iterations):
        exaggeration, momentum = (12.0, 0.5) if step < 100 else (1.0, 0.8)
        q_num = 1.0 / (1.0 + _sq_distances(y, y))
        np.fill_diagonal(q_num, 0.0)
        q = np.maximum(q_num / q_num.sum(), 1e-12)
        force = (exaggeration * p - q) * q_num
        gradient = 4.0 * (np.diag(force.sum(axis=1)) - force) @ y
        same = np.sign(gradient) == np.sign(velocity)
        gains = np.maximum(np.where(same, gains * 0.8, gains + 0.2), 0.01)
        velocity = momentum * velocity - rate * gains * gradient
        y = y + velocity
        y -= y.mean(axis=0)
    return y


def _affinities(distances: np.ndarray, perplexity: float) -> np.ndarray:
    """Row-conditional Gaussian affinities with the given perplexity (vectorised bisection)."""
    k = len(distances)
    target = np.log(perplexity)
    low, high = np.full(k, 1e-20), np.full(k, 1e20)
    beta = np.ones(k) / (np.median(distances, axis=1) + 1e-12)
    mask = ~np.eye(k, dtype=bool)
    # Distances beyond each row's nearest, so the largest weight is exp(0) = 1: no underflow.
    shifted = distances - np.where(mask, distances, np.inf).min(axis=1, keepdims=True)
    shifted = np.where(mask, shifted, 0.0)
    for _ in range(64):
        weights = np.exp(-shifted * beta[:, None]) * mask
        total = weights.sum(axis=1)
        probs = weights / total[:, None]
        entropy = -(probs * np.log(np.maximum(probs, 1e-300))).sum(axis=1)
        too_flat = entropy > target
        low = np.where(too_flat, beta, low)
        high = np.where(too_flat, high, beta)
        beta = np.where(high >= 1e20, np.minimum(beta * 2, 1e20), (low + high) / 2)
    return probs


def _place(
    x: np.ndarray, labels: np.ndarray, distances: np.ndarray, landmarks: np.ndarray
) -> np.ndarray:
    """Each extract between its nearest landmarks, then offset along its group's own axes."""
    k = len(landmarks)
    m = min(NEIGHBOUR_LANDMARKS, k)
    nearest = np.argpartition(distances, m - 1, axis=1)[:, :m] if m < k else np.argsort(distances)
    near_d = np.take_along_axis(distances, nearest, axis=1)
    # Order the m nearest by distance (ties by landmark number, for reproducibility).
    order = np.lexsort((nearest, near_d), axis=1)
    nearest = np.take_along_axis(nearest, order, axis=1)
    near_d = np.take_along_axis(near_d, order, axis=1)
    # Softness from the typical distance to one's own landmark: most weight stays at home.
    scale = np.median(near_d[:, 0]) + 1e-12
    weights = np.exp(-(near_d - near_d[:, :1]) / scale)
    weights /= weights.sum(axis=1, keepdims=True)
    base = (weights[:, :, None] * landmarks[nearest]).sum(axis=1)
    gaps = _sq_distances(landmarks, landmarks)
    np.fill_diagonal(gaps, np.inf)
    room = np.sqrt(gaps.min(axis=1)) if k > 1 else np.ones(1)
    offsets = np.zeros((len(x), 2))
    for group in range(k):
        rows = np.flatnonzero(labels == group)
        if len(rows) < 2:
            continue
        local = _pad2(_pca(x[rows], 2))
        spread = np.sqrt((local**2).sum(axis=1).mean()) or 1.0
        offsets[rows] = local / spread * room[group] * SPREAD / 2
    return base + offsets


def _neighbours(x: np.ndarray, labels: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """(n, NEIGHBOURS) approximate nearest neighbours: searched only among the members of each
    group and its nearest groups, so the cost grows as n * sqrt(n) rather than n squared."""
    n, k = len(x), len(centres)
    near_groups = np.argsort(_sq_distances(centres, centres), axis=1, kind="stable")
    near_groups = near_groups[:, : min(NEARBY_GROUPS, k)]
    members = [np.flatnonzero(labels == group) for group in range(k)]
    found = np.repeat(np.arange(n)[:, None], NEIGHBOURS, axis=1)  # self = no pull at all
    for group in range(k):
        rows = members[group]
        candidates = np.concatenate([members[g] for g in near_groups[group]])
        count = min(NEIGHBOURS, len(candidates) - 1)
        if not len(rows) or count < 1:
            continue
        distances = _sq_distances(x[rows], x[candidates])
        distances[candidates[None, :] == rows[:, None]] = np.inf
        nearest = np.argpartition(distances, count - 1, axis=1)[:, :count]
        found[rows, :count] = candidates[nearest]
    return found


def _refine(y: np.ndarray, neighbours: np.ndarray) -> np.ndarray:
    """A few seeded, whole-batch steps of neighbour attraction and random repulsion (UMAP's
    idea with a Cauchy kernel, b = 1, so no fractional powers): neighbours in meaning move
    closer on the map while groups keep apart."""
    n, per = neighbours.shape
    rng = np.random.default_rng(SEED)
    head = np.repeat(np.arange(n), per)
    tail = neighbours.ravel()
    pushed = np.repeat(head, NEGATIVES)
    for epoch in range(EPOCHS):
        rate = np.float32(2.0 * (1 - epoch / EPOCHS))
        delta = y[head] - y[tail]
        pull = np.clip((-2 / (1 + (delta * delta).sum(1)))[:, None] * delta, -4, 4)
        step = np.stack(
            [np.bincount(head, pull[:, c], n) - np.bincount(tail, pull[:, c], n) for c in (0, 1)],
            axis=1,
        )
        delta = y[pushed] - y[rng.integers(0, n, len(pushed))]
        distance = (delta * delta).sum(1)
        push = np.clip((2 / ((0.001 + distance) * (1 + distance)))[:, None] * delta, -4, 4)
        step += np.stack([np.bincount(pushed, push[:, c], n) for c in (0, 1)], axis=1)
        y = y + rate * (step / (per * (1 + NEGATIVES))).astype(np.float32)
    return y


# --- the stored layout and the fingerprint that says when it is stale -----------------------


def fingerprint(engine) -> dict:
    """Cheap facts that change whenever the map would: vectors (extracts, their last ingest)
    and colours (the last theme build, the last curation action)."""
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(extracts)).scalar_one()
        ingested = conn.execute(select(func.max(sources.c.ingested_at))).scalar_one()
        build = conn.execute(select(func.max(theme_builds.c.id))).scalar_one()
        action = last_change(conn)
    vectors = f"{engine.url}|{count}|{ingested}"
    return {"vectors": vectors, "themes": f"{vectors}|{build}|{action}"}


def vectors_for_map(engine) -> tuple[list[str], np.ndarray]:
    """Every extract id (sorted, so the layout is reproducible) and its vector."""
    query = select(extracts.c.id, extracts.c.embedding).order_by(extracts.c.id)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    if not rows:
        return [], np.zeros((0, 384), dtype=np.float32)
    return [r.id for r in rows], np.vstack([np.frombuffer(r.embedding, np.float32) for r in rows])


def map_layout(engine) -> dict:
    """{"ids": [...], "xy": (n, 2)} for every extract in the store: the stored layout while the
    vectors are unchanged (any process may have computed it), else computed now and stored."""
    key = fingerprint(engine)["vectors"]
    with engine.connect() as conn:
        row = conn.execute(select(derived).where(derived.c.name == LAYOUT)).first()
    if row is not None and row.key == key:
        return _decode_layout(row.data)
    return refresh_layout(engine)


def refresh_layout(engine) -> dict:
    """Compute the layout of the store's vectors and keep it (theme builds call this, so the
    Map's first visit after a build reads it instead of computing it)."""
    key = fingerprint(engine)["vectors"]
    ids, vectors = vectors_for_map(engine)
    result = {"ids": ids, "xy": layout(vectors)}
    with engine.begin() as conn:
        conn.execute(delete(derived).where(derived.c.name == LAYOUT))
        conn.execute(insert(derived).values(name=LAYOUT, key=key, data=_encode_layout(result),
                                            at=datetime.now(UTC)))  # fmt: skip
    return result


def _encode_layout(result: dict) -> bytes:
    ids = "\n".join(result["ids"]).encode()
    xy = np.asarray(result["xy"], dtype=np.float32).tobytes()
    return len(ids).to_bytes(8, "little") + ids + xy


def _decode_layout(data: bytes) -> dict:
    size = int.from_bytes(data[:8], "little")
    text = data[8 : 8 + size].decode()
    ids = text.split("\n") if text else []
    xy = np.frombuffer(data[8 + size :], dtype=np.float32).reshape(len(ids), 2)
    return {"ids": ids, "xy": xy}
