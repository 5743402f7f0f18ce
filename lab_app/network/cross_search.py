"""Search several Labs at once for staff of each: results merged by score, labelled by Lab.

Words found in one Lab are read by staff of the others, so every Lab's results pass the rule
its own app uses for what may be shown beyond its staff (participation.shown_to_participants:
consent to be shown, and no No to being quoted); withdrawn words are gone from each Lab's
store and index already. The person column never leaves its Lab.
"""

from __future__ import annotations

from lab_app.network.members import staff_labs
from lab_app.network.registry import Deployment, Lab
from lab_app.opinions.participation import shown_to_participants

# Each Lab is asked for more than k, since consent may hide some of its nearest extracts.
OVERFETCH = 3
SHOWN = ("extract_id", "score", "text", "source", "kind", "page", "row", "date")


def searchable_labs(deployment: Deployment, person: str | None) -> list[Lab]:
    """The Labs a person's cross-Lab search reads: those where they are staff. With no
    person (the command line run by whoever holds the deployment's stores), every Lab."""
    return staff_labs(deployment, person) if person else deployment.labs()


def search(
    deployment: Deployment, query: str, labs: list[Lab], k: int = 10, kind: str | None = None
) -> list[dict]:
    """The k results nearest the query across these Labs, best first, each with its Lab."""
    if not (query or "").strip():
        raise ValueError('the search needs some words: qlab labs search "what to look for"')
    merged = []
    for lab in labs:
        merged += _one_lab(deployment, lab, query, k, kind)
    merged.sort(key=lambda hit: (-hit["score"], hit["lab"], hit["extract_id"]))
    return merged[:k]


def _one_lab(deployment: Deployment, lab: Lab, query: str, k: int, kind: str | None):
    ws = deployment.workspace(lab.slug)
    hits = ws.search(query, k=k * OVERFETCH, kind=kind)
    allowed = shown_to_participants(ws.store.engine, [hit["extract_id"] for hit in hits])
    return [
        {"lab": lab.slug, "lab_name": lab.name, **{f: hit[f] for f in SHOWN}}
        for hit in hits
        if hit["extract_id"] in allowed
    ][:k]
