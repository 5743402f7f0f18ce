"""What a theme says about itself: key-phrase label, description, exemplars, telling attributes."""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

# Words that carry no theme in health-and-care feedback, plus our redaction placeholders.
EXTRA_STOP_WORDS = {
    "really", "just", "like", "think", "feel", "lot", "things", "thing", "got", "get", "did",
    "does", "doing", "make", "made", "way", "want", "know", "bit", "yes", "don", "didn", "isn",
    "wasn", "ve", "ll", "re", "im", "dont", "email", "phone", "url", "postcode", "nhs_number",
    "ok", "okay", "also", "would", "could", "should", "us", "one", "say", "said", "able",
}  # fmt: skip
STOP_WORDS = sorted(ENGLISH_STOP_WORDS | EXTRA_STOP_WORDS)
TOKEN = r"(?u)\b[a-zA-Z][a-zA-Z-]*[a-zA-Z]\b"  # words only: never numbers or contractions


def key_phrases(documents: list[str], top: int = 6) -> list[list[str]]:
    """Class-based TF-IDF (as BERTopic): each group's texts joined are one document."""
    if not documents:
        return []
    vectorizer = CountVectorizer(
        stop_words=STOP_WORDS, token_pattern=TOKEN, ngram_range=(1, 2), lowercase=True
    )
    try:
        counts = vectorizer.fit_transform(documents)
    except ValueError:  # nothing but stop words anywhere
        return [[] for _ in documents]
    terms = np.array(vectorizer.get_feature_names_out())
    tf = counts.multiply(1 / np.maximum(counts.sum(axis=1), 1)).tocsr()
    frequency = np.asarray(counts.sum(axis=0)).ravel()
    average_words = counts.sum() / counts.shape[0]
    idf = np.log1p(average_words / np.maximum(frequency, 1))
    weight = idf
    # A word used by most groups names none of them ("people", "peer" in a peer-support Lab).
    if counts.shape[0] >= 4:
        spread = np.asarray((tf > 0.001).sum(axis=0)).ravel() / counts.shape[0]
        weight = np.where(spread > 0.5, 0.0, idf)
    scores = tf.multiply(weight).tocsr()
    scores.eliminate_zeros()
    result = []
    for row in range(scores.shape[0]):
        line = scores.getrow(row)
        order = np.argsort(-line.data)[: top * 4]
        result.append(_distinct_terms(terms[line.indices[order]], top))
    return result


def _distinct_terms(terms, top: int) -> list[str]:
    """Skip a word already inside a chosen phrase, and a phrase made of chosen words."""
    chosen: list[str] = []
    for term in terms:
        words = set(term.split())
        if any(term in other.split() or words <= set(other.split()) for other in chosen):
            continue
        chosen = [c for c in chosen if not (" " in term and c in term.split())]
        chosen.append(term)
        if len(chosen) == top:
            break
    return chosen


def label_from(phrases: list[str], fallback: str) -> str:
    return " · ".join(phrases[:3]) if phrases else fallback


def first_sentence(text: str, limit: int = 220) -> str:
    flat = " ".join(text.split())
    match = re.search(r"(?<=[.!?])\s", flat)
    sentence = flat[: match.start()] if match else flat
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def representatives(
    vectors: np.ndarray, centroid: np.ndarray, count: int = 3, pinned: list[int] | None = None
) -> list[int]:
    """Row indices central to the theme yet different from each other (maximal marginal
    relevance, λ=0.7); pinned rows come first."""
    chosen = list(pinned or [])[:count]
    if len(vectors) == 0:
        return chosen
    centrality = vectors @ centroid
    pool = [i for i in np.argsort(-centrality)[:50] if i not in chosen]
    while len(chosen) < count and pool:
        if chosen:
            redundancy = (vectors[pool] @ vectors[chosen].T).max(axis=1)
        else:
            redundancy = np.zeros(len(pool))
        score = 0.7 * centrality[pool] - 0.3 * redundancy
        best = pool[int(np.argmax(score))]
        chosen.append(int(best))
        pool.remove(best)
    return chosen


def over_represented(
    members: list[dict[str, str]], everyone: list[dict[str, str]], minimum: int = 5
) -> list[dict]:
    """Attribute values much commoner in the theme than overall (lift >= 1.5, z >= 2)."""
    overall = Counter((n, v) for attrs in everyone for n, v in attrs.items())
    holders = Counter(n for attrs in everyone for n in attrs)
    inside = Counter((n, v) for attrs in members for n, v in attrs.items())
    inside_holders = Counter(n for attrs in members for n in attrs)
    found = []
    for (name, value), count in inside.items():
        if count < minimum or inside_holders[name] < minimum:
            continue
        p_all = overall[(name, value)] / holders[name]
        p_theme = count / inside_holders[name]
        if p_all >= 1 or p_theme / p_all < 1.5:
            continue
        z = (p_theme - p_all) / math.sqrt(p_all * (1 - p_all) / inside_holders[name])
        if z >= 2:
            found.append(
                {
                    "attribute": name,
                    "value": value,
                    "count": count,
                    "share": round(p_theme, 3),
                    "overall": round(p_all, 3),
                    "lift": round(p_theme / p_all, 2),
                }
            )
    return sorted(found, key=lambda item: -item["lift"])[:5]
