"""Building themes that stay put: first build, incremental rebuilds, and what changed between.

Placed extracts never move on a rebuild (unless staff move them); new material joins the theme
it fits, or forms an emerging theme, or waits in Unsorted. Staff edits are constraints every
build honours: labels and descriptions they wrote, locks, pins, moves, exclusions, merges.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from lab_app.material.reads import theme_inputs
from lab_app.themes import (
    clustering,
)
from lab_app.themes import (
    gate as theme_gate,
)
from lab_app.themes.build_outcome import centroids, describe, theme_rows
from lab_app.themes.build_outcome import report as build_report
from lab_app.themes.state import (
    Membership,
    ThemeState,
    curation_since_last_build,
    load_state,
    save_build,
)

MAX_UNSORTED = 0.15  # share of extracts Unsorted may hold
MIN_THEME = 5  # smallest group that becomes a theme of its own
UNSORTED_FLOOR = 0.20  # a fresh group's members below this are Unsorted rather than a poor fit
# New material joins an existing theme only through its relevance gate (lab_app.themes.gate).
# Seed themes from an imported codebook (status "seed", lab_app.exchange.seeds): an open
# extract is drawn to the seed whose "name: description" vector it is nearest, at SEED_FLOOR or
# more, and stays when it is at SEED_FIT or more from the centre of what that seed drew.
# Measured on the demo Lab with its ten planted themes as seeds: nine of ten seeded themes hold
# mostly their own planted theme. A short codebook draws extracts its codes only half fit.
SEED_FLOOR = 0.30
SEED_FIT = 0.40


def build(
    engine, kind: str | None = None, k: int | None = None, fresh: bool = False, embedder=None
) -> dict:
    """Build or rebuild themes over the store's extracts (or one kind); return the report.
    embedder names themes with the extracts' own model (the packaged one if not given)."""
    if embedder is None:
        from lab_app.material.embedder import Embedder

        embedder = Embedder()
    data = by_content(theme_inputs(engine, kind))
    state = load_state(engine)
    existing = set(state.themes)
    ids, vectors, texts = data["ids"], data["vectors"], data["texts"]
    row_of = {extract_id: i for i, extract_id in enumerate(ids)}
    before = _sizes(state)
    first = not state.active() or fresh
    members = _kept_members(state, row_of, keep_build_placements=not first)
    open_rows = [
        i
        for i, extract_id in enumerate(ids)
        if extract_id not in members or members[extract_id].status == "unsorted"
    ]
    # Seeds from a codebook take the open extracts that match them before anything is grouped.
    seeded, open_rows = _attach_to_seeds(state, members, ids, vectors, open_rows)
    new_themes: dict[str, list[int]] = {}
    if first:
        new_themes = _first_build(state, members, ids, vectors, texts, open_rows, k, fresh)
    else:
        new_themes = _place_new(state, members, ids, vectors, texts, open_rows)
    new_themes.update(seeded)
    _cap_unsorted(state, members, ids, vectors, len(ids))
    changed, history, similarity = describe(
        state, members, data, new_themes, before, first, embedder.embed
    )
    report = build_report(members, ids, before, changed, new_themes, first, fresh)
    report.update(curation_since_last_build(engine))
    scope = set(ids)
    save_build(
        engine, existing, changed, members, similarity, scope, report, history, report["mode"]
    )
    return report


def by_content(data: dict) -> dict:
    """The extracts in order of their text (ids break ties): every later step that follows
    row order (micro-cluster seeding, theme numbering, ties) then depends on what the texts say,
    not on the ids, which hash the source's file name."""
    order = sorted(range(len(data["ids"])), key=lambda i: (data["texts"][i], data["ids"][i]))
    return {
        key: values[order] if key == "vectors" else [values[i] for i in order]
        for key, values in data.items()
    }


def _sizes(state: ThemeState) -> Counter:
    return Counter(m.theme_id for m in state.members.values() if m.status == "placed")


