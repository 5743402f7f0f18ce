"""Names an analyst would write: noun phrases from a theme's own extracts, scored by meaning.

KeyBERT-style: candidate noun phrases come from the theme's most central extracts
(phrases.py), each is embedded with the same model as the extracts, and scored by how close it
is to the theme's centre, how far from the other themes' centres, and how many extracts use it;
phrases are picked with maximal marginal relevance, and the label is made from the best.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lab_app.themes import clauses
from lab_app.themes.answer_labels import THANKS, between_people, verdict_label
from lab_app.themes.phrases import MAX_WORDS, candidates, clean_text, folded, parse, words

SAMPLE = 30  # central distinct extracts a theme's phrases are read from
CANDIDATES = 40  # most used phrases per theme that are embedded and scored
PHRASES = 5  # phrases kept per theme (key phrases on its page)
# Weights, measured with bench/themes.py (label cosine to the experts' category names on NHS
# feedback and Banking77) and read on the demo Lab.
DISTINCT = 0.5  # how much closeness to another theme's centre costs
COVERAGE = 0.25  # how much being used by many of the theme's extracts is worth
JOIN_BELOW = 0.55  # two phrases are joined ("A and B") only when this unlike each other
# Two phrases this alike are one thing said twice ("care" and "carings" 0.71, "top-up" and
# "topup" 0.89); pairs that say two things sit lower ("meals" and "diet" 0.64).
SAME_THING = 0.7
JOIN_SCORE = 0.9  # and the second scores at least this share of the first
EXTEND_SCORE = 0.7  # a longer wording of a one-word label, scoring at least this share of it
PAIR_SCORE = 0.8  # a one-word label is joined only with a phrase scoring this share of it
LONGER_SCORE = 0.8  # or replaced by a phrase of two words or more scoring this share of it
WIDER_SCORE = 0.6  # failing both, a longer wording scoring this share rather than one word
APART_SCORE = 0.7  # a label set apart from another by a pair: its second phrase scores this
# share of the first (read on the demo Lab: "Survey and evidence" yes, "Room and table" no)
ONCE = 0.15  # what a phrase only one sampled extract uses gives up (read on the demo Lab)


@dataclass
class Name:
    label: str
    phrases: list[str]  # the scored phrases, best first (the label is made from the first)
    summary: str | None = None  # a local model's one-sentence summary, when it was grounded


def name_groups(
    texts: list[str],
    vectors: np.ndarray,
    groups: list[list[int]],
    embed,
) -> list[Name]:
    """A name for each group of rows (its extracts): embed is the extracts' own model."""
    if not groups:
        return []
    centres = _centres(vectors, groups)
    sampled = [central_rows(vectors, rows, centres[g]) for g, rows in enumerate(groups)]
    docs = parse({r: texts[r] for rows in sampled for r in rows})
    found = [candidates([docs[r] for r in rows])[:CANDIDATES] for rows in sampled]
    wordings = sorted({c[1] for group in found for c in group})
    vector_of = dict(zip(wordings, embed(wordings), strict=True)) if wordings else {}
    chosen = [
        _choose(group, len(sampled[g]), g, centres, vector_of) for g, group in enumerate(found)
    ]
    labels: dict[int, str] = {}
    used: set[str] = set()
    # The largest theme picks first; a later one never repeats a label already given.
    for g in sorted(range(len(groups)), key=lambda g: (-len(groups[g]), g)):
        label = _label(*chosen[g], vector_of, used)
        said = [clean_text(texts[r]) for r in sampled[g]]
        if not label or folded(label) in used:  # nothing new to say in a phrase
            label = verdict_label(said) or label
        elif all(uses < 2 for _, _, uses in found[g]) and between_people(
            [texts[r] for r in sampled[g]]
        ):
            # Replies that thank and chat share no phrase ("purple brolly", "middle name"): a
            # label made of one reply's words ("Names on the steering group") says nothing of
            # the rest.
            label = THANKS
        labels[g] = label or "Unnamed"
        used.add(folded(labels[g]))
    _set_apart(labels, chosen, vector_of)
    names = [Name(labels[g], chosen[g][0]) for g in range(len(groups))]
    from lab_app.themes import model_names as theme_llm

    if theme_llm.enabled():  # an optional local model may name a theme better, if grounded
        for g, name in enumerate(names):
            name.label, name.summary = theme_llm.improve(name.label, [texts[r] for r in sampled[g]])
    return names


def _set_apart(labels: dict[int, str], chosen: list, vector_of: dict) -> None:
    """A label whose words all sit inside another theme's label ("Room" beside "Room and
    conversation", "Survey" beside "Lab survey") cannot tell a reader which theme is which: it
    takes its next wording that stands apart, when it has one."""
    for g in sorted(labels):
        own = set(words(labels[g]))
        others = [set(words(label)) for h, label in labels.items() if h != g]
        if not chosen[g][0] or not any(own < other for other in others):
            continue
        used = {folded(label) for label in labels.values()}
        labels[g] = _label(*chosen[g], vector_of, used, inside=others) or labels[g]


