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
# A draft this close to a theme's name is about that theme whatever its description says (a
# built description is one participant's sentence, which can say little of the name).
SAME_NAME = 0.9
# Ideas and theme labels are embedded when first asked for and kept here by text hash, so a
# member pressing "Check for similar" again embeds only the draft.
_CACHE: dict[str, np.ndarray] = {}
_CACHE_MAX = 5000


def others_working_on(
    workspace, draft: str, exclude_proposal: int | None = None, limit: int = LIMIT
) -> list[dict]:
    """Proposals (any round), ideas and themes nearest in meaning to the draft, best first:
    {"kind", "id", "title", "score"} (a proposal also has its "round_id")."""
    return nearest_to_many(workspace, [draft], exclude_proposal, limit)[0]


def nearest_to_many(
    workspace, drafts: list[str], exclude_proposal: int | None = None, limit: int = LIMIT
) -> list[list[dict]]:
    """others_working_on for several drafts, embedded in one batch."""
    drafts = [" ".join((d or "").split()) for d in drafts]
    wanted = [d for d in drafts if len(d) >= MIN_CHARS]
    if not wanted:
        return [[] for _ in drafts]
    queries = dict(zip(wanted, workspace.embedder.embed(wanted), strict=True))
    candidates = _candidates(workspace, exclude_proposal)
    found = []
    for draft in drafts:
        if draft not in queries:
            found.append([])
            continue
        query = np.asarray(queries[draft], dtype=np.float32)
        scored = [dict(row, score=_score(query, v, name)) for row, v, name in candidates]
        scored = sorted((f for f in scored if f["score"] >= FLOOR), key=lambda f: -f["score"])
        found.append([dict(f, score=round(f["score"], 3)) for f in scored[:limit]])
    return found


def _candidates(workspace, exclude_proposal: int | None) -> list[tuple]:
    """(row, vector, vector of its name) for every proposal, live idea and active theme; only
    a theme has a name vector of its own (None for the others)."""
    engine = workspace.store.engine
    found = [
        (dict(row, kind="proposal"), vector, None)
        for row, vector in proposal_vectors(engine)
        if row["id"] != exclude_proposal
    ]
    live = [i for i in ideas.list_ideas(engine) if not i["merged_into"]]
    texts = [f"{i['title']}. {i['description']}".strip(". ") for i in live]
    for row, vector in zip(live, _vectors(workspace, texts), strict=True):
        found.append(({"kind": "idea", "id": row["id"], "title": row["title"]}, vector, None))
    # A theme is compared by its name and description, and shown by its name only: a built
    # description quotes a participant, whom participants may not be allowed to read.
    active = [t for t in list_themes(engine) if t["status"] == "active"]
    described = _vectors(
        workspace, [f"{t['label']}. {t['description']}".strip(". ") for t in active]
    )
    named = _vectors(workspace, [t["label"] for t in active])
    for row, both, name in zip(active, described, named, strict=True):
        found.append(({"kind": "theme", "id": row["id"], "title": row["label"]}, both, name))
    return found


def _score(query: np.ndarray, vector: np.ndarray, name: np.ndarray | None) -> float:
    """Closeness to a proposal, an idea or a theme (its name with its description); to a
    theme's name alone when the draft all but repeats it (SAME_NAME)."""
    score = _cosine(query, vector)
    if name is not None and (named := _cosine(query, name)) >= SAME_NAME:
        return max(score, named)
    return score


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
