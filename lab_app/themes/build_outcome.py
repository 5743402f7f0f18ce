"""What a build made: every active theme labelled, described and summarised, the history
events of what changed, and the build's report (split from themes/build.py, which places)."""

from __future__ import annotations

from collections import Counter

import numpy as np

from lab_app.themes import areas as theme_areas
from lab_app.themes import clustering
from lab_app.themes import descriptions as theme_text
from lab_app.themes import labels as theme_labels
from lab_app.themes import names as theme_names
from lab_app.themes.state import vector_bytes


def theme_rows(members, ids) -> dict[str, list[int]]:
    """Theme id -> the rows (positions in ids) of its placed extracts, themes in id order."""
    index = {extract_id: i for i, extract_id in enumerate(ids)}
    rows_by_theme: dict[str, list[int]] = {}
    for extract_id, member in members.items():
        if member.status == "placed" and extract_id in index:
            rows_by_theme.setdefault(member.theme_id, []).append(index[extract_id])
    return dict(sorted(rows_by_theme.items()))


def centroids(rows_by_theme, vectors) -> dict[str, np.ndarray]:
    """Theme id -> the unit-length mean of its extracts' vectors."""
    return {
        theme_id: clustering.normalise(vectors[rows].mean(axis=0, keepdims=True))[0]
        for theme_id, rows in rows_by_theme.items()
    }


def describe(state, members, data, new_themes, before, first, embed):
    """Label, describe and summarise every active theme; history events for what changed."""
    ids, vectors, texts = data["ids"], data["vectors"], data["texts"]
    index = {extract_id: i for i, extract_id in enumerate(ids)}
    rows_by_theme = {t: sorted(rows) for t, rows in theme_rows(members, ids).items()}
    theme_ids = list(rows_by_theme)
    groups = [rows_by_theme[t] for t in theme_ids]
    names = theme_names.name_groups(texts, vectors, groups, embed)
    centres = centroids(rows_by_theme, vectors)
    matrix = np.vstack([centres[t] for t in theme_ids]) if theme_ids else np.zeros((0, 384))
    descriptions = theme_text.describe_groups(ids, texts, vectors, groups, matrix, embed)
    previous = {t: r["area"] for t, r in state.themes.items() if r.get("status") == "active"}
    areas = theme_areas.area_names(
        theme_ids, centres, rows_by_theme, texts, vectors, embed, previous
    )
    changed, history, similarity = {}, [], {}
    for i, theme_id in enumerate(theme_ids):
        rows = rows_by_theme[theme_id]
        row_state = state.themes.get(theme_id, {})
        theme_vectors = vectors[rows]
        sims = theme_vectors @ centres[theme_id]
        for row, sim in zip(rows, sims, strict=True):
            similarity[ids[row]] = round(float(sim), 4)
        pinned = [
            rows.index(index[e]) for e in state.pins.get(theme_id, []) if index.get(e) in rows
        ]
        exemplars = theme_labels.representatives(theme_vectors, centres[theme_id], 3, pinned)
        central = rows[int(np.argmax(sims))]
        # A theme seeded from a codebook keeps the codebook's area and its seed record.
        seed = (row_state.get("details") or {}).get("seed")
        description, described_by = descriptions[i]
        values = {
            "status": "active",
            "centroid": vector_bytes(centres[theme_id]),
            "area": (seed or {}).get("area") or areas[theme_id],
            "details": {
                "phrases": names[i].phrases,
                "size": len(rows),
                "kinds": dict(Counter(data["kinds"][r] for r in rows)),
                "exemplars": [ids[rows[i]] for i in exemplars],
                "central": ids[central],
                "description_source": described_by,
                "summary": names[i].summary,
                "attributes": theme_labels.over_represented(
                    [data["attributes"][r] for r in rows], data["attributes"]
                ),
            },
        }
        if seed:
            values["details"]["seed"] = seed
        if not row_state.get("label_by_staff") and (row_state.get("status") in (None, "new")):
            values["label"] = names[i].label
        if not row_state.get("description_by_staff"):
            values["description"] = description
        changed[theme_id] = values
        size_before = before.get(theme_id, 0)
        event = _event(size_before, len(rows), theme_id in new_themes and size_before == 0)
        if event:
            label = values.get("label") or row_state.get("label")
            history.append(
                {"theme_id": theme_id, "event": event, "size": len(rows), "label": label}
            )
    for theme_id, row in state.themes.items():
        if row.get("status") == "active" and theme_id not in rows_by_theme:
            changed[theme_id] = {"status": "faded"}
            history.append(
                {"theme_id": theme_id, "event": "faded", "size": 0, "label": row["label"]}
            )
    return changed, history, similarity


def _event(before: int, after: int, created: bool) -> str | None:
    """The history event a theme's change of size makes, if any."""
    if created:
        return "emerged"
    if after >= before + max(3, before // 10):
        return "grew"
    if after < before:
        return "shrank"
    return None


def report(members, ids, before, changed, new_themes, first, fresh) -> dict:
    """What the build did, in numbers: themes, Unsorted, new, grown and faded themes."""
    after = Counter(m.theme_id for e, m in members.items() if m.status == "placed")
    active = sorted(t for t, v in changed.items() if v.get("status") == "active")
    total = len(ids)
    unsorted = sum(1 for e in ids if e in members and members[e].status == "unsorted")
    grown = [t for t in active if t not in new_themes and after[t] >= before.get(t, 0) + 3]
    faded = sorted(t for t, v in changed.items() if v.get("status") == "faded")
    if not first:
        new_material = sum(after.values()) - sum(before.values())
        if new_material >= 20:
            faded += [t for t in active if t not in new_themes and after[t] == before.get(t, 0)]
    return {
        "mode": "fresh" if fresh else ("first" if first else "incremental"),
        "themes": len(active),
        "extracts": total,
        "unsorted": unsorted,
        "unsorted_share": round(unsorted / total, 4) if total else 0.0,
        # Unsorted is what passed no theme's relevance gate: staff review it.
        "fit_none": unsorted,
        "new": sorted(new_themes),
        "grown": grown,
        "faded": sorted(set(faded)),
    }