def _centres(vectors: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    centres = np.vstack([vectors[rows].mean(axis=0) for rows in groups])
    return centres / np.clip(np.linalg.norm(centres, axis=1, keepdims=True), 1e-9, None)


def central_rows(vectors: np.ndarray, rows: list[int], centre: np.ndarray) -> list[int]:
    """The SAMPLE rows nearest the centre, ties by row (the same store gives the same rows)."""
    rows = np.asarray(rows, dtype=np.int64)
    closeness = vectors[rows] @ centre
    order = np.lexsort((rows, -np.round(closeness, 6)))
    return [int(r) for r in rows[order][:SAMPLE]]


def _choose(group, sampled: int, g: int, centres: np.ndarray, vector_of: dict):
    """Best phrases by relevance, distinctiveness and use, picked with MMR (λ = 0.7); also
    every pooled phrase with its score, best first (where a longer wording is looked for), and
    the phrases several of the sampled extracts use."""
    enough = max(2, round(0.04 * sampled))
    pool = group  # every candidate; those few extracts use give up ONCE below
    if not pool:
        return [], [], [], set()
    matrix = np.vstack([vector_of[c[1]] for c in pool])
    closeness = matrix @ centres.T
    relevance = closeness[:, g]
    others = np.delete(closeness, g, axis=1)
    rival = others.max(axis=1) if others.shape[1] else np.zeros(len(pool))
    use = np.sqrt(np.array([c[2] for c in pool]) / max(sampled, 1))
    score = relevance - DISTINCT * np.clip(rival - relevance, 0, None) + COVERAGE * use
    # One extract's phrase names a theme only when it says the theme far better than any
    # phrase several extracts share ("Safeguarding worries" over a stray "risk").
    score -= ONCE * (np.array([c[2] for c in pool]) < enough)
    chosen = [int(np.argmax(score))]
    while len(chosen) < min(PHRASES, len(pool)):
        redundancy = (matrix @ matrix[chosen].T).max(axis=1)
        mmr = 0.7 * score - 0.3 * redundancy
        mmr[chosen] = -np.inf
        chosen.append(int(np.argmax(mmr)))
    ranked = sorted(((pool[i][1], float(score[i])) for i in range(len(pool))), key=lambda p: -p[1])
    shared = {wording for _, wording, uses in pool if uses >= enough}
    return [pool[i][1] for i in chosen], [float(score[i]) for i in chosen], ranked, shared


def _label(
    phrases: list[str],
    scores: list[float],
    ranked: list,
    shared: set[str],
    vector_of: dict,
    used: set[str],
    inside: list[set[str]] = (),
) -> str:
    """A label of two to six words, not given to another theme already. In order of
    preference: the best phrase joined with the next when that says something else about as
    well ("Online groups and digital access"); the best phrase when it has two words or more;
    a longer wording of it that scores nearly as well ("peer support" → "peer support
    groups"); the best phrase joined with another; the other phrases; the best phrase alone."""
    if not phrases:
        return ""
    first, top = phrases[0], scores[0]
    pairable = [
        (other, score)
        for other, score in zip(phrases[1:], scores[1:], strict=True)
        if not _overlaps(first, other)
        and float(vector_of[first] @ vector_of[other]) < SAME_THING
        and " and " not in f"{first} {other}"  # not "Hospital and friendly and helpful doctors"
        and len(first.split()) + len(other.split()) < MAX_WORDS
        and not clauses.is_clause(first)
        and not clauses.is_clause(other)
    ]
    # A pair is chosen for itself only when several extracts say both halves: a word one person
    # used ("Friendships and bloke", "Home in Belfast and Manchester") says nothing of the rest.
    others = [(o, score) for o, score in pairable if first in shared and o in shared]
    # Any pair rather than a repeated label; to set a label apart, only a pair worth reading.
    pairs = [
        f"{first} and {o}" for o, score in pairable if not inside or score >= APART_SCORE * top
    ]
    joins = [f"{first} and {other}" for other, score in others if score >= PAIR_SCORE * top]
    unlike = [
        f"{first} and {other}"
        for other, score in others
        if score >= JOIN_SCORE * top and float(vector_of[first] @ vector_of[other]) < JOIN_BELOW
    ][:1]
    options = unlike + ([first] if len(first.split()) > 1 else [])
    # A longer wording that is a proper name ("Peer Support for All Lab", "leaflet for the
    # Samaritans") names one organisation or programme, not what the theme is about.
    ranked = [(p, score) for p, score in ranked if p == first or not _proper_name(p)]
    options += [p for p, score in ranked if score >= EXTEND_SCORE * top and _extends(p, first)]
    longer = [p for p, score in ranked if len(p.split()) > 1 and score >= LONGER_SCORE * top]
    # A one-word label says too little ("Staff", "Care"): a longer wording of it scoring a
    # little less is still preferred ("Friendly staff", "Care on the ward").
    wider = [p for p, score in ranked if score >= WIDER_SCORE * top and _extends(p, first)]
    options += joins + longer + wider + [first] + pairs
    if inside:  # setting a label apart: only a wording inside no other label, and unused
        apart = [o for o in options if not any(set(words(o)) <= other for other in inside)]
        label = next((o for o in apart if folded(o) not in used), "")
    else:
        label = next((o for o in options if folded(o) not in used), options[0])
    return label[:1].upper() + label[1:]


def _proper_name(phrase: str) -> bool:
    """A capitalised word after the first ("Peer Support for All Lab"); acronyms ("A&E", "GP")
    are not names."""
    return any(w[:1].isupper() and any(c.islower() for c in w) for w in phrase.split()[1:])


def _extends(longer: str, shorter: str) -> bool:
    """The longer phrase holds the shorter's words, in order, and adds at least one."""
    big, small = words(longer), words(shorter)
    return len(big) > len(small) and any(
        big[i : i + len(small)] == small for i in range(len(big) - len(small) + 1)
    )


def _overlaps(first: str, second: str) -> bool:
    return bool(set(words(first)) & set(words(second)))
