"""The relevance gate: how close new material must be to join a theme, learned from its spread.

A theme admits a newcomer only if it is at least as close to the theme's centre as all but the
loosest GATE_SHARE of the theme's own members are: a tight theme admits only close material, a
broad one more. Material that passes no theme's gate fits none: it forms emerging themes or
waits in Unsorted for review; the Unsorted cap never pushes it into a theme.
"""

from __future__ import annotations

import numpy as np

GATE_SHARE = 0.10  # the share of a theme's own members a newcomer may be looser than
SMALL = 10  # below this many members a quantile is noise: the loosest member sets the gate


def gates(vectors: np.ndarray, rows_by_theme: dict[str, list[int]], centres: dict) -> dict:
    """theme id -> the similarity to its centre a newcomer needs."""
    found = {}
    for theme_id, rows in rows_by_theme.items():
        closeness = vectors[rows] @ centres[theme_id]
        if len(rows) < SMALL:
            found[theme_id] = float(closeness.min())
        else:
            found[theme_id] = float(np.quantile(closeness, GATE_SHARE))
    return found


def admit(
    vectors: np.ndarray, theme_ids: list[str], centres: dict, gate: dict
) -> tuple[np.ndarray, np.ndarray]:
    """For each row: the index (into theme_ids) of the closest theme whose gate it passes, and
    whether it passes any."""
    if not theme_ids or not len(vectors):
        return np.zeros(len(vectors), dtype=np.int64), np.zeros(len(vectors), dtype=bool)
    closeness = vectors @ np.vstack([centres[t] for t in theme_ids]).T
    passes = closeness >= np.array([gate[t] for t in theme_ids])[None, :]
    masked = np.where(passes, closeness, -np.inf)
    return masked.argmax(axis=1), passes.any(axis=1)