def _kept_members(state: ThemeState, row_of: dict, keep_build_placements: bool) -> dict:
    """Memberships that carry over: staff placements and exclusions always, build placements in
    active themes unless this is a fresh first build."""
    kept: dict[str, Membership] = {}
    for extract_id, member in state.members.items():
        if extract_id not in row_of:
            continue  # the extract is gone (source removed or person withdrawn)
        theme = state.themes.get(member.theme_id or "")
        if member.status == "excluded" or member.placed_by == "staff":
            kept[extract_id] = member
        elif member.status == "placed" and theme and theme["status"] == "active":
            if keep_build_placements or theme["locked"]:
                kept[extract_id] = member
        elif member.status == "unsorted" and keep_build_placements:
            kept[extract_id] = member
    return kept


def _attach_to_seeds(state, members, ids, vectors, open_rows) -> tuple[dict, list[int]]:
    """Open extracts join the codebook seed they match (see SEED_FLOOR); returns
    {seed id: rows} for the seeds that drew any, and the rows still open."""
    seeds = [t for t in sorted(state.themes) if state.themes[t]["status"] == "seed"]
    seeds = [t for t in seeds if state.themes[t].get("centroid")]
    if not seeds or not open_rows:
        return {}, open_rows
    rows = np.array(open_rows, dtype=np.int64)
    named = np.vstack([np.frombuffer(state.themes[t]["centroid"], dtype=np.float32) for t in seeds])
    sims = vectors[rows] @ named.T
    nearest, near = sims.argmax(axis=1), sims.max(axis=1) >= SEED_FLOOR
    # A code's words are short beside an extract's: the centre of what it drew fits better.
    centres = named.copy()
    for j in range(len(seeds)):
        drawn_rows = rows[near & (nearest == j)]
        if len(drawn_rows):
            centres[j] = clustering.normalise(vectors[drawn_rows].mean(axis=0, keepdims=True))[0]
    fit = vectors[rows] @ centres.T
    best, keep = fit.argmax(axis=1), fit.max(axis=1) >= SEED_FIT
    drawn: dict[str, list[int]] = {}
    for row, choice, stays in zip(rows, best, keep, strict=True):
        if stays:
            members[ids[row]] = Membership(seeds[choice], "placed", "build")
            drawn.setdefault(seeds[choice], []).append(int(row))
    return drawn, [int(r) for r, stays in zip(rows, keep, strict=True) if not stays]


def _first_build(state, members, ids, vectors, texts, open_rows, k, fresh) -> dict:
    """Group everything not already fixed; on a fresh rebuild, old ids go to the groups that
    hold most of their old members."""
    rows = np.array(open_rows, dtype=np.int64)
    grouping = clustering.group(vectors[rows], [texts[i] for i in rows], k=k)
    groups: dict[int, list[int]] = {}
    for row, label in zip(rows, grouping.labels, strict=True):
        groups.setdefault(int(label), []).append(int(row))
    names = _inherit_ids(state, groups, ids) if fresh else {}
    created: dict[str, list[int]] = {}
    for label in sorted(groups):
        theme_id = names.get(label) or state.next_id()
        if theme_id not in state.themes:
            state.themes[theme_id] = {"status": "new", "locked": False}
        for row in groups[label]:
            members[ids[row]] = Membership(theme_id, "placed", "build")
        created[theme_id] = groups[label]
    return created


def _inherit_ids(state: ThemeState, groups: dict[int, list[int]], ids) -> dict[int, str]:
    """Greedy by overlap: each old theme passes its id (and label) to one new group at most."""
    overlaps = []
    for label, rows in groups.items():
        counts = Counter(
            state.members[ids[r]].theme_id
            for r in rows
            if ids[r] in state.members and state.members[ids[r]].status == "placed"
        )
        overlaps.extend((n, label, theme_id) for theme_id, n in counts.items() if theme_id)
    names: dict[int, str] = {}
    for _, label, theme_id in sorted(overlaps, key=lambda o: (-o[0], o[1], o[2])):
        if label not in names and theme_id not in names.values():
            names[label] = theme_id
    return names


