"""A theme's points: what its participants said, split into two or three groups (k-means on the
stored all-MiniLM-L6-v2 vectors) and named as themes are named (themes.names), so a section can
say what the theme turns on and bear out each point with one person's words."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans

from lab_app.essays.synthesis import (
    Synthesis,
    choose,
    quotable_sentences,
    sentence_vectors,
    speaker,
)
from lab_app.essays.writing import counted, in_words, inline_quote, prose
from lab_app.material.reads import extracts_by_ids, vectors_of
from lab_app.themes.answer_labels import THANKS
from lab_app.themes.label_check import label_faults, names_in
from lab_app.themes.names import name_groups
from lab_app.themes.phrases import folded

FEWEST = 12  # participants' extracts a theme needs before it is split into points
THREE_FROM = 30  # from this many, three points; below it, two
SMALLEST = 4  # a point fewer extracts make is not named: too thin to be a point
STARTS = 8  # k-means starts: the points must not change from one draft to the next
_STOPWORDS = {"and", "the", "for", "with", "from", "into", "about", "not", "own", "itself"}


@dataclass
class Point:
    name: str  # as it reads mid-sentence: "ring-fence and twelve-month grant"
    members: list[str]  # extract ids, participants' only
    itself: bool = False  # the point is the theme's own subject ("short term funding itself")


def theme_points(workspace, theme) -> list[Point]:
    """The theme's points, largest first; [] when the theme is too small to split or fewer
    than two points are big enough and have a name."""
    rows = extracts_by_ids(workspace.store.engine, theme.members)
    ids = sorted(e for e, r in rows.items() if r["kind"] != "evidence")
    vectors = vectors_of(workspace.store.engine, ids)
    ids = [e for e in ids if e in vectors]
    if len(ids) < FEWEST:
        return []
    matrix = np.vstack([vectors[e] for e in ids])
    k = 3 if len(ids) >= THREE_FROM else 2
    labels = KMeans(k, n_init=STARTS, random_state=0).fit_predict(matrix.astype(np.float64))
    groups = [[i for i in range(len(ids)) if labels[i] == g] for g in range(k)]
    texts = [rows[e]["text"] or "" for e in ids]
    names = name_groups(texts, matrix, groups, workspace.embedder.embed)
    theme_name = folded(theme.label)
    people_named = names_in(texts)
    points = []
    for name, group in zip(names, groups, strict=True):
        if len(group) < SMALLEST or name.label in ("Unnamed", THANKS):
            continue
        if label_faults(name.label, people_named):  # a filler word, a person's name …
            continue
        members = [ids[i] for i in group]
        itself = folded(name.label) == theme_name
        points.append(Point(_mid_sentence(name.label, texts), members, itself))
    points.sort(key=lambda p: (-len(p.members), p.name))
    return points if len(points) >= 2 else []


def _mid_sentence(label: str, texts: list[str]) -> str:
    """The name as it reads inside a sentence: lower case ("Longer contracts" -> "longer
    contracts") unless its first word is an acronym ("NHS pathways"), has a capital inside
    ("WhatsApp group") or keeps its capital mid-sentence in people's words (a place, a name)."""
    first = label.split()[0] if label.split() else label
    if first.isupper() or any(c.isupper() for c in first[1:]) or not first[:1].isupper():
        return label
    proper = re.compile(rf"[a-z,] {re.escape(first)}\b")
    if any(proper.search(t) for t in texts):
        return label
    return label[:1].lower() + label[1:]


def name_words(name: str, theme_label: str) -> list[str]:
    """The words of a point's name the theme's own name does not hold, stopwords left out."""
    own = set(re.findall(r"[a-z]+", theme_label.lower()))
    found = re.findall(r"[a-z][a-z-]+", name.lower())
    return [w for w in found if w not in own and w not in _STOPWORDS and len(w) > 2]


def mentions(sentence: str, words: list[str]) -> bool:
    """Does the sentence hold one of the words, in any ending ("disorder" for "disorders")?"""
    lowered = sentence.lower()
    return any(re.search(rf"\b{re.escape(w.rstrip('s'))}", lowered) for w in words)


def overview(points: list[Point], participants: int) -> str:
    """'What participants said about it turns on 2 points: a (31 extracts) and b (9), with 17
    more on other things.': `participants` is how many of the theme's extracts are theirs, so
    what no point was named for is counted, not hidden."""
    if not points:
        return ""
    named = [
        prose(f"{p.name} itself" if p.itself else p.name)  # people's words, made inert
        + (f" ({counted(len(p.members), 'extract')})" if n == 0 else f" ({len(p.members)})")
        for n, p in enumerate(points)
    ]
    rest = participants - sum(len(p.members) for p in points)
    more = f", with {rest} more on other things" if rest >= SMALLEST else ""
    return (
        f"What participants said about it turns on {counted(len(points), 'point')}: "
        f"{in_words(named)}{more}."
    )


def point_synthesis(workspace, theme, points: list[Point], documents: dict) -> Synthesis:
    """One person's words for each point, the point named before them; an empty Synthesis
    when fewer than two points have a sentence that may be quoted."""
    quotable = {r["extract_id"]: r for r in theme.extracts if r["kind"] != "evidence"}
    parts, used, people = [], set(), set()
    for number, point in enumerate(points):
        rows = [quotable[e] for e in point.members if e in quotable]
        candidates = [c for c in quotable_sentences(rows, documents) if c.person not in people]
        # A sentence that says what the point is called bears it out better than a central
        # one that does not ("waiting list" quoted by a sentence on having three conditions).
        words = [] if point.itself else name_words(point.name, theme.label)
        saying = [c for c in candidates if mentions(c.sentence, words)]
        candidates = saying or candidates
        if not candidates:
            continue
        picked = choose(candidates, sentence_vectors(workspace, candidates), 1)[0]
        people.add(picked.person)
        used.add(picked.row["extract_id"])
        subject, verb, where = speaker(picked.row, documents, set())
        place = f" {where}" if where else ""
        about = prose(f"{point.name} more generally" if point.itself else point.name)
        quote = inline_quote(picked.sentence, picked.row["extract_id"])
        lead = "And on" if number == len(points) - 1 and number else "On"
        # Always a colon: "said that" before an answer that is a fragment ("Lack of access to
        # good training.") reads as if the essay had misquoted it.
        parts.append(f"{lead} {about}, {subject} {verb}{place}: {quote}")
    if len(parts) < 2:
        return Synthesis("")
    return Synthesis(" ".join(parts), used, "extractive", by_points=True)
