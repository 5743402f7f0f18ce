"""Others working on this: while a member drafts a proposal, the proposals, ideas and themes
nearest in meaning to what they have written so far, so ideas connect instead of duplicating."""

from __future__ import annotations

import hashlib

import numpy as np

from lab_app.rounds.proposals import proposal_vectors
from lab_app.themes.build import list_themes
from lab_app.year import ideas

MIN_CHARS = 12  # fewer typed characters say too little to compare
FLOOR = 0.35  # cosine below this: not about the same thing (MiniLM, short texts)
LIMIT = 6
# Ideas and theme labels are embedded when first asked for and kept here by text hash, so a
# member pressing "Check for similar" again embeds only the draft.
_CACHE: dict[str, np.ndarray] = {}
_CACHE_MAX = 5000


def others_working_on(
    workspace, draft: str, exclude_proposal: int | None = None, limit: int = LIMIT
) -> list[dict]:
    """Proposals (any round), ideas and themes nearest in meaning to the draft, best first:
    {"kind", "id", "title", "score"} (a proposal also has its "round_id")."""
    draft = " ".join((draft or "").split())
    if len(draft) < MIN_CHARS:
        return []
    engine = workspace.store.engine
    query = np.asarray(workspace.embedder.embed([draft])[0], dtype=np.float32)
    found = []
    for row, vector in proposal_vectors(engine):
        if row["id"] != exclude_proposal:
            found.append(dict(row, kind="proposal", score=_cosine(query, vector)))
    live = [i for i in ideas.list_ideas(engine) if not i["merged_into"]]
    texts = [f"{i['title']}. {i['description']}".strip(". ") for i in live]
    for row, vector in zip(live, _vectors(workspace, texts), strict=True):
        found.append(
            {
                "kind": "idea",
                "id": row["id"],
                "title": row["title"],
                "score": _cosine(query, vector),
            }
        )
    # A theme by its label only: a built description quotes a participant, not always shown.
    active = [t for t in list_themes(engine) if t["status"] == "active"]
    for row, vector in zip(active, _vectors(workspace, [t["label"] for t in active]), strict=True):
        found.append(
            {
                "kind": "theme",
                "id": row["id"],
                "title": row["label"],
                "score": _cosine(query, vector),
            }
        )
    found = [f for f in found if f["score"] >= FLOOR]
    found.sort(key=lambda f: -f["score"])
    return [dict(f, score=round(f["score"], 3)) for f in found[:limit]]


def _vectors(workspace, texts: list[str]) -> list[np.ndarray]:
    keys = [hashlib.sha256(text.encode()).hexdigest() for text in texts]
    missing = [text for text, key in zip(texts, keys, strict=True) if key not in _CACHE]
    if missing:
        if len(_CACHE) + len(missing) > _CACHE_MAX:
            _CACHE.clear()
        for text, vector in zip(missing, workspace.embedder.embed(missing), strict=True):
            _CACHE[hashlib.sha256(text.encode()).hexdigest()] = np.asarray(vector, np.float32)
    return [_CACHE[key] for key in keys]


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    # The model's vectors are already unit length; dividing keeps a stray one honest.
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) or 1.0))