def _place_new(state, members, ids, vectors, texts, open_rows) -> dict:
    """New and Unsorted extracts join the closest theme whose gate they pass; the rest may form
    emerging themes, or wait in Unsorted."""
    rows_by_theme = theme_rows(members, ids)
    centres = centroids(rows_by_theme, vectors)
    gate = theme_gate.gates(vectors, rows_by_theme, centres)
    open_ids = [t for t in centres if not state.themes[t]["locked"]]
    if not open_rows:
        return {}
    best, fits = theme_gate.admit(vectors[open_rows], open_ids, centres, gate)
    left: list[int] = []
    for row, choice, fit in zip(open_rows, best, fits, strict=True):
        if fit:
            members[ids[row]] = Membership(open_ids[choice], "placed", "build")
        else:
            left.append(row)
    created: dict[str, list[int]] = {}
    if len(left) >= 2 * MIN_THEME:
        rows = np.array(left, dtype=np.int64)
        upper = max(2, int(np.sqrt(len(rows))))
        grouping = clustering.group(vectors[rows], [texts[i] for i in rows], bounds=(2, upper))
        for label in range(grouping.k):
            group_rows = [int(r) for r, g in zip(rows, grouping.labels, strict=True) if g == label]
            if len(group_rows) < MIN_THEME:
                continue
            theme_id = state.next_id()
            state.themes[theme_id] = {"status": "new", "locked": False}
            for row in group_rows:
                members[ids[row]] = Membership(theme_id, "placed", "build")
            created[theme_id] = group_rows
    for row in left:
        if ids[row] not in members or members[ids[row]].status != "placed":
            members[ids[row]] = Membership(None, "unsorted", "build")
    return created


def _cap_unsorted(state, members, ids, vectors, total: int) -> None:
    """Unsorted keeps genuine outliers only, and never more than MAX_UNSORTED of the extracts:
    beyond that the best-fitting leftovers join their nearest theme, but only through its
    relevance gate, so material that fits no theme is never forced into one."""
    rows_by_theme = theme_rows(members, ids)
    centres = centroids(rows_by_theme, vectors)
    gate = theme_gate.gates(vectors, rows_by_theme, centres)
    theme_ids = [t for t in centres if not state.themes[t]["locked"]]
    if not theme_ids:
        return
    index = {extract_id: i for i, extract_id in enumerate(ids)}
    unsorted = [e for e, m in members.items() if m.status == "unsorted" and e in index]
    placed_by_build = [
        e for e, m in members.items() if m.status == "placed" and m.placed_by == "build"
    ]
    # A fresh group's weakest members (well below the floor) go to Unsorted.
    for extract_id in placed_by_build:
        theme_id = members[extract_id].theme_id
        fresh_group = theme_id in centres and state.themes[theme_id].get("status") == "new"
        if fresh_group and float(vectors[index[extract_id]] @ centres[theme_id]) < UNSORTED_FLOOR:
            members[extract_id] = Membership(None, "unsorted", "build")
            unsorted.append(extract_id)
    if not unsorted:
        return
    rows = vectors[[index[e] for e in unsorted]]
    best, fits = theme_gate.admit(rows, theme_ids, centres, gate)
    score = np.where(fits, (rows @ np.vstack([centres[t] for t in theme_ids]).T).max(axis=1), -1)
    allowed = int(MAX_UNSORTED * total)
    order = np.argsort(-score, kind="stable")
    for rank, i in enumerate(order):
        keep_out = score[i] < UNSORTED_FLOOR and (len(order) - rank) <= allowed
        if fits[i] and not keep_out:
            members[unsorted[i]] = Membership(theme_ids[best[i]], "placed", "build")


def list_themes(engine) -> list[dict]:
    """Active themes first, grouped by area, largest first; then faded and merged ones."""
    state = load_state(engine)
    sizes = Counter(m.theme_id for m in state.members.values() if m.status == "placed")
    rows = [
        {
            "id": theme_id,
            "label": row["label"],
            "size": sizes.get(theme_id, 0),
            "area": row["area"],
            "status": row["status"],
            "description": row["description"],
            "locked": row["locked"],
        }
        for theme_id, row in state.themes.items()
    ]
    return sorted(rows, key=lambda r: (r["status"] != "active", r["area"], -r["size"], r["id"]))


def placements(engine) -> dict[str, dict]:
    """extract id -> {theme_id, theme_label}; Unsorted shows as theme_id "unsorted"."""
    state = load_state(engine)
    result = {}
    for extract_id, member in state.members.items():
        if member.status == "placed":
            label = state.themes[member.theme_id]["label"]
            result[extract_id] = {"theme_id": member.theme_id, "theme_label": label}
        elif member.status == "unsorted":
            result[extract_id] = {"theme_id": "unsorted", "theme_label": "Unsorted"}
    return result
