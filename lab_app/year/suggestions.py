"""Suggested ideas: candidates from contributions written as proposals; near-duplicates to merge."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
from sqlalchemy import select

from lab_app.core.schema import extracts, idea_links, theme_members
from lab_app.opinions.participation import shown_to_participants
from lab_app.themes import labels as theme_labels
from lab_app.year.ideas import create_idea, list_ideas

# How a contribution says it proposes something: "we should…", "what if…", "could we…".
PROPOSAL = re.compile(
    r"\b(?:we should|what if|could we|how about|why don'?t we|i'?d (?:love|like) to see|"
    r"i propose|imagine if|wouldn'?t it be|it would be (?:great|good) (?:if|to)|we need an?\b|"
    r"idea:|suggestion:)",
    re.IGNORECASE,
)
SAME_PROPOSAL = 0.65  # proposal sentences at least this similar are one candidate
MENTION = 0.55  # a contribution this similar to a proposal (post or sentence) mentions it
# Ideas this similar (title and description) are flagged for merging. On the demo Lab distinct
# ideas score at most 0.58, two wordings of one idea 0.5 to 0.85: a flag prompts, never merges.
DUPLICATE = 0.60
REPLY_DEPTH = 2  # replies to a proposal, and replies to those, react to it


def suggest_ideas(workspace, kind: str = "contribution") -> list[dict]:
    """Candidate ideas from extracts (contributions by default) written as proposals.

    Proposal sentences are found by pattern and grouped by meaning; each group is one
    candidate titled with its most central proposal sentence (the participant's own words).
    Mentions are the proposals, replies to them, and extracts close in meaning to a proposal,
    each with its Lab date. Candidates whose proposals already belong to an idea are left out.
    """
    engine = workspace.store.engine
    rows = _rows(engine, kind)
    if not rows:
        return []
    proposals = [(i, sentence) for i, r in enumerate(rows) if (sentence := proposal_of(r["text"]))]
    if not proposals:
        return []
    taken = _linked_extracts(engine)
    vectors = np.vstack([r["vector"] for r in rows])
    sentences = workspace.embedder.embed([s for _, s in proposals])
    groups = _group(sentences, SAME_PROPOSAL)
    children = _replies(rows)
    # Key phrases of each group's proposals: the title when no proposer may be shown.
    phrases = theme_labels.key_phrases(["\n".join(proposals[m][1] for m in g) for g in groups])
    found = []
    for members, words in zip(groups, phrases, strict=True):
        rows_in = [proposals[m][0] for m in members]
        if all(rows[i]["id"] in taken for i in rows_in):
            continue
        centre = sentences[members].mean(axis=0)
        # The title is a participant's own sentence: the most central one they let be shown.
        ranked = [members[j] for j in np.argsort(-(sentences[members] @ centre), kind="stable")]
        shown = shown_to_participants(engine, [rows[proposals[m][0]]["id"] for m in ranked])
        titled = [m for m in ranked if rows[proposals[m][0]]["id"] in shown]
        central = titled[0] if titled else ranked[0]
        mention_rows = set(rows_in)
        for m in members:
            i = proposals[m][0]
            mention_rows |= _reply_tree(i, rows, children)
            near = np.maximum(vectors @ vectors[i], vectors @ sentences[m])
            mention_rows |= set(np.flatnonzero(near >= MENTION).tolist())
        candidate = _candidate(rows, rows_in, proposals[central], sorted(mention_rows))
        if not titled:  # no proposer may be shown: a title of key words, not their sentence
            candidate["title"] = "A proposal about " + ", ".join(words[:3] or ["(no key words)"])
        found.append(candidate)
    found.sort(key=lambda c: (-c["people"], -c["mentions"], c["first_date"] or ""))
    return found


def proposal_of(text: str) -> str:
    """The sentence of a text that proposes something, or "" when none does."""
    match = PROPOSAL.search(text or "")
    if not match:
        return ""
    start = max(text.rfind(mark, 0, match.start()) for mark in ".?!\n") + 1
    ends = [j for j in (text.find(mark, match.end()) for mark in ".?!\n") if j >= 0]
    sentence = text[start : (min(ends) + 1 if ends else len(text))].strip()
    # "Idea: try it before you commit." says little in its first clause: keep the next one.
    if len(sentence) < 40 and ends:
        after = [j for j in (text.find(mark, min(ends) + 1) for mark in ".?!\n") if j >= 0]
        sentence = text[start : (min(after) + 1 if after else len(text))].strip()
    return " ".join(sentence.split())


def accept_candidate(engine, candidate: dict, who: str, title: str | None = None) -> str:
    """Make a suggested candidate an idea: its proposals as sources, mentions as evidence, and
    the themes most of them sit in."""
    links = [("extract", e, "source") for e in candidate["proposals"]]
    links += [
        ("extract", e, "evidence")
        for e in candidate["extract_ids"]
        if e not in candidate["proposals"]
    ]
    links += [("theme", t, "theme") for t in _main_themes(engine, candidate["extract_ids"])]
    return create_idea(engine, title or candidate["title"], who, links=links)


def near_duplicates(workspace, threshold: float = DUPLICATE) -> list[dict]:
    """Pairs of live ideas whose title and description mean nearly the same: merge candidates."""
    live = [r for r in list_ideas(workspace.store.engine) if not r["merged_into"]]
    if len(live) < 2:
        return []
    vectors = workspace.embedder.embed([f"{r['title']}. {r['description']}" for r in live])
    similar = vectors @ vectors.T
    pairs = []
    for a in range(len(live)):
        for b in range(a + 1, len(live)):
            if similar[a, b] >= threshold:
                pairs.append(
                    {
                        "ideas": [live[a]["id"], live[b]["id"]],
                        "similarity": round(float(similar[a, b]), 3),
                    }
                )
    return sorted(pairs, key=lambda p: -p["similarity"])


# --- helpers ---------------------------------------------------------------------------------


def _rows(engine, kind: str | None) -> list[dict]:
    query = select(
        extracts.c.id,
        extracts.c.text,
        extracts.c.date,
        extracts.c.person,
        extracts.c.meta,
        extracts.c.embedding,
    ).order_by(extracts.c.date, extracts.c.id)
    if kind:
        query = query.where(extracts.c.kind == kind)
    with engine.connect() as conn:
        return [
            {
                "id": r.id,
                "text": r.text,
                "date": r.date,
                "person": r.person,
                "meta": r.meta or {},
                "vector": np.frombuffer(r.embedding, dtype=np.float32),
            }
            for r in conn.execute(query)
        ]


def _group(vectors: np.ndarray, threshold: float) -> list[list[int]]:
    """Groups of rows joined when similar enough (single link), each in row order."""
    parent = list(range(len(vectors)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    similar = vectors @ vectors.T
    for a, b in zip(*np.nonzero(np.triu(similar >= threshold, k=1)), strict=True):
        parent[root(int(a))] = root(int(b))
    groups: dict[int, list[int]] = {}
    for i in range(len(vectors)):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])


def _replies(rows: list[dict]) -> dict[str, list[int]]:
    """Post id (as the export gave it) -> rows that reply to it."""
    children: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        parent = row["meta"].get("parent")
        if parent:
            children.setdefault(str(parent), []).append(i)
    return children


def _reply_tree(i: int, rows: list[dict], children: dict[str, list[int]]) -> set[int]:
    """Rows replying to row i, and replies to those, down to REPLY_DEPTH."""
    found: set[int] = set()
    level = [i]
    for _ in range(REPLY_DEPTH):
        level = [c for r in level for c in children.get(str(rows[r]["meta"].get("id")), [])]
        found.update(level)
    return found


def _candidate(rows, proposal_rows, central, mention_rows) -> dict:
    row_index, sentence = central
    dates = sorted(rows[i]["date"] for i in mention_rows if rows[i]["date"])
    months = Counter(d[:7] for d in dates)
    return {
        "title": sentence,
        "central": rows[row_index]["id"],
        "proposals": [rows[i]["id"] for i in proposal_rows],
        "extract_ids": [rows[i]["id"] for i in mention_rows],
        "mentions": len(mention_rows),
        "people": len({rows[i]["person"] for i in mention_rows if rows[i]["person"]}),
        "first_date": dates[0] if dates else None,
        "last_date": dates[-1] if dates else None,
        "proposed_on": min(
            (rows[i]["date"] for i in proposal_rows if rows[i]["date"]), default=None
        ),
        "by_month": dict(sorted(months.items())),
    }


def _main_themes(engine, extract_ids: list[str], share: float = 0.25) -> list[str]:
    """Themes holding at least `share` of these extracts (at most three)."""
    if not extract_ids:
        return []
    query = select(theme_members.c.theme_id).where(
        theme_members.c.extract_id.in_(extract_ids), theme_members.c.status == "placed"
    )
    with engine.connect() as conn:
        counts = Counter(conn.execute(query).scalars())
    return [t for t, n in counts.most_common(3) if n >= share * len(extract_ids)]


def _linked_extracts(engine) -> set[str]:
    query = select(idea_links.c.target_id).where(
        idea_links.c.target_type == "extract", idea_links.c.role == "source"
    )
    with engine.connect() as conn:
        return set(conn.execute(query).scalars())
