"""Broader areas above the themes: grouped by meaning, named like themes, names kept on rebuilds."""

from __future__ import annotations

import numpy as np

from lab_app.themes import clustering
from lab_app.themes import names as theme_names

# An area keeps its name while its themes mostly stay together: the Jaccard overlap of its
# themes before and after a rebuild is at least this. Half means a rebuild may add or drop a
# theme or two of a typical 4-6 theme area without renaming it, but not swap most of them.
KEEP_NAME = 0.5


def area_names(
    theme_ids: list[str],
    centres: dict,
    rows_by_theme: dict[str, list[int]],
    texts: list[str],
    vectors: np.ndarray,
    embed,
    previous: dict[str, str],
) -> dict[str, str]:
    """theme id -> area name; previous maps each theme to its area before this build."""
    if not theme_ids:
        return {}
    labels = clustering.group_areas(np.vstack([centres[t] for t in theme_ids]))
    members = [
        [t for t, a in zip(theme_ids, labels, strict=True) if a == area]
        for area in range(int(labels.max()) + 1)
    ]
    kept = keep_names(members, previous)
    fresh = [i for i in range(len(members)) if i not in kept]
    groups = [[r for t in members[i] for r in rows_by_theme[t]] for i in range(len(members))]
    named = theme_names.name_groups(texts, vectors, groups, embed) if fresh else []
    names = dict(kept)
    taken = set(kept.values())
    for i in fresh:
        name = _unused([named[i].label] + named[i].phrases, taken) or f"Area {i + 1}"
        names[i] = name
        taken.add(name)
    return {t: names[i] for i, area in enumerate(members) for t in area}


def keep_names(members: list[list[str]], previous: dict[str, str]) -> dict[int, str]:
    """Areas (by index) that inherit an old area's name: greedy by overlap, each name once."""
    old: dict[str, set[str]] = {}
    for theme_id, name in previous.items():
        if name:
            old.setdefault(name, set()).add(theme_id)
    pairs = []
    for i, area in enumerate(members):
        for name, themes in old.items():
            overlap = len(themes & set(area)) / len(themes | set(area))
            if overlap >= KEEP_NAME:
                pairs.append((-overlap, i, name))
    kept: dict[int, str] = {}
    for _, i, name in sorted(pairs):
        if i not in kept and name not in kept.values():
            kept[i] = name
    return kept


def _unused(options: list[str], taken: set[str]) -> str:
    for option in options:
        option = option[:1].upper() + option[1:]
        if option and option not in taken:
            return option
    return ""
